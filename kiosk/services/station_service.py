"""The station's use cases: choose, pay, charge, stop, settle, recover.

One `StationService` per kiosk. It owns the connectors' flows and drives the ports
(charger, payment providers, token authorizer) and the store. Money moves only
through `_authorize` and `_settle`, which follow one pattern: record the operation
with its idempotency key and commit, call the provider, record the answer and
commit, each state change with its outbox and audit rows in the same transaction.

Threading: every method runs on the station loop's thread (kiosk/runtime/loop.py)
and may block on the database, never on a provider: every provider call goes through
the `PaymentRunner`, which runs it on its device's thread and brings the answer back to
the loop (`_authorized`, `_completed`). Meanwhile the connector waits in AUTHORIZING (a
terminal's prompts on its screen, Cancel sent to the terminal as an abort) and the
payment's operation stays pending in the ledger, as after a crash: recovery asks the
provider about its key. Start-up recovery itself calls the providers directly, before
the station takes its first event.

Provider answers are checked, never assumed. Every provider sits behind the boundary
(`provider_boundary.GuardedProvider`: its texts redacted, masked references rebuilt),
and every answer is compared with what the ledger asked for: the amount, the kind of
operation and the reference (`_discrepancies`). A mismatch is recorded as a
`Discrepancy` (table `discrepancies`), audited, sent through the outbox and logged as a
warning, in the transaction that records the answer; the payment then records what
the provider did (its amount captured, a void where it voided), never the kiosk's own
figure. Start-up recovery also asks every provider that can list its open holds for
this station's (`HoldListing`) and voids every hold no unsettled payment owns
(`_sweep_orphan_holds`).

RFID UIDs and stop codes are kept as keyed hashes (`StationKeys.token_hash`): the same
card tapped again, or the stop code typed in, is recognised by comparing hashes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hmac
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

from kiosk.charger.clock import driver_wait
from kiosk.config import ConnectorConfig, Holds, Settings
from kiosk.domain import jsonio
from kiosk.domain.errors import BugError, KnownError, UserFacingError
from kiosk.domain.payment import (
    DeclineCode,
    Discrepancy,
    DiscrepancyKind,
    OperationKind,
    OperationState,
    Payment,
    PaymentMethod,
    PaymentOperation,
    PaymentState,
)
from kiosk.domain.pricing import Amount
from kiosk.domain.redaction import looks_like_pan, redact, redact_optional
from kiosk.domain.session import (
    ChargingSession,
    MeterSample,
    SessionState,
    StopReason,
    TokenType,
)
from kiosk.domain.tariff import Tariff
from kiosk.ports import (
    CardTerminal,
    Charger,
    ChargerEvent,
    ChargerEventKind,
    Clock,
    PaymentProvider,
    ProviderHold,
    ProviderResult,
    StatusSink,
    TerminalPrompt,
    TerminalStatus,
    TokenAuthorization,
    TokenAuthorizer,
    TokenEvent,
    TokenEventKind,
)
from kiosk.services.attempts import AttemptLimiter
from kiosk.services.payment_runner import InlineRunner, PaymentRunner
from kiosk.services.provider_boundary import GuardedProvider
from kiosk.station import ConnectorFlow, FlowEvent, FlowState
from kiosk.station_keys import StationKeys
from kiosk.store import Database, UnitOfWork
from kiosk.store.repositories import redact_pan_like

__all__ = ["CodeAnswer", "CodeOutcome", "ConnectorView", "StationService"]

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


class Notify(Protocol):
    def __call__(self, connector_id: str, what: str) -> None: ...


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


class StationService:
    def __init__(
        self,
        *,
        settings: Settings,
        charger: Charger,
        clock: Clock,
        providers: Mapping[PaymentMethod, PaymentProvider],
        tokens: TokenAuthorizer,
        db: Database,
        keys: StationKeys,
        notify: Notify | None = None,
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
        self._next_probe: datetime | None = None
        self.closed = False  # set by close(): late device answers are dropped
        self._recovering = False  # start-up recovery calls the providers directly
        self.db = db
        self.keys = keys
        self._notify: Callable[[str, str], None] = notify or (lambda _c, _w: None)
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

    # --------------------------------------------------------------- helpers

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
        }
        seconds = limits.get(transition.target)
        # screen timeouts are the driver's time: real seconds, whatever the demo's speed
        c.deadline = None if seconds is None else now + driver_wait(self.clock, seconds)
        self._notify(c.config.id, transition.target.value)

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
        )

    # ---------------------------------------------------------- driver actions

    def select(self, connector_id: str) -> None:
        c = self._c(connector_id)
        if c.flow.state is not FlowState.IDLE:
            raise UserFacingError("This connector is busy.")
        c.message = None
        self._event(c, FlowEvent.SELECT, "chosen on screen")

    def back(self, connector_id: str) -> None:
        c = self._c(connector_id)
        if c.flow.state is FlowState.WAITING_FOR_PLUG:
            self._cancel_before_plug(c, StopReason.CANCELLED)
            return
        if c.flow.can(FlowEvent.BACK):
            self._event(c, FlowEvent.BACK, "back on screen")

    def touch(self, connector_id: str) -> None:
        """The driver touched the screen: the inactivity clock starts again."""
        c = self._c(connector_id)
        if c.deadline is not None and c.flow.state in (
            FlowState.CONNECTOR_CHOSEN,
            FlowState.PAYMENT_CHOSEN,
        ):
            c.deadline = self.now() + driver_wait(self.clock, self.settings.timeouts.inactivity_s)

    def choose_payment(self, connector_id: str, method: PaymentMethod) -> None:
        """The driver chose how to pay. A card terminal is asked for the hold at once:
        it then prompts for the card itself (its prompts come back as statuses)."""
        c = self._c(connector_id)
        if not self.method_available(method):
            raise UserFacingError("This way to pay is not available right now.")
        c.method = method
        c.message = None
        c.decline = None
        self._event(c, FlowEvent.CHOOSE_PAYMENT, f"pay by {method.value}")
        terminal = self.providers.get(PaymentMethod.BANK_CARD)
        if method is PaymentMethod.BANK_CARD and isinstance(terminal, CardTerminal):
            self.pay_by_card(connector_id)

    def pay_by_card(self, connector_id: str) -> bool | None:
        """Bank card on the terminal: a hold of the configured amount.

        True or False when the answer came at once (an in-process provider), None
        while it is on its way (a terminal waiting for the card): `_authorized` then
        takes it when it comes.
        """
        c = self._c(connector_id)
        self._require_method(c, PaymentMethod.BANK_CARD)
        self._event(c, FlowEvent.CREDENTIAL, "pre-authorisation sent to the card terminal")
        return self._authorize(c, PaymentMethod.BANK_CARD, None, None)

    def method_available(self, method: PaymentMethod) -> bool:
        """Whether this way to pay is configured and its device answers."""
        if method not in self._guarded:
            return False
        if method is PaymentMethod.ACCOUNT_TOKEN and self.devices.get("reader") == "missing":
            return False
        return self.devices.get(_DEVICE_OF[method]) != "missing"

    def reader_event(self, event: TokenEvent) -> str | None:
        """An RFID reader's event: the reader's state, or a card on it (what it did)."""
        kind = event.kind
        if kind in (
            TokenEventKind.READER_ATTACHED,
            TokenEventKind.READER_DETACHED,
            TokenEventKind.READER_FAULT,
        ):
            state = "ok" if kind is TokenEventKind.READER_ATTACHED else "missing"
            if self.devices.get("reader") != state:
                log.log(
                    logging.INFO if state == "ok" else logging.WARNING,
                    "card reader %s: %s%s",
                    event.reader,
                    kind.value,
                    f" ({event.detail})" if event.detail else "",
                )
            self.devices["reader"] = state
            return None
        if kind is TokenEventKind.PRESENTED and event.uid:
            self.devices["reader"] = "ok"
            return self.present_token(event.uid)
        if kind is TokenEventKind.BANK_CARD:
            log.info("a bank card was held to the RFID reader: nothing of it was read")
            return "bank_card"
        if kind is TokenEventKind.UNREADABLE:
            log.info("a card on the RFID reader could not be read: %s", event.detail or "-")
            return "unreadable"
        return None

    def _terminal_answered(self, result: ProviderResult) -> None:
        """A terminal that cannot be reached makes bank cards unavailable until it answers."""
        if self.closed or self.devices.get("terminal") == "none":
            return
        missing = not result.ok and result.code is DeclineCode.UNAVAILABLE
        state = "missing" if missing else "ok"
        if self.devices["terminal"] != state:
            log.log(
                logging.WARNING if missing else logging.INFO,
                "card terminal %s",
                "does not answer: bank cards are unavailable" if missing else "answers again",
            )
        self.devices["terminal"] = state
        if missing:
            self._next_probe = self.now() + driver_wait(self.clock, TERMINAL_PROBE_S)

    def _probe_terminal(self) -> None:
        terminal = self.providers.get(PaymentMethod.BANK_CARD)
        if not isinstance(terminal, CardTerminal):
            return
        self._next_probe = None  # the next one is set by the answer

        def probe(_status: StatusSink) -> ProviderResult:  # on the terminal's thread
            try:
                found = terminal.diagnose()
            except Exception as exc:  # a probe never takes the station down
                log.info("card terminal probe failed: %s", exc)
                return ProviderResult(False, code=DeclineCode.UNAVAILABLE)
            return ProviderResult(
                found.reachable, code=None if found.reachable else DeclineCode.UNAVAILABLE
            )

        self.runner.run(PaymentMethod.BANK_CARD, probe, self._terminal_answered, lambda _s: None)

    def cancel_payment(self, connector_id: str) -> None:
        """The driver pressed Cancel while the payment is on its way.

        A card terminal is asked to abort (it answers the waiting pre-authorisation
        with ABORTED, usually within a second); any other provider's answer is awaited,
        and a hold that still comes is voided at once. The connector goes back to the
        price when the answer is in.
        """
        c = self._c(connector_id)
        if c.flow.state is not FlowState.AUTHORIZING or c.pending is None:
            log.info("cancel on connector %s ignored: no payment on its way", connector_id)
            return
        if c.cancel_requested:
            return
        c.cancel_requested = True
        log.info("connector %s: the driver cancelled the payment on its way", connector_id)
        provider = self.providers.get(c.method) if c.method is not None else None
        if isinstance(provider, CardTerminal):
            try:
                provider.abort()  # returns at once; the terminal's answer follows
            except KnownError as exc:
                log.warning(
                    "connector %s: the abort did not reach the terminal: %s", connector_id, exc
                )
        self._notify(c.config.id, "cancelling")

    def terminal_status(self, connector_id: str, payment_id: str, status: TerminalStatus) -> None:
        """An intermediate status of the terminal (present card, enter PIN...)."""
        c = self._c(connector_id)
        if c.pending != payment_id or c.flow.state is not FlowState.AUTHORIZING:
            log.debug("connector %s: a late terminal status dropped", connector_id)
            return
        c.prompt = status
        log.info(
            "connector %s: terminal says %s%s",
            connector_id,
            status.prompt.value,
            f" ({status.text})" if status.text else "",
        )
        self._notify(c.config.id, "prompt")

    def close(self) -> None:
        """The station closes: answers still on their way are dropped when they come
        (the ledger keeps their operations pending; the next start's recovery asks)."""
        self.closed = True

    def pay_by_qr(self, connector_id: str, checkout_id: str) -> bool | None:
        """The phone paid on the checkout page: confirm the hold with the backend."""
        c = self._c(connector_id)
        self._require_method(c, PaymentMethod.QR_WEB)
        self._event(c, FlowEvent.CREDENTIAL, "checkout paid on the phone")
        return self._authorize(c, PaymentMethod.QR_WEB, redact_optional(checkout_id), None)

    def present_token(self, uid: str, connector_id: str | None = None) -> str:
        """An RFID card tapped on the reader.

        The same card that started a running session stops it (its UID's keyed hash
        is the session's `token_hash`); otherwise it pays for the connector that waits
        for a card. A "UID" that is a card number is refused, never kept or sent.
        Returns what happened, for the screen.
        """
        uid = uid.strip().upper()
        refused = looks_like_pan(uid) or not uid or len(uid) > 64
        hashed = None if refused else self.keys.token_hash(uid)
        for c in self.connectors.values():
            s = c.session
            if (
                hashed is not None
                and s is not None
                and s.token_hash is not None
                and hmac.compare_digest(s.token_hash, hashed)
            ):
                if s.state.is_running:
                    self.stop(c.config.id, StopReason.CARD_TAP)
                    return f"stopped:{c.config.id}"
                if s.state is SessionState.FINISHING:
                    return f"finishing:{c.config.id}"  # stopped already: unplug
                if c.flow.state is FlowState.RECEIPT:
                    return f"receipt:{s.id}"
        waiting = [
            c
            for c in self.connectors.values()
            if c.flow.state is FlowState.PAYMENT_CHOSEN
            and c.method is PaymentMethod.ACCOUNT_TOKEN
            and (connector_id is None or c.config.id == connector_id)
        ]
        if not waiting:
            found = None if hashed is None else self._recent_receipt(token_hash=hashed)
            if found is not None:
                log.info("card tapped: the receipt of session %s shown again", found)
                return f"receipt:{found}"
            log.info("card tapped: no session waits for a card and none to show; ignored")
            return "ignored"
        c = waiting[0]
        self._event(c, FlowEvent.CREDENTIAL, "card tapped")
        if hashed is None:
            self._decline(c, "card refused", DeclineCode.UNKNOWN_CARD)
            return "declined"
        c.pending = f"token:{hashed}"
        outcome: list[str] = []
        self.runner.run(
            PaymentMethod.ACCOUNT_TOKEN,
            lambda _status: self._check_token(uid),
            lambda answer: outcome.append(self._token_checked(c, uid, hashed, answer)),
            lambda _status: None,
        )
        return outcome[0] if outcome else f"authorizing:{c.config.id}"

    def _check_token(self, uid: str) -> TokenAuthorization:
        """On the gateway's thread: who may charge with this card."""
        try:
            return self.tokens.authorize_token(uid)
        except KnownError as exc:
            log.warning("the card check did not answer: %s", exc)
            return TokenAuthorization(
                False, reason="the card check did not answer", code=DeclineCode.UNAVAILABLE
            )

    def _token_checked(
        self, c: _Connector, uid: str, hashed: str, answer: TokenAuthorization
    ) -> str:
        if self.closed or c.pending != f"token:{hashed}":
            log.info("connector %s: a late card check answer dropped", c.config.id)
            return "ignored"
        c.pending = None
        if c.cancel_requested or c.flow.state is not FlowState.AUTHORIZING:
            self._cancelled(c, "the driver left before the card was checked")
            return "cancelled"
        answer = _safe_token_answer(answer)
        if not answer.allowed:
            code = answer.code or (DeclineCode.UNKNOWN_CARD if answer.reason is None else None)
            self._decline(c, answer.reason or "card refused", code or DeclineCode.DECLINED)
            return "declined"
        ok = self._authorize(
            c,
            PaymentMethod.ACCOUNT_TOKEN,
            None,
            answer.customer_group,
            rfid_uid=uid,
            contract_id=answer.contract_id,
        )
        if ok is None:
            return f"authorizing:{c.config.id}"
        return f"authorized:{c.config.id}" if ok else "declined"

    def _cancelled(self, c: _Connector, reason: str) -> None:
        """The payment's answer is in after the driver cancelled: back to the price."""
        c.cancel_requested = False
        c.prompt = None
        if c.flow.state is FlowState.AUTHORIZING:
            self._event(c, FlowEvent.BACK, reason)

    def token_in_use(self, uid: str) -> bool:
        """Whether the card with this UID pays for a session on one of the connectors."""
        hashed = self.keys.token_hash(uid.strip().upper())
        return any(
            c.session is not None and c.session.token_hash == hashed
            for c in self.connectors.values()
        )

    def stop(self, connector_id: str, reason: StopReason) -> None:
        c = self._c(connector_id)
        s = c.session
        if s is None or not s.state.is_running:
            raise UserFacingError("No charging session is running on this connector.")
        try:
            self.charger.stop(connector_id)
        except KnownError as exc:
            log.warning("connector %s: the charger did not confirm the stop: %s", connector_id, exc)
        now = self.now()
        s.stop(now, reason)
        with self.db.unit_of_work() as uow:
            uow.sessions.save(s)
            uow.audit.append(
                "driver" if reason is not StopReason.ATTENDANT else "attendant",
                "session.stop",
                s.id,
                {"reason": reason.value},
                at=now,
            )
            uow.commit()
        self._event(c, FlowEvent.STOP, reason.value)

    def stop_by_code(
        self, code: str, connector_id: str | None = None, *, other_ok: bool = False
    ) -> CodeAnswer:
        """Stop the running session whose stop code this is (compared as keyed hashes).

        Typed on one connector's screen (`connector_id`), the code stops only that
        connector's session; a code of another connector's session stops nothing and
        answers OTHER_CONNECTOR, so the screen can ask (then `other_ok`). Wrong codes
        count against the station's `AttemptLimiter`: while it pauses, nothing is tried.
        """
        now = self.now()
        locked = self.codes.locked_for(now)
        if locked:
            log.info("stop code refused: codes are paused for %d s", locked)
            return CodeAnswer(CodeOutcome.LOCKED, locked_s=locked)
        hashed = self.keys.token_hash(code.strip())
        for c in self.connectors.values():
            s = c.session
            if (
                s is not None
                and s.state.is_running
                and s.stop_code_hash is not None
                and hmac.compare_digest(s.stop_code_hash, hashed)
            ):
                cid = c.config.id
                if connector_id is not None and cid != connector_id and not other_ok:
                    log.info("stop code of connector %s typed on %s: asking", cid, connector_id)
                    return CodeAnswer(CodeOutcome.OTHER_CONNECTOR, cid, s.id)
                self.stop(cid, StopReason.STOP_CODE)
                return CodeAnswer(CodeOutcome.STOPPED, cid, s.id, cost=s.running_cost())
        return self._wrong_code(now, "stop code")

    def receipt_by_code(self, code: str) -> CodeAnswer:
        """A recent finished session's receipt, by its stop code (counted like a stop)."""
        now = self.now()
        locked = self.codes.locked_for(now)
        if locked:
            return CodeAnswer(CodeOutcome.LOCKED, locked_s=locked)
        found = self._recent_receipt(stop_code_hash=self.keys.token_hash(code.strip()))
        if found is None:
            return self._wrong_code(now, "receipt code")
        log.info("receipt of session %s asked for by its stop code", found)
        return CodeAnswer(CodeOutcome.RECEIPT, session_id=found)

    def receipt_by_token(self, uid: str) -> str | None:
        """A recent finished session's receipt, by the card that paid for it."""
        uid = uid.strip().upper()
        if looks_like_pan(uid) or not uid or len(uid) > 64:
            return None
        found = self._recent_receipt(token_hash=self.keys.token_hash(uid))
        log.info("receipt asked for by card: %s", found or "no recent session")
        return found

    def _wrong_code(self, now: datetime, what: str) -> CodeAnswer:
        left = self.codes.failed(now)
        log.info("%s matches no session: %d tries left", what, left)
        if left == 0:
            return CodeAnswer(CodeOutcome.LOCKED, locked_s=self.codes.locked_for(now))
        return CodeAnswer(CodeOutcome.WRONG, tries_left=left)

    def _recent_receipt(
        self, *, token_hash: str | None = None, stop_code_hash: str | None = None
    ) -> str | None:
        since = self.now() - timedelta(seconds=RECENT_RECEIPTS_S)
        with self.db.unit_of_work(write=False) as uow:
            found = uow.sessions.completed_with_hash(
                since, token_hash=token_hash, stop_code_hash=stop_code_hash, limit=1
            )
        return found[0].id if found else None

    def receipt_parts(self, session_id: str) -> tuple[ChargingSession, Payment | None, Any] | None:
        """A completed session, its payment and its final breakdown: what a receipt shows."""
        with self.db.unit_of_work(write=False) as uow:
            s = uow.sessions.get(session_id)
            p = None if s is None else uow.payments.get_by_session(session_id)
        if s is None or s.totals is None:
            return None
        return s, p, s.final_breakdown()

    def receipt_done(self, connector_id: str) -> None:
        c = self._c(connector_id)
        self._leave_receipt(c, FlowEvent.RECEIPT_DONE, "driver closed the receipt")

    # -------------------------------------------------------- attendant actions

    def set_out_of_service(self, connector_id: str, out: bool, actor: str) -> None:
        c = self._c(connector_id)
        with self.db.unit_of_work() as uow:
            uow.station_state.set(
                f"out_of_service:{connector_id}", "1" if out else "0", at=self.now()
            )
            uow.audit.append(
                actor,
                "connector.out_of_service" if out else "connector.in_service",
                connector_id,
                {},
                at=self.now(),
            )
            uow.commit()
        self._event(c, FlowEvent.OUT_OF_SERVICE if out else FlowEvent.IN_SERVICE, f"by {actor}")

    # ------------------------------------------------------------------ time

    def tick(self) -> None:
        """Take in the charger's events, run out the timeouts, persist checkpoints."""
        now = self.now()
        for event in self.charger.poll(now):
            self._on_charger(event)
        for c in self.connectors.values():
            if c.deadline is not None and now >= c.deadline:
                self._timeout(c)
        if (
            self.devices.get("terminal") == "missing"
            and self._next_probe is not None
            and now >= self._next_probe
        ):
            self._probe_terminal()

    def _timeout(self, c: _Connector) -> None:
        state = c.flow.state
        c.deadline = None
        if state is FlowState.WAITING_FOR_PLUG:
            self._cancel_before_plug(c, StopReason.PLUG_TIMEOUT)
        elif state is FlowState.RECEIPT:
            self._leave_receipt(c, FlowEvent.INACTIVITY, "receipt shown long enough")
        elif c.flow.can(FlowEvent.INACTIVITY):
            c.method = None
            self._event(c, FlowEvent.INACTIVITY, "nobody touched the screen")

    def _leave_receipt(self, c: _Connector, event: FlowEvent, reason: str) -> None:
        if c.flow.state is not FlowState.RECEIPT:
            return
        if c.faulted:
            self._event(c, FlowEvent.FAULT, "the fault is still active")
        else:
            self._event(c, event, reason)
        c.session = None
        c.payment = None
        c.method = None

    def _on_charger(self, event: ChargerEvent) -> None:
        c = self.connectors.get(event.connector_id)
        if c is None:
            log.error("charger event for unknown connector %s", event.connector_id)
            return
        kind = event.kind
        if kind is ChargerEventKind.METER:
            self._on_meter(c, event)
        elif kind is ChargerEventKind.PLUGGED_IN:
            c.plugged = True
            if c.flow.state is FlowState.WAITING_FOR_PLUG:
                self._start_charging(c, event)
            else:
                c.flow.handle(FlowEvent.PLUGGED_IN, "car plugged in", event.at)
        elif kind is ChargerEventKind.UNPLUGGED:
            c.plugged = False
            if c.flow.state in (FlowState.CHARGING, FlowState.FINISHING):
                self._finish(c, event)
            else:
                c.flow.handle(FlowEvent.UNPLUGGED, "car unplugged", event.at)
        elif kind is ChargerEventKind.FAULT:
            c.faulted = True
            c.message = event.detail or "fault"
            if c.flow.state is FlowState.CHARGING and c.session is not None:
                self.stop(c.config.id, StopReason.FAULT)
                return
            if c.flow.state is FlowState.WAITING_FOR_PLUG:
                self._cancel_before_plug(c, StopReason.FAULT)
            if c.flow.state is FlowState.AUTHORIZING:
                self.cancel_payment(c.config.id)  # a hold that still comes is voided
            if c.flow.can(FlowEvent.FAULT):
                self._event(c, FlowEvent.FAULT, event.detail or "charger fault")
        elif kind is ChargerEventKind.FAULT_CLEARED:
            c.faulted = False
            if c.flow.state is FlowState.FAULTED:
                self._event(c, FlowEvent.FAULT_CLEARED, "fault cleared")
        elif kind in (ChargerEventKind.SUSPENDED_EV, ChargerEventKind.RESUMED_EV):
            suspended = kind is ChargerEventKind.SUSPENDED_EV
            c.car_detail = (event.detail or "paused") if suspended else ""
            if event.reading is not None:
                self._on_meter(c, event)
            s = c.session
            if s is not None and s.state.is_running:
                log.info(
                    "connector %s: the car %s (%s); idle fee clock %s",
                    c.config.id,
                    "takes no energy" if suspended else "takes energy again",
                    c.car_detail or "resumed",
                    "from " + s.idle_since.isoformat() if s.idle_since else "cancelled",
                )

    # ------------------------------------------------------------- charging

    def _start_charging(self, c: _Connector, event: ChargerEvent) -> None:
        s = c.session
        if s is None:
            return
        reading = event.reading or self.charger.read_meter(c.config.id)
        try:
            self.charger.start(c.config.id)
        except KnownError as exc:
            log.warning("connector %s: the charger refused to start: %s", c.config.id, exc)
            c.message = "The charger could not start. Your payment is released."
            self._cancel_before_plug(c, StopReason.FAULT)
            return
        s.plugged_in(event.at, reading.energy_wh)
        with self.db.unit_of_work() as uow:
            uow.sessions.save(s)
            uow.audit.append(
                "station", "session.start", s.id, {"connector": c.config.id}, at=self.now()
            )
            uow.commit()
        c.last_checkpoint = event.at
        c.last_cost = Decimal(0)
        self._event(c, FlowEvent.PLUGGED_IN, "car plugged in, charging")

    def _on_meter(self, c: _Connector, event: ChargerEvent) -> None:
        s = c.session
        r = event.reading
        if s is None or r is None:
            return
        if not (s.state.is_running or s.state is SessionState.FINISHING):
            return
        s.record(MeterSample(r.at, r.energy_wh, r.power_kw, r.current_a, r.soc_percent))
        cost = s.running_cost()
        gross = cost.incl_vat
        c.last_delta = max(Decimal(0), gross - c.last_cost)
        c.last_cost = gross
        if s.state.is_running and c.payment is not None:
            self._maybe_increment(c, gross)
        if s.state.is_running and c.payment is not None and gross >= self._stop_threshold(c):
            log.info("session %s: stopping before the hold runs out (%s)", s.id, gross)
            self.stop(c.config.id, StopReason.HOLD_EXHAUSTED)
            return
        if s.state.is_running and c.payment is not None and self._card_hold_expiring(c, r.at):
            self.stop(c.config.id, StopReason.HOLD_EXHAUSTED)
            return
        due = c.last_checkpoint is None or (
            r.at - c.last_checkpoint >= timedelta(seconds=self.settings.checkpoint_s)
        )
        if due:
            with self.db.unit_of_work() as uow:
                uow.sessions.save(s)
                uow.commit()
            c.last_checkpoint = r.at
        self._notify(c.config.id, "meter")

    def _maybe_increment(self, c: _Connector, gross: Decimal) -> None:
        """Ask for more when the running cost reaches 80 % of the hold (if configured)."""
        p = c.payment
        holds = self._holds(c)
        if (
            p is None
            or holds.increment is None
            or c.incrementing
            or c.no_increments
            or p.state is not PaymentState.AUTHORIZED
            or gross < p.authorized * Decimal("0.8")
        ):
            return
        step = min(holds.increment, holds.max_hold - p.authorized)
        if step <= 0:
            return
        op = p.begin_increment(step, self.now())
        with self.db.unit_of_work() as uow:
            uow.payments.save(p)
            uow.audit.append(
                "station", "payment.increment", p.id, {"amount": str(step)}, at=self.now()
            )
            uow.commit()
        provider = self._guarded[p.method]
        assert p.provider_ref is not None
        ref = p.provider_ref
        c.incrementing = True
        log.info("payment %s: asking to raise the hold by %s %s", p.id, step, p.currency)

        def send(_status: StatusSink) -> ProviderResult:  # on the device's thread
            return self._call(
                lambda: provider.increment(
                    idempotency_key=op.idempotency_key,
                    provider_ref=ref,
                    amount=op.amount,
                    currency=p.currency,
                ),
                provider,
                op,
            )

        self.runner.run(
            p.method, send, lambda result: self._incremented(c, p, op, result), lambda _s: None
        )

    def _incremented(
        self, c: _Connector, p: Payment, op: PaymentOperation, result: ProviderResult
    ) -> None:
        if self.closed:
            return
        c.incrementing = False
        found = self._apply(p, op, result)
        ok = op.state is OperationState.SUCCEEDED
        with self.db.unit_of_work() as uow:
            uow.payments.save(p)
            uow.outbox.add(
                "payment.incremented" if ok else "payment.increment_refused",
                p.id,
                _payment_event(p),
                f"{op.idempotency_key}:event",
                now=self.now(),
            )
            self._record_discrepancies(uow, found)
            uow.commit()
        self._warn(found)
        if ok:
            log.info("payment %s: the hold is now %s %s", p.id, p.authorized, p.currency)
        else:
            c.no_increments = True
            log.info(
                "payment %s: the provider does not raise this hold (%s); the session stops"
                " before it runs out",
                p.id,
                (result.code or DeclineCode.DECLINED).value,
            )
        if c.settle_after_increment:
            c.settle_after_increment = False
            s = c.session if c.session is not None and c.session.payment_id == p.id else None
            if s is not None and s.totals is not None:
                self._settle(c, s, p)

    def _card_hold_expiring(self, c: _Connector, now: datetime) -> bool:
        """A terminal's pre-authorisation lapses after `card_hold_valid_h`: an alarm
        `card_hold_alarm_min` before; True (stop now) 10 minutes before."""
        p = c.payment
        if p is None or p.method is not PaymentMethod.BANK_CARD or not p.operations:
            return False
        holds = self._holds(c)
        expires = p.operations[0].created_at + timedelta(hours=holds.card_hold_valid_h)
        if not c.hold_alarmed and now >= expires - timedelta(minutes=holds.card_hold_alarm_min):
            c.hold_alarmed = True
            log.warning(
                "payment %s: the card's pre-authorisation lapses at %s; the session stops"
                " 10 minutes before so that it is captured in time",
                p.id,
                expires.isoformat(),
            )
            with self.db.unit_of_work() as uow:
                detail = {"expires": expires.isoformat()}
                uow.audit.append("station", "payment.hold_expiring", p.id, detail, at=now)
                uow.outbox.add(
                    "payment.hold_expiring", p.id, detail, f"{p.id}:hold_expiring", now=now
                )
                uow.commit()
        return now >= expires - timedelta(minutes=10)

    def _stop_threshold(self, c: _Connector) -> Decimal:
        """Stop before the running cost can pass the hold, keeping room for what follows.

        What follows a stop is the idle fee (reserved up to its cap) and the next
        sample's worth of energy (twice the last increase, as a margin).
        """
        assert c.payment is not None
        assert c.session is not None
        reserve = 2 * c.last_delta
        fee = c.session.tariff.extensions.idle_fee
        if fee is not None and fee.max_fee is not None:
            vat = fee.vat or Decimal(0)
            reserve += fee.max_fee * (100 + vat) / 100
        return c.payment.authorized - reserve

    def _finish(self, c: _Connector, event: ChargerEvent) -> None:
        s = c.session
        if s is None:
            return
        reading = event.reading
        s.unplugged(event.at, None if reading is None else reading.energy_wh)
        self._settle(c, s, c.payment)
        c.receipt_session_id = s.id
        c.receipt_until = event.at + timedelta(seconds=RECEIPT_ON_CARD_S)
        c.car_detail = ""
        self._event(c, FlowEvent.UNPLUGGED, "car unplugged, session complete")

    # ---------------------------------------------------------------- money

    def _require_method(self, c: _Connector, method: PaymentMethod) -> None:
        if c.flow.state is not FlowState.PAYMENT_CHOSEN or c.method is not method:
            raise UserFacingError("Choose this way to pay first.")

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

    def _authorize(
        self,
        c: _Connector,
        method: PaymentMethod,
        token_uid: str | None,
        group: str | None,
        *,
        rfid_uid: str | None = None,
        contract_id: str | None = None,
    ) -> bool | None:
        """Record the hold's operation, then send it; `_authorized` takes the answer.

        Returns the outcome when the answer came at once, None while it is on its way.
        """
        now = self.now()
        tariff = self.tariff_for(c.config.id, method)
        rule = tariff.extensions.customer_groups.get(group) if group else None
        if rule is not None and rule.tariff_id is not None:
            tariff = next(t for t in c.tariffs if t.id == rule.tariff_id)
        session = ChargingSession.begin(
            station_id=self.settings.station.id,
            connector_id=c.config.id,
            evse_id=c.config.evse_id,
            tariff=tariff,
            tariff_json=self._tariff_json(c, tariff),
            tz=self.settings.station.time_zone,
            token_type=_TOKEN_TYPES[method],
            token_uid=token_uid,
            payment_id=None,
            customer_group=group,
            now=now,
            token_hash=None if rfid_uid is None else self.keys.token_hash(rfid_uid),
            contract_id=contract_id,
        )
        session.stop_code_hash = self.keys.token_hash(session.stop_code)
        payment = Payment.create(
            session_id=session.id, method=method, currency=tariff.currency, now=now
        )
        payment.customer_group = group
        session.payment_id = payment.id
        op = payment.begin_authorize(self._hold_amount(c, method), now)
        with self.db.unit_of_work() as uow:
            uow.sessions.add(session)
            uow.payments.add(payment)
            uow.audit.append(
                "driver",
                "payment.authorize",
                payment.id,
                {"method": method.value, "amount": str(op.amount)},
                at=self.now(),
            )
            uow.commit()
        provider = self._guarded[method]
        reference = self._reference(session.id)
        masked_ref = (
            f"RFID ••••{rfid_uid[-4:]}"
            if method is PaymentMethod.ACCOUNT_TOKEN and rfid_uid
            else None
        )

        def send(on_status: StatusSink) -> ProviderResult:  # on the device's thread
            return self._call(
                lambda: provider.authorize(
                    idempotency_key=op.idempotency_key,
                    amount=op.amount,
                    currency=payment.currency,
                    reference=reference,
                    on_status=on_status,
                ),
                provider,
                op,
            )

        c.pending, c.cancel_requested, c.prompt = payment.id, False, None
        outcome: list[bool] = []
        self.runner.run(
            method,
            send,
            lambda result: outcome.append(
                self._authorized(c, session, payment, op, result, group, masked_ref)
            ),
            lambda status: self.terminal_status(c.config.id, payment.id, status),
        )
        return outcome[0] if outcome else None

    def _authorized(
        self,
        c: _Connector,
        session: ChargingSession,
        payment: Payment,
        op: PaymentOperation,
        result: ProviderResult,
        group: str | None,
        masked_ref: str | None,
    ) -> bool:
        """The provider's answer to a hold: record it, then charge, decline or cancel."""
        if self.closed:
            log.info(
                "payment %s: answered after the station closed; recovery settles it", payment.id
            )
            return False
        if payment.method is PaymentMethod.BANK_CARD:
            self._terminal_answered(result)
        now = self.now()
        found = self._apply(payment, op, result, masked_ref=masked_ref or result.masked_ref)
        ok = payment.state is PaymentState.AUTHORIZED
        # the driver left meanwhile (Cancel, a fault): a hold that came anyway is released
        gone = (
            c.pending != payment.id
            or c.cancel_requested
            or c.flow.state is not FlowState.AUTHORIZING
        )
        with self.db.unit_of_work() as uow:
            if ok:
                if not gone:
                    session.authorized(group, now)
                uow.outbox.add(
                    "payment.authorized",
                    payment.id,
                    _payment_event(payment),
                    f"{op.idempotency_key}:event",
                    now=self.now(),
                )
            else:
                session.abort(
                    now,
                    StopReason.CANCELLED
                    if result.code is DeclineCode.ABORTED
                    else StopReason.DECLINED,
                )
            uow.sessions.save(session)
            uow.payments.save(payment)
            uow.audit.append(
                "station",
                "payment.authorized" if ok else "payment.declined",
                payment.id,
                {
                    "reason": redact_pan_like(payment.decline_reason if not ok else None) or "",
                    "code": "" if ok else (result.code or DeclineCode.DECLINED).value,
                },
                at=now,
            )
            self._record_discrepancies(uow, found)
            uow.commit()
        self._warn(found)
        if c.pending == payment.id:
            c.pending = None
        if gone:
            if ok:
                session.abort(now, StopReason.CANCELLED)
                self._settle_void(session, payment, "cancelled while authorizing")
            self._cancelled(c, "the payment was cancelled")
            return False
        if not ok:
            self._decline(
                c, payment.decline_reason or "declined", result.code or DeclineCode.DECLINED
            )
            return False
        c.prompt = None
        c.session, c.payment = session, payment
        self._event(c, FlowEvent.AUTHORIZED, f"hold of {payment.authorized} {payment.currency}")
        if c.plugged:
            self._start_charging(
                c,
                ChargerEvent(
                    c.config.id,
                    ChargerEventKind.PLUGGED_IN,
                    self.now(),
                    self.charger.read_meter(c.config.id),
                ),
            )
        return True

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

    # ------------------------------------------------- checking provider answers

    def _discrepancies(
        self, p: Payment, op: PaymentOperation, result: ProviderResult
    ) -> list[Discrepancy]:
        """How the provider's answer to `op` differs from what the ledger asked for.

        Compared when the provider reports them: the kind of operation done under the
        key, its amount, the hold it acted on (for everything after the authorization)
        and the merchant reference of that hold.
        """
        now = self.now()
        found: list[Discrepancy] = []

        def add(kind: DiscrepancyKind, field: str, expected: str | None, actual: str) -> None:
            found.append(
                Discrepancy.new(
                    kind,
                    now=now,
                    payment_id=p.id,
                    session_id=p.session_id,
                    idempotency_key=op.idempotency_key,
                    expected={field: expected, "operation": op.kind.value},
                    actual={field: actual, "ok": "true" if result.ok else "false"},
                )
            )

        if result.kind is not None and result.kind != op.kind.value:
            add(DiscrepancyKind.KIND_MISMATCH, "kind", op.kind.value, result.kind)
        if result.amount is not None and result.amount != op.amount:
            add(DiscrepancyKind.AMOUNT_MISMATCH, "amount", str(op.amount), str(result.amount))
        if (
            op.kind is not OperationKind.AUTHORIZE
            and result.provider_ref is not None
            and result.provider_ref != p.provider_ref
        ):
            add(
                DiscrepancyKind.REFERENCE_MISMATCH,
                "provider_ref",
                p.provider_ref,
                result.provider_ref,
            )
        expected_reference = self._reference(p.session_id)
        # (a bare session id is how holds were referenced before the station prefix)
        if result.reference is not None and result.reference not in (
            expected_reference,
            p.session_id,
        ):
            add(
                DiscrepancyKind.REFERENCE_MISMATCH,
                "reference",
                expected_reference,
                result.reference,
            )
        return found

    def _apply(
        self,
        p: Payment,
        op: PaymentOperation,
        result: ProviderResult,
        *,
        masked_ref: str | None = None,
    ) -> list[Discrepancy]:
        """Record the provider's answer to `op` as what the provider did; return the mismatches.

        The rule: the provider's word on money wins, and every difference is kept.
        Another amount under the key: the payment records the provider's amount (the
        capture it took, the hold it placed). Another kind (a capture key used for a
        void, or the reverse): the payment records what was done. An answer about
        another hold or session: the operation failed (the kiosk never uses a hold it
        cannot name as its own). Each case becomes a `Discrepancy` for the caller to
        record in the transaction that saves the payment.
        """
        found = self._discrepancies(p, op, result)
        kinds = {d.kind for d in found}
        ok = result.ok and DiscrepancyKind.REFERENCE_MISMATCH not in kinds
        did: OperationKind | None = None
        if DiscrepancyKind.KIND_MISMATCH in kinds and result.kind is not None:
            try:
                did = OperationKind(result.kind)
            except ValueError:
                ok = False  # a kind we do not know: nothing is assumed
        error = result.error
        if DiscrepancyKind.REFERENCE_MISMATCH in kinds:
            error = "the provider's answer is about another payment"
        authorizing = op.kind is OperationKind.AUTHORIZE
        provider_ref = result.provider_ref if authorizing else p.provider_ref
        p.complete(
            op,
            ok=ok,
            now=self.now(),
            provider_ref=provider_ref,
            error=error,
            masked_ref=masked_ref if masked_ref is not None else result.masked_ref,
            approved_amount=result.approved_amount,
            provider_amount=result.amount,
            did=did,
        )
        outcome = f"the ledger records the provider's answer: payment {p.state.value}"
        if p.state is PaymentState.CAPTURED:
            outcome += f", captured {p.captured} {p.currency}"
        for d in found:
            d.action = outcome
        return found

    def _record_discrepancies(self, uow: UnitOfWork, found: list[Discrepancy]) -> None:
        """Each discrepancy: its row, an audit entry and an outbox event (same transaction)."""
        for d in found:
            uow.discrepancies.add(d)
            detail: dict[str, Any] = {
                "kind": d.kind.value,
                "idempotency_key": d.idempotency_key or "",
                "expected": d.expected,
                "actual": d.actual,
                "action": d.action,
            }
            subject = d.payment_id or d.session_id or d.id
            uow.audit.append("station", "payment.discrepancy", subject, detail, at=d.detected_at)
            uow.outbox.add(
                "payment.discrepancy",
                subject,
                {
                    "discrepancy_id": d.id,
                    "payment_id": d.payment_id,
                    "session_id": d.session_id,
                    **detail,
                },
                f"discrepancy:{d.id}",
                now=d.detected_at,
            )

    @staticmethod
    def _warn(found: list[Discrepancy]) -> None:
        for d in found:
            log.warning(
                "payment %s: the provider's answer differs from the ledger (%s, key %s):"
                " expected %s, the provider says %s; %s",
                d.payment_id or "-",
                d.kind.value,
                d.idempotency_key or "-",
                d.expected,
                d.actual,
                d.action,
            )

    @staticmethod
    def _call(
        send: Callable[[], ProviderResult], provider: PaymentProvider, op: PaymentOperation
    ) -> ProviderResult:
        """Send once; when the answer is lost, ask the provider what became of the key.

        Lost means an exception (no answer at all) or an UNAVAILABLE answer (a terminal
        whose link dropped after the request left: the hold may stand), so a hold the
        provider did place is known and used or released, never left to lapse.
        """
        try:
            result = send()
        except KnownError as exc:
            log.warning("payment operation %s: no answer (%s); asking the provider", op.id, exc)
            failed = ProviderResult(False, error=redact(str(exc)), code=DeclineCode.UNAVAILABLE)
        else:
            if result.ok or result.code is not DeclineCode.UNAVAILABLE:
                return result
            log.warning(
                "payment operation %s: the provider could not answer; asking what became of it",
                op.id,
            )
            failed = result
        try:
            known = provider.lookup(idempotency_key=op.idempotency_key)
        except KnownError:
            known = None
        return known if known is not None else failed

    def _cancel_before_plug(self, c: _Connector, reason: StopReason) -> None:
        s, p = c.session, c.payment
        now = self.now()
        if s is not None and p is not None and s.state is SessionState.AUTHORIZED:
            s.abort(now, reason)
            self._settle_void(s, p, reason.value)
        if c.flow.state is FlowState.WAITING_FOR_PLUG:
            event = FlowEvent.PLUG_TIMEOUT if reason is StopReason.PLUG_TIMEOUT else FlowEvent.BACK
            self._event(c, event, reason.value)
        c.session = c.payment = None
        c.method = None

    def _settle_void(self, s: ChargingSession, p: Payment, why: str) -> None:
        op = p.begin_void(self.now(), why)
        with self.db.unit_of_work() as uow:
            uow.sessions.save(s)
            uow.payments.save(p)
            uow.audit.append("station", "session.aborted", s.id, {"reason": why}, at=self.now())
            uow.commit()
        self._complete(p, op)

    def _settle(self, c: _Connector | None, s: ChargingSession, p: Payment | None) -> None:
        """Capture the priced cost (or void a zero cost) after the session completed."""
        if p is None:
            raise KnownError(f"session {s.id} has no payment")
        assert s.totals is not None
        if c is not None and c.incrementing:
            c.settle_after_increment = True  # settled when the increase's answer is in
            with self.db.unit_of_work() as uow:
                uow.sessions.save(s)
                uow.commit()
            return
        cost = s.totals.cost_incl_vat
        capture = min(cost, p.authorized)
        now = self.now()
        op = p.begin_settle(capture, now) if p.state is PaymentState.AUTHORIZED else None
        with self.db.unit_of_work() as uow:
            uow.sessions.save(s)
            uow.payments.save(p)
            payload = {"session_id": s.id, "cost": str(cost)}
            detail = {
                "cost": str(cost),
                "captured": str(capture),
                "reason": (s.stop_reason.value if s.stop_reason else ""),
            }
            if s.idle_fee_waived:  # why the receipt shows no idle fee
                payload["idle_fee"] = detail["idle_fee"] = "waived: stopped by the station"
            uow.outbox.add("session.completed", s.id, payload, f"{s.id}:completed", now=self.now())
            if cost > capture:
                detail["shortfall"] = str(cost - capture)
            uow.audit.append("station", "session.completed", s.id, detail, at=self.now())
            uow.commit()
        if op is not None:
            self._complete(p, op)

    def _complete(self, p: Payment, op: PaymentOperation) -> None:
        """Send a capture or void (recorded pending already); `_completed` takes the answer.

        During start-up recovery the provider is called directly: the station takes
        no event before it has settled what was open.
        """
        provider = self._guarded[p.method]
        assert p.provider_ref is not None
        ref = p.provider_ref
        send_op = provider.capture if op.kind is OperationKind.CAPTURE else provider.void

        def send(_status: StatusSink) -> ProviderResult:  # on the device's thread
            return self._call(
                lambda: send_op(
                    idempotency_key=op.idempotency_key,
                    provider_ref=ref,
                    amount=op.amount,
                    currency=p.currency,
                ),
                provider,
                op,
            )

        if self._recovering:
            self._completed(p, op, send(lambda _s: None))
            return
        self.runner.run(
            p.method, send, lambda result: self._completed(p, op, result), lambda _s: None
        )

    def _completed(self, p: Payment, op: PaymentOperation, result: ProviderResult) -> None:
        if self.closed:
            log.info("payment %s: %s answered after the station closed", p.id, op.kind.value)
            return
        found = self._apply(p, op, result)
        with self.db.unit_of_work() as uow:
            uow.payments.save(p)
            uow.outbox.add(
                f"payment.{p.state.value}",
                p.id,
                _payment_event(p),
                f"{op.idempotency_key}:event",
                now=self.now(),
            )
            detail = {"amount": str(op.amount), "error": redact_pan_like(op.error) or ""}
            if p.state is PaymentState.CAPTURED and p.captured != op.amount:
                detail["captured"] = str(p.captured)  # the provider's amount, not ours
            uow.audit.append("station", f"payment.{p.state.value}", p.id, detail)
            self._record_discrepancies(uow, found)
            uow.commit()
        self._warn(found)

    # -------------------------------------------------------------- recovery

    def recover(self) -> dict[str, int]:
        """After a crash or power cut: resolve every session and payment left open.

        First, plain RFID UIDs and stop codes left by a ledger from before the keyed
        hashes are hashed. Then every open session and payment is settled (a pending
        operation resolved by asking the provider about its key). Last, the open holds
        of every provider that can list them are compared with the ledger: a hold no
        unsettled payment owns is an orphan, recorded and voided (`orphan_holds` in
        the counts, which are otherwise those of the sessions and payments settled).
        """
        self._recovering = True
        try:
            return self._recover()
        finally:
            self._recovering = False

    def _recover(self) -> dict[str, int]:
        counts = {"sessions": 0, "payments": 0}
        now = self.now()
        with self.db.unit_of_work() as uow:
            hashed = uow.sessions.hash_plain_tokens(self.keys.token_hash)
            if hashed:
                uow.audit.append(
                    "station", "ledger.tokens_hashed", "sessions", {"sessions": hashed}, at=now
                )
                uow.commit()
                log.info("replaced the plain card UIDs and stop codes of %d session(s)", hashed)
            sessions = uow.sessions.non_final()
            payments = {p.session_id: p for p in uow.payments.non_final()}
        for s in sessions:
            p = payments.pop(s.id, None)
            counts["sessions"] += 1
            self._recover_session(s, p, now)
            if p is not None:
                counts["payments"] += 1
        for p in payments.values():  # sessions already final, payment not settled
            counts["payments"] += 1
            self._recover_payment(p)
        if counts["sessions"] or counts["payments"]:
            log.warning("recovered %(sessions)d session(s) and %(payments)d payment(s)", counts)
        orphans = self._sweep_orphan_holds()
        if orphans:
            counts["orphan_holds"] = orphans
        return counts

    def _sweep_orphan_holds(self) -> int:
        """Void every open hold of this station that no unsettled payment owns.

        Asked of each provider that can list its holds (`HoldListing`), by the
        station's reference prefix. A hold the ledger does not know (a lost ledger
        tail, a crash before the hold's answer was recorded on a provider without
        `lookup`) or one whose payment the ledger has settled is an ORPHAN_HOLD: the
        discrepancy is recorded first (with the void's key, so a crash in between
        records it once and re-sends the same key), then the hold is voided and the
        outcome audited and sent through the outbox.
        """
        prefix = self._reference_prefix()
        seen: set[int] = set()
        voided = 0
        for provider in self._guarded.values():
            if id(provider.inner) in seen or not provider.lists_holds:
                continue
            seen.add(id(provider.inner))
            try:
                holds = provider.open_holds(reference_prefix=prefix)
            except KnownError as exc:
                log.warning("provider %s: cannot list its open holds: %s", provider.name, exc)
                continue
            if not holds:
                continue
            with self.db.unit_of_work(write=False) as uow:
                owned = uow.payments.with_provider_refs([h.provider_ref for h in holds])
            owners = {p.provider_ref: p for p in owned}
            for hold in holds:
                owner = owners.get(hold.provider_ref)
                if owner is not None and not owner.state.is_final:
                    continue  # a live payment's hold
                self._void_orphan(provider, hold, owner, prefix)
                voided += 1
        return voided

    def _void_orphan(
        self, provider: GuardedProvider, hold: ProviderHold, owner: Payment | None, prefix: str
    ) -> None:
        key = f"orphan:{hold.provider_ref}:void"
        session_id = hold.reference[len(prefix) :][:36] or None
        now = self.now()
        d = Discrepancy.new(
            DiscrepancyKind.ORPHAN_HOLD,
            now=now,
            payment_id=None if owner is None else owner.id,
            session_id=session_id if owner is None else owner.session_id,
            idempotency_key=key,
            expected={
                "hold": "none" if owner is None else "settled",
                "payment_state": None if owner is None else owner.state.value,
            },
            actual={
                "provider_ref": hold.provider_ref,
                "reference": hold.reference,
                "amount": str(hold.amount),
                "state": "open",
            },
            action="the kiosk voids the hold",
        )
        with self.db.unit_of_work() as uow:
            known = any(x.idempotency_key == key for x in uow.discrepancies.list())
            if not known:
                self._record_discrepancies(uow, [d])
                uow.commit()
        if not known:
            self._warn([d])
        currency = hold.currency or self._station_currency()
        try:
            result = provider.void(
                idempotency_key=key,
                provider_ref=hold.provider_ref,
                amount=hold.amount,
                currency=currency,
            )
        except KnownError as exc:
            result = ProviderResult(False, hold.provider_ref, error=str(exc))
        detail = {
            "provider_ref": hold.provider_ref,
            "amount": str(hold.amount),
            "ok": "true" if result.ok else "false",
            "error": redact_pan_like(result.error) or "",
        }
        with self.db.unit_of_work() as uow:
            if uow.outbox.get_by_key(f"{key}:event") is not None:
                return  # told before (a refused void, asked again at this start)
            uow.audit.append("station", "payment.orphan_hold_voided", hold.provider_ref, detail)
            uow.outbox.add(
                "payment.orphan_hold_voided",
                hold.provider_ref,
                {"discrepancy_key": key, "session_id": session_id, **detail},
                f"{key}:event",
                now=self.now(),
            )
            uow.commit()
        if not result.ok:
            log.warning("orphan hold %s: the void was refused: %s", hold.provider_ref, result.error)

    def _resolve_pending(self, p: Payment) -> None:
        op = p.pending_operation()
        if op is None:
            return
        provider = self._guarded.get(p.method)
        if provider is None:
            log.warning("payment %s: no %s provider is configured to ask", p.id, p.method.value)
            return
        try:
            known = provider.lookup(idempotency_key=op.idempotency_key)
        except KnownError as exc:  # the terminal is off: the operation stays pending
            log.warning(
                "payment %s: cannot ask the provider about %s now (%s); asked again at the"
                " next start",
                p.id,
                op.kind.value,
                exc,
            )
            return
        if known is None and op.kind in (OperationKind.CAPTURE, OperationKind.VOID):
            # Never arrived: send it again with the same key (the provider deduplicates).
            self._complete(p, op)
            return
        if known is None:
            known = ProviderResult(
                False, error="not sent before the restart", code=DeclineCode.UNAVAILABLE
            )
        if op.kind is not OperationKind.AUTHORIZE and known.provider_ref is None:
            known = dataclasses.replace(known, provider_ref=p.provider_ref)
        found = self._apply(p, op, known)
        with self.db.unit_of_work() as uow:
            uow.payments.save(p)
            # The backend hears of it as it would have without the crash.
            uow.outbox.add(
                f"payment.{p.state.value}",
                p.id,
                _payment_event(p),
                f"{op.idempotency_key}:event",
                now=self.now(),
            )
            uow.audit.append(
                "station", "payment.recovered", p.id, {"operation": op.kind.value}, at=self.now()
            )
            self._record_discrepancies(uow, found)
            uow.commit()
        self._warn(found)

    def _recover_session(self, s: ChargingSession, p: Payment | None, now: datetime) -> None:
        if p is not None:
            self._resolve_pending(p)
        # Nothing plugged, or the charger is gone: the session closes anyway.
        with contextlib.suppress(KnownError, KeyError, ValueError, RuntimeError):
            self.charger.stop(s.connector_id)
        s.recover(now)
        if (
            s.state is SessionState.COMPLETED
            and p is not None
            and p.state is PaymentState.AUTHORIZED
        ):
            self._settle(None, s, p)
            return
        if p is not None and p.state is PaymentState.AUTHORIZED:
            self._settle_void(s, p, f"recovered: session {s.state.value}")
            return
        with self.db.unit_of_work() as uow:
            uow.sessions.save(s)
            uow.audit.append("station", "session.recovered", s.id, {}, at=self.now())
            uow.commit()

    def _recover_payment(self, p: Payment) -> None:
        self._resolve_pending(p)
        if p.state is PaymentState.AUTHORIZED:
            with self.db.unit_of_work() as uow:
                session = uow.sessions.get(p.session_id)
            if session is not None and session.totals is not None:
                capture = min(session.totals.cost_incl_vat, p.authorized)
                op = p.begin_settle(capture, self.now())
            else:
                op = p.begin_void(self.now(), "session ended without a price")
            with self.db.unit_of_work() as uow:
                uow.payments.save(p)
                uow.commit()
            self._complete(p, op)


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
