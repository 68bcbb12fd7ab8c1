"""The money saga: every hold, capture and void, recorded before it leaves.

Money moves only through `_authorize` and `_settle`, which follow one pattern: record
the operation with its idempotency key and commit, send it off (the `PaymentRunner`),
record the answer and commit, each state change with its outbox and audit rows in the
same transaction. Provider answers are checked, never assumed (`_discrepancies`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final

from kiosk.charger.clock import driver_wait
from kiosk.domain.errors import KnownError
from kiosk.domain.payment import (
    DeclineCode,
    Discrepancy,
    DiscrepancyKind,
    OperationKind,
    Payment,
    PaymentMethod,
    PaymentOperation,
    PaymentState,
)
from kiosk.domain.redaction import redact
from kiosk.domain.session import (
    ChargingSession,
    SessionState,
    StopReason,
)
from kiosk.ports import (
    ChargerEvent,
    ChargerEventKind,
    PaymentProvider,
    ProviderResult,
    StatusSink,
    TerminalStatus,
)
from kiosk.receipts.model import StationInfo
from kiosk.services.device_states import DeviceStates
from kiosk.services.ledger import UnitOfWork
from kiosk.services.station_base import (
    _TOKEN_TYPES,
    _Connector,
    _payment_event,
)
from kiosk.station import FlowEvent, FlowState
from kiosk.store.repositories import redact_pan_like

__all__ = ["SETTLE_RETRY_S", "MoneySaga"]

SETTLE_RETRY_S: Final = 30  # a capture or void the provider did not take: sent again

log = logging.getLogger(__name__)


class MoneySaga(DeviceStates):
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
        self.reference_connectors[reference] = c.config.id  # read on the device's thread
        if contract_id is not None:
            self.reference_contracts[reference] = contract_id  # the account the hold is on
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
        reference = self._reference(session.id)
        self.reference_connectors.pop(reference, None)  # the provider has answered
        self.reference_contracts.pop(reference, None)
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
            payload = self._completed_record(s, p, cost)
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

    def _completed_record(self, s: ChargingSession, p: Payment, cost: Any) -> dict[str, Any]:
        """What the backend gets of a completed session (docs/backend-api.md): the
        session, its OCPI 2.2.1 CDR, the e-receipt's name and who sold the energy (the
        e-receipt says it as the printed one does)."""
        st = self.settings.station
        token = self.keys.receipt_token(s.id)
        seller = StationInfo.from_config(st, self.settings.connectors)
        assert s.totals is not None
        return {
            "session_id": s.id,
            "cost": str(cost),
            "receipt_token": token,
            "session": {
                "id": s.id,
                "connector_id": s.connector_id,
                "evse_id": s.evse_id,
                "started_at": None if s.plugged_at is None else s.plugged_at.isoformat(),
                "ended_at": None if s.ended_at is None else s.ended_at.isoformat(),
                "energy_kwh": str(s.totals.energy_kwh),
                "cost": str(cost),
                "currency": s.currency,
                "stop_reason": None if s.stop_reason is None else s.stop_reason.value,
                "token_type": s.token_type.value,
                "contract_id": s.contract_id,
                "customer_group": s.customer_group,
                "payment_method": p.method.value,
                "payment_ref": p.provider_ref,
                "receipt_token": token,
                "tz": s.tz,
                "seller": {
                    "operator": seller.operator,
                    "vat_id": seller.vat_id,
                    "station_name": seller.name,
                    "address_lines": list(seller.address_lines),
                    "connector_label": seller.connector_labels.get(s.connector_id, ""),
                },
            },
            "cdr": s.cdr(
                country_code=st.country_code,
                party_id=st.party_id,
                location=self.settings.cdr_location(s.connector_id, s.evse_id),
            ),
        }

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
        if not result.ok and result.code is DeclineCode.UNAVAILABLE:
            self._settle_later(p, op, "did not reach the provider")
            return
        self._unsettled.pop(op.idempotency_key, None)
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

    def _settle_later(self, p: Payment, op: PaymentOperation, why: str) -> None:
        """The provider was not reached (a backend offline, a terminal off): the hold is
        still there, so the capture or void stays pending and is sent again with its key
        on the tick, never given up (the provider deduplicates)."""
        due = self.now() + driver_wait(self.clock, SETTLE_RETRY_S)
        self._unsettled[op.idempotency_key] = (p, op, due)
        log.warning(
            "payment %s: the %s of %s %s %s; sent again in %d s",
            p.id,
            op.kind.value,
            op.amount,
            p.currency,
            why,
            SETTLE_RETRY_S,
        )

    def _retry_settlements(self) -> None:
        """On the tick: captures and voids the provider did not take, sent again."""
        now = self.now()
        for key, (p, op, due) in list(self._unsettled.items()):
            if now >= due:
                del self._unsettled[key]
                self._complete(p, op)

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
