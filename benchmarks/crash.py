"""Crash benchmark: kill `kiosk simulate` with SIGKILL at 5,000 random points.

The campaign of `tests/kiosk/crash_harness.py` (the suite runs it with 200 kill
points), at scale. Each kill point: start `python -m kiosk simulate` on the ledger,
SIGKILL it a random 0.05-0.8 s after it began its simulation (or, in 15% of the
rounds, part-way through its start-up and recovery), then check the killed, unrecovered files with
`kiosk db check` and compare them with what the earlier kills left (nothing lost,
nothing doubled, the payment provider agrees). A ledger takes `--per-db` kill points
and then one uninterrupted run to completion, checked against the provider's files;
the next ledger starts fresh, so the check after each kill (which reprices every
session in the ledger) stays about as fast as the kill delay.

    .venv/bin/python benchmarks/crash.py                 # 5,000 kill points, about 1.5 h
    .venv/bin/python benchmarks/crash.py --kills 30      # a smoke run

Exit status 0 only when no campaign found a problem. A ledger with a problem is kept
in `--db-dir` with its crash images under `<db>.failures/` (the others are removed
unless `--keep`).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `tests` is not installed

from tests.kiosk.crash_harness import CampaignResult, run_crash_campaign


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=5000, help="kill points in all (5000)")
    parser.add_argument("--seed", type=int, default=1, help="simulation and kill-delay seed")
    parser.add_argument(
        "--db-dir", type=Path, help="where the ledgers go (default: a new temporary folder)"
    )
    parser.add_argument("--per-db", type=int, default=250, help="kill points per ledger (250)")
    parser.add_argument(
        "--min-delay", type=float, default=0.05, help="seconds after the simulation began (0.05)"
    )
    parser.add_argument(
        "--max-delay", type=float, default=0.8, help="seconds after the simulation began (0.8)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument("--keep", action="store_true", help="keep the ledgers without problems too")
    args = parser.parse_args()
    if args.kills < 1 or args.per_db < 1:
        parser.error("--kills and --per-db must be at least 1")
    db_dir: Path = args.db_dir or Path(tempfile.mkdtemp(prefix="kiosk-crash-"))
    db_dir.mkdir(parents=True, exist_ok=True)

    print(
        f"crash benchmark: {args.kills} kill points, {args.per_db} per ledger, seed {args.seed},"
        f" delays {args.min_delay}-{args.max_delay} s; Python {platform.python_version()},"
        f" {os.cpu_count()} CPU(s); ledgers in {db_dir}",
        flush=True,
    )
    results: list[CampaignResult] = []
    started = time.monotonic()
    remaining, part = args.kills, 0
    while remaining > 0:
        kills = min(args.per_db, remaining)
        db = db_dir / f"crash-{part:03d}.sqlite"
        for stale in db_dir.glob(f"{db.name}*"):  # a ledger from an earlier run
            if stale.is_file():
                stale.unlink()

        def log(line: str, part: int = part) -> None:
            if not args.quiet or line.startswith("PROBLEM"):
                print(f"  [ledger {part}] {line}", flush=True)

        result = run_crash_campaign(
            db,
            sessions=20,
            kills=kills,
            seed=args.seed + part,
            rng_seed=args.seed * 100_003 + part,
            min_delay_s=args.min_delay,
            max_delay_s=args.max_delay,
            log=log,
        )
        results.append(result)
        summary = result.summary(problems=False).replace("\n", "\n  ")
        print(f"ledger {part}: {summary}", flush=True)
        # A campaign that gave up (the kiosk no longer starts) still counts what it did.
        remaining -= max(result.kill_points, 1)
        if not result.problems and not args.keep:
            for path in db_dir.glob(f"{db.name}*"):
                if path.is_file():
                    path.unlink()
        part += 1
    wall = time.monotonic() - started

    kill_points = sum(r.kill_points for r in results)
    rounds = sum(r.rounds for r in results)
    problems = [f"ledger {i}: {p}" for i, r in enumerate(results) for p in r.problems]
    print()
    print(f"kill points:                 {kill_points} (of {args.kills} asked)")
    print(
        f"rounds:                      {rounds} ({sum(r.finished_rounds for r in results)}"
        " finished before their kill)"
    )
    print(f"ledgers:                     {len(results)}")
    print(f"wall time:                   {wall:.1f} s")
    print(f"rounds per minute:           {rounds / wall * 60:.1f}")
    print(f"killed with sessions open:   {sum(r.kills_with_open_sessions for r in results)}")
    print(f"killed after new sessions:   {sum(r.kills_after_progress for r in results)}")
    print(f"killed in start-up:          {sum(r.kills_in_start_up for r in results)}")
    print(f"sessions recovered:          {sum(r.sessions_recovered for r in results)}")
    print(f"recoveries reported:         {sum(r.recoveries_reported for r in results)}")
    print(
        f"final sessions:              {sum(r.final_sessions for r in results)}"
        f" (asked {sum(r.final_target for r in results)})"
    )
    ledger = sum((r.ledger_captured for r in results), Decimal(0))
    provider = sum((r.psp_captured for r in results), Decimal(0))
    print(f"captured:                    ledger {ledger}, provider {provider}")
    print(f"problems found:              {len(problems)}")
    for p in problems:
        print(f"  {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
