"""The station's use cases on simulated hardware and the real SQLite ledger."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from kiosk.charger.clock import SimulatedClock
from kiosk.charger.simulator import ConnectorSpec, SimulatedCharger
from kiosk.charger.vehicles import MIDSIZE_400V, PERFORMANCE_800V
from kiosk.config import Holds, Settings, demo_settings
from kiosk.domain.errors import UserFacingError
from kiosk.domain.payment import OperationKind, OperationState, PaymentMethod, PaymentState
from kiosk.domain.receipt_number import receipt_id_for
from kiosk.domain.session import SessionState, StopReason
from kiosk.ledger_check import check_ledger
from kiosk.receipts import StationInfo, build_receipt
from kiosk.services.station_service import CodeOutcome, StationService
from kiosk.sim.psp import SimulatedAccounts, SimulatedPsp
from kiosk.station import FlowState
from kiosk.station_keys import StationKeys
from kiosk.store import Database, open_database
from tests.conftest import ExpectedWarnings

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Berlin
MEMBER = "04A1B2C3D4"


@dataclass
class Station:
    settings: Settings
    clock: SimulatedClock
    charger: SimulatedCharger
    psps: dict[PaymentMethod, SimulatedPsp]
    db: Database
    service: StationService
    keys: StationKeys

    def run(self, seconds: int, step: int = 30) -> None:
        for _ in range(seconds // step):
            self.clock.advance(step)
            self.service.tick()

    def state(self, cid: str = "1") -> FlowState:
        return self.service.connectors[cid].flow.state

    def restart(self) -> Station:
        """A new process over the same files: what a power cut leaves behind."""
        self.db.close()
        db = open_database(self.settings.database)
        charger = _charger(self.settings, self.clock.now())
        service = StationService(
            settings=self.settings,
            charger=charger,
            clock=self.clock,
            providers=self.psps,
            tokens=SimulatedAccounts(),
            db=db,
            keys=self.keys,
        )
        return Station(self.settings, self.clock, charger, self.psps, db, service, self.keys)


def _charger(settings: Settings, start: datetime) -> SimulatedCharger:
    specs = []
    for c in settings.connectors:
        if c.power_type == "DC":
            specs.append(ConnectorSpec.dc(c.id, max_power_kw=c.max_power_kw, label=c.label))
        else:
            specs.append(ConnectorSpec.ac(c.id, max_power_kw=c.max_power_kw, label=c.label))
    return SimulatedCharger(
        specs, start=start, rng=random.Random(7), step_s=10, meter_interval_s=30
    )


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Station]:
    settings = demo_settings(tmp_path / "kiosk.sqlite")
    clock = SimulatedClock(START)
    psps = {m: SimulatedPsp(tmp_path / f"psp-{m.value}.sqlite", m.value) for m in PaymentMethod}
    db = open_database(settings.database)
    charger = _charger(settings, START)
    keys = StationKeys.from_secret(b"a station secret of 32 bytes ...")
    service = StationService(
        settings=settings,
        charger=charger,
        clock=clock,
        providers=psps,
        tokens=SimulatedAccounts(),
        db=db,
        keys=keys,
    )
    st = Station(settings, clock, charger, psps, db, service, keys)
    yield st
    st.db.close()
    for psp in psps.values():
        psp.close()


def _pay_card(st: Station, cid: str = "1", card: str = "visa-ok") -> bool:
    st.service.select(cid)
    st.service.choose_payment(cid, PaymentMethod.BANK_CARD)
    st.psps[PaymentMethod.BANK_CARD].next_card = card
    return st.service.pay_by_card(cid) is True  # in-process: answered at once


def _payment(st: Station, cid: str = "1"):  # type: ignore[no-untyped-def]
    with st.db.unit_of_work(write=False) as uow:
        sessions = uow.sessions.list(connector_id=cid, limit=1)
        return sessions[0], uow.payments.get_by_session(sessions[0].id)


def test_card_session_end_to_end(station: Station) -> None:
    st = station
    assert _pay_card(st)
    assert st.state() is FlowState.WAITING_FOR_PLUG
    st.charger.arrive("1", MIDSIZE_400V, 20, 80)
    st.run(60)
    assert st.state() is FlowState.CHARGING
    st.run(30 * 60)
    view = st.service.view("1")
    assert view.power_kw > 10
    assert view.cost is not None
    assert view.cost.incl_vat is not None
    assert view.cost.incl_vat > 0
    running = view.cost.incl_vat
    st.service.stop("1", StopReason.DRIVER_SCREEN)
    assert st.state() is FlowState.FINISHING
    st.charger.depart("1")
    st.run(60)
    assert st.state() is FlowState.RECEIPT
    session, payment = _payment(st)
    assert session.state is SessionState.COMPLETED
    assert session.totals is not None
    assert payment.state is PaymentState.CAPTURED
    assert payment.captured == session.totals.cost_incl_vat >= running
    assert payment.masked_ref == "VISA •••• 4242"
    assert check_ledger(st.db).ok
    st.run(st.settings.timeouts.receipt_s + 30)
    assert st.state() is FlowState.IDLE


def test_the_running_cost_is_what_is_captured(station: Station) -> None:
    st = station
    _pay_card(st)
    st.charger.arrive("1", MIDSIZE_400V, 20, 80)
    st.run(40 * 60)
    st.service.stop("1", StopReason.DRIVER_SCREEN)
    st.run(5 * 60)  # parked, within the idle fee's grace: the price no longer moves
    shown = st.service.view("1").cost
    st.charger.depart("1")
    st.run(30)
    session, payment = _payment(st)
    assert st.state() is FlowState.RECEIPT
    assert shown is not None
    assert session.totals is not None
    assert payment.captured == session.totals.cost_incl_vat == shown.incl_vat


def test_rfid_card_tap_starts_and_the_same_tap_stops(station: Station) -> None:
    st = station
    st.service.select("2")
    st.service.choose_payment("2", PaymentMethod.ACCOUNT_TOKEN)
    assert st.service.present_token(MEMBER) == "authorized:2"
    st.charger.arrive("2", MIDSIZE_400V, 30, 90)
    st.run(20 * 60)
    assert st.state("2") is FlowState.CHARGING
    assert st.service.present_token(MEMBER) == "stopped:2"
    st.charger.depart("2")
    st.run(60)
    session, payment = _payment(st, "2")
    assert session.stop_reason is StopReason.CARD_TAP
    assert session.customer_group == "member"
    assert payment.masked_ref == "RFID ••••C3D4"
    assert payment.state is PaymentState.CAPTURED


def test_stop_code_and_unknown_code(station: Station) -> None:
    st = station
    _pay_card(st)
    st.charger.arrive("1", MIDSIZE_400V, 20, 80)
    st.run(10 * 60)
    code = st.service.view("1").stop_code
    assert code is not None
    wrong = st.service.stop_by_code("000000" if code != "000000" else "111111")
    assert (wrong.outcome, wrong.tries_left) == (CodeOutcome.WRONG, 2)
    answer = st.service.stop_by_code(code)
    assert (answer.outcome, answer.connector_id) == (CodeOutcome.STOPPED, "1")
    assert answer.cost is not None
    assert answer.cost == st.service.view("1").cost  # the confirmation shows this
    assert st.state() is FlowState.FINISHING


def test_decline_offers_a_way_back(station: Station) -> None:
    st = station
    assert not _pay_card(st, card="mc-funds")
    assert st.state() is FlowState.DECLINED
    assert st.service.view("1").message == "insufficient funds"
    session, payment = _payment(st)
    assert session.state is SessionState.ABORTED
    assert session.stop_reason is StopReason.DECLINED
    assert payment.state is PaymentState.DECLINED
    st.service.back("1")
    assert st.state() is FlowState.CONNECTOR_CHOSEN
    st.run(st.settings.timeouts.inactivity_s + 30)
    assert st.state() is FlowState.IDLE


def test_plug_in_timeout_voids_the_hold(station: Station) -> None:
    st = station
    _pay_card(st)
    st.run(st.settings.timeouts.plug_in_s + 30)
    assert st.state() is FlowState.IDLE
    session, payment = _payment(st)
    assert session.stop_reason is StopReason.PLUG_TIMEOUT
    assert payment.state is PaymentState.VOIDED
    assert st.psps[PaymentMethod.BANK_CARD].totals()["open_holds"] == 0


def test_charging_stops_before_the_hold_runs_out(station: Station) -> None:
    st = station
    st.service.settings = replace(st.settings, holds=Holds(bank_card=Decimal(20)))
    _pay_card(st, cid="3")  # DC, a 20 EUR hold: about 30 kWh
    st.charger.arrive("3", PERFORMANCE_800V, 5, 100)
    st.run(3 * 3600)
    session, payment = _payment(st, "3")
    assert session.stop_reason is StopReason.HOLD_EXHAUSTED
    st.charger.depart("3")
    st.run(60)
    session, payment = _payment(st, "3")
    assert session.totals is not None
    assert session.totals.cost_incl_vat <= payment.authorized
    assert payment.captured == session.totals.cost_incl_vat


def test_fault_mid_session_stops_and_settles(station: Station) -> None:
    st = station
    _pay_card(st)
    st.charger.arrive("1", MIDSIZE_400V, 20, 80)
    st.run(15 * 60)
    st.charger.inject_fault("1", "RCD tripped")
    st.run(60)
    assert st.state() is FlowState.FINISHING
    st.charger.depart("1")
    st.run(60)
    assert st.state() is FlowState.RECEIPT
    st.service.receipt_done("1")
    assert st.state() is FlowState.FAULTED  # not offered to the next driver
    st.charger.clear_fault("1")
    st.run(60)
    assert st.state() is FlowState.IDLE
    session, payment = _payment(st)
    assert session.stop_reason is StopReason.FAULT
    assert payment.state is PaymentState.CAPTURED


def test_busy_connector_refuses_a_second_driver(station: Station) -> None:
    _pay_card(station)
    with pytest.raises(UserFacingError, match="busy"):
        station.service.select("1")


def test_several_connectors_charge_at_once(station: Station) -> None:
    st = station
    for cid in ("1", "2", "3"):
        _pay_card(st, cid)
        st.charger.arrive(cid, MIDSIZE_400V, 20, 60, depart_after_full_s=300)
    st.run(4 * 3600)
    assert all(st.state(c) is FlowState.IDLE for c in ("1", "2", "3"))
    result = check_ledger(st.db)
    assert result.ok, result.problems
    assert result.counts["payments_captured"] == 3


def test_power_cut_while_charging_is_recovered(
    station: Station, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("recovered")
    st = station
    _pay_card(st)
    st.charger.arrive("1", MIDSIZE_400V, 20, 80)
    st.run(25 * 60)
    before, _ = _payment(st)
    assert before.state is SessionState.CHARGING
    st.clock.advance(3600)  # the kiosk is dark for an hour
    st2 = st.restart()
    counts = st2.service.recover()
    assert counts == {"sessions": 1, "payments": 1}
    session, payment = _payment(st2)
    assert session.state is SessionState.COMPLETED
    assert session.stop_reason is StopReason.RECOVERED
    assert session.ended_at == before.last_sample_at  # the dark hour is not billed
    assert session.totals is not None
    assert payment.captured == session.totals.cost_incl_vat > 0
    assert check_ledger(st2.db).ok
    assert st2.service.recover() == {"sessions": 0, "payments": 0}  # nothing twice
    st2.db.close()


def test_crash_after_the_provider_captured_is_not_captured_twice(
    station: Station, expect_warnings: ExpectedWarnings, monkeypatch: pytest.MonkeyPatch
) -> None:
    expect_warnings("recovered")
    st = station
    _pay_card(st)
    st.charger.arrive("1", MIDSIZE_400V, 20, 80)
    st.run(10 * 60)
    # Simulate a crash between the provider's capture and the ledger's record of it:
    svc = st.service
    c = svc.connectors["1"]
    original = svc._complete

    def crash(*_: object) -> None:
        raise SystemExit("power cut")

    monkeypatch.setattr(svc, "_complete", crash)
    st.charger.depart("1")
    with pytest.raises(SystemExit):
        st.run(60)
    monkeypatch.setattr(svc, "_complete", original)
    assert c.payment is not None
    op = c.payment.pending_operation()
    assert op is not None
    assert op.kind is OperationKind.CAPTURE
    psp = st.psps[PaymentMethod.BANK_CARD]
    assert c.payment.provider_ref is not None
    psp.capture(
        idempotency_key=op.idempotency_key,
        provider_ref=c.payment.provider_ref,
        amount=op.amount,
        currency="EUR",
    )
    st2 = st.restart()
    st2.service.recover()
    _, payment = _payment(st2)
    assert payment.state is PaymentState.CAPTURED
    captures = [o for o in payment.operations if o.kind is OperationKind.CAPTURE]
    assert [o.state for o in captures] == [OperationState.SUCCEEDED]
    assert psp.totals()["captured"] == payment.captured
    assert check_ledger(st2.db).ok
    st2.db.close()


def test_out_of_service_survives_a_restart(station: Station) -> None:
    st = station
    st.service.set_out_of_service("2", True, actor="attendant:anna")
    assert st.state("2") is FlowState.OUT_OF_SERVICE
    st2 = st.restart()
    assert st2.state("2") is FlowState.OUT_OF_SERVICE
    st2.service.set_out_of_service("2", False, actor="attendant:anna")
    assert st2.state("2") is FlowState.IDLE
    with st2.db.unit_of_work(write=False) as uow:
        actions = [e.action for e in uow.audit.entries()]
    assert actions[-2:] == ["connector.out_of_service", "connector.in_service"]
    st2.db.close()


def test_outbox_holds_the_events_for_the_backend(station: Station) -> None:
    st = station
    _pay_card(st)
    st.charger.arrive("1", MIDSIZE_400V, 20, 30, depart_after_full_s=0)
    st.run(3600)
    with st.db.engine.connect() as conn:
        topics = [r[0] for r in conn.execute(text("SELECT topic FROM outbox ORDER BY id"))]
    assert topics == ["payment.authorized", "session.completed", "payment.captured"]
    with st.db.unit_of_work(write=False) as uow:
        due = uow.outbox.due(st.clock.now() + timedelta(days=1), limit=100)
    # one at a time per payment, in order: the backend never sees a capture first
    assert [m.topic for m in due] == ["payment.authorized", "session.completed"]
    # who sold the energy, for the e-receipt the backend serves
    seller = json.loads(due[1].payload)["session"]["seller"]
    info = st.settings.station
    assert (seller["operator"], seller["vat_id"]) == (info.operator, info.vat_id)
    assert seller["address_lines"] == [info.address, f"{info.postal_code} {info.city}"]
    assert seller["connector_label"] == st.settings.connector("1").label
    # the printed receipt's number is derived from what is sent, never sent itself (its
    # digits beside the date could read as a card number to the outbox's guard)
    session = json.loads(due[1].payload)["session"]
    parts = st.service.receipt_parts(session["id"])
    assert parts is not None
    printed = build_receipt(*parts, StationInfo.from_config(info, st.settings.connectors))
    ended = datetime.fromisoformat(session["ended_at"])
    assert receipt_id_for(session["id"], ended, session["tz"]) == printed.receipt_id
    assert "receipt_id" not in session


def test_every_payment_event_is_audited_without_card_numbers(station: Station) -> None:
    st = station
    _pay_card(st)
    st.charger.arrive("1", MIDSIZE_400V, 20, 30, depart_after_full_s=0)
    st.run(3600)
    with st.db.unit_of_work(write=False) as uow:
        entries = uow.audit.entries()
        assert uow.audit.verify() == []
    actions = [e.action for e in entries]
    assert "payment.authorize" in actions
    assert "payment.captured" in actions
    texts = " ".join(f"{e.subject} {e.detail}" for e in entries)
    assert "4242" not in texts.replace("•••• 4242", "")  # only ever the masked reference


def test_power_cut_before_the_first_meter_sample_bills_nothing(
    station: Station, expect_warnings: ExpectedWarnings, monkeypatch: pytest.MonkeyPatch
) -> None:
    expect_warnings("recovered")
    st = station
    monkeypatch.setattr(st.service, "_on_meter", lambda *_: None)  # no sample gets through
    _pay_card(st)
    st.charger.arrive("1", MIDSIZE_400V, 20, 80)
    st.run(60)
    before, _ = _payment(st)
    assert before.state is SessionState.CHARGING
    assert before.periods == []
    st2 = st.restart()
    assert st2.service.recover() == {"sessions": 1, "payments": 1}
    session, payment = _payment(st2)
    assert session.state is SessionState.FAILED
    assert session.stop_reason is StopReason.RECOVERED
    assert payment.state is PaymentState.VOIDED
    assert st.psps[PaymentMethod.BANK_CARD].totals()["open_holds"] == 0
    assert check_ledger(st2.db).ok
    with st2.db.engine.connect() as conn:
        topics = [r[0] for r in conn.execute(text("SELECT topic FROM outbox ORDER BY id"))]
    assert topics[-1] == "payment.voided"
    st2.db.close()


def test_db_check_accepts_an_interrupted_capture_until_recovery(
    station: Station, expect_warnings: ExpectedWarnings, monkeypatch: pytest.MonkeyPatch
) -> None:
    expect_warnings("recovered")
    st = station
    _pay_card(st)
    st.charger.arrive("1", MIDSIZE_400V, 20, 80)
    st.run(10 * 60)

    def crash(*_: object) -> None:
        raise SystemExit("power cut")

    monkeypatch.setattr(st.service, "_complete", crash)
    st.charger.depart("1")
    with pytest.raises(SystemExit):
        st.run(60)
    interrupted = check_ledger(st.db)
    assert interrupted.ok, interrupted.problems
    assert interrupted.counts["payments_in_flight"] == 1
    st2 = st.restart()
    st2.service.recover()  # the capture never reached the provider: sent again, same key
    result = check_ledger(st2.db)
    assert result.ok, result.problems
    assert result.counts["payments_in_flight"] == 0
    assert result.counts["payments_captured"] == 1
    st2.db.close()


class _Crash(BaseException):
    """The process dies while the provider has the request."""


def test_recovery_with_the_terminal_off_leaves_the_operation_for_the_next_start(
    station: Station, monkeypatch: pytest.MonkeyPatch, expect_warnings: ExpectedWarnings
) -> None:
    from kiosk.domain.errors import KnownError

    psp = station.psps[PaymentMethod.BANK_CARD]

    def crash(**_kw: object) -> None:
        raise _Crash

    monkeypatch.setattr(psp, "authorize", crash)
    station.service.select("1")
    station.service.choose_payment("1", PaymentMethod.BANK_CARD)
    with pytest.raises(_Crash):
        station.service.pay_by_card("1")
    monkeypatch.undo()

    def off(**_kw: object) -> None:
        raise KnownError("cannot connect to 10.0.0.5:20007: connection refused")

    monkeypatch.setattr(psp, "lookup", off)
    expect_warnings("cannot ask the provider", "recovered")
    st = station.restart()
    st.service.recover()  # no exception: the station opens with the terminal off
    _session, payment = _payment(st)
    assert payment is not None
    assert payment.state is PaymentState.AUTH_PENDING
    monkeypatch.undo()
    st2 = st.restart()
    st2.service.recover()
    _session, payment = _payment(st2)
    assert payment is not None
    assert payment.state.is_final
    st2.db.close()
