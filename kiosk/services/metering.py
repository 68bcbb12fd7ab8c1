"""The charger's events: plug-in and unplug, meter samples, faults; the hold's limits.

Each meter sample is recorded and priced; the hold is raised where the provider can
(`_maybe_increment`), otherwise the session stops before the cost passes it, and a
card pre-authorisation that would lapse stops it in time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal

from kiosk.domain.errors import KnownError
from kiosk.domain.payment import (
    DeclineCode,
    OperationState,
    Payment,
    PaymentMethod,
    PaymentOperation,
    PaymentState,
)
from kiosk.domain.session import (
    MeterSample,
    SessionState,
    StopReason,
)
from kiosk.ports import (
    ChargerEvent,
    ChargerEventKind,
    ProviderResult,
    StatusSink,
)
from kiosk.services.money import MoneySaga
from kiosk.services.station_base import (
    RECEIPT_ON_CARD_S,
    _Connector,
    _payment_event,
)
from kiosk.station import FlowEvent, FlowState

__all__ = ["Metering"]

log = logging.getLogger(__name__)


class Metering(MoneySaga):
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
