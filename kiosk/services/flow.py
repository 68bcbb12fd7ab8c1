"""What the driver does: choose, pay, tap, stop, type a code, ask for a receipt.

RFID UIDs and stop codes are kept as keyed hashes (`StationKeys.token_hash`): the same
card tapped again, or the stop code typed in, is recognised by comparing hashes.
"""

from __future__ import annotations

import hmac
import logging
from datetime import datetime, timedelta
from typing import Any

from kiosk.charger.clock import driver_wait
from kiosk.domain.errors import KnownError, UserFacingError
from kiosk.domain.payment import (
    DeclineCode,
    Payment,
    PaymentMethod,
)
from kiosk.domain.redaction import looks_like_pan, redact_optional
from kiosk.domain.session import (
    ChargingSession,
    SessionState,
    StopReason,
)
from kiosk.ports import (
    CardTerminal,
    MobilePay,
    TokenAuthorization,
)
from kiosk.services.station_base import (
    RECENT_RECEIPTS_S,
    CodeAnswer,
    CodeOutcome,
    _Connector,
    _safe_token_answer,
)
from kiosk.services.timeouts import Timeouts
from kiosk.station import FlowEvent, FlowState

__all__ = ["Flow"]

log = logging.getLogger(__name__)


class Flow(Timeouts):
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
        provider = self.providers.get(method)
        if method is PaymentMethod.BANK_CARD and isinstance(provider, CardTerminal):
            self.pay_by_card(connector_id)
        elif method is PaymentMethod.QR_WEB and isinstance(provider, MobilePay):
            # the backend makes a checkout page for this session: its QR code comes back
            # as a SCAN_QR status, and the answer when the phone has paid
            self._event(c, FlowEvent.CREDENTIAL, "checkout requested from the backend")
            self._authorize(c, PaymentMethod.QR_WEB, None, None)

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

    def cancel_payment(self, connector_id: str) -> None:
        """The driver pressed Cancel while the payment is on its way.

        A card terminal or a phone payment is asked to abort (it answers the waiting
        authorisation with ABORTED, usually within a second); any other provider's
        answer is awaited, and a hold that still comes is voided at once. The connector
        goes back to the price when the answer is in.
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
        if isinstance(provider, CardTerminal | MobilePay):
            try:
                provider.abort()  # returns at once; the terminal's answer follows
            except KnownError as exc:
                log.warning(
                    "connector %s: the abort did not reach the terminal: %s", connector_id, exc
                )

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
