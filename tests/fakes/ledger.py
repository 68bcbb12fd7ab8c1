"""An in-memory ledger with the shape the services use (kiosk.services.ledger).

Each unit of work works on a copy of the committed tables and replaces them on
`commit`; leaving without `commit` keeps nothing, as a rolled-back SQLite transaction.
Payments and discrepancies are copied in and out, so the service's objects and the
stored ones never alias (what a real store's serialisation guarantees). Sessions are
kept as the objects themselves, as cosmicpython's fake repository keeps its set (a
session holds the compiled pricer, which does not deep-copy); a session's own changes
therefore show before they are saved. Not modelled: the schema, migrations, locks, the
keyed audit chain, storage faults: for those there is the real SQLite.
"""

from __future__ import annotations

import builtins
import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from kiosk.domain.payment import Discrepancy, Payment
from kiosk.domain.session import ChargingSession, SessionState

__all__ = ["FakeLedger"]


@dataclass
class _Tables:
    """The ledger's tables; `copy()` is what a transaction starts from."""

    sessions: dict[str, ChargingSession] = field(default_factory=dict)
    payments: dict[str, Payment] = field(default_factory=dict)
    audit: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)
    outbox: dict[str, tuple[int, str, str, Any]] = field(default_factory=dict)  # by key
    discrepancies: list[Discrepancy] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)

    def copy(self) -> _Tables:
        return _Tables(
            sessions=dict(self.sessions),
            payments=copy.deepcopy(self.payments),
            audit=list(self.audit),
            outbox=dict(self.outbox),
            discrepancies=copy.deepcopy(self.discrepancies),
            state=copy.deepcopy(self.state),
        )


class _Sessions:
    def __init__(self, t: _Tables) -> None:
        self._t = t

    def add(self, session: ChargingSession) -> None:
        if session.id in self._t.sessions:
            raise KeyError(f"session {session.id} exists")
        self._t.sessions[session.id] = session

    def get(self, session_id: str) -> ChargingSession | None:
        return self._t.sessions.get(session_id)

    def save(self, session: ChargingSession) -> None:
        self._t.sessions[session.id] = session

    def list(
        self,
        *,
        state: SessionState | Iterable[SessionState] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        connector_id: str | None = None,
        limit: int | None = 100,
    ) -> builtins.list[ChargingSession]:
        states = (
            {state} if isinstance(state, SessionState) else None if state is None else set(state)
        )
        found = [
            s
            for s in self._t.sessions.values()
            if (states is None or s.state in states)
            and (since is None or s.created_at >= since)
            and (until is None or s.created_at < until)
            and (connector_id is None or s.connector_id == connector_id)
        ]
        found.sort(key=lambda s: (s.created_at, s.id), reverse=True)
        return found[:limit]

    def non_final(self) -> builtins.list[ChargingSession]:
        found = [s for s in self._t.sessions.values() if not s.state.is_final]
        return sorted(found, key=lambda s: s.created_at)

    def completed_with_hash(
        self,
        since: datetime,
        *,
        token_hash: str | None = None,
        stop_code_hash: str | None = None,
        limit: int = 5,
    ) -> builtins.list[ChargingSession]:
        if token_hash is None and stop_code_hash is None:
            return []
        found = [
            s
            for s in self._t.sessions.values()
            if s.state is SessionState.COMPLETED
            and s.ended_at is not None
            and s.ended_at >= since
            and (token_hash is None or s.token_hash == token_hash)
            and (stop_code_hash is None or s.stop_code_hash == stop_code_hash)
        ]
        found.sort(key=lambda s: s.ended_at or since, reverse=True)
        return found[:limit]

    def hash_plain_tokens(self, token_hash: Callable[[str], str]) -> int:
        return 0  # nothing here predates the keyed hashes


class _Payments:
    def __init__(self, t: _Tables) -> None:
        self._t = t

    def add(self, payment: Payment) -> None:
        self._t.payments[payment.id] = copy.deepcopy(payment)

    def save(self, payment: Payment) -> None:
        payment.check()  # the real store refuses a payment that breaks its invariants
        self._t.payments[payment.id] = copy.deepcopy(payment)

    def get_by_session(self, session_id: str) -> Payment | None:
        for p in self._t.payments.values():
            if p.session_id == session_id:
                return copy.deepcopy(p)
        return None

    def non_final(self) -> builtins.list[Payment]:
        return [copy.deepcopy(p) for p in self._t.payments.values() if not p.state.is_final]

    def with_provider_refs(self, refs: Iterable[str]) -> builtins.list[Payment]:
        wanted = set(refs)
        return [copy.deepcopy(p) for p in self._t.payments.values() if p.provider_ref in wanted]


class _Audit:
    def __init__(self, t: _Tables) -> None:
        self._t = t

    def append(
        self,
        actor: str,
        action: str,
        subject: str,
        detail: Mapping[str, Any] | None = None,
        *,
        at: datetime | None = None,
    ) -> object:
        entry = (actor, action, subject, dict(detail or {}))
        self._t.audit.append(entry)
        return entry


class _Outbox:
    def __init__(self, t: _Tables) -> None:
        self._t = t

    def add(
        self,
        topic: str,
        aggregate_id: str,
        payload: Mapping[str, Any] | builtins.list[Any] | str,
        idempotency_key: str,
        *,
        now: datetime | None = None,
    ) -> int:
        known = self._t.outbox.get(idempotency_key)
        if known is not None:  # the real outbox's unique key: one event per key
            return known[0]
        message_id = len(self._t.outbox) + 1
        self._t.outbox[idempotency_key] = (message_id, topic, aggregate_id, payload)
        return message_id

    def get_by_key(self, idempotency_key: str) -> object | None:
        return self._t.outbox.get(idempotency_key)


class _Discrepancies:
    def __init__(self, t: _Tables) -> None:
        self._t = t

    def add(self, d: Discrepancy) -> None:
        self._t.discrepancies.append(copy.deepcopy(d))

    def list(
        self, *, unresolved: bool = False, payment_id: str | None = None
    ) -> builtins.list[Discrepancy]:
        return [
            copy.deepcopy(d)
            for d in self._t.discrepancies
            if payment_id is None or d.payment_id == payment_id
        ]


class _State:
    def __init__(self, t: _Tables) -> None:
        self._t = t

    def get(self, key: str, default: Any = None) -> Any:
        return self._t.state.get(key, default)

    def set(self, key: str, value: Any, *, at: datetime | None = None) -> None:
        self._t.state[key] = value


class _UnitOfWork:
    def __init__(self, ledger: FakeLedger, write: bool) -> None:
        self._ledger = ledger
        self._write = write
        self._work = _Tables()

    def __enter__(self) -> _UnitOfWork:
        self._work = self._ledger.committed.copy()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._work = _Tables()  # what was not committed is gone

    @property
    def sessions(self) -> _Sessions:
        return _Sessions(self._work)

    @property
    def payments(self) -> _Payments:
        return _Payments(self._work)

    @property
    def audit(self) -> _Audit:
        return _Audit(self._work)

    @property
    def outbox(self) -> _Outbox:
        return _Outbox(self._work)

    @property
    def discrepancies(self) -> _Discrepancies:
        return _Discrepancies(self._work)

    @property
    def station_state(self) -> _State:
        return _State(self._work)

    def commit(self) -> None:
        if not self._write:
            raise AssertionError("a read unit of work committed")
        self._ledger.committed = self._work.copy()
        self._ledger.commits += 1


class FakeLedger:
    def __init__(self) -> None:
        self.committed = _Tables()
        self.commits = 0

    @property
    def path(self) -> Path:
        return Path("/nonexistent/fake-ledger.sqlite")

    def unit_of_work(self, *, write: bool = True) -> _UnitOfWork:
        return _UnitOfWork(self, write)
