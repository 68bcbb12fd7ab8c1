"""Crash recovery: `kiosk simulate` killed with SIGKILL at 200 random points loses nothing.

The campaign itself is `tests/kiosk/crash_harness.py`; the tests below it check that
the harness's own checkers flag what they must, so that the campaign cannot pass by
looking at nothing.
"""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from tests.kiosk.crash_harness import (
    Hold,
    PaymentFacts,
    SessionFacts,
    Snapshot,
    continuity_problems,
    copy_crash_image,
    ledger_problems,
    outbox_problems,
    psp_problems,
    read_holds,
    read_snapshot,
    run_crash_campaign,
)

D = Decimal


@pytest.mark.slow
@pytest.mark.first
def test_two_hundred_kill_points_lose_and_double_nothing(tmp_path: Path) -> None:
    result = run_crash_campaign(
        tmp_path / "crash.sqlite",
        sessions=20,
        kills=200,
        seed=11,
        rng_seed=20261124,
        min_delay_s=0.05,
        max_delay_s=0.8,
    )
    summary = result.summary()
    assert result.problems == [], summary
    assert result.kill_points == 200, summary
    # The kills landed while work was in flight: most with sessions open, most in the
    # simulation after it had added sessions, some in start-up and recovery; the
    # start-ups had work to recover. (The kills are timed from the run's own
    # "simulating:" line, so this holds on a slow machine as on a fast one.)
    assert result.kills_with_open_sessions >= 150, summary
    assert result.kills_after_progress >= 100, summary
    assert result.kills_in_start_up >= 10, summary
    assert result.sessions_recovered >= 50, summary
    assert result.final_sessions == result.final_target, summary
    assert result.final_sessions >= 100, summary
    assert result.ledger_captured == result.psp_captured > 0, summary


# --------------------------------------------------------------- the checkers


def _session(sid: str, state: str = "completed", **changes: object) -> SessionFacts:
    final = state in ("completed", "failed", "aborted")
    s = SessionFacts(
        id=sid,
        connector_id="1",
        state=state,
        stop_reason="unplugged" if final else None,
        payment_id=f"p-{sid}",
        ended_at="2026-03-02T06:00:00.000000Z" if final else None,
        totals=(D("12.34"), D("10.37"), D("20.5")) if state == "completed" else None,
    )
    return replace(s, **changes)  # type: ignore[arg-type]


def _payment(sid: str, state: str = "captured", **changes: object) -> PaymentFacts:
    p = PaymentFacts(
        id=f"p-{sid}",
        session_id=sid,
        method="bank_card",
        state=state,
        authorized=D("50.00"),
        captured=D("12.34") if state == "captured" else D(0),
        provider_ref=None if state in ("auth_pending", "declined") else f"ref-{sid}",
        captures=1 if state == "captured" else 0,
    )
    return replace(p, **changes)  # type: ignore[arg-type]


def _snap(sessions: list[SessionFacts], payments: list[PaymentFacts]) -> Snapshot:
    return Snapshot({s.id: s for s in sessions}, {p.id: p for p in payments})


def _holds(payments: list[PaymentFacts]) -> dict[str, Hold]:
    state_of = {"capture_pending": "authorized", "void_pending": "authorized"}
    return {
        p.provider_ref: Hold(
            p.provider_ref, p.method, p.authorized, p.captured, state_of.get(p.state, p.state)
        )
        for p in payments
        if p.provider_ref is not None
    }


def test_a_clean_history_has_no_problems() -> None:
    before = _snap(
        [_session("a"), _session("b", "charging"), _session("c", "pending")],
        [_payment("a"), _payment("b", "authorized"), _payment("c", "auth_pending")],
    )
    # b was recovered and captured; c's authorization was resolved as declined.
    after = _snap(
        [
            _session("a"),
            _session("b", stop_reason="recovered"),
            _session("c", "aborted", totals=None),
            _session("d", "charging"),
        ],
        [
            _payment("a"),
            _payment("b"),
            _payment("c", "declined"),
            _payment("d", "authorized"),
        ],
    )
    assert continuity_problems(before, after) == []
    assert ledger_problems(after) == []
    assert psp_problems(before, _holds(list(before.payments.values())), final=False) == []


def test_a_lost_session_or_payment_is_flagged() -> None:
    before = _snap([_session("a"), _session("b", "charging")], [_payment("a"), _payment("b")])
    after = _snap([_session("a")], [_payment("a")])
    problems = continuity_problems(before, after)
    assert any("session b" in p and "lost" in p for p in problems), problems
    assert any("payment p-b" in p and "lost" in p for p in problems), problems


def test_a_final_session_whose_totals_changed_is_flagged() -> None:
    before = _snap([_session("a")], [_payment("a")])
    after = _snap([_session("a", totals=(D("13.00"), D("10.92"), D("21")))], [_payment("a")])
    problems = continuity_problems(before, after)
    assert len(problems) == 1
    assert "session a was final" in problems[0]


def test_a_final_payment_that_changed_is_flagged() -> None:
    before = _snap(
        [_session("a"), _session("b", "aborted")], [_payment("a"), _payment("b", "voided")]
    )
    after = _snap(
        [_session("a"), _session("b", "aborted")],
        [_payment("a", captured=D("20.00")), _payment("b", "captured")],
    )
    problems = continuity_problems(before, after)
    assert any("payment p-a was final" in p for p in problems), problems
    assert any("payment p-b was final" in p for p in problems), problems


def test_doubles_are_flagged() -> None:
    shared = _snap(
        [_session("a"), _session("b", payment_id="p-a")],
        [_payment("a", captures=2), _payment("b", provider_ref="ref-a")],
    )
    problems = ledger_problems(shared)
    assert any("payment of 2 sessions" in p for p in problems), problems
    assert any("captured 2 times" in p for p in problems), problems
    assert any("used by 2 payments" in p for p in problems), problems


def test_a_change_the_backend_never_hears_of_is_flagged() -> None:
    told = frozenset(
        {
            ("p-a", "payment.authorized"),
            ("p-a", "payment.captured"),
            ("a", "session.completed"),
            ("p-b", "payment.authorized"),
        }
    )
    snap = replace(
        _snap(
            [_session("a"), _session("b", "charging"), _session("c", "aborted")],
            [_payment("a"), _payment("b", "authorized"), _payment("c", "declined")],
        ),
        events=told,
    )
    assert outbox_problems(snap) == []
    # A capture recorded without its event, and a completed session without its own.
    untold = replace(snap, events=told - {("p-a", "payment.captured"), ("a", "session.completed")})
    problems = outbox_problems(untold)
    assert any("p-a is captured" in p and "payment.captured" in p for p in problems), problems
    assert any("session a is completed" in p for p in problems), problems


def test_the_provider_must_agree_with_the_kiosk() -> None:
    payments = [_payment("a"), _payment("b", "voided"), _payment("c", "capture_pending")]
    snap = _snap([_session("a"), _session("b", "aborted"), _session("c", "finishing")], payments)
    holds = _holds(payments)
    assert psp_problems(snap, holds, final=False) == []
    # A capture that reached the provider but whose answer the kiosk never recorded
    # is fine after a kill, not after a completed run.
    holds["ref-c"] = replace(holds["ref-c"], state="captured", captured=D("12.34"))
    assert psp_problems(snap, holds, final=False) == []
    assert any("capture_pending" in p for p in psp_problems(snap, holds, final=True))
    # The provider captured another amount than the kiosk recorded.
    wrong = {**holds, "ref-a": replace(holds["ref-a"], captured=D("12.35"))}
    assert any("the kiosk captured 12.34" in p for p in psp_problems(snap, wrong, final=False))
    # An orphan hold: captured at the provider, unknown to the kiosk.
    orphan = {**holds, "ref-x": Hold("ref-x", "bank_card", D(50), D(5), "captured")}
    assert any("no kiosk payment knows it" in p for p in psp_problems(snap, orphan, final=False))
    # An open hold left after a completed run, and the totals that then disagree.
    left = {**holds, "ref-y": Hold("ref-y", "qr_web", D(50), D(0), "authorized")}
    final = psp_problems(snap, left, final=True)
    assert any("left open" in p for p in final), final
    assert any("still open and no kiosk payment knows it" in p for p in final), final


# ---------------------------------------------------- on a real simulated ledger


def _simulate(db: Path, sessions: int) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "simulate", "--sessions", str(sessions), "--db", str(db)],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


def test_the_readers_see_a_real_ledger_and_flag_tampering(tmp_path: Path) -> None:
    db = tmp_path / "run" / "sim.sqlite"
    db.parent.mkdir()
    _simulate(db, 4)
    image = copy_crash_image(db, tmp_path / "image")
    snap, holds = read_snapshot(image), read_holds(image)
    assert len(snap.sessions) == 4
    assert len(snap.payments) == 4
    assert holds, "the provider's files were not copied or not read"
    assert ledger_problems(snap) == []
    assert outbox_problems(snap) == []
    assert psp_problems(snap, holds, final=True) == []

    captured = next(p for p in snap.payments.values() if p.state == "captured")
    gone = next(s for s in snap.sessions.values() if s.id != captured.session_id)
    with sqlite3.connect(image) as conn:
        conn.execute("DELETE FROM payment_operations WHERE payment_id = ?", (gone.payment_id,))
        conn.execute("DELETE FROM payments WHERE session_id = ?", (gone.id,))
        conn.execute("DELETE FROM sessions WHERE id = ?", (gone.id,))
    conn.close()
    psp = next(image.parent.glob(f"{image.name}.psp-{captured.method}.sqlite"))
    with sqlite3.connect(psp) as conn:
        conn.execute("UPDATE holds SET captured = '0.01' WHERE ref = ?", (captured.provider_ref,))
    conn.close()

    after, after_holds = read_snapshot(image), read_holds(image)
    lost = continuity_problems(snap, after)
    assert any(f"session {gone.id}" in p and "lost" in p for p in lost), lost
    disagree = psp_problems(after, after_holds, final=True)
    assert any(f"payment {captured.id}" in p for p in disagree), disagree


def test_a_campaign_whose_runs_fail_does_not_pass(tmp_path: Path) -> None:
    broken = tmp_path / "broken-python"
    broken.write_text("#!/bin/sh\necho 'no kiosk here' >&2\nexit 3\n", encoding="utf-8")
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)
    result = run_crash_campaign(
        tmp_path / "crash.sqlite",
        sessions=5,
        kills=2,
        seed=1,
        rng_seed=1,
        min_delay_s=0.05,
        max_delay_s=0.1,
        python=str(broken),
    )
    assert result.kill_points == 0
    assert result.finished_rounds > 0
    text = "\n".join(result.problems)
    assert "exited 3 by itself" in text
    assert "gave up" in text
    assert "final run" in text


def test_a_run_stuck_in_its_start_up_is_killed_and_reported(tmp_path: Path) -> None:
    stuck = tmp_path / "stuck-python"
    stuck.write_text("#!/bin/sh\nsleep 2\n", encoding="utf-8")  # never says "simulating:"
    stuck.chmod(stuck.stat().st_mode | stat.S_IXUSR)
    result = run_crash_campaign(
        tmp_path / "crash.sqlite",
        sessions=5,
        kills=1,
        seed=1,
        rng_seed=1,
        min_delay_s=0.05,
        max_delay_s=0.1,
        python=str(stuck),
        start_timeout_s=0.3,
    )
    assert result.kill_points == 1
    assert result.kills_in_start_up == 1
    text = "\n".join(result.problems)
    assert "had not begun its simulation 0.3 s after its start" in text, text
