"""What the store raises.

Environment faults (disk full, read-only or locked file, I/O errors, a filesystem
that cannot do what the ledger needs) are `StorageError`s, a `KnownError`: the
screen says what is wrong and offers a retry; nothing half-written is left behind
because every write happens in one transaction. Conflicts between writers and
broken invariants are not environment faults and have their own types.
"""

from __future__ import annotations

from kiosk.domain.errors import BugError, KnownError

__all__ = [
    "ConcurrencyError",
    "DuplicateKey",
    "LedgerLocked",
    "NotALedger",
    "SensitiveDataRefused",
    "StorageBusy",
    "StorageCorrupt",
    "StorageError",
    "StorageFull",
    "StorageOverloaded",
    "StorageReadOnly",
    "StoreWorkerStopped",
    "UnsafeDatabase",
]


class StorageError(KnownError):
    """The database file cannot be used right now (an environment fault)."""


class UnsafeDatabase(StorageError):
    """The database does not give the durability guarantees payments need.

    Raised at start-up when WAL, synchronous=FULL, foreign keys or the audit-log
    triggers did not take; the kiosk must not take payments on such a database.
    """


class StorageFull(StorageError):
    """The disk holding the database is full (or the database hit its size limit)."""


class StorageReadOnly(StorageError):
    """The database file or its folder cannot be written."""


class StorageBusy(StorageError):
    """Another process held the database lock for longer than the busy timeout."""


class StorageCorrupt(StorageError):
    """The file is not a database, or its pages are damaged."""


class NotALedger(StorageError):
    """The file is empty, not an SQLite database, or a database of another program.

    Raised by a read-only open (`kiosk db check`), which never turns such a file into a
    ledger: only a writer creates one, and only where there is no file at all.
    """


class LedgerLocked(StorageError):
    """Another process is the ledger's writer: one writer per ledger (kiosk/store/lock.py).

    The message names the holder: "ledger /path is in use by pid 1234 on host kiosk-7
    since 2026-12-02T18:00:00Z"; `pid`, `host` and `since` hold the same facts, each
    None when the lock file did not say.
    """

    def __init__(
        self,
        message: str,
        *,
        pid: int | None = None,
        host: str | None = None,
        since: str | None = None,
    ) -> None:
        super().__init__(message)
        self.pid = pid
        self.host = host
        self.since = since


class StorageOverloaded(StorageError):
    """The store worker's queue is full: the disk is not keeping up with the writes."""


class ConcurrencyError(Exception):
    """An aggregate was saved from a stale copy (its version moved on), or is not stored.

    Reload the aggregate, re-apply the change, save again.
    """


class DuplicateKey(Exception):
    """A unique key is already stored (idempotency key, one payment per session, ...).

    The refused statement had no effect and the transaction is still usable;
    whether a duplicate is a replay to ignore or a bug is the caller's decision.
    """


class SensitiveDataRefused(BugError):
    """Something that looks like a card number was about to be stored; it never is."""


class StoreWorkerStopped(RuntimeError):
    """A job was submitted to (or left in) a store worker that has shut down."""
