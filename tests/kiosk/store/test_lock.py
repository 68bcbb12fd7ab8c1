"""One writer per ledger: a second process is refused with the holder named; a lock left by
a dead process is taken over with a log line; read-only opens take no lock."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.domain.errors import KnownError
from kiosk.store import LedgerLocked, StorageError, open_database
from kiosk.store.lock import acquire_ledger_lock, lock_path, read_holder
from tests.conftest import ExpectedWarnings

ROOT = Path(__file__).resolve().parents[3]

_HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from kiosk.store import open_database
    db = open_database(Path(sys.argv[1]))
    print("open", flush=True)
    time.sleep(120)
    """
)


def _python(*args: str) -> list[str]:
    return [sys.executable, *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@contextlib.contextmanager
def _holder_process(db: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process that opens the ledger as its writer and keeps it open."""
    with subprocess.Popen(
        _python("-c", _HOLD, str(db)),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_env(),
        cwd=ROOT,
    ) as proc:
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "open"
            yield proc
        finally:
            proc.kill()
            proc.wait()


def _wait_for_holder(db: Path, pid: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holder = read_holder(db)
        if holder is not None and holder.pid == pid:
            return
        time.sleep(0.05)
    raise AssertionError(f"pid {pid} never took the lock of {db}")


def test_a_second_process_is_refused_naming_the_holder(tmp_path: Path) -> None:
    db = tmp_path / "kiosk.sqlite"
    with _holder_process(db) as proc:
        with pytest.raises(LedgerLocked) as info:
            open_database(db)
        error = info.value
        assert isinstance(error, StorageError)
        assert isinstance(error, KnownError)
        message = str(error)
        assert message.startswith(f"ledger {db} is in use by pid {proc.pid} on host ")
        assert socket.gethostname() in message
        assert " since 20" in message
        assert (error.pid, error.host) == (proc.pid, socket.gethostname())
        assert error.since is not None
        assert error.since.endswith("Z")
        # Reading is not writing: a read-only open takes no lock.
        with open_database(db, read_only=True) as ro, ro.unit_of_work(write=False) as uow:
            assert uow.sessions.count() == 0


def test_a_lock_left_by_a_killed_process_is_taken_over(
    tmp_path: Path, expect_warnings: ExpectedWarnings
) -> None:
    db = tmp_path / "kiosk.sqlite"
    with _holder_process(db) as proc:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert read_holder(db) is not None  # it never closed the ledger
    expect_warnings(f"taking over the lock left by pid {proc.pid}")
    with open_database(db):
        holder = read_holder(db)
        assert holder is not None
        assert holder.pid == os.getpid()
    assert lock_path(db).read_bytes() == b""  # released: emptied, never deleted


def test_a_stale_lock_file_naming_a_dead_pid_is_taken_over(
    tmp_path: Path, expect_warnings: ExpectedWarnings
) -> None:
    db = tmp_path / "kiosk.sqlite"
    lock_path(db).write_text(json.dumps({"pid": 99999999, "host": "kiosk-7", "since": "x"}))
    expect_warnings("taking over the lock left by pid 99999999 on host kiosk-7")
    lock = acquire_ledger_lock(db)
    try:
        assert lock.held
    finally:
        lock.release()
    assert not lock.held


def test_one_process_shares_its_lock_and_releases_it_with_the_last_user(tmp_path: Path) -> None:
    db = tmp_path / "kiosk.sqlite"
    first = open_database(db)
    second = open_database(db)  # same process: shared, not refused
    first.close()
    holder = read_holder(db)
    assert holder is not None
    assert holder.pid == os.getpid()  # still held by `second`
    second.close()
    second.close()  # idempotent
    assert read_holder(db) is None
    assert lock_path(db).exists()


def test_a_failed_open_gives_the_lock_back(tmp_path: Path) -> None:
    db = tmp_path / "kiosk.sqlite"
    open_database(db).close()
    import sqlite3

    raw = sqlite3.connect(db)
    raw.execute("UPDATE alembic_version SET version_num = '9999'")
    raw.commit()
    raw.close()
    with pytest.raises(StorageError, match="newer version"):
        open_database(db)
    assert read_holder(db) is None
    lock = acquire_ledger_lock(db)
    lock.release()


def test_a_second_kiosk_simulate_exits_2_naming_the_first(
    tmp_path: Path, expect_warnings: ExpectedWarnings
) -> None:
    """Two real `kiosk simulate` processes on one ledger; then the first is killed."""
    db = tmp_path / "sim.sqlite"
    first = subprocess.Popen(
        _python("-m", "kiosk", "simulate", "--sessions", "100000", "--speed", "5", "--db", str(db)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(),
        cwd=tmp_path,
    )
    try:
        _wait_for_holder(db, first.pid)
        second = subprocess.run(
            _python("-m", "kiosk", "simulate", "--sessions", "3", "--db", str(db)),
            capture_output=True,
            text=True,
            env=_env(),
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
        assert second.returncode == 2, (second.stdout, second.stderr)
        assert "Traceback" not in second.stderr + second.stdout
        said = second.stdout + second.stderr
        assert f"is in use by pid {first.pid} on host {socket.gethostname()}" in said
        assert len([line for line in said.splitlines() if "in use by" in line]) == 1
        assert first.poll() is None  # the first one runs on, untouched
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    third = subprocess.run(
        _python("-m", "kiosk", "simulate", "--sessions", "2", "--db", str(db)),
        capture_output=True,
        text=True,
        env=_env(),
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert third.returncode == 0, (third.stdout, third.stderr)
    assert f"taking over the lock left by pid {first.pid}" in third.stderr
    assert "Traceback" not in third.stderr
    assert read_holder(db) is None
