"""A simulated charger and cars behind the Charger port, and the clocks that drive it."""

from __future__ import annotations

from kiosk.charger.clock import ScaledClock, SimulatedClock, SystemClock
from kiosk.charger.simulator import (
    AlreadyPluggedInError,
    ChargerError,
    ConnectorFaultedError,
    ConnectorSpec,
    ConnectorState,
    NotPluggedInError,
    SimulatedCharger,
    UnknownConnectorError,
    demo_connectors,
)
from kiosk.charger.vehicles import (
    CITY_CAR,
    MIDSIZE_400V,
    PERFORMANCE_800V,
    VAN,
    VEHICLES,
    VehicleProfile,
)

__all__ = [
    "CITY_CAR",
    "MIDSIZE_400V",
    "PERFORMANCE_800V",
    "VAN",
    "VEHICLES",
    "AlreadyPluggedInError",
    "ChargerError",
    "ConnectorFaultedError",
    "ConnectorSpec",
    "ConnectorState",
    "NotPluggedInError",
    "ScaledClock",
    "SimulatedCharger",
    "SimulatedClock",
    "SystemClock",
    "UnknownConnectorError",
    "VehicleProfile",
    "demo_connectors",
]
