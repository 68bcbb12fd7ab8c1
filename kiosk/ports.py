"""The ports: what the core needs from the world, as typing.Protocols.

The real drivers in payment_drivers/ and the simulators in kiosk/sim/ and
kiosk/charger/ implement them; tests use fakes of the same shape (tests/fakes/).
All times are aware UTC datetimes; money amounts are Decimal in the tariff's currency.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Protocol, runtime_checkable

from kiosk.domain.payment import DeclineCode

__all__ = [
    "CardKind",
    "CardTerminal",
    "Charger",
    "ChargerEvent",
    "ChargerEventKind",
    "Clock",
    "ConnectorInfo",
    "DeclineCode",
    "EndOfDay",
    "HoldListing",
    "MeterReading",
    "MobilePay",
    "PaymentGateway",
    "PaymentProvider",
    "PowerType",
    "ProviderHold",
    "ProviderResult",
    "StatusSink",
    "TerminalDiagnosis",
    "TerminalPrompt",
    "TerminalStatus",
    "TokenAuthorization",
    "TokenAuthorizer",
    "TokenEvent",
    "TokenEventKind",
    "TokenReader",
    "TokenSink",
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
    error: str | None = None  # why it was declined or failed: for the log, never the screen
    masked_ref: str | None = None  # e.g. "VISA •••• 4242"; rebuilt by the core anyway
    approved_amount: Decimal | None = None  # a partial approval of a hold
    amount: Decimal | None = None  # the amount the provider applied under this key
    kind: str | None = None  # "authorize", "increment", "capture" or "void"
    reference: str | None = None  # the merchant reference of the hold
    # why it was refused, typed: the screens word it (a provider's text is never a key)
    code: DeclineCode | None = None


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
    reason: str | None = None  # why not, in the backend's words: for the log
    code: DeclineCode | None = None  # why not, typed: what the screen words


class TokenAuthorizer(Protocol):
    """The backend, or the local allow-list when offline."""

    def authorize_token(self, uid: str) -> TokenAuthorization: ...


# ---------------------------------------------------------------- card terminal


class TerminalPrompt(Enum):
    """What the terminal asks of the driver while a payment waits (shown on screen)."""

    PRESENT_CARD = "present_card"  # insert, tap or swipe the card
    ENTER_PIN = "enter_pin"
    PIN_WRONG = "pin_wrong"  # try the PIN again
    PROCESSING = "processing"  # the terminal talks to the bank
    REMOVE_CARD = "remove_card"
    WAIT = "wait"  # any other "please wait"
    OTHER = "other"  # a text of the terminal's own: `TerminalStatus.text`
    SCAN_QR = "scan_qr"  # a mobile payment waits on the phone: `url` is its checkout page


@dataclass(frozen=True, slots=True)
class TerminalStatus:
    """An intermediate status of the terminal (ZVT 04 FF), as it happens."""

    prompt: TerminalPrompt
    text: str = ""  # the terminal's own display text, redacted; shown as is, never a key
    code: int | None = None  # the protocol's status code, for the log
    url: str = ""  # SCAN_QR: the checkout page the QR code on the screen opens
    expires_at: datetime | None = None  # SCAN_QR: when that page stops taking the payment


# who hears a terminal's statuses (called on the terminal's thread)
StatusSink = Callable[[TerminalStatus], None]


@dataclass(frozen=True, slots=True)
class EndOfDay:
    ok: bool
    total: Decimal | None = None  # what the terminal booked since the last end-of-day
    count: int | None = None
    text: str = ""  # the terminal's receipt or error text, redacted
    code: DeclineCode | None = None


@dataclass(frozen=True, slots=True)
class TerminalDiagnosis:
    """What an installer needs to see about a terminal on site."""

    reachable: bool
    registered: bool = False
    terminal_id: str | None = None
    status: str = ""  # the terminal's own status text
    detail: str = ""  # why not reachable or not registered
    lines: tuple[str, ...] = field(default=())  # each step, as printed by `devices test`


@runtime_checkable
class CardTerminal(Protocol):
    """A bank-card payment terminal (ZVT over TCP, or its simulator).

    Its money calls block until the terminal answers (a pre-authorisation waits up
    to minutes for the card and the PIN), so the station never calls them on its
    loop: the runtime runs them on the terminal's own thread and feeds the answers
    back as events (`kiosk.runtime.devices`). `on_status` is called on that thread
    for every intermediate status. `abort` is the one call made from another thread:
    it asks the terminal to give up the operation that waits, and returns at once;
    that operation then answers with `DeclineCode.ABORTED`.

    `lookup` recovers an operation left open by a crash: the driver keeps, per
    idempotency key, the receipt and trace numbers the terminal gave (or that it sent
    the request), and asks the terminal for that transaction. A reversal of a
    transaction the terminal says is already reversed is answered ok.
    """

    def authorize(
        self,
        *,
        idempotency_key: str,
        amount: Decimal,
        currency: str,
        reference: str,
        on_status: StatusSink | None = None,
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

    def lookup(self, *, idempotency_key: str) -> ProviderResult | None: ...

    def abort(self) -> None: ...

    def end_of_day(self) -> EndOfDay: ...

    def diagnose(self) -> TerminalDiagnosis: ...

    def close(self) -> None: ...


@runtime_checkable
class MobilePay(Protocol):
    """A payment the driver makes on their phone (a QR code to a checkout page).

    Like a card terminal's, its `authorize` waits on the driver: it creates the payment
    at the backend, calls `on_status` with `TerminalPrompt.SCAN_QR` (the checkout URL
    and its expiry, for the QR code on the screen; again with a new URL when it is
    renewed), then waits until the phone paid, the page expired, or `abort` (from any
    thread) gave it up, which answers `DeclineCode.ABORTED`. The runtime runs it on
    the method's own thread, never on the station loop.
    """

    def authorize(
        self,
        *,
        idempotency_key: str,
        amount: Decimal,
        currency: str,
        reference: str,
        on_status: StatusSink | None = None,
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

    def lookup(self, *, idempotency_key: str) -> ProviderResult | None: ...

    def abort(self) -> None: ...

    def close(self) -> None: ...


class PaymentGateway(PaymentProvider, TokenAuthorizer, Protocol):
    """The account side of RFID contract customers: who may charge, and their holds.

    The holds an account places are bookings on the customer's account, not on a
    card; the calls answer quickly (a backend on the network, with a timeout), but
    are still made off the station loop, like every provider call.
    """


# ---------------------------------------------------------------- RFID reader


class CardKind(Enum):
    """What kind of contactless card was presented, from its ATR (PC/SC part 3)."""

    MIFARE_CLASSIC_1K = "mifare_classic_1k"
    MIFARE_CLASSIC_4K = "mifare_classic_4k"
    MIFARE_ULTRALIGHT = "mifare_ultralight"
    MIFARE_DESFIRE = "mifare_desfire"
    ISO_14443_4 = "iso_14443_4"  # a smart card speaking ISO 7816-4 over ISO 14443-4
    UNKNOWN = "unknown"


class TokenEventKind(Enum):
    PRESENTED = "presented"  # one per tap: `uid` and `card` set
    REMOVED = "removed"
    BANK_CARD = "bank_card"  # a payment card on the RFID reader: nothing of it was kept
    UNREADABLE = "unreadable"  # a card that gave no usable UID (not recognised, pulled away)
    READER_ATTACHED = "reader_attached"
    READER_DETACHED = "reader_detached"
    READER_FAULT = "reader_fault"


@dataclass(frozen=True, slots=True)
class TokenEvent:
    kind: TokenEventKind
    reader: str  # the reader's name, as PC/SC reports it
    at: datetime
    uid: str | None = None  # upper-case hex; an RFID UID, never a card number
    card: CardKind | None = None
    detail: str = ""  # for the log: why unreadable, the fault


# who hears a reader's events (called on the reader's thread)
TokenSink = Callable[[TokenEvent], None]


class TokenReader(Protocol):
    """RFID readers: card presented or removed, readers attached, detached or faulted.

    `start` starts the reader's own threads (one per reader) and returns; every event
    is given to `sink` on those threads. `close` stops them.
    """

    def start(self, sink: TokenSink) -> None: ...

    def close(self) -> None: ...
