"""Opening the ledger: pragmas verified, migrations exact, environment faults explained."""

from __future__ import annotations

import sqlite3
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
    StorageError,
    StorageFull,
    StorageReadOnly,
    UnsafeDatabase,
    alembic_config,
    open_database,
)
from kiosk.store import database as database_module
from kiosk.store.schema import AUDIT_TRIGGERS, metadata

from .conftest import T0, new_session

TABLES = {
    "sessions",
    "payments",
    "payment_operations",
    "outbox",
    "audit_log",
    "station_state",
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
        assert current == head == "0001"
        assert triggers == set(AUDIT_TRIGGERS)
    finally:
        db.close()
    open_database(path).close()  # reopening an up-to-date file is a no-op


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
