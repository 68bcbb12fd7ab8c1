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

One writer per ledger: a writer takes the ledger's lock (`<db>.lock`, kiosk/store/lock.py)
before it migrates anything, and holds it until `close()`; another process gets
`LedgerLocked` naming the holder. With the station's keys (`keys=`), the writer's audit
entries are chained with HMAC-SHA256 under `StationKeys.audit`.

`open_database(path, read_only=True)` (for `kiosk db check` and the report commands)
never writes: no file, folder, lock or key is created, nothing is migrated, no pragma
that persists is set (`query_only` is on), and the WAL is never checkpointed. A missing,
empty, foreign or newer file is refused with a one-line `StorageError`. How the file is
opened depends on what lies beside it:

- no `-wal`: `immutable=1`; the file is the whole ledger and SQLite creates nothing
  (a WAL-mode file opened with `mode=ro` would create its `-wal` and `-shm`, and cannot
  be opened at all on a read-only medium);
- `-wal` (even empty) and `-shm`: `mode=ro`, sharing the WAL index with a writer that
  may be running, so a checkpoint never changes the file under the check;
- `-wal` without `-shm` (left by a crash or a power cut; no writer runs without its
  index), or `mode=ro` failing on a read-only medium: the file and its WAL are copied to
  a private temporary folder and the copy is opened, so the WAL's transactions are
  read without creating anything beside the ledger; if no copy can be made either,
  `immutable=1` and the Database says in `unverified` that the WAL was not read.
"""

from __future__ import annotations

import errno
import functools
import logging
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Self

from sqlalchemy import URL, Connection, Engine, create_engine, event, pool
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain.errors import BugError
from kiosk.store.errors import (
    NotALedger,
    StorageBusy,
    StorageCorrupt,
    StorageError,
    StorageFull,
    StorageReadOnly,
    UnsafeDatabase,
)
from kiosk.store.lock import LedgerLock, acquire_ledger_lock
from kiosk.store.repositories import (
    CHAIN_ANCHOR,
    AuditChainReport,
    Clock,
    check_chain_anchor,
    utc_now,
)
from kiosk.store.schema import AUDIT_TRIGGERS
from kiosk.store.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from alembic.config import Config

    from kiosk.station_keys import StationKeys

__all__ = [
    "HEAD_REVISION",
    "MIGRATIONS_DIR",
    "Database",
    "Pragmas",
    "alembic_config",
    "head_revision",
    "open_database",
    "script_revisions",
]

log = logging.getLogger(__name__)

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"
DEFAULT_BUSY_TIMEOUT_S: Final = 5.0
_SYNCHRONOUS_FULL: Final = 2
_BEGIN_OPTION: Final = "kiosk_begin"
_MEMORY: Final = ":memory:"
_SQLITE_HEADER: Final = b"SQLite format 3\x00"
# The tables without which a file is not a kiosk ledger (the first migration's).
LEDGER_TABLES: Final = frozenset(
    {"alembic_version", "sessions", "payments", "payment_operations", "audit_log"}
)
# The newest migration in migrations/versions (tests/kiosk/store/test_database.py checks
# it is Alembic's head). A ledger already there opens without loading Alembic, which
# is a fifth of every kiosk command's start-up; any other revision loads the scripts.
HEAD_REVISION: Final = "0002"


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
    from alembic.config import Config  # noqa: PLC0415 - only to migrate (HEAD_REVISION)

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
    """An open ledger. Make one with `open_database`.

    A writer's Database is migrated and verified and holds the ledger's lock; a
    read-only one (`read_only=True`) refuses write units of work. `unverified` lists
    what a read-only open could not read (the WAL on a medium where it cannot be read);
    `notes` how it was read; `revision` is the ledger's migration revision.
    """

    def __init__(
        self,
        path: Path,
        engine: Engine,
        *,
        clock: Clock = utc_now,
        keys: StationKeys | None = None,
        read_only: bool = False,
        lock: LedgerLock | None = None,
        revision: str | None = None,
        notes: tuple[str, ...] = (),
        unverified: tuple[str, ...] = (),
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.path = path
        self.engine = engine
        self.clock = clock
        self.keys = keys
        self.read_only = read_only
        self.lock = lock
        self.revision = revision
        self.notes = notes
        self.unverified = unverified
        self._on_close = on_close
        self._closed = False
        self._write = sessionmaker(
            bind=engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"}),
            expire_on_commit=False,
        )
        self._read = sessionmaker(bind=engine, expire_on_commit=False)

    @property
    def audit_key(self) -> bytes | None:
        return None if self.keys is None else self.keys.audit

    def unit_of_work(self, *, write: bool = True) -> UnitOfWork:
        """One transaction; use as `with db.unit_of_work() as uow: ...; uow.commit()`.

        write=True begins with BEGIN IMMEDIATE (takes the write lock up front, waiting
        up to the busy timeout); write=False begins a plain read transaction.
        """
        if write and self.read_only:
            raise BugError(f"the ledger {self.path} is open read-only: no write unit of work")
        return UnitOfWork(
            self._write if write else self._read, clock=self.clock, audit_key=self.audit_key
        )

    def session_factory(self, *, write: bool = True) -> sessionmaker[Session]:
        if write and self.read_only:
            raise BugError(f"the ledger {self.path} is open read-only: no write session")
        return self._write if write else self._read

    def pragmas(self) -> Pragmas:
        """The pragmas as a pooled connection reports them now (for diagnostics)."""
        with self.engine.connect() as conn:
            driver = conn.connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            return _read_pragmas(driver)

    def close(self) -> None:
        """Close every connection, then give back the writer's lock (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            self.engine.dispose()
        finally:
            if self.lock is not None:
                self.lock.release()
            if self._on_close is not None:
                self._on_close()

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
        mode = ", read_only=True" if self.read_only else ""
        return f"Database({str(self.path)!r}{mode})"


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
    (batch mode); `PRAGMA foreign_key_check` runs before the commit instead. A ledger
    at HEAD_REVISION is left as it is, without loading Alembic.
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
            if _stored_revision(conn) == HEAD_REVISION:
                return
            from alembic import command  # noqa: PLC0415 - see HEAD_REVISION
            from alembic.util.exc import CommandError  # noqa: PLC0415

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


def _warn_if_another_key(engine: Engine, where: str, keys: StationKeys) -> None:
    """A writer whose key does not verify the ledger's keyed-chain anchor says so once.

    The ledger stays usable (new entries are keyed with this key); `kiosk db check`
    reports the entries the key cannot verify. The usual cause: the key file was lost
    and made anew, or the ledger was copied to a station with another key.
    """
    with engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT value FROM station_state WHERE key = ?", (CHAIN_ANCHOR,)
        ).first()
        conn.rollback()
    if row is None:
        return
    probe = AuditChainReport(problems=[])
    check_chain_anchor(row[0], keys.audit, probe)
    if probe.anchor_wrong_key or probe.problems:
        log.warning(
            "ledger %s: its audit chain was keyed with another station key than this one"
            " (the key file lost and made anew, or another station's ledger?); new entries"
            " are keyed with this key, and `kiosk db check` reports the earlier ones",
            where,
        )


def _warn_if_emptied(path: Path) -> None:
    """A writer about to start a new ledger in an existing 0-byte file says so."""
    try:
        size = path.stat().st_size
    except OSError:
        return
    wal = path.with_name(path.name + "-wal")
    if size == 0 and not wal.exists():
        log.warning(
            "the ledger file %s is empty (0 bytes): starting a new ledger in it; if it"
            " held sessions, stop the kiosk and restore it from a backup",
            path,
        )


def open_database(
    path: Path,
    *,
    busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
    clock: Clock = utc_now,
    keys: StationKeys | None = None,
    read_only: bool = False,
) -> Database:
    """Create or open the ledger at `path`, migrate it to head and verify it.

    Raises UnsafeDatabase when WAL, synchronous=FULL, foreign keys, the busy timeout
    or the audit triggers did not take, LedgerLocked when another process is the
    ledger's writer, and another StorageError when the file or its folder cannot be
    created, read or written. `clock` stamps the outbox, audit and station-state rows
    whose time the caller does not give; with `keys`, new audit entries are chained
    with HMAC-SHA256 under `keys.audit`.

    read_only=True opens an existing ledger without writing anything (see the module
    docstring); no lock is taken and nothing is migrated. It raises StorageError for a
    missing or unreadable file, NotALedger for an empty, foreign or non-ledger SQLite
    file, StorageCorrupt for a damaged one and UnsafeDatabase for a newer revision.
    """
    where = str(path)
    busy_timeout_ms = round(busy_timeout_s * 1000)
    if read_only:
        return _open_read_only(
            path, where=where, busy_timeout_ms=busy_timeout_ms, clock=clock, keys=keys
        )
    _make_folder(path)
    lock = None if where == _MEMORY else acquire_ledger_lock(path)
    try:
        if where != _MEMORY:
            _warn_if_emptied(path)
        url = _url(path)
        _migrate(url, where=where, busy_timeout_ms=busy_timeout_ms)
        engine = _make_engine(url, where=where, busy_timeout_ms=busy_timeout_ms)
        try:
            _verify(engine, where)
            if keys is not None:
                _warn_if_another_key(engine, where, keys)
        except BaseException:
            engine.dispose()
            raise
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    log.info(
        "database %s open (WAL, synchronous=FULL, foreign keys on%s)",
        where,
        ", keyed audit chain" if keys is not None else "",
    )
    return Database(path, engine, clock=clock, keys=keys, lock=lock)


# ------------------------------------------------------------------ read-only opens


def _refuse_non_ledger_file(path: Path, where: str) -> None:
    """StorageError/NotALedger for what is not even an SQLite file; reads 16 bytes."""
    try:
        if not path.exists():
            raise StorageError(f"no database at {where}")
        if path.is_dir():
            raise NotALedger(f"{where} is a folder, not a ledger")
        size = path.stat().st_size
        with path.open("rb") as f:
            header = f.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise StorageError(f"cannot read {where}: {exc.strerror or exc}") from None
    if size == 0:
        raise NotALedger(
            f"{where} is empty (0 bytes): not a ledger; nothing to check (if it held"
            " sessions, restore it from a backup)"
        )
    if header != _SQLITE_HEADER:
        raise NotALedger(f"{where} is not a kiosk ledger: not an SQLite database file")


def _sqlite_uri(path: Path, *, immutable: bool) -> str:
    uri = path.resolve().as_uri() + "?mode=ro"
    return uri + "&immutable=1" if immutable else uri


def _lenient_text(raw: bytes) -> str | bytes:
    """TEXT as str, or as the raw bytes when a damaged page left invalid UTF-8 in it.

    The checker then reports the column as "not text" instead of the sqlite3 module
    raising UnicodeDecodeError out of the middle of a table scan.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw


def _probe(uri: str, where: str, busy_timeout_ms: int) -> StorageError | None:
    """Open `uri` once and read the schema: None when it works, the StorageError if not."""
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout_ms / 1000)
    except sqlite3.Error as exc:
        return _storage_error(exc, where) or StorageError(f"cannot open {where}: {exc}")
    conn.text_factory = _lenient_text
    try:
        conn.execute("SELECT count(*), max(length(sql)) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        return _storage_error(exc, where) or StorageError(f"cannot read {where}: {exc}")
    except UnicodeDecodeError:  # SQLite's message quoted damaged schema text
        return StorageCorrupt(
            f"The kiosk database {where} is damaged: its schema cannot be read."
            " Restore it from a backup or move it aside."
        )
    finally:
        conn.close()
    return None


def _private_copy(path: Path, wal: Path) -> tuple[Path, Callable[[], None]]:
    """The ledger and its WAL copied into a new temporary folder (removed by the callback)."""
    folder = Path(tempfile.mkdtemp(prefix="kiosk-ledger-"))
    try:
        copy = folder / path.name
        shutil.copyfile(path, copy)
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return copy, partial(shutil.rmtree, folder, ignore_errors=True)


def _on_connect_read_only(dbapi_connection: Any, _record: Any, *, busy_timeout_ms: int) -> None:
    conn: sqlite3.Connection = dbapi_connection
    conn.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    conn.execute("PRAGMA query_only = ON")  # belt and braces: SQLite refuses any write
    conn.execute("PRAGMA foreign_keys = ON")  # per connection, never stored in the file


def _make_read_only_engine(uri: str, *, where: str, busy_timeout_ms: int) -> Engine:
    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(
            uri, uri=True, timeout=busy_timeout_ms / 1000, check_same_thread=False
        )
        conn.text_factory = _lenient_text
        return conn

    engine = create_engine("sqlite+pysqlite://", creator=connect, poolclass=pool.QueuePool)
    event.listen(engine, "connect", partial(_on_connect_read_only, busy_timeout_ms=busy_timeout_ms))
    event.listen(engine, "begin", _on_begin)
    event.listen(engine, "handle_error", partial(_on_error, where=where))
    return engine


def _stored_revision(conn: Connection) -> str | None:
    """The revision in `alembic_version`, inside the caller's transaction; None when
    the table is missing or does not hold exactly one row (Alembic sorts that out)."""
    has_table = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).first()
    if has_table is None:
        return None
    rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
    return str(rows[0][0]) if len(rows) == 1 else None


@functools.cache
def script_revisions() -> tuple[frozenset[str], str | None]:
    """Every revision of the shipped migrations, and their head (loads Alembic)."""
    from alembic.script import ScriptDirectory  # noqa: PLC0415 - see HEAD_REVISION

    scripts = ScriptDirectory.from_config(alembic_config())
    return frozenset(r.revision for r in scripts.walk_revisions()), scripts.get_current_head()


def head_revision() -> str:
    """The newest migration revision this version of the kiosk knows."""
    return HEAD_REVISION


def _ledger_revision(engine: Engine, where: str) -> str | None:
    """The ledger's revision; NotALedger/UnsafeDatabase when it is no ledger of ours."""
    with engine.connect() as conn:
        names = {
            str(row[0])
            for row in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            ).fetchall()
        }
        missing = sorted(LEDGER_TABLES - names)
        if missing:
            raise NotALedger(
                f"{where} is an SQLite database but not a kiosk ledger"
                f" (no {', '.join(missing)} table{'s' if len(missing) > 1 else ''})"
            )
        rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
        conn.rollback()
    if len(rows) != 1:
        raise NotALedger(
            f"{where} is not a usable kiosk ledger: its alembic_version table holds"
            f" {len(rows)} rows, not 1"
        )
    revision = rows[0][0]
    if revision != HEAD_REVISION and revision not in script_revisions()[0]:
        raise UnsafeDatabase(
            f"{where} was written by a newer version of the kiosk software (revision"
            f" {str(revision)[:40]!r}); this version cannot read it"
        )
    return str(revision)


def _open_read_only(
    path: Path,
    *,
    where: str,
    busy_timeout_ms: int,
    clock: Clock,
    keys: StationKeys | None,
) -> Database:
    _refuse_non_ledger_file(path, where)
    wal = path.with_name(path.name + "-wal")
    shm = path.with_name(path.name + "-shm")
    notes: list[str] = []
    unverified: list[str] = []
    cleanup: Callable[[], None] | None = None
    try:
        wal_size = wal.stat().st_size if wal.exists() else None
    except OSError:
        wal_size = None
    uri = _sqlite_uri(path, immutable=True)
    in_place = False
    if wal_size is not None and shm.exists():
        # With its index a writer may be running (even with an empty WAL): share the
        # index, so a checkpoint never changes the file under the check.
        failed = _probe(_sqlite_uri(path, immutable=False), where, busy_timeout_ms)
        if isinstance(failed, StorageCorrupt):
            raise failed
        in_place = failed is None
    if in_place:
        uri = _sqlite_uri(path, immutable=False)
    elif wal_size:
        # A WAL without a usable index: no writer runs (a crash or power cut left it),
        # or the medium is read-only. Read it from a private copy.
        try:
            copy, cleanup = _private_copy(path, wal)
        except OSError as exc:
            unverified.append(
                f"the write-ahead log {wal.name} ({wal_size} bytes) was not"
                " read: it cannot be read in place without writing beside the ledger,"
                f" and no private copy could be made ({exc.strerror or exc}); the check"
                " covers the database file without its newest transactions"
            )
        else:
            uri = _sqlite_uri(copy, immutable=False)
            notes.append(
                f"its write-ahead log {wal.name} was read from a private copy (no"
                " writer holds it open, or the medium is read-only): nothing was"
                " written beside the ledger"
            )
    try:
        failed = _probe(uri, where, busy_timeout_ms)
        if failed is not None:
            raise failed
        engine = _make_read_only_engine(uri, where=where, busy_timeout_ms=busy_timeout_ms)
        try:
            revision = _ledger_revision(engine, where)
        except UnicodeDecodeError:
            engine.dispose()
            raise StorageCorrupt(
                f"The kiosk database {where} is damaged: its schema cannot be read."
                " Restore it from a backup or move it aside."
            ) from None
        except BaseException:
            engine.dispose()
            raise
    except BaseException:
        if cleanup is not None:
            cleanup()
        raise
    if revision != HEAD_REVISION:
        notes.append(
            f"the ledger is at revision {revision}; the kiosk migrates it to"
            f" {HEAD_REVISION} when it next opens it for writing"
        )
    log.info("database %s open read-only", where)
    return Database(
        path,
        engine,
        clock=clock,
        keys=keys,
        read_only=True,
        revision=revision,
        notes=tuple(notes),
        unverified=tuple(unverified),
        on_close=cleanup,
    )
