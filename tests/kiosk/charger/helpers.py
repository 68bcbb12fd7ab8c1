"""Shared helpers for the charger simulator tests."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from kiosk.charger import ConnectorSpec, SimulatedCharger
from kiosk.ports import ChargerEvent, ChargerEventKind, MeterReading

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

AC22 = ConnectorSpec.ac("AC22", phases=3, current_a=32, max_power_kw=22)
AC11 = ConnectorSpec.ac("AC11", phases=3, current_a=16)
AC7 = ConnectorSpec.ac("AC7", phases=1, current_a=32)
DC50 = ConnectorSpec.dc("DC50", max_power_kw=50, max_voltage_v=500, max_current_a=125)
DC150 = ConnectorSpec.dc("DC150", max_power_kw=150, max_voltage_v=920, max_current_a=375)
DC150_200A = ConnectorSpec.dc("DC150L", max_power_kw=150, max_voltage_v=920, max_current_a=200)
DC350 = ConnectorSpec.dc("DC350", max_power_kw=350, max_voltage_v=920, max_current_a=500)


def make(
    *specs: ConnectorSpec,
    seed: int = 1,
    step_s: float = 1.0,
    meter_interval_s: float = 1.0,
) -> SimulatedCharger:
    return SimulatedCharger(
        specs or (AC22,),
        start=T0,
        rng=random.Random(seed),
        step_s=step_s,
        meter_interval_s=meter_interval_s,
    )


def after(**kwargs: float) -> datetime:
    return T0 + timedelta(**kwargs)


def of_kind(events: Iterable[ChargerEvent], kind: ChargerEventKind) -> list[ChargerEvent]:
    return [e for e in events if e.kind is kind]


def readings(events: Iterable[ChargerEvent], connector_id: str | None = None) -> list[MeterReading]:
    return [
        e.reading
        for e in events
        if e.kind is ChargerEventKind.METER
        and e.reading is not None
        and (connector_id is None or e.connector_id == connector_id)
    ]


def powers(events: Sequence[ChargerEvent], connector_id: str | None = None) -> list[Decimal]:
    return [r.power_kw for r in readings(events, connector_id)]


def charging_powers(
    events: Sequence[ChargerEvent], connector_id: str | None = None
) -> list[Decimal]:
    return [p for p in powers(events, connector_id) if p > 0]
