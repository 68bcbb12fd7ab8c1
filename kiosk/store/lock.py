"""One writer per ledger: an exclusive `flock` on `<db>.lock`, held while the ledger is open.

A writer (`open_database` without read_only) takes the lock before it migrates or
recovers anything, so a second `kiosk run` or `kiosk simulate` on the same file stops
with `LedgerLocked` naming the holder instead of "recovering" the first one's live
sessions. The lock file holds the holder's pid, host and start time (JSON, one line)
for that message; the lock itself is the kernel's `flock(LOCK_EX | LOCK_NB)` on it.

Why this shape:

- `flock` is released by the kernel when its holder dies, however it dies (SIGKILL, a
  power cut ends every process anyway), so a stale lock never blocks the next run: a
  lock that can be taken is by definition not held. A lock file that still names a
  holder when it is taken was left by a process that did not close the ledger: the
  taker logs "taking over the lock left by pid N" and writes its own name.
- The file is never deleted, only emptied on release: deleting a lock file races with
  a process that opened it a moment earlier and would then lock an unlinked inode
  while a third one creates and locks a new file.
- One process holds the lock once: a second `open_database` of the same file in the
  same process shares it (counted), so tests and tools that open a ledger twice in
  one process keep working; the lock is between processes.
- A lock file that cannot be created because the medium is read-only (or the folder
  is not writable) is opened read-only if it exists (`flock` works on it); otherwise
  `StorageReadOnly`. Writing the holder's name is best effort (a full disk leaves the
  file empty, and a second instance then says it has no holder information).
- Read-only opens (`kiosk db check`, the report commands) take no lock: SQLite's own
  WAL locking keeps their reads consistent while a writer runs.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from kiosk.store.errors import LedgerLocked, StorageError, StorageReadOnly

__all__ = ["Holder", "LedgerLock", "acquire_ledger_lock", "lock_path", "read_holder"]

log = logging.getLogger(__name__)

_SUFFIX: Final = ".lock"
_MAX_INFO: Final = 4096


def lock_path(database: Path) -> Path:
    """The lock file of a ledger: `<db>.lock` beside it."""
    return database.with_name(database.name + _SUFFIX)


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds (or held) a ledger's lock, as its lock file says."""

    pid: int | None
    host: str | None
    since: str | None

    def describe(self) -> str:
        parts = [f"pid {self.pid}" if self.pid is not None else "another process"]
        if self.host:
            parts.append(f"on host {self.host}")
        if self.since:
            parts.append(f"since {self.since}")
        return " ".join(parts)


def _parse_holder(raw: bytes) -> Holder | None:
    text = raw.decode("utf-8", errors="replace").strip()
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return Holder(None, None, None)
    if not isinstance(data, dict):
        return Holder(None, None, None)
    pid = data.get("pid")
    host = data.get("host")
    since = data.get("since")
    return Holder(
        pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
        host if isinstance(host, str) else None,
        since if isinstance(since, str) else None,
    )


def _read_fd(fd: int) -> bytes:
    try:
        return os.pread(fd, _MAX_INFO, 0)
    except OSError:
        return b""


def read_holder(database: Path) -> Holder | None:
    """What the ledger's lock file says about its holder (None: empty or no file).

    Only reads; whether the lock is held right now is not known from this.
    """
    try:
        raw = lock_path(database).read_bytes()[:_MAX_INFO]
    except OSError:
        return None
    return _parse_holder(raw)


class _Handle:
    """The one open, flocked file descriptor of a process for one ledger."""

    def __init__(self, path: Path, fd: int, writable: bool) -> None:
        self.path = path
        self.fd = fd
        self.writable = writable

    def close(self) -> None:
        if self.writable:
            # Emptied, never deleted (see the module docstring): an empty file says
            # the last holder closed the ledger.
            with contextlib.suppress(OSError):
                os.ftruncate(self.fd, 0)
        with contextlib.suppress(OSError):
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        with contextlib.suppress(OSError):
            os.close(self.fd)


class LedgerLock:
    """A held ledger lock; `release()` it once (Database.close does)."""

    def __init__(self, database: Path, key: Path, handle: _Handle) -> None:
        self.database = database
        self.path = handle.path
        self._key = key
        self._handle: _Handle | None = handle

    @property
    def held(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        """Give the lock back (the last user in this process unlocks the file)."""
        with _registry_guard:
            handle, self._handle = self._handle, None
            if handle is None:
                return
            entry = _registry.get(self._key)
            if entry is not None and entry[0] is handle and entry[1] > 1:
                _registry[self._key] = (handle, entry[1] - 1)
                return
            if entry is not None and entry[0] is handle:
                del _registry[self._key]
            handle.close()

    def __repr__(self) -> str:
        return f"LedgerLock({str(self.path)!r}, held={self.held})"


_registry_guard = threading.Lock()
_registry: dict[Path, tuple[_Handle, int]] = {}


def _key(database: Path) -> Path:
    try:
        return database.resolve()
    except OSError:
        return database.absolute()


def _open_lock_file(path: Path, where: str) -> tuple[int, bool]:
    flags = os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | flags, 0o644), True
    except OSError as exc:
        first = exc
    if first.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        try:
            return os.open(path, os.O_RDONLY | flags), False
        except OSError:
            pass
        raise StorageReadOnly(
            f"The kiosk database {where} cannot be written: its lock file {path} cannot be"
            f" created ({first.strerror}). Check the permissions of the folder and that the"
            " disk is mounted read-write, then retry."
        ) from None
    raise StorageError(
        f"The kiosk database {where} cannot be used: its lock file {path} cannot be opened"
        f" ({first.strerror}). Check the disk and the folder's permissions, then retry."
    ) from None


def _write_holder(fd: int) -> None:
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    body = (json.dumps(info, sort_keys=True) + "\n").encode("utf-8")
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, body, 0)
    except OSError as exc:  # a full disk: the lock holds, only the name is missing
        log.info("could not write the holder into the ledger lock file: %s", exc.strerror)


def acquire_ledger_lock(database: Path) -> LedgerLock:
    """Take the ledger's writer lock; LedgerLocked when another process holds it.

    Never waits: a second instance must stop at once with the holder's name, not
    queue behind the first.
    """
    where = str(database)
    key = _key(database)
    with _registry_guard:
        entry = _registry.get(key)
        if entry is not None:  # this process holds it already: share it
            handle, count = entry
            _registry[key] = (handle, count + 1)
            return LedgerLock(database, key, handle)
        path = lock_path(database)
        fd, writable = _open_lock_file(path, where)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _parse_holder(_read_fd(fd))
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise StorageError(
                    f"The kiosk database {where} cannot be locked for writing"
                    f" ({exc.strerror}); the file system may not support locks."
                ) from None
            who = holder or Holder(None, None, None)
            message = f"ledger {where} is in use by {who.describe()}"
            if holder is None:
                message += f" (its lock file {path} names no holder)"
            raise LedgerLocked(
                message + "; stop it first, or use another database.",
                pid=who.pid,
                host=who.host,
                since=who.since,
            ) from None
        left = _parse_holder(_read_fd(fd))
        if left is not None:
            log.warning(
                "ledger %s: taking over the lock left by %s (it did not close the ledger:"
                " killed or crashed)",
                where,
                left.describe(),
            )
        if writable:
            _write_holder(fd)
        handle = _Handle(path, fd, writable)
        _registry[key] = (handle, 1)
        return LedgerLock(database, key, handle)
