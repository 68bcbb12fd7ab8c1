"""`kiosk db check`: the database's integrity and the ledger's invariants.

Invariants (each violation is listed with the ids involved):
- every payment is in a final state unless its session is still open;
- captured <= authorized; a capture equals the session's priced cost (capped at the
  hold, the shortfall being reported separately) and succeeded at most once;
- a completed session with a cost has a captured payment, one with none a voided one;
- no duplicate: one payment per session, one open session per connector, no two
  completed sessions overlapping on a connector;
- every completed session reprices from its recorded periods to its recorded totals;
- the audit log's hash chain is unbroken.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from kiosk.domain import jsonio
from kiosk.domain.payment import OperationKind, OperationState, Payment, PaymentState
from kiosk.domain.session import ChargingSession, SessionState, SessionTotals
from kiosk.store import Database

__all__ = ["LedgerCheck", "check_ledger", "render_check"]


@dataclass
class LedgerCheck:
    integrity: str = "ok"
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    shortfalls: list[str] = field(default_factory=list)
    captured: Decimal = Decimal(0)

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "integrity": self.integrity,
            "counts": dict(sorted(self.counts.items())),
            "problems": self.problems,
            "shortfalls": self.shortfalls,
            "captured": str(self.captured),
        }


def _integrity(db: Database) -> str:
    with db.engine.connect() as conn:
        rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check")).all()]
        fk = conn.execute(text("PRAGMA foreign_key_check")).all()
    result = "ok" if rows == ["ok"] else "; ".join(str(r) for r in rows)
    if fk:
        result = ("" if result == "ok" else result + "; ") + f"{len(fk)} foreign key violation(s)"
    return result


def _check_payment(s: ChargingSession, p: Payment, out: LedgerCheck) -> None:
    c = out.counts
    c[f"payments_{p.state.value}"] += 1
    if p.captured > p.authorized:
        out.problems.append(f"payment {p.id}: captured {p.captured} > authorized {p.authorized}")
    if not s.state.is_final:
        return  # still open (or interrupted): start-up recovery settles it
    if p.pending_operation() is not None:
        # Interrupted between recording an operation and its answer: recovery asks the
        # provider about the key at the next start. Counted, not a broken invariant.
        c["payments_in_flight"] += 1
        return
    if not p.state.is_final:
        out.problems.append(
            f"payment {p.id}: {p.state.value} although session {s.id} is {s.state.value}"
        )
        return
    captures = [
        op
        for op in p.operations
        if op.kind is OperationKind.CAPTURE and op.state is OperationState.SUCCEEDED
    ]
    if len(captures) > 1:
        out.problems.append(f"payment {p.id}: captured {len(captures)} times")
    if s.state is SessionState.COMPLETED:
        assert s.totals is not None
        cost = s.totals.cost_incl_vat
        expected = min(cost, p.authorized)
        if p.state is PaymentState.CAPTURED:
            if p.captured != expected:
                out.problems.append(
                    f"payment {p.id}: captured {p.captured}, session {s.id} priced {cost}"
                )
        elif p.state is PaymentState.VOIDED:
            if cost != 0:
                out.problems.append(f"payment {p.id}: voided although session {s.id} cost {cost}")
        else:
            c["settlement_failed"] += 1
        if cost > p.authorized:
            out.shortfalls.append(f"session {s.id}: cost {cost} exceeded the hold {p.authorized}")
    elif p.state is PaymentState.CAPTURED:
        out.problems.append(f"payment {p.id}: captured for a session that never charged ({s.id})")


def _check_sessions(sessions: list[ChargingSession], out: LedgerCheck) -> None:
    by_connector: dict[str, list[ChargingSession]] = {}
    for s in sessions:
        out.counts[f"sessions_{s.state.value}"] += 1
        by_connector.setdefault(s.connector_id, []).append(s)
        if s.state is SessionState.COMPLETED:
            if s.totals is None:
                out.problems.append(f"session {s.id}: completed without totals")
                continue
            again = SessionTotals.of(s.final_breakdown())
            if again != s.totals:
                out.problems.append(
                    f"session {s.id}: reprices to {again.cost_incl_vat}, "
                    f"recorded {s.totals.cost_incl_vat}"
                )
            out.counts["energy_wh"] += int(s.totals.energy_kwh * 1000)
    for connector, items in by_connector.items():
        open_ones = [s for s in items if not s.state.is_final]
        if len(open_ones) > 1:
            out.problems.append(f"connector {connector}: {len(open_ones)} open sessions")
        done = sorted(
            (s for s in items if s.state is SessionState.COMPLETED and s.plugged_at and s.ended_at),
            key=lambda s: s.plugged_at or s.created_at,
        )
        for a, b in itertools.pairwise(done):
            assert a.ended_at is not None
            assert b.plugged_at is not None
            if b.plugged_at < a.ended_at:
                out.problems.append(f"connector {connector}: sessions {a.id} and {b.id} overlap")


def check_ledger(db: Database) -> LedgerCheck:
    out = LedgerCheck(integrity=_integrity(db))
    with db.unit_of_work(write=False) as uow:
        sessions = uow.sessions.list(limit=None)
        payments = uow.payments.list_all()
        audit_problems = uow.audit.verify()
    out.counts["sessions"] = len(sessions)
    out.counts["payments"] = len(payments)
    _check_sessions(sessions, out)
    by_session: dict[str, list[Payment]] = {}
    for p in payments:
        by_session.setdefault(p.session_id, []).append(p)
    index = {s.id: s for s in sessions}
    captured = Decimal(0)
    for session_id, items in by_session.items():
        if len(items) > 1:
            out.problems.append(f"session {session_id}: {len(items)} payments")
        s = index.get(session_id)
        if s is None:
            out.problems.append(f"payments {[p.id for p in items]} belong to no session")
            continue
        for p in items:
            _check_payment(s, p, out)
            captured += p.captured
    for s in sessions:
        if (
            s.state is not SessionState.PENDING
            and s.payment_id is not None
            and s.id not in by_session
        ):
            out.problems.append(f"session {s.id}: its payment {s.payment_id} is missing")
    out.problems.extend(f"audit log: {p}" for p in audit_problems)
    out.captured = captured
    return out


def render_check(result: LedgerCheck, *, as_json: bool = False) -> str:
    if as_json:
        return jsonio.dumps(result.to_json(), indent=2) + "\n"
    counts = result.counts

    def by_state(prefix: str) -> str:
        return ", ".join(
            f"{k[len(prefix) :]} {v}" for k, v in sorted(counts.items()) if k.startswith(prefix)
        )

    lines = [f"database integrity: {result.integrity}"]
    lines.append(f"sessions: {counts['sessions']} ({by_state('sessions_')})")
    lines.append(f"payments: {counts['payments']} ({by_state('payments_')})")
    lines.append(f"captured: {result.captured}")
    if result.shortfalls:
        lines.append(f"sessions whose cost exceeded the hold: {len(result.shortfalls)}")
    if result.problems:
        lines.append(f"LEDGER CHECK FAILED: {len(result.problems)} problem(s)")
        lines.extend(f"  {p}" for p in result.problems[:50])
    else:
        lines.append("ledger check: ok")
    return "\n".join(lines) + "\n"
