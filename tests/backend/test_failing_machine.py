"""The backend as a failing machine: a read-only or full disk, a damaged database, a
PostgreSQL that goes away, a second instance on the same SQLite file.

A storage fault answers 503 `storage` with `Retry-After` and one log line, never a 500;
nothing is half stored; once the fault is gone the same call under the same
Idempotency-Key succeeds exactly once, without a restart. A database that cannot be
served is refused at start with one line and exit code 1.

Real faults, not mocks: root ignores file modes, so a read-only bind mount and a tiny
tmpfs (both need root: skipped without, failed in CI). PostgreSQL: a read-only default
for new sessions, then connections refused, on the session's shared server.
"""

from __future__ import annotations

import errno
import functools
import io
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from backend.app import create_app
from backend.auth import sign
from backend.cli import main
from backend.db import FULL, NO_ANSWER, READ_ONLY, make_engine, migrate
from backend.models import ChargeSession, Event, IdempotencyKey
from backend.payments.models import PaymentIntent
from backend.settings import BackendSettings, utc_now
from backend.stations import add_station
from tests.backend.conftest import (
    Backend,
    FakeClock,
    ServerThread,
    _json,
    _skip_or_fail,
    completed_event,
    free_port,
)

ROOT = Path(__file__).resolve().parents[2]
SERVE = [sys.executable, "-m", "backend.cli", "serve"]
BEAT = {"station_time": "2026-12-03T09:00:00Z", "outbox_pending": 0, "software": "t"}


def _intent() -> dict[str, Any]:
    return {
        "kind": "qr",
        "connector_id": "1",
        "amount": "30.00",
        "currency": "EUR",
        "reference": "DE-KIO-S1:s-1",
        "expires_in_s": 170,
    }


def _mount(*args: str | Path) -> None:
    subprocess.run(["mount", *map(str, args)], check=True, capture_output=True, timeout=10)


def _unmount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True, timeout=10)


@functools.cache
def _cannot_mount() -> str | None:
    """Why this process cannot mount a filesystem, or None."""
    if os.geteuid() != 0:
        return "mounting a filesystem needs root"
    probe = Path(tempfile.mkdtemp(prefix="kiosk-mount-"))
    try:
        _mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", probe)
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"mount failed: {getattr(exc, 'stderr', b'') or exc}"
    _unmount(probe)
    probe.rmdir()
    return None


@contextmanager
def _read_only_folder(folder: Path) -> Iterator[None]:
    """Files in `folder` read-only for whoever opens them from now on (open files stay
    as they are, as with chmod): a read-only bind mount over it (root ignores file modes)."""
    reason = _cannot_mount()
    if reason is not None:
        _skip_or_fail(f"a read-only disk needs a read-only bind mount: {reason}")
    _mount("--bind", folder, folder)
    try:
        _mount("-o", "remount,bind,ro", folder)
        yield
    finally:
        _unmount(folder)


@contextmanager
def _admin(url: str) -> Iterator[tuple[psycopg.Connection[Any], str]]:
    """An autocommit connection to the server of `url`, and the database's name."""
    parsed = make_url(url)
    with psycopg.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, dbname="postgres",
        autocommit=True, connect_timeout=10,
    ) as connection:  # fmt: skip
        yield connection, str(parsed.database)


def _drop_connections(admin: psycopg.Connection[Any], database: str) -> None:
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = %s AND pid <> pg_backend_pid()",
        [database],
    )


@contextmanager
def _read_only(backend: Backend, db_url: str) -> Iterator[None]:
    """The backend's database read-only for the connections it opens from now on."""
    engine = backend.app.state.engine
    if engine.dialect.name == "sqlite":
        path = Path(str(make_url(db_url).database))
        # the process's other connections: open while the disk turns read-only, they
        # keep the WAL index, so the new ones can read but not write
        keeper = sqlite3.connect(path)
        keeper.execute("SELECT count(*) FROM alembic_version").fetchall()
        try:
            with _read_only_folder(path.parent):
                engine.dispose()
                yield
        finally:
            keeper.close()
        return
    with _admin(db_url) as (admin, database):
        admin.execute(f'ALTER DATABASE "{database}" SET default_transaction_read_only = on')
        _drop_connections(admin, database)
        try:
            yield
        finally:
            admin.execute(f'ALTER DATABASE "{database}" RESET default_transaction_read_only')


def _assert_storage(r: requests.Response, reason: str) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["Retry-After"] == "5"
    assert r.json() == {"error": {"code": "storage", "message": f"{reason}; try again later"}}


def _count(db_url: str, model: Any) -> int:
    engine = make_engine(db_url)
    try:
        with Session(engine) as s:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        engine.dispose()


def test_read_only_database_503_then_the_same_calls_succeed_once(
    backend: Backend, db_url: str, expect_warnings: Any
) -> None:
    expect_warnings("storage: ", "health: the database is read-only")
    station = backend.add_station()
    calls = [
        ("/v1/events", {"events": [completed_event(f"ro-{i}") for i in range(3)]}, "k-ev"),
        ("/v1/payment-intents", _intent(), "k-pi"),
        ("/v1/heartbeat", BEAT, "k-hb"),
    ]
    with _read_only(backend, db_url):
        health = backend.http.get(backend.base + "/health", timeout=5)
        assert health.status_code == 503
        assert health.json()["error"]["message"] == READ_ONLY
        for path, body, key in calls:  # the connections they used are dropped
            _assert_storage(backend.call(station, "POST", path, body, key=key), READ_ONLY)
        if backend.app.state.engine.dialect.name == "sqlite":  # it reads as before
            with backend.db() as s:
                assert s.scalar(select(func.count()).select_from(Event)) == 0
    answers = [backend.call(station, "POST", path, body, key=key) for path, body, key in calls]
    assert [r.status_code for r in answers] == [200, 201, 200], answers[0].text
    assert {e["status"] for e in answers[0].json()["results"]} == {"accepted"}
    for (path, body, key), first in zip(calls, answers, strict=True):
        again = backend.call(station, "POST", path, body, key=key)
        assert again.headers["Idempotent-Replay"] == "true"
        assert again.json() == first.json()
    assert [_count(db_url, m) for m in (Event, ChargeSession, PaymentIntent)] == [3, 3, 1]
    assert _count(db_url, IdempotencyKey) == 3
    assert backend.http.get(backend.base + "/health", timeout=5).status_code == 200


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs: full when a file fills it, free again when that file goes."""
    reason = _cannot_mount()
    if reason is not None:
        _skip_or_fail(f"a full disk needs a small filesystem: {reason}")
    disk = tmp_path / "disk"
    disk.mkdir()
    _mount("-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", disk)
    try:
        yield disk
    finally:
        _unmount(disk)


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as f:
        for size in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    return filler


def test_full_disk_503_nothing_half_stored_then_duplicates_absorbed(
    small_disk: Path, clock: FakeClock, expect_warnings: Any
) -> None:
    expect_warnings("storage: ")
    port = free_port()
    url = f"sqlite:///{small_disk / 'backend.sqlite'}"
    app = create_app(BackendSettings(db_url=url, public_url="http://x", clock=clock))
    with ServerThread(app, port):
        backend = Backend(f"http://127.0.0.1:{port}", app, clock)
        station = backend.add_station()
        events = [completed_event(f"full-{i}", 1 + i % 3) for i in range(500)]
        first = backend.call(station, "POST", "/v1/events", {"events": events[:10]})
        assert first.status_code == 200
        filler = _fill(small_disk)
        batch = {"events": events}
        _assert_storage(backend.call(station, "POST", "/v1/events", batch, key="big"), FULL)
        assert _count(url, Event) == 10
        assert _count(url, ChargeSession) == 10
        filler.unlink()
        again = backend.call(station, "POST", "/v1/events", batch, key="big")
        assert again.status_code == 200, again.text
        statuses = [r["status"] for r in again.json()["results"]]
        assert statuses == ["duplicate"] * 10 + ["accepted"] * 490
        assert _count(url, ChargeSession) == 500
        backend.http.close()
    app.state.engine.dispose()


def _migrated(path: Path) -> Path:
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with Session(engine) as s:
        add_station(s, "DE-KIO-S1", name=None, time_zone="UTC", now=utc_now())
        s.commit()
    engine.dispose()  # the last connection folds the WAL into the file
    return path


def _refused(path: Path, line: str, err: str, before: bytes) -> None:
    assert err.splitlines() == [err.rstrip("\n")], err  # one line, no traceback
    assert err.startswith(f"error: database {path}: {line}"), err
    assert path.read_bytes() == before  # refused, not run on


def test_serve_refuses_a_damaged_or_read_only_database_in_one_line(tmp_path: Path) -> None:
    """Real `serve` processes: exit 1, one line on stderr naming the file and what to do."""
    good = _migrated(tmp_path / "good.sqlite")
    garbage, read_only = tmp_path / "garbage" / "b.sqlite", tmp_path / "ro" / "b.sqlite"
    for path in (garbage, read_only):
        path.parent.mkdir()
    garbage.write_bytes(secrets.token_bytes(8192))
    shutil.copy(good, read_only)
    cases = {
        garbage: "the database file is damaged (file is not a database): restore it from",
        read_only: "the database file cannot be opened (unable to open database file)",
    }
    before = {path: path.read_bytes() for path in cases}
    with _read_only_folder(read_only.parent):
        processes = {
            path: subprocess.Popen(
                [*SERVE, "--db", f"sqlite:///{path}", "--port", str(free_port())],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            for path in cases
        }
        results = {path: p.communicate(timeout=60) for path, p in processes.items()}
    for path, (out, err) in results.items():
        assert (processes[path].returncode, out) == (1, b""), err
        _refused(path, cases[path], err.decode(), before[path])


def test_serve_refuses_a_truncated_or_newer_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through `main` (uvicorn never starts): its line is the same as a process prints."""
    import uvicorn

    def serve(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("served a database it should have refused")

    monkeypatch.setattr(uvicorn, "run", serve)
    good = _migrated(tmp_path / "good.sqlite")
    truncated, newer = tmp_path / "truncated.sqlite", tmp_path / "newer.sqlite"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    shutil.copy(good, newer)
    with sqlite3.connect(newer) as c:
        c.execute("UPDATE alembic_version SET version_num = '9999'")
    c.close()
    cases = {
        truncated: "the database file is damaged (database disk image is malformed): restore",
        newer: "its schema revision 9999 is unknown to this backend (its newest is ",
    }
    for path, line in cases.items():
        before = path.read_bytes()
        out, err = io.StringIO(), io.StringIO()
        assert main(["serve", "--db", f"sqlite:///{path}"], out=out, err=err) == 1
        assert out.getvalue() == ""
        _refused(path, line, err.getvalue(), before)


def _signed(station: str, secret: str, path: str, body: bytes) -> dict[str, str]:
    ts, nonce = int(time.time()), secrets.token_hex(16)
    return {
        "X-Station-Id": station,
        "X-Timestamp": str(ts),
        "X-Nonce": nonce,
        "X-Signature": sign(secret, "POST", path, ts, nonce, body),
        "Content-Type": "application/json",
        "Idempotency-Key": secrets.token_hex(8),
    }


@contextmanager
def _serving(db: str, log_path: Path) -> Iterator[str]:
    """A real `kiosk backend serve` process on `db`; its base URL once it answers."""
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*SERVE, "--db", db, "--port", str(port)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                if requests.get(base + "/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "the instance did not start"
            time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def test_two_instances_on_one_sqlite_file_both_write_safely(tmp_path: Path) -> None:
    """WAL and a busy timeout: two processes on one file serialise their writes; none
    answers `database is locked` (a SAVEPOINT-begun batch takes the write lock first)."""
    path = tmp_path / "backend.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    stations = {}
    with Session(engine) as s:
        for i in range(4):
            stations[f"S{i}"] = add_station(s, f"S{i}", name=None, time_zone="UTC", now=utc_now())
        s.commit()
    statuses: list[int] = []
    port = free_port()
    app = create_app(BackendSettings(db_url=f"sqlite:///{path}", public_url="http://x"))
    log = tmp_path / "other.log"
    with _serving(f"sqlite:///{path}", log) as other, ServerThread(app, port):
        bases = [other, f"http://127.0.0.1:{port}"]

        def station_load(n: int) -> None:
            station = f"S{n % 4}"
            with requests.Session() as http:
                for j in range(2):
                    base = bases[(n + j) % 2]
                    events = [completed_event(f"{station}-{n}-{j}-{k}") for k in range(10)]
                    for path_, body in (
                        ("/v1/events", {"events": events}),
                        ("/v1/heartbeat", BEAT),
                    ):
                        raw = _json(body)
                        headers = _signed(station, stations[station], path_, raw)
                        r = http.post(base + path_, data=raw, headers=headers, timeout=30)
                        statuses.append(r.status_code)

        threads = [threading.Thread(target=station_load, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    app.state.engine.dispose()
    assert statuses == [200] * 24
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(ChargeSession)) == 120
    engine.dispose()
    text = log.read_text()
    assert "locked" not in text, text[-3000:]
    assert "Traceback" not in text, text[-3000:]


@pytest.fixture
def postgres_backend(postgres_url: str, clock: FakeClock) -> Iterator[Backend]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(BackendSettings(db_url=postgres_url, public_url=base, clock=clock))
    with ServerThread(app, port):
        client = Backend(base, app, clock)
        try:
            yield client
        finally:
            client.http.close()
    app.state.engine.dispose()


def test_postgres_going_away_503_then_recovers_by_itself(
    postgres_backend: Backend, postgres_url: str, expect_warnings: Any
) -> None:
    expect_warnings("storage: ", "health: the database does not answer")
    backend = postgres_backend
    station = backend.add_station()
    assert backend.call(station, "POST", "/v1/heartbeat", BEAT).status_code == 200
    events = {"events": [completed_event(f"pg-{i}") for i in range(3)]}
    with _admin(postgres_url) as (admin, database):
        _drop_connections(admin, database)  # stale pooled connections: pre-ping reconnects
        assert backend.call(station, "POST", "/v1/heartbeat", BEAT).status_code == 200
        admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        try:
            _drop_connections(admin, database)
            for path, body, key in (("/v1/events", events, "k-ev"), ("/v1/heartbeat", BEAT, "k")):
                _assert_storage(backend.call(station, "POST", path, body, key=key), NO_ANSWER)
            health = backend.http.get(backend.base + "/health", timeout=15)
            assert health.status_code == 503
            assert health.json()["error"]["message"] == NO_ANSWER
        finally:
            admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
    answer = backend.call(station, "POST", "/v1/events", events, key="k-ev")
    assert answer.status_code == 200
    assert {e["status"] for e in answer.json()["results"]} == {"accepted"}
    assert backend.call(station, "POST", "/v1/heartbeat", BEAT, key="k").status_code == 200
    assert _count(postgres_url, ChargeSession) == 3
    assert backend.http.get(backend.base + "/health", timeout=5).status_code == 200
