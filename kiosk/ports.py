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
from typing import Protocol, runtime_checkable

__all__ = [
    "Charger",
    "ChargerEvent",
    "ChargerEventKind",
    "Clock",
    "ConnectorInfo",
    "HoldListing",
    "MeterReading",
    "PaymentProvider",
    "PowerType",
    "ProviderHold",
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
    """A provider's answer to one operation.

    `amount`, `kind` and `reference` say what the provider recorded under the
    idempotency key, so the core can compare it with what it asked for: a provider
    answers a repeated key with its *first* result, which after a lost ledger tail may
    be another amount than the one the kiosk now sends. None means "not reported"
    (nothing to compare). `reference` is the merchant reference of the hold the
    operation belongs to (what `authorize` was given), `provider_ref` the hold itself.

    Everything in here is untrusted text until the provider boundary
    (`kiosk.services.provider_boundary`) has redacted it.
    """

    ok: bool
    provider_ref: str | None = None
    error: str | None = None  # why it was declined or failed, fit for the screen
    masked_ref: str | None = None  # e.g. "VISA •••• 4242"; rebuilt by the core anyway
    approved_amount: Decimal | None = None  # a partial approval of a hold
    amount: Decimal | None = None  # the amount the provider applied under this key
    kind: str | None = None  # "authorize", "increment", "capture" or "void"
    reference: str | None = None  # the merchant reference of the hold


@dataclass(frozen=True, slots=True)
class ProviderHold:
    """An open hold as the provider lists it (see `HoldListing`)."""

    provider_ref: str
    reference: str  # the merchant reference given to `authorize`
    amount: Decimal  # what the hold still reserves
    currency: str | None = None


class PaymentProvider(Protocol):
    """A bank-card terminal, a web checkout, or an account: holds, captures, voids.

    Every call carries the idempotency key the core stored before calling: calling
    again with the same key must not move money twice, and must answer with what the
    first call did (its amount, kind and reference in the result).
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


@runtime_checkable
class HoldListing(Protocol):
    """A provider that can list its open holds: the core then finds orphan holds.

    Optional, because not every provider can (a standalone terminal cannot; acquirer
    and checkout APIs can): start-up recovery asks a provider that implements it for
    the open holds whose merchant reference starts with the station's prefix
    (`"<station id>:"`, the core's references being `"<station id>:<session id>"`)
    and voids every one the ledger does not know. A provider without it leaves such
    holds to lapse at the provider, as before.
    """

    def open_holds(self, *, reference_prefix: str) -> Sequence[ProviderHold]: ...


@dataclass(frozen=True, slots=True)
class TokenAuthorization:
    allowed: bool
    customer_group: str | None = None  # member, fleet, staff...
    contract_id: str | None = None
    reason: str | None = None  # why not, fit for the screen


class TokenAuthorizer(Protocol):
    """The backend, or the local allow-list when offline."""

    def authorize_token(self, uid: str) -> TokenAuthorization: ...
