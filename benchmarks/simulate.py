"""Simulation benchmark: `kiosk simulate` wall time, peak RSS and database bytes per session.

Runs `python -m kiosk simulate --sessions N --seed S --db <tmp>/sim.sqlite` as a child
process (a fresh database in a temporary folder), measures its wall time and peak RSS
(`getrusage(RUSAGE_CHILDREN).ru_maxrss`, read right after it exits and before any other
child is started, so it is this child's), then runs `kiosk db check` on the result (it
must exit 0), and reports the ledger's size per session: the main file after
`PRAGMA wal_checkpoint(TRUNCATE)`, and again after `VACUUM`.

Run: .venv/bin/python benchmarks/simulate.py [--sessions N] [--seed S] [--dir DIR] [--keep]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def filesystem_of(path: Path) -> str:
    """`df -T` for the folder: type (device mounted on mount point)."""
    try:
        done = subprocess.run(["df", "-T", str(path)], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"unknown ({exc})"
    lines = done.stdout.strip().splitlines()
    if len(lines) < 2:
        return "unknown"
    fields = lines[-1].split()  # Filesystem Type 1K-blocks Used Available Use% Mounted-on
    return f"{fields[1]} ({fields[0]} mounted on {fields[-1]})"


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def run(sessions: int, seed: int, folder: Path, keep: bool) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-sim-bench-", dir=folder))
    db_path = tmp / "sim.sqlite"
    wal = db_path.with_name(db_path.name + "-wal")
    command = [
        sys.executable,
        "-m",
        "kiosk",
        "simulate",
        "--sessions",
        str(sessions),
        "--seed",
        str(seed),
        "--db",
        str(db_path),
    ]
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        if before.ru_maxrss != 0:
            print(f"warning: a child ran before the simulation (ru_maxrss {before.ru_maxrss})")
        print("$ " + " ".join(command), flush=True)
        t0 = time.perf_counter()
        with (tmp / "simulate.out").open("w", encoding="utf-8") as out:
            status = subprocess.call(command, cwd=_ROOT, stdout=out, stderr=subprocess.STDOUT)
        wall = time.perf_counter() - t0
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # only the simulation so far
        sim_out = (tmp / "simulate.out").read_text(encoding="utf-8")
        print(f"python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")
        print(f"cpus: {os.cpu_count()}")
        print(f"database: {db_path}")
        print(f"file system (df -T): {filesystem_of(tmp)}")
        tail = [line for line in sim_out.strip().splitlines() if line.strip()][-4:]
        print("simulate output (last lines): " + " | ".join(line.strip() for line in tail))
        if status != 0:
            print(f"simulate exited {status}:\n{sim_out[-4000:]}")
            return 1

        cpu = (usage.ru_utime - before.ru_utime) + (usage.ru_stime - before.ru_stime)
        peak_rss_kib = usage.ru_maxrss  # KiB on Linux
        wal_left = _size(wal)
        main_left = _size(db_path)

        check = [sys.executable, "-m", "kiosk", "db", "check", "--db", str(db_path)]
        print("$ " + " ".join(check), flush=True)
        done = subprocess.run(check, cwd=_ROOT, capture_output=True, text=True, check=False)
        print(done.stdout.rstrip())
        if done.returncode != 0:
            print(f"kiosk db check exited {done.returncode}: {done.stderr[-4000:]}")
            return 1

        conn = sqlite3.connect(db_path, isolation_level=None)
        try:
            count = int(conn.execute("SELECT count(*) FROM sessions").fetchone()[0])
            outbox = int(conn.execute("SELECT count(*) FROM outbox").fetchone()[0])
            audit = int(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                print("warning: wal_checkpoint(TRUNCATE) could not finish")
            checkpointed = _size(db_path)
            by_table = conn.execute(
                "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
            ).fetchall()
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            vacuumed = _size(db_path)
        finally:
            conn.close()
        if count == 0:
            print("no sessions in the database")
            return 1

        psp = sum(_size(p) for p in tmp.glob("sim.sqlite.psp-*"))
        print()
        print(f"sessions requested {sessions}, in the database {count}")
        print(f"wall time: {wall:.1f} s ({count / wall:.1f} sessions/s)")
        print(f"child CPU time: {cpu:.1f} s (user+sys, {100 * cpu / wall:.0f} % of wall)")
        print(f"peak RSS of the child: {peak_rss_kib / 1024:.1f} MB (ru_maxrss {peak_rss_kib} KiB)")
        print(f"as left by simulate: main file {_mb(main_left)}, WAL {_mb(wal_left)}")
        print(
            f"after wal_checkpoint(TRUNCATE): {_mb(checkpointed)}"
            f" = {checkpointed / count:,.0f} bytes/session"
        )
        print(f"after VACUUM: {_mb(vacuumed)} = {vacuumed / count:,.0f} bytes/session")
        print(
            f"rows: outbox {outbox} ({outbox / count:.2f}/session), audit {audit}"
            f" ({audit / count:.2f}/session)"
        )
        print("pages by table/index (before VACUUM), bytes/session:")
        for name, size in by_table[:8]:
            print(f"  {name:40s} {size / count:8,.0f}")
        print(f"simulated PSP files next to it (not the ledger): {_mb(psp)}")
        return 0
    finally:
        if keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--dir", type=Path, default=Path("/tmp"), help="where the temporary database goes"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database folder")
    args = parser.parse_args()
    if args.sessions < 1:
        parser.error("--sessions must be >= 1")
    raise SystemExit(run(args.sessions, args.seed, args.dir, args.keep))


if __name__ == "__main__":
    main()
