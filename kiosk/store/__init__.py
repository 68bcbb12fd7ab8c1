"""The durable ledger: SQLite (WAL, synchronous=FULL, foreign keys) via SQLAlchemy 2.x.

Usage::

    db = open_database(path, keys=keys)      # locks, migrates, verifies; UnsafeDatabase otherwise
    ro = open_database(path, read_only=True) # never writes (kiosk db check, reports)
    with db.unit_of_work() as uow:           # one transaction
        uow.payments.save(payment)
        uow.outbox.add(topic=..., aggregate_id=..., payload=..., idempotency_key=..., now=now)
        uow.commit()
    worker = StoreWorker(db)                 # writes off the GUI/hardware threads
    future = worker.submit(lambda uow: uow.sessions.save(session))
"""

from kiosk.store.database import Database, Pragmas, alembic_config, open_database
from kiosk.store.errors import (
    ConcurrencyError,
    DuplicateKey,
    LedgerLocked,
    NotALedger,
    SensitiveDataRefused,
    StorageBusy,
    StorageCorrupt,
    StorageError,
    StorageFull,
    StorageOverloaded,
    StorageReadOnly,
    StoreWorkerStopped,
    UnsafeDatabase,
)
from kiosk.store.repositories import (
    GENESIS_HASH,
    AuditEntry,
    AuditLog,
    OutboxMessage,
    OutboxRepository,
    PaymentRepository,
    SessionRepository,
    StationState,
    backoff,
    find_pan_like,
    redact_pan_like,
)
from kiosk.store.unit_of_work import UnitOfWork
from kiosk.store.worker import StoreWorker

__all__ = [
    "GENESIS_HASH",
    "AuditEntry",
    "AuditLog",
    "ConcurrencyError",
    "Database",
    "DuplicateKey",
    "LedgerLocked",
    "NotALedger",
    "OutboxMessage",
    "OutboxRepository",
    "PaymentRepository",
    "Pragmas",
    "SensitiveDataRefused",
    "SessionRepository",
    "StationState",
    "StorageBusy",
    "StorageCorrupt",
    "StorageError",
    "StorageFull",
    "StorageOverloaded",
    "StorageReadOnly",
    "StoreWorker",
    "StoreWorkerStopped",
    "UnitOfWork",
    "UnsafeDatabase",
    "alembic_config",
    "backoff",
    "find_pan_like",
    "open_database",
    "redact_pan_like",
]
