"""Crash harness: kill `kiosk simulate` with SIGKILL at random points and check the ledger.

A campaign runs rounds on one database. Each round starts
`python -m kiosk simulate --sessions N --seed S --db FILE` in a subprocess and kills
it with SIGKILL at a random point (from a seeded `random.Random`): mostly a random
delay after the run printed `simulating:` (its start-up, migration and recovery done,
the simulation begun), sometimes part-way through its start-up (a random share of
the start-ups measured so far). Timing the kills from that line, not from the spawn,
keeps them in the same phases on a slow machine as on a fast one. The
killed, unrecovered files (the ledger and the payment provider's files, without the
WAL index, as after a power cut) are copied aside as the round's *crash image*, and
on that image:

- `python -m kiosk db check --json` must pass: integrity ok and no ledger invariant
  broken, with the open sessions legitimately open;
- nothing is lost: every session and payment seen after an earlier kill is still
  there, and a session or payment that was final stays final with the same totals,
  state and captured amount;
- nothing is doubled: one payment per session, one session per payment, one
  provider hold per payment, at most one successful capture;
- nothing goes untold: every authorization, settlement and completed session has
  its event in the outbox for the backend;
- the payment provider agrees with every payment the kiosk recorded as final (and
  never settled a hold the kiosk did not ask it to settle).

The check of a round runs on its own copy of the image while the next rounds run (at
most two checks at a time), so a round costs about its start-up and its kill delay. N grows with the
database (N = sessions in the database + a random headroom), so the kill lands while
work is in flight: mostly with tens of sessions still to run, sometimes with only a
few, so that kills also land in the final drain, report and self-check of the run.
A run that finishes before its kill is counted, not killed.

At the end one uninterrupted `kiosk simulate` runs to completion; then the exit
status is 0, `db check` passes, the database holds exactly N sessions (also as
`kiosk sessions list` shows them), every session and payment is final, and the
provider's view equals the kiosk's: the captured amounts in its files (plain SQLite,
`holds(ref, method, authorized, captured, state)`) add up to the ledger's captured
total, hold by hold, and no hold is left open.

A crash image with a problem is kept under `<db>.failures/round-NNNNN/`: resuming
it (`python -m kiosk simulate --sessions N --seed S --db <image>/<db name>`) or
checking it reproduces what the round saw.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

__all__ = [
    "CampaignResult",
    "Hold",
    "PaymentFacts",
    "RoundRecord",
    "SessionFacts",
    "Snapshot",
    "continuity_problems",
    "copy_crash_image",
    "discrepancy_problems",
    "ledger_problems",
    "outbox_problems",
    "psp_files",
    "psp_problems",
    "read_holds",
    "read_snapshot",
    "run_crash_campaign",
]

FINAL_SESSION_STATES = frozenset({"completed", "failed", "aborted"})
FINAL_PAYMENT_STATES = frozenset({"declined", "captured", "voided", "expired", "failed"})

# The provider hold states that go with each kiosk payment state. A pending kiosk
# operation may or may not have reached the provider before the kill.
_HOLD_STATES_FOR: Mapping[str, frozenset[str]] = {
    "authorized": frozenset({"authorized"}),
    "capture_pending": frozenset({"authorized", "captured"}),
    "void_pending": frozenset({"authorized", "voided"}),
    "captured": frozenset({"captured"}),
    "voided": frozenset({"voided"}),
}

_KEEP_FAILED_IMAGES = 25
_GIVE_UP_AFTER_FAILED_RUNS = 5
_CHECK_TIMEOUT_S = 300.0
_STARTED = b"simulating:"  # what `kiosk simulate` prints when its simulation begins
_FINAL_RUN_TIMEOUT_S = 1800.0


# --------------------------------------------------------------------- facts


@dataclass(frozen=True)
class SessionFacts:
    id: str
    connector_id: str
    state: str
    stop_reason: str | None
    payment_id: str | None
    ended_at: str | None
    totals: tuple[Decimal, Decimal, Decimal] | None  # cost incl. VAT, excl. VAT, kWh

    @property
    def final(self) -> bool:
        return self.state in FINAL_SESSION_STATES


@dataclass(frozen=True)
class PaymentFacts:
    id: str
    session_id: str
    method: str
    state: str
    authorized: Decimal
    captured: Decimal
    provider_ref: str | None
    captures: int  # successful capture operations

    @property
    def final(self) -> bool:
        return self.state in FINAL_PAYMENT_STATES


@dataclass(frozen=True)
class Snapshot:
    """What the ledger holds at one moment, as plain facts to compare."""

    sessions: dict[str, SessionFacts] = field(default_factory=dict)
    payments: dict[str, PaymentFacts] = field(default_factory=dict)
    schema: bool = True  # False: the file has no ledger tables (yet)
    # The outbox's (aggregate id, topic) pairs: what the backend will be told.
    events: frozenset[tuple[str, str]] = frozenset()

    @property
    def open_sessions(self) -> int:
        return sum(1 for s in self.sessions.values() if not s.final)


@dataclass(frozen=True)
class Hold:
    """One hold in the simulated payment provider's files."""

    ref: str
    method: str
    authorized: Decimal
    captured: Decimal
    state: str  # authorized, captured, voided


@contextlib.contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection: it never checkpoints the WAL nor deletes it on close."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        yield conn
    finally:
        conn.close()


def _dec(value: object) -> Decimal:
    return Decimal(str(value))


def read_snapshot(db: Path) -> Snapshot:
    """The ledger's sessions and payments, read without touching the file."""
    if not db.exists():
        return Snapshot(schema=False)
    with _read_only(db) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"sessions", "payments", "payment_operations"} <= names:
            return Snapshot(schema=False)
        sessions: dict[str, SessionFacts] = {}
        for row in conn.execute(
            "SELECT id, connector_id, state, stop_reason, payment_id, ended_at,"
            " total_cost_incl_vat, total_cost_excl_vat, total_energy_kwh FROM sessions"
        ):
            totals = None if row[6] is None else (_dec(row[6]), _dec(row[7]), _dec(row[8]))
            sessions[row[0]] = SessionFacts(row[0], row[1], row[2], row[3], row[4], row[5], totals)
        captures = Counter(
            r[0]
            for r in conn.execute(
                "SELECT payment_id FROM payment_operations"
                " WHERE kind = 'capture' AND state = 'succeeded'"
            )
        )
        payments: dict[str, PaymentFacts] = {}
        for row in conn.execute(
            "SELECT id, session_id, method, state, authorized, captured, provider_ref FROM payments"
        ):
            payments[row[0]] = PaymentFacts(
                row[0],
                row[1],
                row[2],
                row[3],
                _dec(row[4]),
                _dec(row[5]),
                row[6],
                captures.get(row[0], 0),
            )
        rows = conn.execute("SELECT aggregate_id, topic FROM outbox") if "outbox" in names else []
        events = frozenset((str(r[0]), str(r[1])) for r in rows)
    return Snapshot(sessions, payments, events=events)


def psp_files(db: Path) -> list[Path]:
    """The simulated provider's files next to the ledger (`FILE.psp-<method>.sqlite`)."""
    return sorted(db.parent.glob(f"{db.name}.psp-*.sqlite"))


def read_holds(db: Path) -> dict[str, Hold]:
    """Every hold in the provider's files, by reference."""
    holds: dict[str, Hold] = {}
    for path in psp_files(db):
        with _read_only(path) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "holds" not in tables:
                continue
            for ref, method, authorized, captured, state in conn.execute(
                "SELECT ref, method, authorized, captured, state FROM holds"
            ):
                holds[ref] = Hold(ref, method, _dec(authorized), _dec(captured), state)
    return holds


# ------------------------------------------------------------------ checkers


def ledger_problems(snap: Snapshot) -> list[str]:
    """Doubles inside one snapshot: shared payments, shared holds, repeated captures."""
    problems: list[str] = []
    sessions_of_payment: dict[str, list[str]] = {}
    for s in snap.sessions.values():
        if s.payment_id is not None:
            sessions_of_payment.setdefault(s.payment_id, []).append(s.id)
    for pid, sids in sorted(sessions_of_payment.items()):
        if len(sids) > 1:
            problems.append(f"payment {pid} is the payment of {len(sids)} sessions {sorted(sids)}")
    payments_of_session: dict[str, list[str]] = {}
    payments_of_ref: dict[str, list[str]] = {}
    for p in snap.payments.values():
        payments_of_session.setdefault(p.session_id, []).append(p.id)
        if p.provider_ref is not None:
            payments_of_ref.setdefault(p.provider_ref, []).append(p.id)
        if p.session_id not in snap.sessions:
            problems.append(f"payment {p.id} belongs to no session ({p.session_id})")
        if p.captures > 1:
            problems.append(f"payment {p.id} captured {p.captures} times")
        if p.captured > p.authorized:
            problems.append(f"payment {p.id} captured {p.captured} > authorized {p.authorized}")
        if p.state == "captured" and p.captures != 1:
            problems.append(f"payment {p.id} is captured with {p.captures} successful captures")
    for sid, pids in sorted(payments_of_session.items()):
        if len(pids) > 1:
            problems.append(f"session {sid} has {len(pids)} payments {sorted(pids)}")
    for ref, pids in sorted(payments_of_ref.items()):
        if len(pids) > 1:
            problems.append(f"provider hold {ref} is used by {len(pids)} payments {sorted(pids)}")
    return problems


def outbox_problems(snap: Snapshot) -> list[str]:
    """Changes the backend would never hear of.

    The kiosk writes a state change and its outbox event in one transaction, so even a
    killed ledger has, for every payment the kiosk knows was authorized, a
    `payment.authorized` event; for every settled payment a `payment.<state>` event;
    and for every completed session a `session.completed` event. (Declines are not
    reported to the backend.)
    """
    problems: list[str] = []
    for p in sorted(snap.payments.values(), key=lambda p: p.id):
        wanted = []
        if p.provider_ref is not None and p.state != "declined":
            wanted.append("payment.authorized")
        if p.state in ("captured", "voided", "failed", "expired"):
            wanted.append(f"payment.{p.state}")
        problems.extend(
            f"payment {p.id} is {p.state} but the outbox has no {topic} event for it"
            for topic in wanted
            if (p.id, topic) not in snap.events
        )
    problems.extend(
        f"session {s.id} is completed but the outbox has no session.completed event for it"
        for s in sorted(snap.sessions.values(), key=lambda s: s.id)
        if s.state == "completed" and (s.id, "session.completed") not in snap.events
    )
    return problems


def continuity_problems(before: Snapshot, after: Snapshot) -> list[str]:
    """Lost or rewritten history between two snapshots of the same ledger."""
    problems: list[str] = []
    for sid, old in before.sessions.items():
        new = after.sessions.get(sid)
        if new is None:
            problems.append(f"session {sid} ({old.state}) was lost")
            continue
        if old.payment_id is not None and new.payment_id != old.payment_id:
            problems.append(
                f"session {sid}: its payment changed from {old.payment_id} to {new.payment_id}"
            )
        if old.final and (
            new.state,
            new.stop_reason,
            new.totals,
            new.ended_at,
        ) != (old.state, old.stop_reason, old.totals, old.ended_at):
            problems.append(
                f"session {sid} was final ({old.state}, {old.stop_reason}, totals {old.totals},"
                f" ended {old.ended_at}) and became ({new.state}, {new.stop_reason},"
                f" totals {new.totals}, ended {new.ended_at})"
            )
    for pid, p_old in before.payments.items():
        p_new = after.payments.get(pid)
        if p_new is None:
            problems.append(f"payment {pid} ({p_old.state}) was lost")
            continue
        if p_new.session_id != p_old.session_id:
            problems.append(
                f"payment {pid} moved from session {p_old.session_id} to {p_new.session_id}"
            )
        if p_old.provider_ref is not None and p_new.provider_ref != p_old.provider_ref:
            problems.append(
                f"payment {pid}: provider hold changed from {p_old.provider_ref}"
                f" to {p_new.provider_ref}"
            )
        if p_new.captures < p_old.captures:
            problems.append(f"payment {pid}: a recorded capture disappeared")
        if p_old.final and (p_new.state, p_new.captured, p_new.authorized) != (
            p_old.state,
            p_old.captured,
            p_old.authorized,
        ):
            problems.append(
                f"payment {pid} was final ({p_old.state}, captured {p_old.captured} of"
                f" {p_old.authorized}) and became ({p_new.state}, captured {p_new.captured}"
                f" of {p_new.authorized})"
            )
    return problems


def psp_problems(snap: Snapshot, holds: Mapping[str, Hold], *, final: bool) -> list[str]:
    """Disagreements between the kiosk's payments and the provider's holds.

    After a kill the provider may be one step ahead of the kiosk (a capture it did,
    whose answer the kiosk had not yet recorded), never behind it and never settling
    on its own. With `final`, after a completed run, both must agree exactly.
    """
    problems: list[str] = []
    by_ref = {p.provider_ref: p for p in snap.payments.values() if p.provider_ref is not None}
    for p in sorted(snap.payments.values(), key=lambda p: p.id):
        if p.provider_ref is None:
            if p.state not in ("created", "auth_pending", "declined"):
                problems.append(f"payment {p.id} is {p.state} without a provider hold")
            continue
        hold = holds.get(p.provider_ref)
        if hold is None:
            problems.append(f"payment {p.id} ({p.state}): provider has no hold {p.provider_ref}")
            continue
        allowed = _HOLD_STATES_FOR.get(p.state, frozenset())
        if final and not p.final:
            problems.append(
                f"payment {p.id} is still {p.state} after a completed run"
                f" (the provider's hold {hold.ref} is {hold.state})"
            )
        elif hold.state not in allowed:
            problems.append(
                f"payment {p.id}: the kiosk says {p.state} (captured {p.captured}),"
                f" the provider's hold {hold.ref} is {hold.state} (captured {hold.captured})"
            )
        elif p.state == "captured" and hold.captured != p.captured:
            problems.append(
                f"payment {p.id}: the kiosk captured {p.captured},"
                f" the provider's hold {hold.ref} {hold.captured}"
            )
        if hold.authorized != p.authorized and p.state != "declined":
            problems.append(
                f"payment {p.id}: authorized {p.authorized} at the kiosk,"
                f" {hold.authorized} at the provider ({hold.ref})"
            )
    for ref, hold in sorted(holds.items()):
        if ref in by_ref:
            continue
        if hold.state != "authorized":
            problems.append(
                f"provider hold {ref} is {hold.state} (captured {hold.captured})"
                " but no kiosk payment knows it"
            )
        elif final:
            problems.append(
                f"provider hold {ref} ({hold.method}, {hold.authorized}) is still open"
                " and no kiosk payment knows it"
            )
    if final:
        open_holds = [h.ref for h in holds.values() if h.state == "authorized"]
        if open_holds:
            problems.append(f"{len(open_holds)} provider hold(s) left open: {open_holds[:5]}")
        ledger = sum((p.captured for p in snap.payments.values()), Decimal(0))
        provider = sum((h.captured for h in holds.values() if h.state == "captured"), Decimal(0))
        if ledger != provider:
            problems.append(f"captured: ledger {ledger}, provider {provider}")
    return problems


def discrepancy_problems(db: Path) -> list[str]:
    """A SIGKILL loses nothing, so the kiosk never finds itself disagreeing with the
    provider: any row in `discrepancies` (an answer that differed from what the ledger
    asked for, an orphan hold) is a problem here."""
    if not db.exists():
        return []
    with _read_only(db) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "discrepancies" not in names:
            return []
        rows = conn.execute(
            "SELECT kind, payment_id, idempotency_key, expected, actual FROM discrepancies"
        ).fetchall()
    return [
        f"discrepancy {kind} for payment {pid} (key {key}): expected {exp}, provider {act}"
        for kind, pid, key, exp, act in rows
    ]


def final_state_problems(snap: Snapshot, expected_sessions: int) -> list[str]:
    """After a run that finished by itself: exactly N sessions, everything settled."""
    problems: list[str] = []
    if len(snap.sessions) != expected_sessions:
        problems.append(
            f"the database holds {len(snap.sessions)} sessions, not {expected_sessions}"
        )
    still_open = sorted(s.id for s in snap.sessions.values() if not s.final)
    if still_open:
        problems.append(f"{len(still_open)} session(s) still open: {still_open[:5]}")
    unsettled = sorted(f"{p.id} ({p.state})" for p in snap.payments.values() if not p.final)
    if unsettled:
        problems.append(f"{len(unsettled)} payment(s) not final: {unsettled[:5]}")
    failed = sorted(
        f"{p.id} ({p.state})" for p in snap.payments.values() if p.state in ("failed", "expired")
    )
    if failed:
        problems.append(f"{len(failed)} payment(s) whose settlement failed: {failed[:5]}")
    return problems


# ------------------------------------------------------------------ campaign


@dataclass
class RoundRecord:
    index: int
    target: int  # --sessions N of the round
    delay_s: float  # from the spawn to the kill
    killed: bool  # False: the run had finished before its kill
    returncode: int | None
    sessions_before: int
    sessions_after: int
    open_after: int
    check_ok: bool | None = None  # None: no database yet, or the check is still running
    problems: list[str] = field(default_factory=list)


@dataclass
class CampaignResult:
    db: Path
    seed: int
    rng_seed: int
    rounds: int = 0
    kill_points: int = 0
    finished_rounds: int = 0  # rounds whose run had finished before the kill
    kills_with_open_sessions: int = 0
    kills_after_progress: int = 0  # the run had added sessions: past start-up and recovery
    kills_in_start_up: int = 0  # before the run began its simulation (start-up, recovery)
    kills_without_database: int = 0
    sessions_recovered: int = 0  # sessions closed by start-up recovery (stop reason)
    recoveries_reported: int = 0  # start-ups that printed "resumed: recovered ..."
    payments_recovered_reported: int = 0
    final_target: int = 0
    final_sessions: int = 0
    ledger_captured: Decimal = Decimal(0)
    psp_captured: Decimal = Decimal(0)
    wall_s: float = 0.0
    problems: list[str] = field(default_factory=list)
    round_records: list[RoundRecord] = field(default_factory=list)

    def summary(self, *, problems: bool = True) -> str:
        lines = [
            f"database: {self.db} (seed {self.seed}, rng seed {self.rng_seed})",
            f"rounds: {self.rounds}; kill points: {self.kill_points}; finished before the kill:"
            f" {self.finished_rounds}; killed with sessions open: {self.kills_with_open_sessions};"
            f" killed after the run had added sessions: {self.kills_after_progress};"
            f" killed in start-up: {self.kills_in_start_up};"
            f" killed before the ledger existed: {self.kills_without_database}",
            f"sessions recovered at start-up: {self.sessions_recovered}"
            f" (start-ups that reported a recovery: {self.recoveries_reported},"
            f" payments they reported: {self.payments_recovered_reported})",
            f"final run: {self.final_sessions} sessions of {self.final_target};"
            f" captured: ledger {self.ledger_captured}, provider {self.psp_captured}",
            f"wall time: {self.wall_s:.1f} s; problems: {len(self.problems)}",
        ]
        if problems:
            lines.extend(f"  PROBLEM {p}" for p in self.problems)
        return "\n".join(lines)


def copy_crash_image(db: Path, dest: Path) -> Path:
    """Copy the ledger and the provider files with their WAL, as a power cut leaves them.

    The WAL index (`-shm`) is left behind: SQLite rebuilds it from the WAL, as it does
    after a crash. Returns the ledger's path inside `dest`.
    """
    dest.mkdir(parents=True, exist_ok=True)
    for path in [db, *psp_files(db)]:
        for part in (path, path.with_name(path.name + "-wal")):
            if part.exists():
                shutil.copyfile(part, dest / part.name)
    return dest / db.name


def _tail(path: Path, limit: int = 1500) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return text[-limit:].strip()


_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>\S+)')


def _traceback_summary(stderr: str) -> str:
    """The exception and the innermost project frames of the last traceback in `stderr`."""
    at = stderr.rfind("Traceback (most recent call last)")
    if at < 0:
        return ""
    block = stderr[at:].strip().splitlines()
    exception = block[-1].strip() if block else "?"
    frames = []
    for line in block:
        m = _FRAME.search(line)
        if m is None:
            continue
        file = m["file"]
        for root in ("/kiosk/", "/payment_drivers/"):
            if root in file:
                file = root[1:] + file.split(root, 1)[1]
                break
        else:
            continue
        frames.append(f"{file}:{m['line']} in {m['func']}")
    where = "; ".join(reversed(frames[-3:]))
    return f"{exception} (at {where})" if where else exception


@dataclass
class _PendingCheck:
    record: RoundRecord
    proc: subprocess.Popen[bytes]
    out_path: Path
    err_path: Path
    out: IO[bytes]
    err: IO[bytes]
    image: Path  # the crash image's folder


class _Campaign:
    def __init__(
        self,
        db: Path,
        *,
        sessions: int,
        seed: int,
        rng_seed: int,
        python: str,
        log: Callable[[str], None] | None,
        start_timeout_s: float,
    ) -> None:
        self.db = db
        self.sessions = sessions
        self.seed = seed
        self.python = python
        self.start_timeout_s = start_timeout_s  # a run not simulating by then is stuck
        self.log = log or (lambda _line: None)
        self.work = db.with_name(f"{db.name}.crash")
        self.failures = db.with_name(f"{db.name}.failures")
        self.result = CampaignResult(db=db, seed=seed, rng_seed=rng_seed)
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.kept: set[int] = set()  # rounds whose crash image was kept
        self.seen: set[str] = set()  # a problem that persists is reported once
        self.failed_in_a_row = 0  # runs that failed by themselves, one after the other
        self.pending: deque[_PendingCheck] = deque()  # `db check`s still running
        self.start_ups: deque[float] = deque(maxlen=9)  # the last start-ups, spawn to line

    def kiosk(self, *args: str) -> list[str]:
        return [self.python, "-m", "kiosk", *args]

    def simulate_args(self, target: int) -> list[str]:
        return self.kiosk(
            "simulate", "--sessions", str(target), "--seed", str(self.seed), "--db", str(self.db)
        )

    def problem(self, record: RoundRecord | None, text: str, image: Path | None = None) -> None:
        if text in self.seen:
            return
        self.seen.add(text)
        if record is None:
            where = "final run"
        else:
            where = (
                f"round {record.index} (--sessions {record.target} --seed {self.seed},"
                f" killed {record.delay_s:.3f} s after its spawn)"
                if record.killed
                else f"round {record.index} (--sessions {record.target} --seed {self.seed},"
                " finished before its kill)"
            )
            record.problems.append(text)
        full = f"{where}: {text}"
        if image is not None:
            full += f" [crash image: {image}]"
        self.result.problems.append(full)
        self.log(f"PROBLEM {full}")

    def new(self, problems: list[str]) -> bool:
        """Whether any of `problems` was not reported before (worth keeping an image)."""
        return any(text not in self.seen for text in problems)

    def keep_image(self, image: Path, record: RoundRecord) -> Path | None:
        """Keep a crash image with a problem (the first few) for reproduction."""
        dest = self.failures / f"round-{record.index:05d}"
        if record.index in self.kept:
            return dest
        if not image.exists() or len(self.kept) >= _KEEP_FAILED_IMAGES:
            return None
        self.kept.add(record.index)
        if dest.exists():  # from an earlier campaign on the same file
            shutil.rmtree(dest)
        shutil.copytree(image, dest, ignore=shutil.ignore_patterns("check", "*-shm"))
        return dest

    # ------------------------------------------------------------- the check

    def start_check(self, record: RoundRecord, image: Path) -> _PendingCheck:
        # The check opens the ledger read-write (and checkpoints its WAL on close): it
        # gets its own copy, so that the image stays as the kill left it.
        where = image / "check"
        where.mkdir()
        for name in (self.db.name, f"{self.db.name}-wal"):
            if (image / name).exists():
                shutil.copyfile(image / name, where / name)
        out_path, err_path = image / "check.out", image / "check.err"
        out, err = out_path.open("wb"), err_path.open("wb")
        proc = subprocess.Popen(
            self.kiosk("db", "check", "--db", str(where / self.db.name), "--json"),
            stdout=out,
            stderr=err,
            env=self.env,
        )
        return _PendingCheck(record, proc, out_path, err_path, out, err, image)

    def finish_check(self, pending: _PendingCheck) -> None:
        record = pending.record
        try:
            rc = pending.proc.wait(timeout=_CHECK_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pending.proc.kill()
            pending.proc.wait()
            rc = None
        finally:
            pending.out.close()
            pending.err.close()
        problems: list[str] = []
        report: dict[str, Any] | None = None
        try:
            loaded = json.loads(pending.out_path.read_text(encoding="utf-8"))
            report = loaded if isinstance(loaded, dict) else None
        except (OSError, ValueError):
            report = None
        if rc is None:
            problems.append(f"`kiosk db check` did not finish in {_CHECK_TIMEOUT_S:.0f} s")
        elif report is None:
            problems.append(
                f"`kiosk db check --json` exited {rc} without a JSON report:"
                f" {_tail(pending.out_path)} {_tail(pending.err_path)}"
            )
        else:
            if report.get("integrity") != "ok":
                problems.append(f"integrity check: {report.get('integrity')}")
            problems.extend(f"db check: {p}" for p in report.get("problems", []))
            if (report.get("ok") is not True or rc != 0) and not problems:
                problems.append(f"db check exited {rc} with ok={report.get('ok')}")
            counts = report.get("counts", {})
            if isinstance(counts, dict) and counts.get("sessions", 0) != record.sessions_after:
                problems.append(
                    f"db check counted {counts.get('sessions')} sessions,"
                    f" the snapshot {record.sessions_after}"
                )
        record.check_ok = not problems
        kept = self.keep_image(pending.image, record) if self.new(problems) else None
        for text in problems:
            self.problem(record, text, kept)
        shutil.rmtree(pending.image, ignore_errors=True)

    # ------------------------------------------------------------- one round

    def collect_checks(self, *, keep: int) -> None:
        """Take in the finished checks, oldest first; wait until at most `keep` still run."""
        while self.pending and (
            len(self.pending) > keep or self.pending[0].proc.poll() is not None
        ):
            self.finish_check(self.pending.popleft())

    def abandon_checks(self) -> None:
        while self.pending:
            pending = self.pending.popleft()
            pending.proc.kill()
            pending.proc.wait()
            pending.out.close()
            pending.err.close()

    def start_up_s(self) -> float | None:
        """The median of the last start-ups (spawn to `simulating:`); None before any."""
        if not self.start_ups:
            return None
        return sorted(self.start_ups)[len(self.start_ups) // 2]

    def wait_until_started(self, proc: subprocess.Popen[bytes], out_path: Path) -> float | None:
        """Seconds from the spawn until the run printed `simulating:`; None if it ended
        or stuck in start-up for `start_timeout_s` first."""
        spawned = time.monotonic()
        while proc.poll() is None:
            if _STARTED in out_path.read_bytes():
                return time.monotonic() - spawned
            if time.monotonic() - spawned > self.start_timeout_s:
                return None
            time.sleep(0.01)
        return None

    def run_round(
        self, index: int, target: int, kill: tuple[float | None, float], before: Snapshot
    ) -> Snapshot:
        """One run, killed `kill[1]` s after it began its simulation, or, when `kill[0]`
        is a share, that share of the usual start-up after its spawn."""
        share, delay_s = kill
        out_path = self.work / f"round-{index:05d}.out"
        err_path = self.work / f"round-{index:05d}.err"
        killed = False
        stuck = False
        with out_path.open("wb") as out, err_path.open("wb") as err:
            spawned = time.monotonic()
            proc = subprocess.Popen(
                self.simulate_args(target), stdout=out, stderr=err, env=self.env
            )
            try:
                start_up = self.start_up_s()
                if share is not None and start_up is not None:
                    wait_s = share * start_up
                else:
                    started = self.wait_until_started(proc, out_path)
                    if started is not None:
                        self.start_ups.append(started)
                    stuck = started is None and proc.poll() is None
                    wait_s = 0.0 if stuck else max(0.0, started or 0.0) + delay_s
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=max(0.0, spawned + wait_s - time.monotonic()))
                killed = proc.poll() is None
                if killed:
                    proc.send_signal(signal.SIGKILL)
            finally:
                proc.kill()  # a no-op unless an exception cut the round short
                rc = proc.wait()
            killed_after = time.monotonic() - spawned
        killed = killed and rc == -signal.SIGKILL
        record = RoundRecord(
            index, target, killed_after, killed, rc, len(before.sessions), len(before.sessions), 0
        )
        res = self.result
        res.rounds += 1
        res.round_records.append(record)
        res.kill_points += int(killed)
        res.finished_rounds += int(not killed)
        self.count_recoveries(out_path)
        in_start_up = killed and _STARTED not in out_path.read_bytes()
        res.kills_in_start_up += int(in_start_up)
        if stuck:
            self.problem(
                record,
                f"`kiosk simulate` had not begun its simulation {self.start_timeout_s:g} s"
                f" after its start: {_tail(out_path, 300)} {_tail(err_path, 300)}",
            )

        # The checks of the last rounds ran meanwhile; at most two run at a time.
        self.collect_checks(keep=1)
        image = self.work / f"image-{index:05d}"
        if image.exists():
            shutil.rmtree(image)
        copy_crash_image(self.db, image)
        shutil.move(out_path, image / "simulate.out")
        shutil.move(err_path, image / "simulate.err")
        failed = self.run_problems(image / "simulate.out", image / "simulate.err", rc, killed)
        kept = self.keep_image(image, record) if self.new(failed) else None
        for text in failed:
            self.problem(record, text, kept)
        ledger = image / self.db.name
        try:
            snap = read_snapshot(ledger)
            holds = read_holds(ledger)
        except sqlite3.Error as exc:
            kept = self.keep_image(image, record)
            self.problem(record, f"the crash image cannot be read: {exc}", kept)
            shutil.rmtree(image, ignore_errors=True)
            return before
        record.sessions_after = len(snap.sessions)
        record.open_after = snap.open_sessions
        if failed:
            self.failed_in_a_row += 1
        elif not killed or record.sessions_after > record.sessions_before:
            self.failed_in_a_row = 0  # a kill before a failure could show says nothing
        if killed and snap.open_sessions:
            res.kills_with_open_sessions += 1
        if killed and record.sessions_after > record.sessions_before:
            res.kills_after_progress += 1
        found = [
            *continuity_problems(before, snap),
            *ledger_problems(snap),
            *outbox_problems(snap),
            *psp_problems(snap, holds, final=False),
            *discrepancy_problems(ledger),
        ]
        if not snap.schema and before.schema and before.sessions:
            found.append("the ledger's tables are gone")
        kept = self.keep_image(image, record) if self.new(found) else None
        for text in found:
            self.problem(record, text, kept)
        # no file yet, or killed while its first migration ran (SQLite left the empty
        # file it had begun; the next start makes the ledger in it, and `kiosk db check`
        # rightly says it is not one yet): nothing to check
        if not ledger.exists() or not (snap.schema or before.schema):
            res.kills_without_database += int(killed)
            shutil.rmtree(image, ignore_errors=True)
            return snap
        self.pending.append(self.start_check(record, image))
        return snap

    def count_recoveries(self, out_path: Path) -> None:
        text = out_path.read_text(encoding="utf-8", errors="replace")
        for line in text.splitlines():
            # "resumed: recovered 2 session(s), 2 payment(s)"
            if line.startswith("resumed: recovered"):
                self.result.recoveries_reported += 1
                with contextlib.suppress(IndexError, ValueError):
                    self.result.payments_recovered_reported += int(line.split()[4])

    @staticmethod
    def run_problems(out_path: Path, err_path: Path, rc: int | None, killed: bool) -> list[str]:
        """What a run of `kiosk simulate` that was not (only) killed did wrong."""
        stderr = err_path.read_text(encoding="utf-8", errors="replace")
        found: list[str] = []
        if not killed and rc != 0:
            why = _traceback_summary(stderr) or f"{_tail(out_path, 300)} {_tail(err_path, 300)}"
            found.append(f"`kiosk simulate` exited {rc} by itself: {why}")
        elif "Traceback" in stderr:
            found.append(f"`kiosk simulate` printed a traceback: {_traceback_summary(stderr)}")
        return found

    # ------------------------------------------------------------- final run

    def final_run(self, before: Snapshot) -> None:
        res = self.result
        target = max(self.sessions, len(before.sessions) + 10)
        res.final_target = target
        out_path, err_path = self.work / "final.out", self.work / "final.err"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            proc = subprocess.Popen(
                self.simulate_args(target), stdout=out, stderr=err, env=self.env
            )
            try:
                rc: int | None = proc.wait(timeout=_FINAL_RUN_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                rc = None
            finally:
                proc.kill()
                proc.wait()
        self.count_recoveries(out_path)
        for text in self.run_problems(out_path, err_path, rc, killed=False):
            self.problem(None, f"{text.replace(' by itself', '')} [database: {self.db}]")
        check = subprocess.run(
            self.kiosk("db", "check", "--db", str(self.db), "--json"),
            capture_output=True,
            env=self.env,
            timeout=_CHECK_TIMEOUT_S,
            check=False,
        )
        try:
            report = json.loads(check.stdout)
        except ValueError:
            report = {}
        if check.returncode != 0 or report.get("ok") is not True:
            self.problem(
                None,
                f"`kiosk db check` exited {check.returncode}: integrity"
                f" {report.get('integrity')}, problems {report.get('problems')}"
                f" {check.stderr.decode(errors='replace')[-1000:]}",
            )
        listing = subprocess.run(
            self.kiosk("sessions", "list", "--db", str(self.db), "--limit", "100000"),
            capture_output=True,
            env=self.env,
            timeout=_CHECK_TIMEOUT_S,
            check=False,
        )
        listed = (
            {line.split()[0] for line in listing.stdout.decode().splitlines()[1:] if line.strip()}
            if listing.returncode == 0
            else set()
        )
        snap = read_snapshot(self.db)
        holds = read_holds(self.db)
        res.final_sessions = len(snap.sessions)
        res.ledger_captured = sum((p.captured for p in snap.payments.values()), Decimal(0))
        res.psp_captured = sum(
            (h.captured for h in holds.values() if h.state == "captured"), Decimal(0)
        )
        res.sessions_recovered = sum(
            1 for s in snap.sessions.values() if s.stop_reason == "recovered"
        )
        found = [
            *continuity_problems(before, snap),
            *ledger_problems(snap),
            *outbox_problems(snap),
            *psp_problems(snap, holds, final=True),
            *discrepancy_problems(self.db),
            *final_state_problems(snap, target),
        ]
        if listing.returncode != 0 or listed != set(snap.sessions):
            found.append(
                f"`kiosk sessions list` (exit {listing.returncode}) shows {len(listed)}"
                f" sessions, the database holds {len(snap.sessions)}"
            )
        if report.get("captured") is not None and _dec(report["captured"]) != res.psp_captured:
            found.append(
                f"db check reports {report['captured']} captured, the provider {res.psp_captured}"
            )
        if report.get("counts", {}).get("sessions") != target:
            found.append(f"db check counts {report.get('counts', {}).get('sessions')} sessions")
        for text in found:
            self.problem(None, text)
        out_path.unlink()
        err_path.unlink()


def run_crash_campaign(
    db: Path,
    *,
    sessions: int,
    kills: int,
    seed: int,
    rng_seed: int,
    min_delay_s: float,
    max_delay_s: float,
    python: str = sys.executable,
    headroom: tuple[int, int] = (20, 60),
    short_headroom: tuple[int, int] = (1, 4),
    short_share: float = 0.15,
    start_share: float = 0.15,
    start_timeout_s: float = 120.0,
    log: Callable[[str], None] | None = None,
) -> CampaignResult:
    """Kill `kiosk simulate` on `db` until `kills` kill points landed; check after each.

    A round's kill comes `min_delay_s`..`max_delay_s` after the run printed that its
    simulation began, or, in `start_share` of the rounds (once a start-up was
    measured), at a random share of the usual start-up, so that it lands in the
    start-up, migration or recovery. A run that has not begun its simulation after
    `start_timeout_s` is killed and reported as stuck.

    `sessions` is the least N: each round asks for max(sessions, in the database +
    headroom) sessions, the headroom drawn from `headroom`, or in `short_share` of the
    rounds from `short_headroom` so that some kills land in the run's final drain
    and self-check (such a run may finish first: it is counted, not killed). The
    final uninterrupted run asks for max(sessions, in the database + 10).
    `rng_seed` seeds the delays and headrooms; `seed` is the simulation's seed.
    """
    if kills < 0 or sessions < 0 or not 0 <= min_delay_s <= max_delay_s:
        raise ValueError("need kills >= 0, sessions >= 0 and 0 <= min_delay_s <= max_delay_s")
    started = time.monotonic()
    rng = random.Random(rng_seed)
    campaign = _Campaign(
        db,
        sessions=sessions,
        seed=seed,
        rng_seed=rng_seed,
        python=python,
        log=log,
        start_timeout_s=start_timeout_s,
    )
    campaign.work.mkdir(parents=True, exist_ok=True)
    snap = read_snapshot(db)
    index = 0
    try:
        while campaign.result.kill_points < kills:
            if index >= 2 * kills + 20:
                text = (
                    f"gave up after {index} rounds: only {campaign.result.kill_points} of them"
                    " ended in a kill (the runs keep finishing or failing before their kill)"
                )
                campaign.result.problems.append(text)
                campaign.log(f"PROBLEM {text}")
                break
            short = rng.random() < short_share
            low, high = short_headroom if short else headroom
            target = max(sessions, len(snap.sessions) + rng.randint(low, high))
            share = rng.random() if rng.random() < start_share else None
            delay = rng.uniform(min_delay_s, max_delay_s)
            snap = campaign.run_round(index, target, (share, delay), snap)
            index += 1
            if campaign.failed_in_a_row >= _GIVE_UP_AFTER_FAILED_RUNS:
                text = (
                    f"gave up after round {index - 1}: the last {campaign.failed_in_a_row} runs"
                    " of `kiosk simulate` failed by themselves (the kiosk no longer starts)"
                )
                campaign.result.problems.append(text)
                campaign.log(f"PROBLEM {text}")
                break
            if index % 25 == 0:
                r = campaign.result
                campaign.log(
                    f"round {index}: {r.kill_points} kills, {len(snap.sessions)} sessions,"
                    f" {len(r.problems)} problem(s), {time.monotonic() - started:.0f} s"
                )
        campaign.collect_checks(keep=0)
        campaign.final_run(snap)
    finally:
        campaign.abandon_checks()
        shutil.rmtree(campaign.work, ignore_errors=True)
    campaign.result.wall_s = time.monotonic() - started
    return campaign.result
