"""Storage faults end cleanly: `kiosk simulate` on real full, read-only and damaged media.

Each fault is made for real (tests/kiosk/storage_media.py): a tmpfs that fills while
the simulation runs, one too small for the ledger, a full disk before the first start,
an ext4 medium the kernel turns read-only mid-run, a tmpfs remounted read-only between
runs, pages of the ledger overwritten while it runs, and a second instance on a ledger
another process holds. Every time the run stops with exactly one line on stderr and
exit 2, no traceback; the ledger it leaves passes `kiosk db check` (read-only, so also
on the read-only medium) once the fault is cleared, and the next run recovers what was
open and goes on, with the provider agreeing with the ledger payment by payment.

The mounts need root (CI); elsewhere these tests skip, in CI they fail instead.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.store import StorageFull, StoreWorker, open_database
from tests.kiosk.crash_harness import (
    continuity_problems,
    ledger_problems,
    outbox_problems,
    psp_problems,
    read_holds,
    read_snapshot,
)
from tests.kiosk.storage_media import (
    damage_pages,
    ext4_medium,
    fill,
    mounted_tmpfs,
    remount,
    session_count,
)

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def _kiosk(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        cwd=ROOT,
        env=ENV,
    )


@contextlib.contextmanager
def _simulating(db: Path, sessions: int, *extra: str) -> Iterator[subprocess.Popen[str]]:
    cmd = [sys.executable, "-m", "kiosk", "simulate", "--sessions", str(sessions)]
    proc = subprocess.Popen(
        [*cmd, "--db", str(db), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=ENV,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=60)


def _wait_for_sessions(db: Path, proc: subprocess.Popen[str], n: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while session_count(db) < n:
        assert proc.poll() is None, f"the simulation ended early: {proc.communicate()}"
        assert time.monotonic() < deadline, f"fewer than {n} sessions after {timeout} s"
        time.sleep(0.05)


def _stopped(proc: subprocess.Popen[str], timeout: float = 180) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def _one_line(err: str) -> str:
    """The run's stderr is exactly one line, and no traceback."""
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def _check_passes(db: Path) -> None:
    done = _kiosk("db", "check", "--db", str(db))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.rstrip().endswith("ledger check: ok"), done.stdout
    assert "Traceback" not in done.stderr


def _resumes(db: Path, more: int = 4) -> None:
    """Once the fault is cleared: the next run recovers, goes on and ends consistent."""
    before = read_snapshot(db)
    target = len(before.sessions) + more
    done = _kiosk("simulate", "--sessions", str(target), "--db", str(db))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.rstrip().endswith("ledger check: ok"), done.stdout
    after = read_snapshot(db)
    assert len(after.sessions) == target
    problems = (
        continuity_problems(before, after)
        + ledger_problems(after)
        + outbox_problems(after)
        + psp_problems(after, read_holds(db), final=True)
    )
    assert problems == []
    _check_passes(db)


FULL = re.compile(
    r"^kiosk: the ledger's disk is full \((?P<db>.+)\): free space on it, then start again$"
)
READ_ONLY = re.compile(
    r"^kiosk: the ledger cannot be written \((?P<db>.+)\): its medium is read-only or its"
    r" folder is not writable; make it writable, then start again \(kiosk db check can"
    r" still read it\)$"
)
DAMAGED = re.compile(r"^kiosk: the ledger is damaged \((?P<db>.+)\): restore it from a backup")


def _says(pattern: re.Pattern[str], line: str, db: Path) -> None:
    found = pattern.match(line)
    assert found is not None, line
    assert found["db"] == str(db)


# ------------------------------------------------------------------ full disk


@pytest.mark.slow
def test_a_disk_that_fills_mid_run_stops_it_cleanly_and_the_next_run_resumes(
    tmp_path: Path,
) -> None:
    with mounted_tmpfs(tmp_path / "disk", "32m") as disk:
        db = disk / "sim.sqlite"
        with _simulating(db, 400) as proc:
            _wait_for_sessions(db, proc, 12)
            filler = fill(disk)
            code, out, err = _stopped(proc)
        assert code == 2, out + err
        _says(FULL, _one_line(err), db)
        # stopped before the report: nothing half-printed, only the run's start lines
        assert [line.split(":")[0] for line in out.splitlines()] in (
            ["simulating"],
            ["resumed", "simulating"],
        ), out
        filler.unlink()  # the operator frees space
        _check_passes(db)
        _resumes(db)


def test_a_ledger_that_outgrows_its_disk_stops_cleanly_and_resumes_on_a_bigger_one(
    tmp_path: Path,
) -> None:
    with mounted_tmpfs(tmp_path / "disk", "2m") as disk:
        db = disk / "sim.sqlite"
        done = _kiosk("simulate", "--sessions", "400", "--db", str(db))
        assert done.returncode == 2, done.stdout + done.stderr
        _says(FULL, _one_line(done.stderr), db)
        _check_passes(db)  # read-only: works on the full disk
        remount(disk, "size=64m")  # the disk is made bigger
        _resumes(db)


def test_a_full_disk_at_the_first_start_leaves_nothing_half_made(tmp_path: Path) -> None:
    with mounted_tmpfs(tmp_path / "disk", "8m") as disk:
        filler = fill(disk)
        db = disk / "sim.sqlite"
        done = _kiosk("simulate", "--sessions", "3", "--db", str(db))
        assert done.returncode == 2, done.stdout + done.stderr
        _says(FULL, _one_line(done.stderr), db)
        # no empty station key or ledger that would stop the next start
        assert sorted(p.name for p in disk.iterdir() if p.stat().st_size == 0) in (
            [],
            ["sim.sqlite.lock"],
        ), list(disk.iterdir())
        filler.unlink()
        done = _kiosk("simulate", "--sessions", "3", "--db", str(db))
        assert done.returncode == 0, done.stdout + done.stderr
        _check_passes(db)


# ------------------------------------------------------------------ read-only medium


@pytest.mark.slow
def test_a_medium_that_turns_read_only_mid_run_stops_it_cleanly_and_can_be_checked(
    tmp_path: Path,
) -> None:
    with ext4_medium(tmp_path / "medium", tmp_path / "medium.img") as medium:
        db = medium.folder / "sim.sqlite"
        with _simulating(db, 400) as proc:
            _wait_for_sessions(db, proc, 12)
            medium.turn_read_only()
            code, out, err = _stopped(proc)
        assert code == 2, out + err
        _says(READ_ONLY, _one_line(err), db)
        _check_passes(db)  # on the read-only medium
        listing = _kiosk("sessions", "list", "--db", str(db))
        assert listing.returncode == 0, listing.stderr
        assert len(listing.stdout.splitlines()) >= 12
        medium.repair()
        _resumes(db)


def test_a_read_only_medium_at_start_is_refused_in_one_line_and_still_checked(
    tmp_path: Path,
) -> None:
    with mounted_tmpfs(tmp_path / "disk", "16m") as disk:
        db = disk / "sim.sqlite"
        assert _kiosk("simulate", "--sessions", "3", "--db", str(db)).returncode == 0
        remount(disk, "ro")
        done = _kiosk("simulate", "--sessions", "6", "--db", str(db))
        assert done.returncode == 2, done.stdout + done.stderr
        _says(READ_ONLY, _one_line(done.stderr), db)
        _check_passes(db)
        fresh = disk / "new" / "sim.sqlite"  # not even a folder can be made there
        done = _kiosk("simulate", "--sessions", "1", "--db", str(fresh))
        assert done.returncode == 2
        _says(READ_ONLY, _one_line(done.stderr), fresh)
        remount(disk, "rw")
        _resumes(db, more=3)


# ------------------------------------------------------------------ damaged pages


def test_pages_damaged_mid_run_stop_it_cleanly(tmp_path: Path) -> None:
    db = tmp_path / "sim.sqlite"
    first = _kiosk("simulate", "--sessions", "15", "--db", str(db))
    assert first.returncode == 0, first.stdout + first.stderr
    with _simulating(db, 35) as proc:
        _wait_for_sessions(db, proc, 18)
        assert damage_pages(db) > 10  # the sessions of the first run are on them
        code, out, err = _stopped(proc)
    assert code == 2, out + err
    _says(DAMAGED, _one_line(err), db)
    check = _kiosk("db", "check", "--db", str(db))
    assert check.returncode in (1, 2), check.stdout
    assert "ledger check: ok" not in check.stdout
    assert "Traceback" not in check.stdout + check.stderr
    again = _kiosk("simulate", "--sessions", "35", "--db", str(db))
    assert again.returncode == 2, again.stdout + again.stderr
    _says(DAMAGED, _one_line(again.stderr), db)


# ------------------------------------------------------------------ a second instance


def test_a_second_instance_exits_in_one_line_naming_the_holder(tmp_path: Path) -> None:
    db = tmp_path / "sim.sqlite"
    with _simulating(db, 400, "--speed", "60") as first:
        _wait_for_sessions(db, first, 1)
        done = _kiosk("simulate", "--sessions", "5", "--db", str(db))
        assert done.returncode == 2, done.stdout + done.stderr
        line = _one_line(done.stderr)
        assert line.startswith(f"kiosk: ledger {db} is in use by pid {first.pid} on host "), line
        assert line.endswith("; stop it first, or use another database."), line
        assert done.stdout == ""
        listing = _kiosk("sessions", "list", "--db", str(db))  # reading needs no lock
        assert listing.returncode == 0, listing.stderr
        assert first.poll() is None  # the first one never noticed


# ------------------------------------------------------------------ the store worker


def test_the_store_worker_hands_a_full_disk_to_its_caller_and_lives_on(tmp_path: Path) -> None:
    with mounted_tmpfs(tmp_path / "disk", "8m") as disk:
        db = open_database(disk / "w.sqlite")
        try:
            with StoreWorker(db) as worker:
                filler = fill(disk)
                big = worker.submit(lambda uow: uow.station_state.set("big", "x" * 500_000))
                with pytest.raises(StorageFull, match="is full"):
                    big.result(timeout=30)  # the typed error, not a hang or a dead thread
                assert worker.running
                filler.unlink()
                worker.submit(lambda uow: uow.station_state.set("small", "y")).result(timeout=30)
                got = worker.submit(
                    lambda uow: (uow.station_state.get("big"), uow.station_state.get("small"))
                )
                assert got.result(timeout=30) == (None, "y")  # the failed write left nothing
        finally:
            db.close()
