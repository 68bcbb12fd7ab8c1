"""The ports: what the core needs from the world, as typing.Protocols.

Adapters in payment_drivers/ (and the simulators in kiosk/charger and
payment_drivers/simulated) implement them; tests use fakes of the same shape.
All times are aware UTC datetimes; money amounts are Decimal in the tariff's currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Protocol

__all__ = [
    "Charger",
    "ChargerEvent",
    "ChargerEventKind",
    "Clock",
    "ConnectorInfo",
    "MeterReading",
    "PaymentProvider",
    "PowerType",
    "ProviderResult",
    "TokenAuthorization",
    "TokenAuthorizer",
]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware, in UTC."""
        ...


class PowerType(Enum):
    AC_1_PHASE = "AC_1_PHASE"
    AC_3_PHASE = "AC_3_PHASE"
    DC = "DC"


@dataclass(frozen=True, slots=True)
class ConnectorInfo:
    connector_id: str
    evse_id: str
    power_type: PowerType
    max_power_kw: Decimal
    standard: str  # OCPI ConnectorType, e.g. IEC_62196_T2, IEC_62196_T2_COMBO
    label: str  # what the screen calls it: "A", "B", "DC 1"


@dataclass(frozen=True, slots=True)
class MeterReading:
    at: datetime
    energy_wh: Decimal  # monotonic energy register
    power_kw: Decimal
    current_a: Decimal | None = None
    voltage_v: Decimal | None = None
    soc_percent: Decimal | None = None


class ChargerEventKind(Enum):
    PLUGGED_IN = "plugged_in"
    UNPLUGGED = "unplugged"
    METER = "meter"
    SUSPENDED_EV = "suspended_ev"  # the car stopped taking energy (full or paused)
    RESUMED_EV = "resumed_ev"
    FAULT = "fault"
    FAULT_CLEARED = "fault_cleared"


@dataclass(frozen=True, slots=True)
class ChargerEvent:
    connector_id: str
    kind: ChargerEventKind
    at: datetime
    reading: MeterReading | None = None
    detail: str = ""


class Charger(Protocol):
    """The power electronics of the station, one or more connectors."""

    def connectors(self) -> Sequence[ConnectorInfo]: ...

    def start(self, connector_id: str, max_power_kw: Decimal | None = None) -> None:
        """Allow energy transfer on a plugged-in connector."""
        ...

    def stop(self, connector_id: str) -> None:
        """End energy transfer; the car stays plugged in until the driver unplugs."""
        ...

    def read_meter(self, connector_id: str) -> MeterReading: ...

    def poll(self, now: datetime) -> Sequence[ChargerEvent]:
        """Everything that happened up to `now`, in order (meter samples included)."""
        ...


@dataclass(frozen=True, slots=True)
class ProviderResult:
    ok: bool
    provider_ref: str | None = None
    error: str | None = None  # why it was declined or failed, fit for the screen
    masked_ref: str | None = None  # e.g. "VISA •••• 4242"; never a card number
    approved_amount: Decimal | None = None  # a partial approval of a hold


class PaymentProvider(Protocol):
    """A bank-card terminal, a web checkout, or an account: holds, captures, voids.

    Every call carries the idempotency key the core stored before calling: calling
    again with the same key must not move money twice.
    """

    def authorize(
        self, *, idempotency_key: str, amount: Decimal, currency: str, reference: str
    ) -> ProviderResult: ...

    def increment(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult: ...

    def capture(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult: ...

    def void(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult: ...

    def lookup(self, *, idempotency_key: str) -> ProviderResult | None:
        """What became of an operation sent before a crash (None: never arrived)."""
        ...


@dataclass(frozen=True, slots=True)
class TokenAuthorization:
    allowed: bool
    customer_group: str | None = None  # member, fleet, staff...
    contract_id: str | None = None
    reason: str | None = None  # why not, fit for the screen


class TokenAuthorizer(Protocol):
    """The backend, or the local allow-list when offline."""

    def authorize_token(self, uid: str) -> TokenAuthorization: ...
