"""After a crash or power cut: every session and payment left open is settled once."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from datetime import datetime

from kiosk.domain.errors import KnownError
from kiosk.domain.payment import (
    DeclineCode,
    Discrepancy,
    DiscrepancyKind,
    OperationKind,
    Payment,
    PaymentState,
)
from kiosk.domain.session import (
    ChargingSession,
    SessionState,
)
from kiosk.ports import (
    ProviderHold,
    ProviderResult,
)
from kiosk.services.money import MoneySaga
from kiosk.services.provider_boundary import GuardedProvider
from kiosk.services.station_base import (
    _payment_event,
)
from kiosk.store.repositories import redact_pan_like

__all__ = ["Recovery"]

log = logging.getLogger(__name__)


class Recovery(MoneySaga):
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
            if op.kind in (OperationKind.CAPTURE, OperationKind.VOID):
                # sending it again under its key is safe whatever became of it
                self._settle_later(p, op, f"cannot be confirmed now ({exc})")
                return
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
