"""What the sync brings in, as the station takes it: offline mode, tariff versions
(all or nothing, kept across a restart, never a running session's), remote commands,
and a capture the provider did not take, sent again until it does."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from unittest.mock import ANY

from kiosk.charger.vehicles import MIDSIZE_400V
from kiosk.domain.errors import KnownError
from kiosk.domain.payment import DeclineCode, PaymentMethod, PaymentState
from kiosk.domain.session import StopReason
from kiosk.ports import ProviderResult
from kiosk.services.backend_link import TARIFFS_KEY
from kiosk.station import FlowState
from tests.conftest import ExpectedWarnings
from tests.kiosk.services.test_station_service import Station, _pay_card, _payment


def _list(st: Station, cid: str, price: str) -> str:
    """The connector's tariff list with every energy price set to `price`."""
    tariffs = json.loads(st.settings.tariff_texts[cid])
    for t in tariffs if isinstance(tariffs, list) else [tariffs]:
        for el in t["elements"]:
            for pc in el["price_components"]:
                if pc["type"] == "ENERGY":
                    pc["price"] = float(price)
    return json.dumps(tariffs)


def _energy_price(st: Station, cid: str) -> Decimal:
    tariff = st.service.tariff_for(cid, PaymentMethod.BANK_CARD)
    return next(
        pc.price
        for el in tariff.elements
        for pc in el.price_components
        if pc.type.value == "ENERGY"
    )


def test_a_new_tariff_version_applies_to_new_sessions_and_is_kept(station: Station) -> None:
    st = station
    assert _pay_card(st)  # a session on the old tariff
    st.charger.arrive("1", MIDSIZE_400V, 20, 80)
    st.run(60)
    running, _ = _payment(st)
    st.service.tariffs_fetched(7, {"1": _list(st, "1", "0.99")})
    assert _energy_price(st, "1") == Decimal("0.99")
    assert st.service.backend["tariff_version"] == 7
    session, _ = _payment(st)
    assert session.id == running.id
    assert session.tariff_json == running.tariff_json  # the running session keeps its own
    restarted = st.restart()  # the version is kept in the ledger, not the file's
    assert _energy_price(restarted, "1") == Decimal("0.99")
    with restarted.db.unit_of_work(write=False) as uow:
        assert uow.station_state.get(TARIFFS_KEY)["version"] == 7


def test_a_version_with_one_bad_tariff_is_refused_whole(
    station: Station, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("refused, the last good one kept")
    st = station
    before = (_energy_price(st, "1"), _energy_price(st, "2"))
    bad = json.loads(_list(st, "2", "0.50"))
    bad[0]["elements"][0]["price_components"][0].pop("vat", None)  # a gross price needs VAT
    st.service.tariffs_fetched(8, {"1": _list(st, "1", "0.77"), "2": json.dumps(bad)})
    assert (_energy_price(st, "1"), _energy_price(st, "2")) == before  # nothing applied
    st.service.tariffs_fetched(9, {"1": "{not json"})
    st.service.tariffs_fetched(10, {"9": _list(st, "1", "0.10")})  # no such connector
    assert st.service.backend["tariff_version"] is None
    with st.db.unit_of_work(write=False) as uow:
        refused = [e for e in uow.audit.entries() if e.action == "tariff.refused"]
    assert len(refused) == 3


def test_offline_greys_out_only_a_qr_that_needs_the_backend(
    station: Station, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("backend unreachable")
    st = station
    st.service.backend_state(False, "heartbeat: refused")
    assert st.service.backend["online"] is False
    # the simulated QR is not the backend's: it stays; the card still works
    assert st.service.method_available(PaymentMethod.QR_WEB)
    assert st.service.method_available(PaymentMethod.BANK_CARD)
    st.service.backend_state(True, "")
    with st.db.unit_of_work(write=False) as uow:
        actions = [e.action for e in uow.audit.entries()]
    assert actions.count("backend.offline") == 1
    assert actions.count("backend.online") == 1


class _Command:
    def __init__(self, type_: str, connector: str, contract: str = "DE-KIO-C00001-7") -> None:
        self.id = f"cmd_{type_}"
        self.type = type_
        self.connector_id = connector
        self.contract_id = contract
        self.group = "member"


def test_remote_start_and_stop_by_an_account(station: Station) -> None:
    st = station
    answers: list[tuple[Any, ...]] = []
    st.service.command_results = lambda *a: answers.append(a)
    st.service.remote_command(_Command("start", "1"))
    assert answers[-1][1] == "accepted"
    assert st.state("1") is FlowState.WAITING_FOR_PLUG
    session, payment = _payment(st)
    assert answers[-1][3] == session.id  # the app names the session it started
    assert session.contract_id == "DE-KIO-C00001-7"
    assert payment.method is PaymentMethod.ACCOUNT_TOKEN
    st.charger.arrive("1", MIDSIZE_400V, 20, 80)
    st.run(120)
    st.service.remote_command(_Command("stop", "1", contract="someone-else"))
    assert answers[-1][1] == "rejected"
    st.service.remote_command(_Command("stop", "1"))
    assert answers[-1][1] == "accepted"
    session, _ = _payment(st)
    assert session.stop_reason is StopReason.REMOTE
    st.service.remote_command(_Command("start", "42"))
    assert answers[-1][1:3] == ("rejected", "no such connector")


def test_a_remote_stop_before_the_car_is_plugged_in_releases_the_hold(station: Station) -> None:
    st = station
    answers: list[tuple[Any, ...]] = []
    st.service.command_results = lambda *a: answers.append(a)
    st.service.remote_command(_Command("start", "1"))
    assert st.state("1") is FlowState.WAITING_FOR_PLUG
    st.service.remote_command(_Command("stop", "1"))
    assert answers[-1][1] == "accepted"
    assert st.state("1") is FlowState.IDLE
    session, payment = _payment(st)
    assert session.stop_reason is StopReason.REMOTE
    assert payment is not None
    assert payment.state is PaymentState.VOIDED  # nothing charged, the hold released


def test_a_remote_start_is_answered_with_the_holds_outcome(station: Station) -> None:
    st = station
    answers: list[tuple[Any, ...]] = []
    st.service.command_results = lambda *a: answers.append(a)
    accounts = st.psps[PaymentMethod.ACCOUNT_TOKEN]

    def refused(**_kw: Any) -> ProviderResult:
        return ProviderResult(False, error="over the limit", code=DeclineCode.INSUFFICIENT_FUNDS)

    accounts.authorize = refused  # type: ignore[method-assign]
    st.service.remote_command(_Command("start", "1"))
    assert answers == [
        ("cmd_start", "rejected", "the account hold was refused: insufficient_funds", ANY)
    ]
    assert st.state("1") is not FlowState.WAITING_FOR_PLUG


def test_a_capture_the_provider_did_not_take_is_sent_again(
    station: Station, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("did not reach the provider", "could not answer")
    st = station
    psp = st.psps[PaymentMethod.BANK_CARD]
    assert _pay_card(st)
    st.charger.arrive("1", MIDSIZE_400V, 20, 80)
    st.run(300)
    real_capture = psp.capture
    calls: list[str] = []

    def offline(**kw: Any) -> ProviderResult:
        calls.append(kw["idempotency_key"])
        return ProviderResult(False, error="unreachable", code=DeclineCode.UNAVAILABLE)

    psp.capture = offline  # type: ignore[method-assign]
    st.service.stop("1", StopReason.DRIVER_SCREEN)
    st.charger.depart("1")
    st.run(30, step=10)
    _, payment = _payment(st)
    assert payment is not None
    assert payment.state is PaymentState.CAPTURE_PENDING  # not given up
    psp.capture = real_capture  # type: ignore[method-assign]
    st.run(60, step=10)
    session, payment = _payment(st)
    assert payment is not None
    assert payment.state is PaymentState.CAPTURED
    assert session.totals is not None
    assert payment.captured == session.totals.cost_incl_vat
    assert len(set(calls)) == 1  # the same operation, under its one key


def test_a_capture_still_unconfirmed_at_a_restart_is_sent_again_without_another_restart(
    station: Station, expect_warnings: ExpectedWarnings
) -> None:
    """The backend is still away when the station restarts: recovery cannot ask what
    became of the capture, so it sends it again on the tick until the provider takes it."""
    expect_warnings(
        "did not reach the provider", "could not answer", "cannot be confirmed", "recovered"
    )
    st = station
    psp = st.psps[PaymentMethod.BANK_CARD]
    assert _pay_card(st)
    st.charger.arrive("1", MIDSIZE_400V, 20, 80)
    st.run(300)
    real_capture, real_lookup = psp.capture, psp.lookup
    calls: list[str] = []

    def offline(**kw: Any) -> ProviderResult:
        calls.append(kw["idempotency_key"])
        return ProviderResult(False, error="unreachable", code=DeclineCode.UNAVAILABLE)

    def cannot_say(**_kw: Any) -> ProviderResult | None:
        raise KnownError("the backend does not answer")

    psp.capture = offline  # type: ignore[method-assign]
    psp.lookup = cannot_say  # type: ignore[method-assign]
    st.service.stop("1", StopReason.DRIVER_SCREEN)
    st.charger.depart("1")
    st.run(10, step=10)
    restarted = st.restart()
    restarted.service.recover()
    _, payment = _payment(restarted)
    assert payment is not None
    assert payment.state is PaymentState.CAPTURE_PENDING
    restarted.run(60, step=10)  # still away: sent again, still pending
    assert payment.state is PaymentState.CAPTURE_PENDING
    psp.capture, psp.lookup = real_capture, real_lookup  # type: ignore[method-assign]
    restarted.run(60, step=10)
    session, payment = _payment(restarted)
    assert payment is not None
    assert payment.state is PaymentState.CAPTURED
    assert session.totals is not None
    assert payment.captured == session.totals.cost_incl_vat
    assert len(set(calls)) == 1  # one operation, under its one key, however often sent
    assert len(calls) >= 2
