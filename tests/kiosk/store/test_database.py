"""Opening the ledger: pragmas verified, migrations exact, environment faults explained."""

from __future__ import annotations

import errno
import sqlite3
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from kiosk.domain.errors import BugError, KnownError
from kiosk.store import (
    Database,
    NotALedger,
    StorageError,
    StorageFull,
    StorageReadOnly,
    UnsafeDatabase,
    alembic_config,
    open_database,
)
from kiosk.store import database as database_module
from kiosk.store.schema import AUDIT_TRIGGERS, metadata
from tests.conftest import ExpectedWarnings

from .conftest import T0, new_session

TABLES = {
    "sessions",
    "payments",
    "payment_operations",
    "outbox",
    "audit_log",
    "station_state",
    "discrepancies",
}


def test_pragmas_are_set_and_verified_on_a_real_file(db: Database) -> None:
    pragmas = db.pragmas()
    assert pragmas.journal_mode == "wal"
    assert pragmas.synchronous == 2  # FULL
    assert pragmas.foreign_keys == 1
    assert pragmas.busy_timeout_ms == 5000
    assert db.path.is_file()
    assert db.path.with_name("kiosk.db-wal").exists()


def test_every_pooled_connection_gets_the_pragmas(db: Database) -> None:
    with db.engine.connect() as a, db.engine.connect() as b:
        for conn in (a, b):
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2


def test_a_database_without_wal_is_refused() -> None:
    with pytest.raises(UnsafeDatabase, match="journal_mode is 'memory', not 'wal'") as info:
        open_database(Path(":memory:"))
    assert isinstance(info.value, KnownError)
    assert "Payments are refused" in str(info.value)


def test_a_pragma_that_does_not_take_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = database_module._read_pragmas

    def synchronous_normal(conn: sqlite3.Connection) -> database_module.Pragmas:
        got = real(conn)
        return database_module.Pragmas(got.journal_mode, 1, got.foreign_keys, got.busy_timeout_ms)

    monkeypatch.setattr(database_module, "_read_pragmas", synchronous_normal)
    with pytest.raises(UnsafeDatabase, match=r"synchronous is 1, not 2 \(FULL\)"):
        open_database(tmp_path / "kiosk.db")


def test_missing_audit_triggers_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    open_database(path).close()
    raw = sqlite3.connect(path)
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.commit()
    raw.close()
    with pytest.raises(UnsafeDatabase, match="audit_log_no_update"):
        open_database(path)


def test_migrations_from_an_empty_file_to_head(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "kiosk.db"
    assert not path.parent.exists()
    db = open_database(path)
    try:
        with db.engine.connect() as conn:
            inspector = inspect(conn)
            assert set(inspector.get_table_names()) == TABLES | {"alembic_version"}
            current = MigrationContext.configure(conn).get_current_revision()
            triggers = {
                row[0]
                for row in conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type='trigger'"
                )
            }
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert current == head == database_module.HEAD_REVISION == "0002"
        assert database_module.script_revisions() == (frozenset({"0001", "0002"}), head)
        assert triggers == set(AUDIT_TRIGGERS)
    finally:
        db.close()
    open_database(path).close()  # reopening an up-to-date file is a no-op


def test_an_up_to_date_ledger_opens_without_loading_alembic(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    open_database(path).close()  # made and migrated here
    probe = (
        "import sys; from pathlib import Path; from kiosk.store import open_database;"
        f" open_database(Path({str(path)!r})).close();"
        f" open_database(Path({str(path)!r}), read_only=True).close();"
        " print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_models_and_migrations_agree(db: Database) -> None:
    """What `alembic check` does: autogenerate against the migrated file finds nothing."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        assert compare_metadata(context, metadata) == []


def test_a_file_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    open_database(path).close()
    raw = sqlite3.connect(path)
    raw.execute("UPDATE alembic_version SET version_num = '9999'")
    raw.commit()
    raw.close()
    with pytest.raises(UnsafeDatabase, match="newer version"):
        open_database(path)


def test_downgrade_removes_everything(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    open_database(path).close()
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(connection=conn), "base")
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) == {"alembic_version"}
    finally:
        engine.dispose()
    open_database(path).close()  # and upgrades again


def test_disk_full_is_a_known_error_with_a_clear_message(db: Database) -> None:
    with db.unit_of_work() as uow:
        pages = uow.db_session.execute(text("PRAGMA page_count")).scalar_one()
        uow.db_session.execute(text(f"PRAGMA max_page_count = {pages}"))
        session = new_session()
        session.tariff_json = '{"padding": "' + "x" * 200_000 + '"}'
        with pytest.raises(StorageFull, match="is full; the change was not saved") as info:
            uow.sessions.add(session)
    assert isinstance(info.value, KnownError)
    assert str(db.path) in str(info.value)
    assert session.version == 0  # the failed add changed nothing in memory
    with db.unit_of_work() as uow:
        assert uow.sessions.count() == 0


def test_a_read_only_database_is_a_known_error(db: Database) -> None:
    with db.unit_of_work() as uow:
        uow.db_session.execute(text("PRAGMA query_only = ON"))
        try:
            with pytest.raises(StorageReadOnly, match="cannot be written"):
                uow.station_state.set("k", 1)
        finally:
            uow.db_session.execute(text("PRAGMA query_only = OFF"))


def test_a_folder_in_place_of_the_file_is_a_known_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="cannot be read or written"):
        open_database(tmp_path)


def test_naive_datetimes_and_floats_are_refused_as_bugs(db: Database) -> None:
    with db.unit_of_work() as uow:
        with pytest.raises(BugError, match="naive datetime"):
            uow.station_state.set("k", 1, at=datetime(2026, 1, 1))  # noqa: DTZ001
        session = new_session()
        session.power_kw = 1.5  # type: ignore[assignment]
        with pytest.raises(BugError, match="expected a Decimal, got float"):
            uow.sessions.add(session)
        session.power_kw = Decimal("1.5")
        uow.sessions.add(session)
        uow.commit()


def test_the_clock_stamps_what_the_caller_does_not(db: Database) -> None:
    with db.unit_of_work() as uow:
        entry = uow.audit.append("station", "boot", "station")
        assert entry.at == T0


# ------------------------------------------------------------------ read-only opens


def _state(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in `folder` with its bytes and mtime (ns): what "nothing written" means."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def _ledger(path: Path, sessions: int = 2) -> None:
    with open_database(path, clock=lambda: T0) as db, db.unit_of_work() as uow:
        for _ in range(sessions):
            uow.sessions.add(new_session())
        uow.audit.append("station", "boot", "station")
        uow.commit()


def test_read_only_never_creates_a_missing_file_or_folder(tmp_path: Path) -> None:
    path = tmp_path / "absent" / "kiosk.db"
    with pytest.raises(StorageError, match=f"no database at {path}"):
        open_database(path, read_only=True)
    assert not path.parent.exists()


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", r"is empty \(0 bytes\): not a ledger"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "not an SQLite database file"),
        (b"SQLite", "not an SQLite database file"),
    ],
)
def test_read_only_refuses_what_is_not_a_ledger_and_leaves_it_as_it_was(
    tmp_path: Path, content: bytes, match: str
) -> None:
    path = tmp_path / "kiosk.db"
    path.write_bytes(content)
    before = _state(tmp_path)
    with pytest.raises(NotALedger, match=match) as info:
        open_database(path, read_only=True)
    assert "\n" not in str(info.value)
    assert _state(tmp_path) == before


def test_read_only_refuses_an_sqlite_file_of_another_program(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    raw.commit()
    raw.close()
    before = _state(tmp_path)
    with pytest.raises(NotALedger, match="an SQLite database but not a kiosk ledger"):
        open_database(path, read_only=True)
    assert _state(tmp_path) == before


def test_read_only_refuses_a_newer_revision(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    _ledger(path)
    raw = sqlite3.connect(path)
    raw.execute("UPDATE alembic_version SET version_num = '9999'")
    raw.commit()
    raw.close()
    with pytest.raises(UnsafeDatabase, match="newer version"):
        open_database(path, read_only=True)


def test_read_only_writes_nothing_and_refuses_write_transactions(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    _ledger(path)
    before = _state(tmp_path)
    assert sorted(before) == ["kiosk.db", "kiosk.db.lock"]  # closed cleanly: no -wal
    with open_database(path, read_only=True) as db:
        assert db.read_only
        assert db.lock is None
        with db.unit_of_work(write=False) as uow:
            assert uow.sessions.count() == 2
            with pytest.raises(StorageReadOnly):
                uow.station_state.set("k", 1)
        with pytest.raises(BugError, match="read-only"):
            db.unit_of_work()
    assert _state(tmp_path) == before


def test_read_only_reads_beside_a_running_writer(tmp_path: Path) -> None:
    """With -wal and -shm present a writer may be running: mode=ro shares its WAL index."""
    path = tmp_path / "kiosk.db"
    with open_database(path, clock=lambda: T0) as writer:
        with writer.unit_of_work() as uow:
            uow.sessions.add(new_session())
            uow.commit()
        with open_database(path, read_only=True) as reader:
            assert reader.notes == ()
            assert reader.unverified == ()
            with reader.unit_of_work(write=False) as uow:
                assert uow.sessions.count() == 1
            with writer.unit_of_work() as uow:  # the writer goes on meanwhile
                uow.sessions.add(new_session())
                uow.commit()
            with reader.unit_of_work(write=False) as uow:
                assert uow.sessions.count() == 2


def test_read_only_reads_a_wal_left_without_its_index_from_a_private_copy(
    tmp_path: Path,
) -> None:
    """A crash image (ledger + -wal, no -shm): the WAL's rows are read, nothing is created."""
    path = tmp_path / "live" / "kiosk.db"
    image = tmp_path / "image"
    image.mkdir()
    with open_database(path, clock=lambda: T0) as writer:
        with writer.unit_of_work() as uow:
            uow.sessions.add(new_session())
            uow.commit()
        for name in ("kiosk.db", "kiosk.db-wal"):
            (image / name).write_bytes((path.parent / name).read_bytes())
    before = _state(image)
    with open_database(image / "kiosk.db", read_only=True) as db:
        with db.unit_of_work(write=False) as uow:
            assert uow.sessions.count() == 1  # only in the WAL
        assert any("private copy" in n for n in db.notes)
    assert _state(image) == before


def test_a_writer_says_when_it_starts_a_ledger_in_an_emptied_file(
    tmp_path: Path, expect_warnings: ExpectedWarnings
) -> None:
    path = tmp_path / "kiosk.db"
    path.write_bytes(b"")
    expect_warnings("is empty (0 bytes): starting a new ledger in it")
    open_database(path).close()


def test_when_no_private_copy_can_be_made_the_wal_is_listed_as_not_verified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "live" / "kiosk.db"
    image = tmp_path / "image"
    image.mkdir()
    _ledger(path)
    with open_database(path, clock=lambda: T0) as writer:
        with writer.unit_of_work() as uow:
            uow.sessions.add(new_session())
            uow.commit()
        for name in ("kiosk.db", "kiosk.db-wal"):
            (image / name).write_bytes((path.parent / name).read_bytes())

    def no_space(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(database_module, "_private_copy", no_space)
    before = _state(image)
    with open_database(image / "kiosk.db", read_only=True) as db:
        with db.unit_of_work(write=False) as uow:
            assert uow.sessions.count() == 2  # the file alone: the WAL's session is not seen
        assert len(db.unverified) == 1
        assert "kiosk.db-wal" in db.unverified[0]
        assert "No space left on device" in db.unverified[0]
    assert _state(image) == before
