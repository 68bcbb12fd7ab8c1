"""The ledger as the services see it: a unit of work over the stores they use.

`kiosk.store.Database` (SQLite, SQLAlchemy) is the real one; tests/fakes/ledger.py
holds an in-memory one with the same shape, so a seam can be tested without a file
(cosmicpython's fake unit of work). Only what the services call is here.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from kiosk.domain.payment import Discrepancy, Payment
from kiosk.domain.session import ChargingSession, SessionState

__all__ = [
    "AuditTrail",
    "DiscrepancyStore",
    "Ledger",
    "Outbox",
    "PaymentStore",
    "SessionStore",
    "StateStore",
    "UnitOfWork",
]


class SessionStore(Protocol):
    def add(self, session: ChargingSession) -> None: ...

    def get(self, session_id: str) -> ChargingSession | None: ...

    def save(self, session: ChargingSession) -> None: ...

    def list(
        self,
        *,
        state: SessionState | Iterable[SessionState] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        connector_id: str | None = None,
        limit: int | None = 100,
    ) -> builtins.list[ChargingSession]:
        """Newest first."""
        ...

    def non_final(self) -> builtins.list[ChargingSession]: ...

    def completed_with_hash(
        self,
        since: datetime,
        *,
        token_hash: str | None = None,
        stop_code_hash: str | None = None,
        limit: int = 5,
    ) -> builtins.list[ChargingSession]: ...

    def hash_plain_tokens(self, token_hash: Callable[[str], str]) -> int: ...


class PaymentStore(Protocol):
    def add(self, payment: Payment) -> None: ...

    def save(self, payment: Payment) -> None: ...

    def get_by_session(self, session_id: str) -> Payment | None: ...

    def non_final(self) -> builtins.list[Payment]: ...

    def with_provider_refs(self, refs: Iterable[str]) -> builtins.list[Payment]: ...


class AuditTrail(Protocol):
    def append(
        self,
        actor: str,
        action: str,
        subject: str,
        detail: Mapping[str, Any] | None = None,
        *,
        at: datetime | None = None,
    ) -> object: ...


class Outbox(Protocol):
    def add(
        self,
        topic: str,
        aggregate_id: str,
        payload: Mapping[str, Any] | builtins.list[Any] | str,
        idempotency_key: str,
        *,
        now: datetime | None = None,
    ) -> int: ...

    def get_by_key(self, idempotency_key: str) -> object | None: ...


class DiscrepancyStore(Protocol):
    def add(self, d: Discrepancy) -> None: ...

    def list(
        self, *, unresolved: bool = False, payment_id: str | None = None
    ) -> builtins.list[Discrepancy]: ...


class StateStore(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, *, at: datetime | None = None) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: nothing written is kept unless `commit` is called."""

    @property
    def sessions(self) -> SessionStore: ...

    @property
    def payments(self) -> PaymentStore: ...

    @property
    def audit(self) -> AuditTrail: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def discrepancies(self) -> DiscrepancyStore: ...

    @property
    def station_state(self) -> StateStore: ...

    def commit(self) -> None: ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class Ledger(Protocol):
    @property
    def path(self) -> Path:
        """The ledger's file: a fault's message names it."""
        ...

    def unit_of_work(self, *, write: bool = True) -> UnitOfWork: ...
