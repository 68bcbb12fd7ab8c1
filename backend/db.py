"""The backend's database: one declarative base, one engine factory, migrations, sessions.

SQLite (one site, the demo) or PostgreSQL (a fleet, several instances), one schema.
A database that cannot be used (unreachable, damaged, read-only, from a newer backend) is
refused at start with one line (`DatabaseProblem`); a storage fault while serving is
classified by `storage_fault` (backend.errors answers it with 503 `storage`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import Request
from sqlalchemy import Connection, Engine, MetaData, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.pool import StaticPool

__all__ = [
    "MIGRATION_LOCK",
    "Base",
    "DatabaseProblem",
    "StorageFault",
    "database_problem",
    "get_session",
    "make_engine",
    "migrate",
    "storage_fault",
]

# constraint names fixed, so Alembic's migrations are the same on SQLite and PostgreSQL
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x4B494F534B  # pg_advisory_lock key: "KIOSK"
_READ_ONLY_FILE: Final = "kiosk_read_only_file"  # a pool record's info key


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# --- storage faults -----------------------------------------------------------------

READ_ONLY: Final = "the database is read-only"
FULL: Final = "the disk is full"
BUSY: Final = "the database is busy"
DISK: Final = "the disk failed to read or write"
CANT_OPEN: Final = "the database file cannot be opened"
DAMAGED: Final = "the database file is damaged"
DENIED: Final = "access to the database file is denied"
NO_ANSWER: Final = "the database does not answer"
OVERLOADED: Final = "the database is overloaded"

# SQLite's primary result codes (sqlite_errorname without its extension)
_SQLITE = {
    "READONLY": READ_ONLY,
    "FULL": FULL,
    "BUSY": BUSY,
    "LOCKED": BUSY,
    "IOERR": DISK,
    "CANTOPEN": CANT_OPEN,
    "CORRUPT": DAMAGED,
    "NOTADB": DAMAGED,
    "PERM": DENIED,
}
# PostgreSQL's SQLSTATEs, most specific first
_POSTGRES = (
    ("25006", READ_ONLY),
    ("53100", "the database server's disk is full"),
    ("53", OVERLOADED),
    ("08", NO_ANSWER),
    ("57014", BUSY),  # a statement timeout
    ("57P", NO_ANSWER),
    ("58", "the database server's disk failed"),
    ("40001", BUSY),
    ("40P01", BUSY),
    ("55P03", BUSY),
)
# a connection that met these is opened again: a file opened read-only stays so after the
# disk is writable again, a PostgreSQL session keeps its read-only default
_REOPEN = frozenset({READ_ONLY, CANT_OPEN, DAMAGED, DISK, DENIED})


@dataclass(frozen=True)
class StorageFault:
    reason: str  # for the client and the log, e.g. "the database is read-only"
    detail: str  # the driver's own words, for the log

    @property
    def reopen(self) -> bool:
        return self.reason in _REOPEN


def _first_line(value: object) -> str:
    return (str(value).strip().splitlines() or [""])[0][:200]


def storage_fault(exc: BaseException) -> StorageFault | None:
    """What failed when `exc` is the storage's fault (not the code's), else None."""
    if isinstance(exc, sa_exc.TimeoutError):
        return StorageFault("no database connection is free", _first_line(exc))
    if isinstance(exc, sa_exc.DisconnectionError):
        return StorageFault(NO_ANSWER, _first_line(exc))
    if not isinstance(exc, sa_exc.DBAPIError):
        return None
    orig = exc.orig
    detail = _first_line(orig)
    name = getattr(orig, "sqlite_errorname", None)
    if isinstance(name, str):
        reason = _SQLITE.get(name.removeprefix("SQLITE_").split("_")[0])
        if reason is not None:
            return StorageFault(reason, detail)
    state = getattr(orig, "sqlstate", None)
    if isinstance(state, str):
        for prefix, reason in _POSTGRES:
            if state.startswith(prefix):
                return StorageFault(reason, detail)
    if exc.connection_invalidated:
        return StorageFault(NO_ANSWER, detail)
    # pysqlite also raises OperationalError for the code's mistakes (no such table):
    # those stay 500; psycopg raises it for the server's state only
    if name is None and isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        return StorageFault(NO_ANSWER, detail)
    return None


def _reopen_after_fault(context: ExceptionContext) -> None:
    fault = (
        None
        if context.sqlalchemy_exception is None
        else storage_fault(context.sqlalchemy_exception)
    )
    if fault is not None and fault.reopen:
        context.is_disconnect = True  # the pool drops its connections: the next is fresh


# --- engines ------------------------------------------------------------------------


def _sqlite_pragmas(dbapi_connection: Any, record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout = 5000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        path = cursor.execute("PRAGMA database_list").fetchone()[2]
    finally:
        cursor.close()
    # SQLite opens a file it may not write read-only, and it stays so: remembered here
    if path and not os.access(path, os.W_OK):
        record.info[_READ_ONLY_FILE] = path


def _reopen_once_writable(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    path = record.info.get(_READ_ONLY_FILE)
    if path is not None and os.access(path, os.W_OK):
        raise sa_exc.DisconnectionError(f"{path} is writable again")  # the pool reconnects


def _savepoint_takes_the_write_lock(connection: Connection, _name: str | None) -> None:
    """A SAVEPOINT outside a transaction begins a deferred one: its first write fails with
    `database is locked` (no busy wait) when another connection wrote since its first read.
    Beginning it IMMEDIATE waits for the write lock instead, as pysqlite's own implicit
    BEGIN before a write does."""
    dbapi = connection.connection.dbapi_connection
    if dbapi is not None and not getattr(dbapi, "in_transaction", True):
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # its errors wrapped as any other


def make_engine(url: str) -> Engine:
    """An engine with the durability settings this backend relies on.

    SQLite: WAL, synchronous=FULL, foreign keys, a 5 s busy timeout (threads of one
    process, and other processes on the same machine, share the file; writes are
    serialised). PostgreSQL through psycopg 3 (`postgresql+psycopg://`). A connection that
    met a storage fault is dropped (`_REOPEN`), so the backend recovers by itself.
    """
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")  # one shared connection
        engine = create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"check_same_thread": False, "timeout": 5},
            poolclass=StaticPool if memory else None,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _savepoint_takes_the_write_lock)
        event.listen(engine, "checkout", _reopen_once_writable)
        if memory:
            return engine  # its one connection is the database: never dropped
    else:
        engine = create_engine(
            url,
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=20,
            pool_timeout=10,
            connect_args={"connect_timeout": 10},
        )
    event.listen(engine, "handle_error", _reopen_after_fault)
    return engine


# --- start-up -----------------------------------------------------------------------


class DatabaseProblem(Exception):
    """The database cannot be served; the message is one line: which, what, what to do."""


_ADVICE = {
    READ_ONLY: "make the file and its directory writable (or the disk read-write)",
    FULL: "free space on its disk",
    DAMAGED: "restore it from a backup, or move it away to start with an empty one",
    CANT_OPEN: "check that it and its directory exist and this user may write them",
    DENIED: "check that this user may read and write it and its directory",
    NO_ANSWER: "check that the database server runs and the URL is right",
}


def _where(engine: Engine) -> str:
    if engine.dialect.name == "sqlite":
        return str(engine.url.database or ":memory:")
    return engine.url.render_as_string(hide_password=True)


def _problem(engine: Engine, exc: sa_exc.SQLAlchemyError) -> DatabaseProblem:
    fault = storage_fault(exc) or StorageFault("the database cannot be used", _first_line(exc))
    advice = _ADVICE.get(fault.reason, "see the log of the database")
    return DatabaseProblem(f"database {_where(engine)}: {fault.reason} ({fault.detail}): {advice}")


def database_problem(engine: Engine) -> str | None:
    """Why the database cannot take writes now, or None (read and write probed, nothing
    written: an empty DELETE takes SQLite's write lock, PostgreSQL reports read-only)."""
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                connection.execute(text("DELETE FROM alembic_version WHERE 0"))
            elif connection.scalar(text("SELECT current_setting('transaction_read_only')")) == "on":
                connection.invalidate()  # this session stays read-only: not back to the pool
                return READ_ONLY
    except (sa_exc.SQLAlchemyError, OSError) as exc:
        fault = storage_fault(exc)
        return fault.reason if fault is not None else type(exc).__name__
    return None


def alembic_config() -> Config:
    """Alembic's configuration without an alembic.ini (the scripts ship in the package)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _check(engine: Engine, connection: Connection, script: ScriptDirectory) -> bool:
    """Whether the schema is current; DatabaseProblem for a damaged or newer database."""
    if engine.dialect.name == "sqlite":
        verdict = connection.exec_driver_sql("PRAGMA quick_check(1)").scalar()
        if verdict != "ok":
            raise DatabaseProblem(
                f"database {_where(engine)}: {DAMAGED} ({verdict}): {_ADVICE[DAMAGED]}"
            )
    heads = set(MigrationContext.configure(connection).get_current_heads())
    connection.rollback()
    known = {revision.revision for revision in script.walk_revisions()}
    unknown = sorted(heads - known)
    if unknown:
        raise DatabaseProblem(
            f"database {_where(engine)}: its schema revision {', '.join(unknown)} is unknown "
            f"to this backend (its newest is {script.get_current_head()}), so a newer one "
            "wrote it: run that version, or restore a backup from before"
        )
    return heads == set(script.get_heads())


def migrate(engine: Engine) -> None:
    """Check the database and bring its schema to the newest revision.

    DatabaseProblem when it cannot be served: unreachable, damaged, from a newer backend,
    or not writable. On PostgreSQL a session-level advisory lock serialises instances that
    start at the same time: the second waits, then finds the schema current.
    """
    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    postgres = engine.dialect.name == "postgresql"
    try:
        with engine.connect() as connection:
            if not _check(engine, connection, script):
                _upgrade(connection, config, postgres)
    except sa_exc.SQLAlchemyError as exc:
        raise _problem(engine, exc) from exc
    problem = database_problem(engine)
    if problem is not None:
        advice = _ADVICE.get(problem, "see the log of the database")
        raise DatabaseProblem(f"database {_where(engine)}: {problem}: {advice}")


def _upgrade(connection: Connection, config: Config, postgres: bool) -> None:
    if postgres:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        connection.commit()
    try:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()
    finally:
        if postgres:
            connection.rollback()
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()


def get_session(request: Request) -> Iterator[Session]:
    """One session per request from `app.state.sessions`; the handler commits itself."""
    with request.app.state.sessions() as session:
        yield session
