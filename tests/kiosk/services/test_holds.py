"""Holds: a connector's own amount, a hold raised as the cost nears it where the
provider can, a stop before it where it cannot, and a card hold's expiry in time."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import msgspec

from kiosk.charger.vehicles import PERFORMANCE_800V
from kiosk.config import Holds
from kiosk.domain.payment import DeclineCode, OperationKind, PaymentState
from kiosk.domain.session import SessionState, StopReason
from kiosk.ledger_check import check_ledger
from kiosk.ports import ProviderResult
from kiosk.station import FlowState
from tests.conftest import ExpectedWarnings
from tests.kiosk.services.test_station_service import Station, _pay_card, _payment

DC = "3"


def _with(st: Station, holds: Holds, *, connector: Holds | None = None) -> Station:
    connectors = tuple(
        msgspec.structs.replace(c, holds=connector) if c.id == DC else c
        for c in st.settings.connectors
    )
    st.settings = replace(st.settings, holds=holds, connectors=connectors)
    return st.restart()


def _charge_dc(st: Station, minutes: int) -> None:
    st.charger.arrive(DC, PERFORMANCE_800V, 10, 95)
    st.run(60)
    assert st.state(DC) is FlowState.CHARGING
    st.run(minutes * 60)


def test_a_connector_reserves_its_own_amount(station: Station) -> None:
    st = _with(station, Holds(), connector=Holds(bank_card=Decimal("80.00")))
    assert _pay_card(st, DC)
    assert _pay_card(st, "1")
    _session, dc = _payment(st, DC)
    _session, ac = _payment(st, "1")
    assert dc.authorized == Decimal("80.00")
    assert ac.authorized == Decimal("50.00")


def test_the_hold_is_raised_as_the_cost_nears_it(station: Station) -> None:
    st = _with(station, Holds(bank_card=Decimal("10.00"), increment=Decimal("20.00")))
    assert _pay_card(st, DC)
    _charge_dc(st, 20)  # DC at up to 150 kW: well past EUR 10
    session, payment = _payment(st, DC)
    increments = [o for o in payment.operations if o.kind is OperationKind.INCREMENT]
    assert increments
    assert payment.authorized == Decimal("10.00") + sum(o.amount for o in increments)
    assert st.state(DC) is FlowState.CHARGING  # still charging past the first hold
    assert session.state.is_running
    st.service.stop(DC, StopReason.DRIVER_SCREEN)
    st.charger.depart(DC)
    st.run(60)
    session, payment = _payment(st, DC)
    assert payment.state is PaymentState.CAPTURED
    assert session.totals is not None
    assert payment.captured == session.totals.cost_incl_vat > Decimal("10.00")
    assert check_ledger(st.db).ok


def test_the_hold_never_grows_past_its_maximum(station: Station) -> None:
    holds = Holds(bank_card=Decimal("10.00"), increment=Decimal("20.00"), max_hold=Decimal("25"))
    st = _with(station, holds)
    assert _pay_card(st, DC)
    _charge_dc(st, 40)
    _session, payment = _payment(st, DC)
    assert payment.authorized == Decimal("25.00")
    assert st.service.view(DC).state is FlowState.FINISHING  # stopped before the 25
    assert _payment(st, DC)[0].stop_reason is StopReason.HOLD_EXHAUSTED


def test_a_provider_that_cannot_raise_it_is_asked_once_then_the_session_stops(
    station: Station,
) -> None:
    st = _with(station, Holds(bank_card=Decimal("10.00"), increment=Decimal("20.00")))
    psp = st.service.providers[next(m for m in st.service.providers if m.value == "bank_card")]
    asked: list[str] = []

    def refuse(**kw: object) -> ProviderResult:
        asked.append(str(kw["idempotency_key"]))
        return ProviderResult(False, str(kw["provider_ref"]), "no", code=DeclineCode.DECLINED)

    psp.increment = refuse  # type: ignore[method-assign]
    assert _pay_card(st, DC)
    _charge_dc(st, 20)
    session, payment = _payment(st, DC)
    assert len(asked) == 1
    assert payment.authorized == Decimal("10.00")
    assert session.stop_reason is StopReason.HOLD_EXHAUSTED
    assert session.state is SessionState.FINISHING


def test_a_card_hold_that_would_lapse_stops_the_session_in_time(
    station: Station, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("pre-authorisation lapses")
    st = _with(station, Holds(card_hold_valid_h=1, card_hold_alarm_min=30))
    assert _pay_card(st, "1")
    st.charger.arrive("1", PERFORMANCE_800V, 10, 100)
    st.run(60)
    st.run(35 * 60)  # the alarm (30 min before the hour), still charging
    assert st.state("1") is FlowState.CHARGING
    _session, payment = _payment(st, "1")
    with st.db.unit_of_work(write=False) as uow:
        alarm = uow.outbox.get_by_key(f"{payment.id}:hold_expiring")
    assert alarm is not None
    st.run(20 * 60)  # 10 minutes before the hour: stopped, to be captured in time
    session, _ = _payment(st, "1")
    assert session.stop_reason is StopReason.HOLD_EXHAUSTED
