"""Items of issue 10 in the core: the car's state and the idle fee, receipts again,
stop codes that answer (and pause), and stops that are the station's doing."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from kiosk.charger.vehicles import MIDSIZE_400V, PERFORMANCE_800V
from kiosk.domain.errors import BugError
from kiosk.domain.payment import PaymentMethod
from kiosk.domain.pricing import LineKind
from kiosk.domain.session import SessionState, StopReason
from kiosk.services.station_service import RECEIPT_ON_CARD_S, CodeOutcome
from kiosk.station import FlowState
from tests.conftest import ExpectedWarnings
from tests.kiosk.services.test_station_service import MEMBER, Station, _pay_card, _payment

GRACE_S = 15 * 60  # demo tariffs: x_kiosk idle_fee grace_minutes


def _full_car(st: Station, cid: str = "1") -> None:
    """A car that reaches its target soon: 78 % -> 80 % on AC."""
    st.charger.arrive(cid, MIDSIZE_400V, 78, 80)
    st.run(60)
    assert st.state(cid) is FlowState.CHARGING


def _idle_lines(st: Station, cid: str = "1") -> list[Decimal]:
    session, _ = _payment(st, cid)
    return [
        line.cost.incl_vat
        for line in session.final_breakdown().lines
        if line.kind is LineKind.IDLE_FEE
    ]


def test_a_full_car_shows_and_starts_the_idle_fee_at_once(station: Station) -> None:
    st = station
    _pay_card(st)
    _full_car(st)
    for _ in range(120):  # until the car is full
        st.run(30)
        if st.service.view("1").idle_since is not None:
            break
    view = st.service.view("1")
    assert view.session_state is SessionState.SUSPENDED_EV
    assert view.state is FlowState.CHARGING  # still plugged in, the session runs
    assert view.car_detail == "full"
    assert view.idle_since is not None
    assert view.idle_since <= st.clock.now()
    assert view.power_kw == 0
    since = view.idle_since
    st.run(GRACE_S + 10 * 60)  # the car sits there, full
    assert st.service.view("1").idle_since == since  # the clock did not move on
    st.charger.depart("1")
    st.run(30)
    session, _ = _payment(st)
    assert session.stop_reason is StopReason.UNPLUGGED
    idle = _idle_lines(st)
    assert len(idle) == 1
    assert idle[0] > 0  # billed: the screen told the driver from the moment it was full
    assert session.totals is not None
    billed = session.final_breakdown().idle_s
    # what is billed is the time after the grace that began when the car was full
    assert abs(billed - ((session.ended_at - since).total_seconds() - GRACE_S)) <= 60


def test_resumed_charging_cancels_the_countdown(station: Station) -> None:
    st = station
    _pay_card(st)
    st.charger.arrive("1", MIDSIZE_400V, 30, 80)
    st.run(5 * 60)
    st.charger.ev_pause("1")
    st.run(10 * 60)
    view = st.service.view("1")
    assert view.session_state is SessionState.SUSPENDED_EV
    assert view.car_detail == "paused"
    assert view.idle_since is not None
    st.charger.ev_resume("1")
    st.run(5 * 60)
    view = st.service.view("1")
    assert view.session_state is SessionState.CHARGING
    assert view.idle_since is None
    assert view.car_detail == ""
    st.service.stop("1", StopReason.DRIVER_SCREEN)
    stopped = st.service.view("1").idle_since
    assert stopped is not None
    assert st.clock.now() - stopped <= timedelta(seconds=60)  # a new grace, from the stop
    st.charger.depart("1")
    st.run(30)
    assert _idle_lines(st) == []  # 10 min paused, then unplugged soon after: all in grace


@pytest.mark.parametrize("stop", ["fault", "attendant"])
def test_no_idle_fee_when_the_station_stopped_the_session(
    station: Station, stop: str, expect_warnings: ExpectedWarnings
) -> None:
    st = station
    _pay_card(st)
    st.charger.arrive("1", MIDSIZE_400V, 30, 80)
    st.run(15 * 60)
    if stop == "fault":
        st.charger.inject_fault("1", "residual current detected")
        st.run(30)
    else:
        st.service.stop("1", StopReason.ATTENDANT)
    view = st.service.view("1")
    assert view.state is FlowState.FINISHING
    assert view.idle_fee_waived
    cost_at_stop = view.cost
    st.run(GRACE_S + 40 * 60)  # the car stays long after the grace
    assert st.service.view("1").cost == cost_at_stop  # nothing more runs up on screen
    st.charger.depart("1")
    st.run(30)
    session, payment = _payment(st)
    assert _idle_lines(st) == []
    assert session.idle_fee_waived
    assert session.totals is not None
    assert payment.captured == session.totals.cost_incl_vat
    assert cost_at_stop is not None
    assert cost_at_stop.incl_vat == session.totals.cost_incl_vat
    cdr = session.cdr(country_code="DE", party_id="KIO", location={})
    assert "idle fee waived" in cdr["remark"]
    assert not any(
        "idle_fee" in t.get("x_kiosk", {}) for t in cdr["tariffs"]
    )  # the CDR reprices to the same total
    with st.db.unit_of_work(write=False) as uow:
        completed = [e for e in uow.audit.entries() if e.action == "session.completed"]
        message = uow.outbox.get_by_key(f"{session.id}:completed")
    assert completed[-1].detail["idle_fee"] == "waived: stopped by the station"
    assert message is not None
    assert json.loads(message.payload)["idle_fee"] == "waived: stopped by the station"


def test_a_driver_stop_still_owes_the_idle_fee(station: Station) -> None:
    st = station
    _pay_card(st)
    st.charger.arrive("1", MIDSIZE_400V, 30, 80)
    st.run(15 * 60)
    st.service.stop("1", StopReason.DRIVER_SCREEN)
    assert not st.service.view("1").idle_fee_waived
    st.run(GRACE_S + 10 * 60)
    st.charger.depart("1")
    st.run(30)
    assert len(_idle_lines(st)) == 1


def test_the_receipt_stays_on_the_card_then_by_card_tap(station: Station) -> None:
    st = station
    st.service.select("2")
    st.service.choose_payment("2", PaymentMethod.ACCOUNT_TOKEN)
    assert st.service.present_token(MEMBER) == "authorized:2"
    st.charger.arrive("2", MIDSIZE_400V, 30, 90)
    st.run(10 * 60)
    assert st.service.present_token(MEMBER) == "stopped:2"
    assert st.service.present_token(MEMBER) == "finishing:2"  # unplug first
    st.charger.depart("2")
    st.run(30)
    session, _ = _payment(st, "2")
    assert st.state("2") is FlowState.RECEIPT
    assert st.service.present_token(MEMBER) == f"receipt:{session.id}"
    st.service.receipt_done("2")
    assert st.service.view("2").last_receipt_id == session.id  # one tap on the card
    st.run(RECEIPT_ON_CARD_S)
    assert st.service.view("2").last_receipt_id is None
    # still there by card: the same card tapped on the overview
    assert st.service.present_token(MEMBER) == f"receipt:{session.id}"
    assert st.service.receipt_by_token(MEMBER.lower()) == session.id
    assert st.service.receipt_by_token("04FFFFFFFF") is None
    parts = st.service.receipt_parts(session.id)
    assert parts is not None
    assert parts[0].id == session.id


def test_a_stop_code_is_for_its_own_connector_or_asks(station: Station) -> None:
    st = station
    _pay_card(st, "1")
    _pay_card(st, "2")
    st.charger.arrive("1", MIDSIZE_400V, 30, 80)
    st.charger.arrive("2", MIDSIZE_400V, 30, 80)
    st.run(5 * 60)
    code_2 = st.service.view("2").stop_code
    assert code_2 is not None
    asked = st.service.stop_by_code(code_2, "1")  # typed on connector 1's screen
    assert (asked.outcome, asked.connector_id) == (CodeOutcome.OTHER_CONNECTOR, "2")
    assert st.state("1") is FlowState.CHARGING
    assert st.state("2") is FlowState.CHARGING
    stopped = st.service.stop_by_code(code_2, "1", other_ok=True)  # the driver said yes
    assert (stopped.outcome, stopped.connector_id) == (CodeOutcome.STOPPED, "2")
    assert st.state("1") is FlowState.CHARGING
    assert st.state("2") is FlowState.FINISHING
    st.charger.depart("2")
    st.run(30)
    session, _ = _payment(st, "2")
    found = st.service.receipt_by_code(code_2)
    assert (found.outcome, found.session_id) == (CodeOutcome.RECEIPT, session.id)


def test_wrong_codes_pause_and_the_pause_stops_brute_force(
    station: Station, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("wrong codes in a row")
    st = station
    _pay_card(st)
    st.charger.arrive("1", MIDSIZE_400V, 30, 80)
    st.run(60)
    code = st.service.view("1").stop_code
    assert code is not None
    wrong = "000000" if code != "000000" else "111111"
    assert st.service.stop_by_code(wrong, "1").tries_left == 2
    assert st.service.receipt_by_code(wrong).tries_left == 1  # counted together
    locked = st.service.stop_by_code(wrong, "1")
    assert locked.outcome is CodeOutcome.LOCKED
    assert locked.locked_s == 60
    # during the pause even the right code does nothing
    assert st.service.stop_by_code(code, "1").outcome is CodeOutcome.LOCKED
    assert st.state() is FlowState.CHARGING
    st.run(60)
    for _ in range(3):
        answer = st.service.stop_by_code(wrong, "1")
    assert (answer.outcome, answer.locked_s) == (CodeOutcome.LOCKED, 120)  # it doubles
    st.run(120)
    assert st.service.stop_by_code(code, "1").outcome is CodeOutcome.STOPPED


def test_an_unknown_connector_is_a_bug_not_a_message(station: Station) -> None:
    with pytest.raises(BugError):
        station.service.pay_by_card("")


def test_a_card_tap_with_nothing_to_do_is_ignored(station: Station) -> None:
    assert station.service.present_token("04DEADBEEF") == "ignored"


def test_dc_car_at_its_target_soc(station: Station) -> None:
    st = station
    _pay_card(st, "3")
    st.charger.arrive("3", PERFORMANCE_800V, 70, 80)
    for _ in range(60):
        st.run(30)
        if st.service.view("3").idle_since is not None:
            break
    st.run(120)  # the charger's own report may follow the meter's first 0 kW
    view = st.service.view("3")
    assert view.session_state is SessionState.SUSPENDED_EV
    assert view.car_detail == "full"
    assert view.soc_percent is not None
    assert view.soc_percent >= 79
