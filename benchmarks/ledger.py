"""Ledger benchmark: commit latency of one state change plus its outbox row.

A fresh ledger (`open_database`: WAL, synchronous=FULL, foreign keys) in a temporary
folder on a real file system; one DC session with ~20 charging periods (built through
the domain: power swinging across the 50 kW tier of the DC tariff every 3 minutes) is
stored, then N units of work each save the session once (meter register and last
sample time moved on, as after a meter sample) and queue one outbox row, each in its
own transaction. The clock runs around the whole `with db.unit_of_work() ... commit()`.

Run: .venv/bin/python benchmarks/ledger.py [--commits N] [--warmup W] [--dir DIR]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from kiosk.domain import jsonio
from kiosk.domain.session import ChargingSession, MeterSample, TokenType
from kiosk.domain.tariff import parse_tariff
from kiosk.store import Database, open_database

_ROOT = Path(__file__).resolve().parent.parent
_TARIFF = _ROOT / "assets" / "tariffs" / "dc_power_tiers.json"
_T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def realistic_session(periods: int) -> ChargingSession:
    """A DC session with `periods` charging periods, through the real domain flow."""
    text = _TARIFF.read_text(encoding="utf-8")
    tariff = parse_tariff(jsonio.loads(text))
    session = ChargingSession.begin(
        station_id="DE-KIO-S1",
        connector_id="3",
        evse_id="DE*KIO*E0003*1",
        tariff=tariff,
        tariff_json=text,
        tz="Europe/Berlin",
        token_type=TokenType.AD_HOC_USER,
        token_uid=None,
        payment_id=None,
        customer_group=None,
        now=_T0,
    )
    session.authorized(None, _T0)
    at = _T0 + timedelta(seconds=30)
    wh = Decimal(1_000_000)
    session.plugged_in(at, wh)
    minute = 0
    while len(session.periods) < periods:
        # 60 kW and 45 kW in turns of 3 minutes: a new tariff element, a new period.
        kw = Decimal(60) if (minute // 3) % 2 == 0 else Decimal(45)
        at += timedelta(minutes=1)
        wh += kw * 1000 / 60
        soc = Decimal(min(20 + minute, 99))
        session.record(MeterSample(at, wh.quantize(Decimal(1)), kw, None, soc))
        minute += 1
    return session


def filesystem_of(path: Path) -> str:
    """`df -T` for the folder: type (device mounted on mount point)."""
    try:
        done = subprocess.run(
            ["df", "-T", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"unknown ({exc})"
    lines = done.stdout.strip().splitlines()
    if len(lines) < 2:
        return "unknown"
    fields = lines[-1].split()  # Filesystem Type 1K-blocks Used Available Use% Mounted-on
    return f"{fields[1]} ({fields[0]} mounted on {fields[-1]})"


def pragmas_used(db: Database) -> dict[str, object]:
    """The pragmas on the pooled connection the commits ran on, read inside a unit of work."""
    out: dict[str, object] = {}
    with db.unit_of_work(write=False) as uow:
        conn = uow.db_session.connection()
        for name in ("journal_mode", "synchronous", "foreign_keys", "wal_autocheckpoint"):
            out[name] = conn.exec_driver_sql(f"PRAGMA {name}").scalar()
    return out


def percentile(sorted_ns: list[int], p: float) -> float:
    """Nearest-rank percentile, in ms."""
    rank = max(1, min(len(sorted_ns), math.ceil(p / 100 * len(sorted_ns))))
    return sorted_ns[rank - 1] / 1e6


def run(commits: int, warmup: int, periods: int, folder: Path) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-ledger-bench-", dir=folder))
    try:
        db_path = tmp / "kiosk.sqlite"
        print(f"python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")
        print(f"cpus: {os.cpu_count()}")
        print(f"database: {db_path}")
        print(f"file system (df -T): {filesystem_of(tmp)}")
        db = open_database(db_path)
        try:
            p = db.pragmas()
            print(
                f"open_database pragmas: journal_mode={p.journal_mode}"
                f" synchronous={p.synchronous} foreign_keys={p.foreign_keys}"
                f" busy_timeout={p.busy_timeout_ms} ms"
            )
            session = realistic_session(periods)
            with db.unit_of_work() as uow:
                uow.sessions.add(session)
                uow.commit()
            with db.unit_of_work(write=False) as uow:
                stored = uow.db_session.connection().exec_driver_sql(
                    "SELECT length(periods_json), length(tariff_json) FROM sessions"
                )
                periods_len, tariff_len = stored.one()
            print(
                f"session: {len(session.periods)} periods"
                f" (periods_json {periods_len} B, tariff_json {tariff_len} B)"
            )

            totals: list[int] = []
            statements: list[int] = []
            commit_only: list[int] = []
            closing: list[int] = []
            register = session.meter_last_wh or Decimal(0)
            sample_at = session.last_sample_at or _T0
            for i in range(warmup + commits):
                register += 7
                sample_at += timedelta(seconds=1)
                payload = {
                    "session_id": session.id,
                    "meter_wh": register,
                    "at": sample_at.isoformat(),
                    "power_kw": session.power_kw,
                    "soc_percent": session.soc_percent,
                }
                t0 = time.perf_counter_ns()
                with db.unit_of_work() as uow:
                    session.meter_last_wh = register
                    session.last_sample_at = sample_at
                    uow.sessions.save(session)
                    uow.outbox.add("session.progress", session.id, payload, f"bench:{i}")
                    t1 = time.perf_counter_ns()
                    uow.commit()
                    t2 = time.perf_counter_ns()
                t3 = time.perf_counter_ns()
                if i >= warmup:
                    totals.append(t3 - t0)
                    statements.append(t1 - t0)
                    commit_only.append(t2 - t1)
                    closing.append(t3 - t2)

            used = pragmas_used(db)
            with db.unit_of_work(write=False) as uow:
                conn = uow.db_session.connection()
                outbox_rows = conn.exec_driver_sql("SELECT count(*) FROM outbox").scalar()
                version = conn.exec_driver_sql("SELECT version FROM sessions").scalar()
        finally:
            db.close()
        wal = db_path.with_name(db_path.name + "-wal")
        print(
            "pragmas on the commit connection: "
            + " ".join(f"{k}={v}" for k, v in used.items())
            + "  (synchronous 2 = FULL)"
        )
        if used["journal_mode"] != "wal" or used["synchronous"] != 2:
            raise SystemExit("the commits did not run with WAL and synchronous=FULL")
        print(f"outbox rows: {outbox_rows}, session version: {version}")
        if wal.exists():
            print(f"after close: main file {db_path.stat().st_size} B, WAL {wal.stat().st_size} B")

        totals.sort()
        total_s = sum(totals) / 1e9
        print()
        print(f"{commits} commits (after {warmup} warm-up), each: save session + 1 outbox row")
        print(
            "latency ms (whole with-block): "
            f"p50 {percentile(totals, 50):.3f}  p90 {percentile(totals, 90):.3f}  "
            f"p99 {percentile(totals, 99):.3f}  max {totals[-1] / 1e6:.3f}  "
            f"mean {statistics.fmean(totals) / 1e6:.3f}"
        )
        print(f"throughput: {commits / total_s:,.0f} commits/s (one after another, one thread)")
        statements.sort()
        commit_only.sort()
        closing.sort()
        for what, values in (
            ("BEGIN IMMEDIATE + UPDATE session + INSERT outbox", statements),
            ("COMMIT (WAL frames + fdatasync, auto-checkpoint)", commit_only),
            ("leaving the with-block (session close)", closing),
        ):
            print(
                f"  of which {what}, ms: p50 {percentile(values, 50):.3f}"
                f"  p99 {percentile(values, 99):.3f}  max {values[-1] / 1e6:.3f}"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=20, help="commits not counted")
    parser.add_argument("--periods", type=int, default=20, help="charging periods in the session")
    parser.add_argument(
        "--dir", type=Path, default=Path("/tmp"), help="where the temporary database goes"
    )
    args = parser.parse_args()
    if args.commits < 1:
        parser.error("--commits must be >= 1")
    run(args.commits, args.warmup, args.periods, args.dir)


if __name__ == "__main__":
    main()
