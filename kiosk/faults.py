"""Faults that stop the kiosk: which kind, and the one line that says what to do.

A full disk, a read-only medium, a damaged ledger, or another process holding the
ledger are environment faults (`KnownError`s, mostly `StorageError`s). Every entry
point ends on them the same way: a headless command (`kiosk simulate`, `kiosk sessions
...`) writes `stop_line()` to stderr and exits 2, no traceback; the UI takes the
station out of service with `fault_kind()` on the screen (translated there) and opens
the ledger again every 30 s (ui/worker.py). Nothing half-written is left: every write
is one transaction, so the ledger is consistent where the fault stopped it, and the
next start's recovery settles what was open.

`fault_kind` trusts the medium over SQLite's error code where the two disagree: a write
refused by a full or read-only medium can reach us as a plain "disk I/O error" (an
fsync on a file system that went read-only after an error, the WAL index), and
`statvfs` on the ledger's folder, or one page written there and removed, says which
it was (only after such an error, never on a path that works).

`ledger_damage` tells a failure caused by a damaged page apart from a bug: a damaged
page does not always fail as SQLITE_CORRUPT; it can also come back as a row that does
not decode (a ValueError, a BugError from a column type). After an unexpected error the
entry points run SQLite's quick_check on a fresh read-only open of the file: damage
found there ends as a damaged ledger (one line, exit 2); none found, and the error is a
bug, with its traceback.

The store is imported inside the functions: `kiosk tariff ...` and the GUI thread
import this module without loading SQLAlchemy.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Final, Literal

__all__ = ["FAULT_KINDS", "FaultKind", "fault_kind", "ledger_damage", "stop_line"]

FaultKind = Literal["disk_full", "read_only", "damaged", "in_use", "busy", "unsafe", "other"]
FAULT_KINDS: Final[tuple[FaultKind, ...]] = (
    "disk_full",
    "read_only",
    "damaged",
    "in_use",
    "busy",
    "unsafe",
    "other",
)
# Less than this free in the ledger's folder and a failed write is a full disk.
_NEARLY_FULL_BYTES: Final = 64 * 1024


def _medium(database: Path | None) -> FaultKind | None:
    """`read_only` or `disk_full` when the ledger's folder is on such a medium now.

    statvfs first; then one page written to a new file in the folder and removed, as
    the kernel's answer is the truth: a file system that went read-only after an error
    (ext4's errors=remount-ro) refuses writes with EROFS while statvfs may still say
    read-write, and a full disk refuses the page with ENOSPC.
    """
    if database is None or str(database) == ":memory:":
        return None
    folder = database.absolute().parent
    try:
        st = os.statvfs(folder)
    except OSError:
        return None
    if st.f_flag & os.ST_RDONLY:
        return "read_only"
    free_blocks = st.f_bfree if os.geteuid() == 0 else st.f_bavail  # root may use the reserve
    if free_blocks * st.f_frsize < _NEARLY_FULL_BYTES:
        return "disk_full"
    name: str | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=".kiosk-probe-", dir=folder)
        try:
            os.write(fd, bytes(4096))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return "read_only"
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return "disk_full"
        return None
    finally:
        if name is not None:
            with contextlib.suppress(OSError):
                os.unlink(name)
    return None


def _sqlite_kind(exc: sqlite3.Error) -> FaultKind | None:
    """The kind of a raw SQLite error (the simulated provider's own files)."""
    name = str(getattr(exc, "sqlite_errorname", ""))
    text = str(exc).lower()
    if name in ("SQLITE_FULL", "SQLITE_IOERR_SHMSIZE") or "database or disk is full" in text:
        return "disk_full"  # SHMSIZE: the WAL index could not grow (ENOSPC)
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return "read_only"
    if name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB" or "malformed" in text:
        return "damaged"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return "busy"
    return None


def fault_kind(exc: BaseException, database: Path | None = None) -> FaultKind:
    """What kind of fault `exc` is; `database` lets the medium decide an unclear one."""
    from kiosk.domain.errors import KnownError  # noqa: PLC0415 - see the module docstring
    from kiosk.store.errors import (  # noqa: PLC0415
        LedgerLocked,
        StorageBusy,
        StorageCorrupt,
        StorageFull,
        StorageReadOnly,
        UnsafeDatabase,
    )

    if isinstance(exc, LedgerLocked):
        return "in_use"
    if isinstance(exc, StorageFull):
        return "disk_full"
    if isinstance(exc, StorageReadOnly):
        return "read_only"
    if isinstance(exc, StorageCorrupt):
        return "damaged"
    if isinstance(exc, StorageBusy):
        return "busy"
    # the store's StorageError keeps SQLite's own error as its cause: its extended code
    cause = exc if isinstance(exc, sqlite3.Error) else exc.__cause__
    if isinstance(cause, sqlite3.Error):
        known = _sqlite_kind(cause)
        if known is not None:
            return known
    if isinstance(exc, (KnownError, sqlite3.Error, OSError)):
        medium = _medium(database)
        if medium is not None:
            return medium
        text = str(exc)
        if "No space left on device" in text:
            return "disk_full"
        if "Read-only file system" in text:
            return "read_only"
    if isinstance(exc, UnsafeDatabase):
        return "unsafe"
    return "other"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def stop_line(exc: BaseException, database: Path, *, retry_s: float | None = None) -> str:
    """The one line for stderr (and the log) when `exc` stops the kiosk on `database`.

    retry_s: the UI's station retries by itself this often; without it the line says
    to start again once the fault is cleared.
    """
    where = str(database)
    again = (
        ", then start again"
        if retry_s is None
        else f"; the station is out of service and tries again every {retry_s:g} s"
    )
    kind = fault_kind(exc, database)
    if kind == "disk_full":
        return f"kiosk: the ledger's disk is full ({where}): free space on it{again}"
    if kind == "read_only":
        return (
            f"kiosk: the ledger cannot be written ({where}): its medium is read-only or its"
            f" folder is not writable; make it writable{again} (kiosk db check can still read it)"
        )
    if kind == "damaged":
        return (
            f"kiosk: the ledger is damaged ({where}): restore it from a backup or move it"
            f" aside{again} (kiosk db check --db {where} says what is damaged)"
        )
    if kind == "busy":
        return (
            f"kiosk: the ledger stayed locked by another process ({where}): stop that"
            f" process{again}"
        )
    detail = _one_line(str(exc)) or type(exc).__name__
    return f"kiosk: {detail}"


def ledger_damage(database: Path) -> str | None:
    """What SQLite's quick_check finds wrong in the file (a fresh read-only open), or None.

    None also when the file cannot be opened for another reason: only damage that is
    seen counts as damage.
    """
    from kiosk.store import open_database  # noqa: PLC0415 - see the module docstring
    from kiosk.store.errors import StorageCorrupt  # noqa: PLC0415

    try:
        db = open_database(database, read_only=True)
    except StorageCorrupt as exc:
        return str(exc)
    except Exception:  # gone, unreadable, not a ledger: no proof of damage
        return None
    try:
        with db.engine.connect() as conn:
            rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA quick_check(5)").all()]
            conn.rollback()
    except StorageCorrupt as exc:
        return str(exc)
    except Exception:
        return None
    finally:
        db.close()
    return None if rows == ["ok"] else _one_line("; ".join(rows))
