"""The station's shared state, what a screen reads of it, and the seams' contract.

`StationService` (station_service.py) is composed of one class per seam, each in its
own module, all over this base: the connectors' flow and the driver's actions
(flow.py), the meter, holds and their limits (metering.py), the money saga
(money.py), recovery after a crash (recovery.py), the attendant's actions
(attendant.py), timeouts (timeouts.py) and the devices' states (device_states.py).
The few calls a seam makes into one composed above it are declared here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from kiosk.charger.clock import driver_wait
from kiosk.config import ConnectorConfig, Holds, Settings
from kiosk.domain import jsonio
from kiosk.domain.errors import BugError, UserFacingError
from kiosk.domain.payment import (
    DeclineCode,
    Payment,
    PaymentMethod,
    PaymentOperation,
)
from kiosk.domain.pricing import Amount
from kiosk.domain.redaction import redact_optional
from kiosk.domain.session import (
    ChargingSession,
    SessionState,
    StopReason,
    TokenType,
)
from kiosk.domain.tariff import Tariff
from kiosk.ports import (
    CardTerminal,
    Charger,
    ChargerEvent,
    Clock,
    PaymentProvider,
    TerminalPrompt,
    TerminalStatus,
    TokenAuthorization,
    TokenAuthorizer,
)
from kiosk.services.attempts import AttemptLimiter
from kiosk.services.ledger import Ledger
from kiosk.services.payment_runner import InlineRunner, PaymentRunner
from kiosk.services.provider_boundary import GuardedProvider
from kiosk.station import ConnectorFlow, FlowEvent, FlowState
from kiosk.station_keys import StationKeys

__all__ = [
    "RECEIPT_ON_CARD_S",
    "RECENT_RECEIPTS_S",
    "TERMINAL_PROBE_S",
    "CodeAnswer",
    "CodeOutcome",
    "ConnectorView",
    "StationBase",
]

log = logging.getLogger(__name__)

_TOKEN_TYPES = {
    PaymentMethod.ACCOUNT_TOKEN: TokenType.RFID,
    PaymentMethod.BANK_CARD: TokenType.AD_HOC_USER,
    PaymentMethod.QR_WEB: TokenType.APP_USER,
}


# A finished session's receipt stays one tap away on its connector's card this long
# after the unplug; by card or stop code ("Get a receipt") for RECENT_RECEIPTS_S.
RECEIPT_ON_CARD_S = 15 * 60
RECENT_RECEIPTS_S = 24 * 3600
# A terminal that stopped answering is asked again this often (driver's seconds).
TERMINAL_PROBE_S = 30

# the device behind each way to pay, as `devices` names it
_DEVICE_OF = {
    PaymentMethod.BANK_CARD: "terminal",
    PaymentMethod.ACCOUNT_TOKEN: "accounts",
    PaymentMethod.QR_WEB: "qr",
}


class CodeOutcome(Enum):
    STOPPED = "stopped"  # the session of the code stopped
    OTHER_CONNECTOR = "other_connector"  # the code is another connector's: ask first
    RECEIPT = "receipt"  # the code (or card) found a finished session's receipt
    WRONG = "wrong"  # no session has this code; `tries_left` before the pause
    LOCKED = "locked"  # too many wrong codes: `locked_s` seconds to wait


@dataclass(frozen=True)
class CodeAnswer:
    """What a typed stop code (or a card asking for a receipt) did, for the screen."""

    outcome: CodeOutcome
    connector_id: str | None = None
    session_id: str | None = None
    cost: Amount | None = None
    tries_left: int = 0
    locked_s: int = 0


@dataclass
class _Connector:
    config: ConnectorConfig
    flow: ConnectorFlow
    tariffs: tuple[Tariff, ...]
    tariff_text: str
    session: ChargingSession | None = None
    payment: Payment | None = None
    method: PaymentMethod | None = None
    plugged: bool = False
    faulted: bool = False
    deadline: datetime | None = None
    last_checkpoint: datetime | None = None
    last_delta: Decimal = Decimal(0)
    last_cost: Decimal = Decimal(0)
    message: str | None = None  # the last user-facing message (decline reason...)
    receipt_session_id: str | None = None
    receipt_until: datetime | None = None  # the card offers the receipt until then
    car_detail: str = ""  # why the car takes no energy: "full" or "paused" (the charger's)
    decline: DeclineCode | None = None  # why the last payment was refused
    prompt: TerminalStatus | None = None  # what the terminal asks of the driver now
    pending: str | None = None  # the payment whose authorization is on its way
    cancel_requested: bool = False  # the driver cancelled while it was on its way
    incrementing: bool = False  # an increase of the hold is on its way
    no_increments: bool = False  # the provider refused one: stop before the hold instead
    settle_after_increment: bool = False  # unplugged while an increase was on its way
    hold_alarmed: bool = False  # the card hold's expiry alarm was raised
    remote_start: str | None = None  # the app's start command whose hold is on its way


@dataclass(frozen=True)
class ConnectorView:
    """What a screen needs to show one connector, read in one go."""

    connector_id: str
    label: str
    state: FlowState
    plugged: bool
    faulted: bool
    session_id: str | None
    session_state: SessionState | None
    energy_kwh: Decimal
    power_kw: Decimal
    soc_percent: Decimal | None
    cost: Amount | None
    authorized: Decimal | None
    started_at: datetime | None
    stopped_at: datetime | None  # energy transfer ended: the idle fee's grace runs from here
    deadline: datetime | None
    message: str | None
    method: PaymentMethod | None
    stop_code: str | None
    receipt_session_id: str | None
    # the car takes no energy (suspended, full) or the session stopped: the idle fee's
    # grace runs from here; None while it charges
    idle_since: datetime | None = None
    idle_fee_waived: bool = False  # stopped by the station: no idle fee (docs/tariffs.md)
    stop_reason: StopReason | None = None
    car_detail: str = ""  # "full" or "paused" while the car is suspended
    # the last finished session's receipt, while the card offers it (the connector idle)
    last_receipt_id: str | None = None
    decline: DeclineCode | None = None  # why the payment was refused (DECLINED)
    terminal_prompt: TerminalPrompt | None = None  # the card terminal's prompt (AUTHORIZING)
    terminal_text: str = ""  # the terminal's own text with it, redacted
    cancelling: bool = False  # Cancel was sent to the terminal; its answer is awaited
    # a phone payment waiting (TerminalPrompt.SCAN_QR): its checkout page and expiry
    checkout_url: str = ""
    checkout_expires: datetime | None = None
    payment_ref: str | None = None  # the provider's reference of the hold (a QR intent's id)


class StationBase:
    def __init__(
        self,
        *,
        settings: Settings,
        charger: Charger,
        clock: Clock,
        providers: Mapping[PaymentMethod, PaymentProvider],
        tokens: TokenAuthorizer,
        db: Ledger,
        keys: StationKeys,
        runner: PaymentRunner | None = None,
    ) -> None:
        self.settings = settings
        self.charger = charger
        self.clock = clock
        self.providers = dict(providers)  # the adapters, as given (test hooks reach them)
        # The provider boundary: every answer is redacted here, in one place; the
        # service talks to the providers only through these.
        self._guarded: dict[PaymentMethod, GuardedProvider] = {
            m: GuardedProvider(p, m.value) for m, p in providers.items()
        }
        self.tokens = tokens
        self.runner: PaymentRunner = runner or InlineRunner()
        # each device's state for the screens: "ok", "missing" (configured, not
        # answering) or "none" (not configured); the reader's comes from its events
        self.devices: dict[str, str] = {
            "terminal": "ok" if PaymentMethod.BANK_CARD in providers else "none",
            "accounts": "ok" if PaymentMethod.ACCOUNT_TOKEN in providers else "none",
            "qr": "ok" if PaymentMethod.QR_WEB in providers else "none",
            "reader": "ok",
        }
        # a terminal is asked at the first tick whether it answers (so a terminal that is
        # off shows as unavailable before a driver picks it), then only while it does not
        self._next_probe: datetime | None = (
            self.now() if isinstance(providers.get(PaymentMethod.BANK_CARD), CardTerminal) else None
        )
        self._eod_day: str | None = None  # the local day the terminal last closed
        self._eod_running = False
        self._eod_retry_at: datetime | None = None
        # the backend link as the sync worker reports it (kiosk/services/backend_link.py):
        # online (None until the first answer), clock offset, outbox, versions
        self.backend: dict[str, Any] = {"online": None, "detail": "", "tariff_version": None}
        # a hold's merchant reference -> its connector, for a provider that needs the
        # connector (a QR checkout page names it); written here, read on device threads
        self.reference_connectors: dict[str, str] = {}
        self.reference_contracts: dict[str, str] = {}  # ... and the account it is on
        # captures and voids the provider could not take (key -> payment, op, when next)
        self._unsettled: dict[str, tuple[Payment, PaymentOperation, datetime]] = {}
        self.closed = False  # set by close(): late device answers are dropped
        self._recovering = False  # start-up recovery calls the providers directly
        self.db = db
        self.keys = keys
        self.codes = AttemptLimiter(clock)  # stop codes typed at this station, any screen
        self.connectors: dict[str, _Connector] = {}
        for c in settings.connectors:
            self.connectors[c.id] = _Connector(
                config=c,
                flow=ConnectorFlow(c.id),
                tariffs=settings.tariffs[c.id],
                tariff_text=settings.tariff_texts[c.id],
            )
        with self.db.unit_of_work() as uow:
            for cid in self.connectors:
                if uow.station_state.get(f"out_of_service:{cid}") == "1":
                    self.connectors[cid].flow.handle(
                        FlowEvent.OUT_OF_SERVICE, "out of service before the restart", self.now()
                    )

    def now(self) -> datetime:
        return self.clock.now()

    def _c(self, connector_id: str) -> _Connector:
        try:
            return self.connectors[connector_id]
        except KeyError:
            # the screens only act on connectors they show: a caller's bug, not the driver's
            raise BugError(f"no connector {connector_id!r}") from None

    def _event(self, c: _Connector, event: FlowEvent, reason: str) -> None:
        now = self.now()
        transition = c.flow.handle(event, reason, now)
        if transition is None:
            return
        t = self.settings.timeouts
        limits = {
            FlowState.CONNECTOR_CHOSEN: t.inactivity_s,
            FlowState.PAYMENT_CHOSEN: t.inactivity_s,
            FlowState.DECLINED: t.declined_s,
            FlowState.WAITING_FOR_PLUG: t.plug_in_s,
            FlowState.RECEIPT: t.receipt_s,
            FlowState.AUTHORIZING: t.authorizing_s,
        }
        seconds = limits.get(transition.target)
        # screen timeouts are the driver's time: real seconds, whatever the demo's speed
        c.deadline = None if seconds is None else now + driver_wait(self.clock, seconds)

    def tariff_for(self, connector_id: str, method: PaymentMethod | None) -> Tariff:
        """The tariff a driver paying this way sees and pays (OCPI type, validity)."""
        self._c(connector_id)  # an unknown connector is the service's error, not a KeyError
        return self.settings.tariff_for(connector_id, method, self.now())

    def _tariff_json(self, c: _Connector, tariff: Tariff) -> str:
        data = jsonio.loads(c.tariff_text)
        if isinstance(data, list):
            data = next(
                item for item in data if isinstance(item, dict) and item.get("id") == tariff.id
            )
        return jsonio.dumps_numbers(data)

    def view(self, connector_id: str) -> ConnectorView:
        c = self._c(connector_id)
        s = c.session
        cost = None
        if s is not None and (s.state.is_running or s.state is SessionState.FINISHING):
            cost = s.running_cost()
        elif s is not None and s.totals is not None:
            cost = Amount(s.totals.cost_excl_vat, s.totals.cost_incl_vat)
        energy = Decimal(0)
        if s is not None and s.meter_last_wh is not None and s.meter_start_wh is not None:
            energy = (s.meter_last_wh - s.meter_start_wh) / 1000
        now = self.now()
        last_receipt = None
        if (
            c.flow.state is FlowState.IDLE
            and c.receipt_until is not None
            and now < c.receipt_until
            and c.session is None
        ):
            last_receipt = c.receipt_session_id
        return ConnectorView(
            connector_id=connector_id,
            label=c.config.label,
            state=c.flow.state,
            plugged=c.plugged,
            faulted=c.faulted,
            session_id=None if s is None else s.id,
            session_state=None if s is None else s.state,
            energy_kwh=energy,
            power_kw=Decimal(0) if s is None else s.power_kw,
            soc_percent=None if s is None else s.soc_percent,
            cost=cost,
            authorized=None if c.payment is None else c.payment.authorized,
            started_at=None if s is None else s.plugged_at,
            stopped_at=None if s is None else s.stopped_at,
            deadline=c.deadline,
            message=c.message,
            method=c.method,
            stop_code=None if s is None or not s.stop_code else s.stop_code,
            receipt_session_id=c.receipt_session_id,
            idle_since=None if s is None else s.idle_since,
            idle_fee_waived=s is not None and s.idle_fee_waived,
            stop_reason=None if s is None else s.stop_reason,
            car_detail=c.car_detail
            if s is not None and s.state is SessionState.SUSPENDED_EV
            else "",
            last_receipt_id=last_receipt,
            decline=c.decline if c.flow.state is FlowState.DECLINED else None,
            terminal_prompt=None if c.prompt is None else c.prompt.prompt,
            terminal_text="" if c.prompt is None else c.prompt.text,
            cancelling=c.cancel_requested and c.flow.state is FlowState.AUTHORIZING,
            checkout_url="" if c.prompt is None else c.prompt.url,
            checkout_expires=None if c.prompt is None else c.prompt.expires_at,
            payment_ref=None if c.payment is None else c.payment.provider_ref,
        )

    def close(self) -> None:
        """The station closes: answers still on their way are dropped when they come
        (the ledger keeps their operations pending; the next start's recovery asks)."""
        self.closed = True

    def _reference(self, session_id: str) -> str:
        """The merchant reference of a session's hold: `<station id>:<session id>`."""
        return f"{self._reference_prefix()}{session_id}"

    def _reference_prefix(self) -> str:
        return f"{self.settings.station.id}:"

    def _station_currency(self) -> str:
        for c in self.connectors.values():
            if c.tariffs:
                return c.tariffs[0].currency
        return "EUR"

    def _holds(self, c: _Connector) -> Holds:
        return c.config.holds or self.settings.holds

    def _hold_amount(self, c: _Connector, method: PaymentMethod) -> Decimal:
        holds = self._holds(c)
        return {
            PaymentMethod.BANK_CARD: holds.bank_card,
            PaymentMethod.QR_WEB: holds.qr_web,
            PaymentMethod.ACCOUNT_TOKEN: holds.account_token,
        }[method]

    def _decline(self, c: _Connector, reason: str, code: DeclineCode) -> None:
        c.message = reason  # the provider's words: for the log and the attendant only
        c.decline = code  # what the screen words
        c.prompt = None
        self._event(c, FlowEvent.DECLINED, f"{code.value}: {reason}")

    def _cancelled(self, c: _Connector, reason: str) -> None:
        """The payment's answer is in after the driver cancelled: back to the price."""
        c.cancel_requested = False
        c.prompt = None
        if c.flow.state is FlowState.AUTHORIZING:
            self._event(c, FlowEvent.BACK, reason)

    def _require_method(self, c: _Connector, method: PaymentMethod) -> None:
        if c.flow.state is not FlowState.PAYMENT_CHOSEN or c.method is not method:
            raise UserFacingError("Choose this way to pay first.")

    # ------------------------------------------- the seams' contract (defined above)

    def stop(self, connector_id: str, reason: StopReason) -> None:
        raise NotImplementedError  # flow.Flow

    def cancel_payment(self, connector_id: str) -> None:
        raise NotImplementedError  # flow.Flow

    def _start_charging(self, c: _Connector, event: ChargerEvent) -> None:
        raise NotImplementedError  # metering.Metering


def _safe_token_answer(answer: TokenAuthorization) -> TokenAuthorization:
    """The token check's texts, redacted: they are stored, shown and logged."""
    return TokenAuthorization(
        allowed=answer.allowed,
        customer_group=redact_optional(answer.customer_group),
        contract_id=redact_optional(answer.contract_id),
        reason=redact_optional(answer.reason),
        code=answer.code,
    )


def _payment_event(p: Payment) -> dict[str, Any]:
    return {
        "payment_id": p.id,
        "session_id": p.session_id,
        "method": p.method.value,
        "state": p.state.value,
        "currency": p.currency,
        "authorized": str(p.authorized),
        "captured": str(p.captured),
        "masked_ref": p.masked_ref,
    }
