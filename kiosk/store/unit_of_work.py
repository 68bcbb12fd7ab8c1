"""The unit of work: one transaction, all repositories.

    with db.unit_of_work() as uow:
        payment.begin_authorize(amount, now)
        uow.payments.save(payment)
        uow.outbox.add("payment.authorize", payment.id, payload, f"{op.idempotency_key}:event")
        uow.audit.append("station", "payment.authorize", payment.id, {...})
        uow.commit()  # the payment change, its outbox row and audit row, or none of them

Leaving the block without `commit()` (or by an exception) rolls everything back,
including the in-memory version bumps of saved aggregates. After a commit the unit
of work may be used again: the next statement begins a new transaction.

Times the store stamps by itself (outbox `now`, audit `at`, station state `at`)
come from the unit of work's clock unless given; the Database passes its clock, and
the station's audit key (keyed audit chain) when the writer has one.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain.errors import BugError
from kiosk.store.repositories import (
    AuditLog,
    Clock,
    DiscrepancyRepository,
    OutboxRepository,
    PaymentRepository,
    SessionRepository,
    StationState,
    VersionTracker,
    utc_now,
)

__all__ = ["UnitOfWork"]


class UnitOfWork:
    """A context manager over one SQLAlchemy Session and its transaction."""

    sessions: SessionRepository
    payments: PaymentRepository
    outbox: OutboxRepository
    audit: AuditLog
    station_state: StationState
    discrepancies: DiscrepancyRepository

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        clock: Clock = utc_now,
        audit_key: bytes | None = None,
    ) -> None:
        self._factory = session_factory
        self._session: Session | None = None
        self._tracker = VersionTracker()
        self.clock = clock
        self.sessions = SessionRepository(self._connection, self._tracker)
        self.payments = PaymentRepository(self._connection, self._tracker)
        self.outbox = OutboxRepository(self._connection, clock)
        self.audit = AuditLog(self._connection, clock, key=audit_key)
        self.station_state = StationState(self._connection, clock)
        self.discrepancies = DiscrepancyRepository(self._connection, clock)

    @property
    def db_session(self) -> Session:
        """The SQLAlchemy Session (for queries the repositories do not offer)."""
        if self._session is None:
            raise BugError("the unit of work is used outside its `with` block")
        return self._session

    def _connection(self) -> Connection:
        return self.db_session.connection()

    def __enter__(self) -> Self:
        if self._session is not None:
            raise BugError("a unit of work cannot be entered twice")
        session = self._factory()
        try:
            session.connection()  # BEGIN now: a write lock wait happens here, not mid-way
        except BaseException:
            session.close()
            raise
        self._session = session
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        try:
            session.rollback()  # a no-op after commit() with nothing new
        finally:
            self._tracker.rolled_back()
            session.close()

    def commit(self) -> None:
        """Make everything written since the last commit durable, in one transaction."""
        try:
            self.db_session.commit()
        except BaseException:
            self._tracker.rolled_back()
            raise
        self._tracker.committed()

    def rollback(self) -> None:
        """Discard everything written since the last commit."""
        try:
            self.db_session.rollback()
        finally:
            self._tracker.rolled_back()
