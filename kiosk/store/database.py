"""Opening the ledger: a SQLite file made safe for payments, migrated, verified.

`open_database(path)` sets on every connection, and then reads back, the pragmas the
ledger's durability rests on: `journal_mode=WAL`, `synchronous=FULL`, `foreign_keys=ON`
and a `busy_timeout`. A database where one of them did not take (a filesystem without
WAL support, an in-memory database) raises `UnsafeDatabase`: the kiosk must not take
payments on it. Then it runs the Alembic migrations to head in one transaction and
checks the audit-log triggers are in place.

Transactions are begun explicitly (the sqlite3 module's own implicit BEGIN is turned
off): `BEGIN IMMEDIATE` for a writing unit of work, so two writers queue on the busy
timeout instead of failing half-way, and a plain `BEGIN` for reads, which in WAL mode
never wait for a writer.

SQLite failures that come from the environment (disk full, read-only file, lock held
too long, I/O error, damaged file) are turned into `StorageError`s with a message for
the maintenance screen; everything else (a bad query) stays a SQLAlchemy error.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from sqlalchemy import URL, Connection, Engine, create_engine, event, pool
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain.errors import BugError
from kiosk.store.errors import (
    StorageBusy,
    StorageCorrupt,
    StorageError,
    StorageFull,
    StorageReadOnly,
    UnsafeDatabase,
)
from kiosk.store.repositories import Clock, utc_now
from kiosk.store.schema import AUDIT_TRIGGERS
from kiosk.store.unit_of_work import UnitOfWork

__all__ = [
    "MIGRATIONS_DIR",
    "Database",
    "Pragmas",
    "alembic_config",
    "open_database",
]

log = logging.getLogger(__name__)

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"
DEFAULT_BUSY_TIMEOUT_S: Final = 5.0
_SYNCHRONOUS_FULL: Final = 2
_BEGIN_OPTION: Final = "kiosk_begin"
_MEMORY: Final = ":memory:"


@dataclass(frozen=True, slots=True)
class Pragmas:
    """What a connection reports back after the pragmas were set."""

    journal_mode: str
    synchronous: int
    foreign_keys: int
    busy_timeout_ms: int


def alembic_config(*, connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic Config built in code (no alembic.ini): the shipped migrations folder.

    Pass an open `connection` to migrate inside the caller's transaction, or a `url`
    for developer commands (e.g. `command.revision(cfg, "...", autogenerate=True)`).
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


# ------------------------------------------------------------------ connection setup


def _apply_pragmas(conn: sqlite3.Connection, *, busy_timeout_ms: int, foreign_keys: bool) -> None:
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")


def _read_pragmas(conn: sqlite3.Connection) -> Pragmas:
    def value(name: str) -> Any:
        row = conn.execute(f"PRAGMA {name}").fetchone()
        return None if row is None else row[0]

    return Pragmas(
        journal_mode=str(value("journal_mode")).lower(),
        synchronous=int(value("synchronous")),
        foreign_keys=int(value("foreign_keys")),
        busy_timeout_ms=int(value("busy_timeout")),
    )


def _pragma_problems(actual: Pragmas, *, busy_timeout_ms: int, foreign_keys: bool) -> list[str]:
    problems: list[str] = []
    if actual.journal_mode != "wal":
        problems.append(
            f"journal_mode is {actual.journal_mode!r}, not 'wal' (the file system may not"
            " support WAL, e.g. a network share; or the database is in memory)"
        )
    if actual.synchronous != _SYNCHRONOUS_FULL:
        problems.append(f"synchronous is {actual.synchronous}, not {_SYNCHRONOUS_FULL} (FULL)")
    if actual.foreign_keys != int(foreign_keys):
        problems.append(
            f"foreign_keys is {actual.foreign_keys}, not {int(foreign_keys)}"
            " (the SQLite build may lack foreign key support)"
        )
    if actual.busy_timeout_ms != busy_timeout_ms:
        problems.append(f"busy_timeout is {actual.busy_timeout_ms} ms, not {busy_timeout_ms} ms")
    return problems


def _on_connect(
    dbapi_connection: Any,
    _record: Any,
    *,
    where: str,
    busy_timeout_ms: int,
    foreign_keys: bool,
) -> None:
    conn: sqlite3.Connection = dbapi_connection
    conn.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
    _apply_pragmas(conn, busy_timeout_ms=busy_timeout_ms, foreign_keys=foreign_keys)
    problems = _pragma_problems(
        _read_pragmas(conn), busy_timeout_ms=busy_timeout_ms, foreign_keys=foreign_keys
    )
    if problems:
        raise UnsafeDatabase(
            f"The kiosk database {where} cannot guarantee durable payments: "
            + "; ".join(problems)
            + ". Payments are refused until it is on a local disk that supports this."
        )


def _on_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def _storage_error(exc: sqlite3.Error, where: str) -> StorageError | None:
    """The StorageError for an environment failure of SQLite, None for anything else."""
    name = str(getattr(exc, "sqlite_errorname", ""))
    text = str(exc)
    lower = text.lower()
    if name == "SQLITE_FULL" or "database or disk is full" in lower:
        return StorageFull(
            f"The disk holding the kiosk database {where} is full; the change was not saved"
            f" ({text}). Free disk space, then retry."
        )
    if name.startswith("SQLITE_READONLY") or "readonly database" in lower:
        return StorageReadOnly(
            f"The kiosk database {where} cannot be written; the change was not saved ({text})."
            " Check the permissions of the file and its folder and that the disk is"
            " mounted read-write, then retry."
        )
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in lower:
        return StorageBusy(
            f"The kiosk database {where} stayed locked by another process; the change was"
            f" not saved ({text}). Retry; if it persists, stop the other process."
        )
    if name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB" or "malformed" in lower:
        return StorageCorrupt(
            f"The kiosk database {where} is damaged or not a database ({text})."
            " Restore it from a backup or move it aside."
        )
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_NOLFS")) or (
        "disk i/o error" in lower or "unable to open database" in lower
    ):
        return StorageError(
            f"The kiosk database {where} cannot be read or written ({text})."
            " Check the disk and the folder's permissions, then retry."
        )
    return None


def _on_error(context: ExceptionContext, *, where: str) -> BaseException | None:
    original = context.original_exception
    if isinstance(original, sqlite3.Error):
        return _storage_error(original, where)
    if isinstance(original, BugError):
        # Our column types refuse bad values (naive datetime, float amount) with a
        # BugError; raise it as such rather than wrapped in a SQLAlchemy StatementError.
        try:
            return type(original)(*original.args)
        except TypeError:
            return BugError(str(original))
    return None


def _make_engine(
    url: URL,
    *,
    where: str,
    busy_timeout_ms: int,
    foreign_keys: bool = True,
    poolclass: type[pool.Pool] | None = None,
) -> Engine:
    options: dict[str, Any] = {"connect_args": {"timeout": busy_timeout_ms / 1000}}
    if poolclass is not None:
        options["poolclass"] = poolclass
    engine = create_engine(url, **options)
    event.listen(
        engine,
        "connect",
        partial(
            _on_connect, where=where, busy_timeout_ms=busy_timeout_ms, foreign_keys=foreign_keys
        ),
    )
    event.listen(engine, "begin", _on_begin)
    event.listen(engine, "handle_error", partial(_on_error, where=where))
    return engine


# ------------------------------------------------------------------ the database


class Database:
    """An open, migrated, verified ledger. Make one with `open_database`."""

    def __init__(self, path: Path, engine: Engine, *, clock: Clock = utc_now) -> None:
        self.path = path
        self.engine = engine
        self.clock = clock
        self._write = sessionmaker(
            bind=engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"}),
            expire_on_commit=False,
        )
        self._read = sessionmaker(bind=engine, expire_on_commit=False)

    def unit_of_work(self, *, write: bool = True) -> UnitOfWork:
        """One transaction; use as `with db.unit_of_work() as uow: ...; uow.commit()`.

        write=True begins with BEGIN IMMEDIATE (takes the write lock up front, waiting
        up to the busy timeout); write=False begins a plain read transaction.
        """
        return UnitOfWork(self._write if write else self._read, clock=self.clock)

    def session_factory(self, *, write: bool = True) -> sessionmaker[Session]:
        return self._write if write else self._read

    def pragmas(self) -> Pragmas:
        """The pragmas as a pooled connection reports them now (for diagnostics)."""
        with self.engine.connect() as conn:
            driver = conn.connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            return _read_pragmas(driver)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database({str(self.path)!r})"


def _url(path: Path) -> URL:
    return URL.create("sqlite+pysqlite", database=str(path))


def _make_folder(path: Path) -> None:
    if str(path) == _MEMORY:
        return
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.errno == errno.ENOSPC:
            raise StorageFull(f"Cannot create the database folder {folder}: {reason}.") from exc
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise StorageReadOnly(
                f"Cannot create the database folder {folder}: {reason}."
                " Check its permissions and that the disk is mounted read-write."
            ) from exc
        raise StorageError(f"Cannot create the database folder {folder}: {reason}.") from exc


def _migrate(url: URL, *, where: str, busy_timeout_ms: int) -> None:
    """Alembic upgrade to head in one IMMEDIATE transaction, foreign keys off meanwhile.

    Foreign keys are off during migrations as SQLite requires for table rebuilds
    (batch mode); `PRAGMA foreign_key_check` runs before the commit instead.
    """
    engine = _make_engine(
        url,
        where=where,
        busy_timeout_ms=busy_timeout_ms,
        foreign_keys=False,
        poolclass=pool.NullPool,
    )
    try:
        conn = engine.connect().execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        with conn, conn.begin():
            try:
                command.upgrade(alembic_config(connection=conn), "head")
            except CommandError as exc:
                raise UnsafeDatabase(
                    f"The kiosk database {where} cannot be migrated: {exc}. It may have"
                    " been written by a newer version of the kiosk software."
                ) from exc
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise UnsafeDatabase(
                    f"The kiosk database {where} has {len(broken)} row(s) referring to"
                    " missing rows after the migration; nothing was changed."
                )
    finally:
        engine.dispose()


def _verify(engine: Engine, where: str) -> None:
    with engine.connect() as conn:
        names = {
            str(row[0])
            for row in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            ).fetchall()
        }
        conn.rollback()
    missing = sorted(set(AUDIT_TRIGGERS) - names)
    if missing:
        raise UnsafeDatabase(
            f"The kiosk database {where} lacks the audit-log protection"
            f" ({', '.join(missing)}): the audit log could be edited. Payments are refused."
        )


def open_database(
    path: Path,
    *,
    busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
    clock: Clock = utc_now,
) -> Database:
    """Create or open the ledger at `path`, migrate it to head and verify it.

    Raises UnsafeDatabase when WAL, synchronous=FULL, foreign keys, the busy timeout
    or the audit triggers did not take, and another StorageError when the file or
    its folder cannot be created, read or written. `clock` stamps the outbox, audit
    and station-state rows whose time the caller does not give.
    """
    where = str(path)
    busy_timeout_ms = round(busy_timeout_s * 1000)
    _make_folder(path)
    url = _url(path)
    _migrate(url, where=where, busy_timeout_ms=busy_timeout_ms)
    engine = _make_engine(url, where=where, busy_timeout_ms=busy_timeout_ms)
    try:
        _verify(engine, where)
    except BaseException:
        engine.dispose()
        raise
    log.info("database %s open (WAL, synchronous=FULL, foreign keys on)", where)
    return Database(path, engine, clock=clock)
