"""The station loop with its device threads: a payment that waits for a card stalls
nothing, Cancel reaches the terminal, and a hold that comes after Cancel is voided."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kiosk.charger.clock import SimulatedClock
from kiosk.charger.vehicles import MIDSIZE_400V
from kiosk.config import demo_settings
from kiosk.domain.payment import DeclineCode, PaymentMethod, PaymentState
from kiosk.ports import TerminalPrompt
from kiosk.runtime.loop import StationLoop
from kiosk.runtime.snapshot import Snapshot
from kiosk.services.station_service import StationService
from kiosk.sim.psp import SimulatedAccounts, SimulatedPsp
from kiosk.station import FlowState
from kiosk.station_keys import StationKeys
from kiosk.store import open_database
from tests.conftest import ExpectedWarnings
from tests.fakes.terminal import SlowTerminal
from tests.kiosk.services.test_station_service import START, _charger


@dataclass
class Heard:
    snaps: list[Snapshot] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    bugs: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self, snap: Snapshot) -> None:
        with self.lock:
            self.snaps.append(snap)

    def failed(self, connector_id: str, message: str) -> None:
        self.failures.append(message)

    def bug(self, text: str) -> None:
        self.bugs.append(text)

    def unavailable(self, kind: str, line: str) -> None:
        self.failures.append(line)

    def latest(self) -> Snapshot | None:
        with self.lock:
            return self.snaps[-1] if self.snaps else None


@dataclass
class Running:
    loop: StationLoop
    heard: Heard
    terminal: SlowTerminal
    clock: SimulatedClock
    service: StationService
    charger: Any

    def on_loop(self, job: Callable[[StationService], Any]) -> Any:
        result: list[Any] = []
        done = threading.Event()
        self.loop.submit("", lambda s: result.append(job(s)))
        self.loop.submit("", lambda _s: done.set())
        assert done.wait(10)
        return result[0] if result else None

    def until(self, check: Callable[[StationService], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.on_loop(check):
                return
            time.sleep(0.02)
        raise AssertionError("the station never got there")


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    settings = demo_settings(tmp_path / "kiosk.sqlite")
    clock = SimulatedClock(START)
    psps = {m: SimulatedPsp(tmp_path / f"psp-{m.value}.sqlite", m.value) for m in PaymentMethod}
    terminal = SlowTerminal(psps[PaymentMethod.BANK_CARD])
    db = open_database(settings.database)
    charger = _charger(settings, START)
    heard = Heard()
    holder: list[StationService] = []

    def open_station() -> StationService:
        service = StationService(
            settings=settings,
            charger=charger,
            clock=clock,
            providers={**psps, PaymentMethod.BANK_CARD: terminal},
            tokens=SimulatedAccounts(),
            db=db,
            keys=StationKeys.from_secret(b"a station secret of 32 bytes ..."),
            runner=loop.runner,
        )
        holder.append(service)
        return service

    loop = StationLoop(open_station, heard, retry_s=None, tick_s=0.05)
    loop.start()
    deadline = time.monotonic() + 10
    while not loop.is_open and time.monotonic() < deadline:
        time.sleep(0.01)
    run = Running(loop, heard, terminal, clock, holder[0], charger)
    try:
        yield run
    finally:
        terminal.close()
        loop.stop()
        db.close()
        for psp in psps.values():
            psp.close()
    assert heard.bugs == []


def _choose_card(r: Running, cid: str = "1") -> None:
    r.on_loop(lambda s: s.select(cid))
    r.on_loop(lambda s: s.choose_payment(cid, PaymentMethod.BANK_CARD))


def test_a_terminal_is_asked_at_once_and_its_prompt_reaches_the_snapshot(running: Running) -> None:
    r = running
    _choose_card(r)
    assert r.terminal.waiting.wait(5)
    r.until(lambda s: s.view("1").terminal_prompt is TerminalPrompt.PRESENT_CARD)
    view = r.on_loop(lambda s: s.view("1"))
    assert view.state is FlowState.AUTHORIZING
    assert view.terminal_text == "Karte bitte"
    r.terminal.present("visa-ok")
    r.until(lambda s: s.view("1").state is FlowState.WAITING_FOR_PLUG)
    assert r.on_loop(lambda s: s.view("1").terminal_prompt) is None


def test_the_loop_ticks_and_meters_move_while_the_card_is_awaited(running: Running) -> None:
    r = running
    # connector 2 charges (paid by RFID), connector 1 waits for a card at the terminal
    r.on_loop(lambda s: s.select("2"))
    r.on_loop(lambda s: s.choose_payment("2", PaymentMethod.ACCOUNT_TOKEN))
    r.on_loop(lambda s: s.present_token("04A1B2C3D4", "2"))
    r.on_loop(lambda _s: r.charger.arrive("2", MIDSIZE_400V, 20, 80, at=r.clock.now()))
    r.until(lambda s: s.view("2").state is FlowState.CHARGING)
    r.terminal.wait_s = 60.0
    _choose_card(r)
    assert r.terminal.waiting.wait(5)
    before = r.on_loop(lambda s: s.view("2").energy_kwh)
    for _ in range(20):  # 100 simulated seconds; the loop's tick takes the meter in
        r.on_loop(lambda _s: r.clock.advance(5))
        time.sleep(0.06)
    after = r.on_loop(lambda s: s.view("2").energy_kwh)
    assert after > before
    assert r.on_loop(lambda s: s.view("1").state) is FlowState.AUTHORIZING
    assert r.loop.longest_job_s < 1.0  # nothing waited on the terminal on the loop


def test_cancel_aborts_the_terminal_and_goes_back_to_the_price(running: Running) -> None:
    r = running
    _choose_card(r)
    assert r.terminal.waiting.wait(5)
    r.on_loop(lambda s: s.cancel_payment("1"))
    assert r.terminal.aborts == 1
    r.until(lambda s: s.view("1").state is FlowState.CONNECTOR_CHOSEN)
    with r.service.db.unit_of_work(write=False) as uow:
        sessions = uow.sessions.list(connector_id="1", limit=1)
        payment = uow.payments.get_by_session(sessions[0].id)
    assert payment is not None
    assert payment.state is PaymentState.DECLINED
    assert r.on_loop(lambda s: s.view("1").decline) is None  # not shown as a decline


def test_a_hold_approved_as_cancel_was_pressed_is_voided(running: Running) -> None:
    r = running
    r.terminal.approve_despite_abort = True
    _choose_card(r)
    assert r.terminal.waiting.wait(5)
    r.on_loop(lambda s: s.cancel_payment("1"))
    r.until(lambda s: s.view("1").state is FlowState.CONNECTOR_CHOSEN)
    assert r.loop.runner.wait_idle(5)
    r.until(lambda _s: True)
    with r.service.db.unit_of_work(write=False) as uow:
        sessions = uow.sessions.list(connector_id="1", limit=1)
        payment = uow.payments.get_by_session(sessions[0].id)
    assert payment is not None
    assert payment.state is PaymentState.VOIDED
    assert r.terminal.psp.totals()["open_holds"] == 0


def test_a_terminal_timeout_is_a_typed_decline(running: Running) -> None:
    r = running
    r.terminal.wait_s = 0.2
    _choose_card(r)
    r.until(lambda s: s.view("1").state is FlowState.DECLINED)
    assert r.on_loop(lambda s: s.view("1").decline) is DeclineCode.TIMEOUT


def test_a_fault_while_authorizing_aborts_and_voids(running: Running) -> None:
    r = running
    r.terminal.approve_despite_abort = True
    _choose_card(r)
    assert r.terminal.waiting.wait(5)
    r.on_loop(lambda _s: r.charger.inject_fault("1", "residual current detected"))
    r.until(lambda s: s.view("1").state is FlowState.FAULTED)
    assert r.terminal.aborts == 1
    assert r.loop.runner.wait_idle(5)
    r.until(lambda _s: True)
    assert r.terminal.psp.totals()["open_holds"] == 0


def test_a_terminal_that_answers_nothing_is_cancelled_then_left(
    running: Running, expect_warnings: ExpectedWarnings
) -> None:
    from dataclasses import replace

    from kiosk.config import Timeouts

    expect_warnings("no payment answer in time", "answered neither")
    r = running
    r.terminal.ignore_abort = True
    r.on_loop(
        lambda s: setattr(
            s, "settings", replace(s.settings, timeouts=Timeouts(authorizing_s=60, cancel_s=30))
        )
    )
    _choose_card(r)
    assert r.terminal.waiting.wait(5)
    r.on_loop(lambda _s: r.clock.advance(61))  # past authorizing_s: the terminal is asked
    r.until(lambda _s: r.terminal.aborts == 1)
    assert r.on_loop(lambda s: s.view("1").cancelling) is True
    r.on_loop(lambda _s: r.clock.advance(31))  # nor does it answer that: back to the price
    r.until(lambda s: s.view("1").state is FlowState.CONNECTOR_CHOSEN)
    r.terminal.present("visa-ok")  # the answer comes after all: its hold is released
    assert r.loop.runner.wait_idle(5)
    r.until(lambda _s: r.terminal.psp.totals()["holds"] == 1)
    r.until(lambda _s: r.terminal.psp.totals()["open_holds"] == 0)
