"""The station with the real ZVT driver on the simulator: a link that drops after the
terminal approved still ends in a known hold (looked up), and never in one left open."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.charger.clock import SimulatedClock
from kiosk.config import demo_settings
from kiosk.domain.payment import PaymentMethod, PaymentState
from kiosk.services.station_service import TERMINAL_PROBE_S, StationService
from kiosk.sim.psp import SimulatedAccounts, SimulatedPsp
from kiosk.sim.zvt_terminal import Command, DropAt, Outcome, ZvtSimulator
from kiosk.station import FlowState
from kiosk.station_keys import StationKeys
from kiosk.store import open_database
from payment_drivers.zvt import ZvtTerminal
from tests.conftest import ExpectedWarnings
from tests.kiosk.services.test_station_service import START, _charger
from tests.payment_drivers.zvt.conftest import ACK_S, CARD_S


@pytest.fixture
def station(tmp_path: Path, sim: ZvtSimulator) -> Iterator[StationService]:
    settings = demo_settings(tmp_path / "kiosk.sqlite")
    accounts = SimulatedPsp(None, "account_token")
    terminal = ZvtTerminal(
        "127.0.0.1",
        sim.port,
        journal=tmp_path / "zvt.sqlite",
        connect_timeout_s=ACK_S,
        ack_timeout_s=ACK_S,
        card_timeout_s=CARD_S,
    )
    db = open_database(settings.database)
    service = StationService(
        settings=settings,
        charger=_charger(settings, START),
        clock=SimulatedClock(START),
        providers={PaymentMethod.BANK_CARD: terminal, PaymentMethod.ACCOUNT_TOKEN: accounts},
        tokens=SimulatedAccounts(),
        db=db,
        keys=StationKeys.from_secret(b"a station secret of 32 bytes ..."),
    )
    try:
        yield service
    finally:
        terminal.close()
        db.close()
        accounts.close()


def _payment(service: StationService) -> PaymentState:
    with service.db.unit_of_work(write=False) as uow:
        s = uow.sessions.list(connector_id="1", limit=1)[0]
        p = uow.payments.get_by_session(s.id)
    assert p is not None
    return p.state


def test_a_card_terminal_is_asked_when_the_driver_picks_it(
    station: StationService, sim: ZvtSimulator
) -> None:
    station.select("1")
    station.choose_payment("1", PaymentMethod.BANK_CARD)  # inline here: answered at once
    assert station.view("1").state is FlowState.WAITING_FOR_PLUG
    assert _payment(station) is PaymentState.AUTHORIZED
    assert len(sim.open_receipts()) == 1
    station.back("1")  # cancelled before plugging in: reversed at the terminal
    assert sim.open_receipts() == []


def test_a_link_dropped_after_the_approval_is_looked_up(
    station: StationService, sim: ZvtSimulator, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("could not answer", "ZVT")
    sim.script(Outcome.DROP, step=DropAt.BEFORE_COMPLETION)
    station.select("1")
    station.choose_payment("1", PaymentMethod.BANK_CARD)
    # the terminal approved and the status was acknowledged: the hold stands, and the
    # kiosk knows it (it asked the terminal), so the driver can charge
    assert station.view("1").state is FlowState.WAITING_FOR_PLUG
    assert _payment(station) is PaymentState.AUTHORIZED
    station.back("1")
    assert sim.open_receipts() == []


def test_a_link_dropped_before_the_approval_leaves_no_hold(
    station: StationService, sim: ZvtSimulator, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("could not answer", "ZVT", "card terminal does not answer")
    sim.script(Outcome.DROP, step=DropAt.AFTER_STATUS)  # the terminal reverses it itself
    station.select("1")
    station.choose_payment("1", PaymentMethod.BANK_CARD)
    assert station.view("1").state is FlowState.DECLINED
    assert sim.open_receipts() == []
    # until it answers again, bank cards are not offered
    assert station.devices["terminal"] == "missing"
    assert not station.method_available(PaymentMethod.BANK_CARD)
    # asked again after TERMINAL_PROBE_S: it answers, bank cards come back
    clock = station.clock
    assert isinstance(clock, SimulatedClock)
    clock.advance(TERMINAL_PROBE_S + 1)
    station.tick()
    assert station.devices["terminal"] == "ok"
    assert station.method_available(PaymentMethod.BANK_CARD)


def test_the_day_is_closed_once_a_day_at_its_time(
    station: StationService, sim: ZvtSimulator
) -> None:
    def closings() -> int:
        return sum(1 for c in sim.commands if c == Command.END_OF_DAY.value)

    station.tick()  # 10:00 in Berlin, past the default 03:00: today's end-of-day now
    assert closings() == 1
    station.tick()
    assert closings() == 1  # once a day
    clock = station.clock
    assert isinstance(clock, SimulatedClock)
    clock.advance(15 * 3600)  # 01:00 the next day: not yet
    station.tick()
    assert closings() == 1
    clock.advance(2 * 3600 + 60)  # 03:01
    station.tick()
    assert closings() == 2
    with station.db.unit_of_work(write=False) as uow:
        assert uow.station_state.get("terminal:end_of_day") == "2026-03-03"
        assert uow.outbox.get_by_key("end_of_day:2026-03-03:2026-03-03T02:01:00+00:00")


def test_a_failed_end_of_day_is_tried_again_in_half_an_hour(
    station: StationService, sim: ZvtSimulator, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("end-of-day", "ZVT")
    sim.script(Outcome.BUSY, command=Command.END_OF_DAY)
    station.tick()
    with station.db.unit_of_work(write=False) as uow:
        assert uow.station_state.get("terminal:end_of_day") is None
    clock = station.clock
    assert isinstance(clock, SimulatedClock)
    clock.advance(29 * 60)
    station.tick()
    assert sum(1 for c in sim.commands if c == Command.END_OF_DAY.value) == 1
    clock.advance(2 * 60)
    station.tick()
    assert sum(1 for c in sim.commands if c == Command.END_OF_DAY.value) == 2
    with station.db.unit_of_work(write=False) as uow:
        assert uow.station_state.get("terminal:end_of_day") == "2026-03-02"


def test_a_terminal_that_is_off_at_the_start_shows_before_anyone_picks_it(
    tmp_path: Path, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("card terminal does not answer", "ZVT")
    settings = demo_settings(tmp_path / "kiosk.sqlite")
    terminal = ZvtTerminal("127.0.0.1", 1, connect_timeout_s=ACK_S, ack_timeout_s=ACK_S)
    db = open_database(settings.database)
    try:
        service = StationService(
            settings=settings,
            charger=_charger(settings, START),
            clock=SimulatedClock(START),
            providers={PaymentMethod.BANK_CARD: terminal},
            tokens=SimulatedAccounts(),
            db=db,
            keys=StationKeys.from_secret(b"a station secret of 32 bytes ..."),
        )
        assert service.method_available(PaymentMethod.BANK_CARD)  # not asked yet
        service.tick()  # the first tick asks it
        assert service.devices["terminal"] == "missing"
        assert not service.method_available(PaymentMethod.BANK_CARD)
    finally:
        terminal.close()
        db.close()
