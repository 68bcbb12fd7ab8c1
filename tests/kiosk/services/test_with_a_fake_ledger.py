"""The services on the in-memory ledger (tests/fakes/ledger.py): the flow and the money
saga tested without a file, and what they commit checked table by table."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.charger.clock import SimulatedClock
from kiosk.charger.simulator import SimulatedCharger
from kiosk.charger.vehicles import MIDSIZE_400V
from kiosk.config import demo_settings
from kiosk.domain.payment import PaymentMethod, PaymentState
from kiosk.domain.session import SessionState, StopReason
from kiosk.services.ledger import Ledger
from kiosk.services.station_service import StationService
from kiosk.sim.psp import SimulatedAccounts, SimulatedPsp
from kiosk.station import FlowState
from kiosk.station_keys import StationKeys
from tests.fakes.ledger import FakeLedger
from tests.kiosk.services.test_station_service import START, _charger

Fake = tuple[StationService, FakeLedger, SimulatedClock, SimulatedCharger]


@pytest.fixture
def fake() -> Iterator[Fake]:
    from pathlib import Path

    settings = demo_settings(Path("/nonexistent/kiosk.sqlite"))
    clock = SimulatedClock(START)
    psps = {m: SimulatedPsp(None, m.value) for m in PaymentMethod}
    ledger = FakeLedger()
    charger = _charger(settings, START)
    service = StationService(
        settings=settings,
        charger=charger,
        clock=clock,
        providers=psps,
        tokens=SimulatedAccounts(),
        db=ledger,
        keys=StationKeys.from_secret(b"a station secret of 32 bytes ..."),
    )
    yield service, ledger, clock, charger
    for psp in psps.values():
        psp.close()


def _run(service: StationService, clock: SimulatedClock, seconds: int) -> None:
    for _ in range(seconds // 30):
        clock.advance(30)
        service.tick()


def test_the_fake_is_a_ledger() -> None:
    ledger: Ledger = FakeLedger()  # checked by mypy against the Protocol
    with ledger.unit_of_work() as uow:
        uow.station_state.set("k", "v")
    with ledger.unit_of_work(write=False) as uow:
        assert uow.station_state.get("k") is None  # not committed: not kept


def test_a_card_session_on_the_fake_ledger(fake: Fake) -> None:
    service, ledger, clock, charger = fake
    service.select("1")
    service.choose_payment("1", PaymentMethod.BANK_CARD)
    assert service.pay_by_card("1") is True
    charger.arrive("1", MIDSIZE_400V, 20, 80)
    _run(service, clock, 20 * 60)
    assert service.view("1").state is FlowState.CHARGING
    service.stop("1", StopReason.DRIVER_SCREEN)
    charger.depart("1")
    _run(service, clock, 60)
    assert service.view("1").state is FlowState.RECEIPT
    (session,) = ledger.committed.sessions.values()
    (payment,) = ledger.committed.payments.values()
    assert session.state is SessionState.COMPLETED
    assert session.totals is not None
    assert payment.state is PaymentState.CAPTURED
    assert payment.captured == session.totals.cost_incl_vat > 0
    topics = [topic for _id, topic, _agg, _payload in ledger.committed.outbox.values()]
    assert topics == ["payment.authorized", "session.completed", "payment.captured"]
    actions = [action for _actor, action, _subject, _detail in ledger.committed.audit]
    assert actions[0] == "payment.authorize"
    assert "session.completed" in actions
    assert actions[-1] == "payment.captured"


def test_a_declined_card_commits_the_decline_and_no_session_runs(fake: Fake) -> None:
    service, ledger, _clock, _charger = fake
    service.select("1")
    service.choose_payment("1", PaymentMethod.BANK_CARD)
    service.providers[PaymentMethod.BANK_CARD].next_card = "mc-funds"  # type: ignore[attr-defined]
    assert service.pay_by_card("1") is False
    (session,) = ledger.committed.sessions.values()
    (payment,) = ledger.committed.payments.values()
    assert session.state is SessionState.ABORTED
    assert payment.state is PaymentState.DECLINED
    assert ledger.committed.outbox == {}  # nothing to tell the backend of a decline
