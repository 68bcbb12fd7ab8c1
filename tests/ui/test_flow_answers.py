"""Issue 10's flows on the real screens: the car's state and the idle fee, a receipt
every driver can reach, and an answer to every tap (stop confirmations, stop codes
that answer in the pad, a code typed on another connector's page, stray events)."""

from __future__ import annotations

import logging

import pytest

from kiosk.charger.vehicles import MIDSIZE_400V
from kiosk.domain.pricing import LineKind
from kiosk.services.station_service import StationService
from tests.conftest import ExpectedWarnings
from tests.ui.conftest import KioskUi
from tests.ui.test_flow import MEMBER, _charging_by_card, _receipt_session, _to_terminal
from tests.ui.test_flow_texts import _tap, _to_wait_card


def _charging_by_member_card(ui: KioskUi, cid: str) -> None:
    _to_wait_card(ui, cid)
    _tap(ui, MEMBER)
    ui.on("plugIn")
    ui.bridge.devPlugIn(cid)
    ui.on("charging")


def _type(ui: KioskUi, code: str) -> None:
    for digit in code:
        ui.click(f"key_{digit}")
    ui.click("key_OK")


def test_a_full_car_is_on_its_screen_and_its_card(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    ui.on("overview")
    _charging_by_card_with(ui, "1", soc=(78, 80))  # a bank card, a nearly full car
    ui.advance(1800, steps=60)  # full after a few minutes
    ui.qtbot.waitUntil(lambda: ui.session().get("suspended") is True)
    assert ui.text("screenTitle") == "Your car has stopped charging"
    assert ui.text("screenSubtitle") == "Your car is full at point A."
    since = ui.job(lambda s: s.view("1").idle_since)
    assert since is not None
    idle_from = ui.session()["idleFrom"]
    assert ui.text("suspendedText") in (
        f"Idle fee from {idle_from} unless you unplug.",
        f"The idle fee is running since {idle_from}.",
    )
    ui.click("homeButton")
    ui.on("overview")
    card = ui.bridge.property("connectors")[0]
    assert card["suspended"] is True
    assert card["idleFrom"] == idle_from
    assert ui.item("idleWarning_1").isVisible()
    ui.click("lang_de")
    ui.click("connector_1")
    ui.on("charging")
    ui.qtbot.waitUntil(lambda: ui.text("screenTitle") == "Ihr Auto lädt nicht mehr")


def _charging_by_card_with(ui: KioskUi, cid: str, soc: tuple[int, int]) -> None:
    _to_terminal(ui, cid)
    ui.bridge.payByCard("visa-ok")
    ui.on("plugIn")

    def arrive(s: StationService) -> None:
        charger = s.charger
        charger.arrive(cid, MIDSIZE_400V, soc[0], soc[1])  # type: ignore[attr-defined]
        s.tick()

    ui.job(arrive)
    ui.advance(30)
    ui.on("charging")


def test_no_idle_fee_after_the_stations_own_fault(
    kiosk_ui: KioskUi, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("residual current")
    ui = kiosk_ui
    _charging_by_card(ui, "1")
    ui.advance(600, steps=10)
    ui.bridge.devFault("1")
    ui.on("finishing")
    assert ui.session()["idleWaived"] is True
    assert ui.text("noIdleFeeText").startswith("No idle fee: the station stopped this session.")
    ui.advance(40 * 60, steps=4)  # long past the grace: still nothing
    ui.bridge.devUnplug("1")
    ui.on("receipt")
    assert "no idle fee: the station stopped the session" in ui.text("receiptStopReason")
    sid = _receipt_session(ui, "1")

    def idle_lines(s: StationService) -> list[object]:
        with s.db.unit_of_work(write=False) as uow:
            session = uow.sessions.get(sid)
        assert session is not None
        return [x for x in session.final_breakdown().lines if x.kind is LineKind.IDLE_FEE]

    assert ui.job(idle_lines) == []


def test_the_receipt_comes_up_whatever_screen_is_up(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    _charging_by_card(ui, "1")
    ui.click("stopButton")
    ui.click("confirmStopButton")
    ui.on("finishing")
    ui.click("homeButton")  # the driver walks away, comes back later and unplugs
    ui.on("overview")
    ui.advance(300)
    ui.bridge.devUnplug("1")
    ui.on("receipt")
    assert _receipt_session(ui, "1")
    assert ui.item("receiptQr").property("source") != ""
    ui.click("receiptDone")
    ui.on("overview")
    assert ui.item("receipt_1").isVisible()  # one tap away on its card for a while
    ui.click("receipt_1")
    ui.on("receipt")
    assert ui.bridge.property("receipt")["again"] is True
    ui.click("receiptDone")
    ui.on("overview")


def test_a_receipt_waits_on_its_card_while_another_driver_pays(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    _charging_by_card(ui, "1")
    ui.click("stopButton")
    ui.click("confirmStopButton")
    ui.on("finishing")
    ui.click("homeButton")
    ui.on("overview")
    ui.click("connector_2")  # someone else is choosing how to pay
    ui.on("price")
    ui.bridge.devUnplug("1")
    ui.advance(1)
    ui.qtbot.wait(200)
    assert ui.screen() == "price"  # not taken away from them
    ui.click("backButton")
    ui.on("overview")
    ui.click("receipt_1")
    ui.on("receipt")


def test_the_same_card_stops_with_a_confirmation_then_shows_the_receipt_again(
    kiosk_ui: KioskUi,
) -> None:
    ui = kiosk_ui
    _charging_by_member_card(ui, "1")
    ui.advance(600, steps=10)
    ui.click("homeButton")
    ui.on("overview")
    _tap(ui, MEMBER)  # the driver stops with the same card, from the overview
    ui.on("finishing")
    ui.qtbot.waitUntil(
        lambda: ui.text("stopConfirmationText").startswith("Stopped with your charging card.")
    )
    assert "Cost: €" in ui.text("stopConfirmationText")
    ui.bridge.devUnplug("1")
    ui.on("receipt")
    total = ui.text("receiptTotal")
    ui.click("receiptDone")
    ui.on("overview")
    _tap(ui, MEMBER)  # the same card again: the receipt once more
    ui.on("receipt")
    assert ui.text("receiptTotal") == total
    assert ui.bridge.property("receipt")["again"] is True
    ui.click("receiptDone")
    ui.on("overview")


def test_get_a_receipt_by_stop_code_or_by_card(
    kiosk_ui: KioskUi, expect_warnings: ExpectedWarnings
) -> None:
    ui = kiosk_ui
    _charging_by_card(ui, "2")
    code = str(ui.session()["stopCode"])
    ui.click("stopButton")
    ui.click("confirmStopButton")
    ui.on("finishing")
    ui.bridge.devUnplug("2")
    ui.on("receipt")
    total = ui.text("receiptTotal")
    ui.click("receiptDone")
    ui.on("overview")

    ui.click("getReceiptButton")
    ui.on("getReceipt")
    _type(ui, "123456" if code != "123456" else "654321")
    ui.qtbot.waitUntil(lambda: "does not match" in ui.text("padAnswerText"))
    _tap(ui, MEMBER)  # a charging card that paid for nothing lately
    ui.qtbot.waitUntil(lambda: "No recent session" in ui.text("padAnswerText"))
    _type(ui, code)
    ui.on("receipt")
    assert ui.text("receiptTotal") == total
    assert ui.item("receiptQr").property("source") != ""
    ui.click("receiptDone")
    ui.on("overview")


def test_a_stop_code_typed_for_one_connector_asks_before_stopping_another(
    kiosk_ui: KioskUi,
) -> None:
    ui = kiosk_ui
    _charging_by_card(ui, "1")
    ui.click("homeButton")
    ui.on("overview")
    _charging_by_card(ui, "2")
    code_2 = str(ui.session()["stopCode"])
    ui.click("homeButton")
    ui.on("overview")
    ui.click("connector_1")  # someone types B's code on A's page
    ui.on("charging")
    ui.click("stopButton")
    _type(ui, code_2)
    ui.qtbot.waitUntil(lambda: ui.item("padOther").isVisible())
    assert ui.job(lambda s: s.view("2").state.value) == "charging"
    ui.click("otherYes")
    ui.on("finishing")
    assert ui.bridge.property("activeConnector") == "2"
    assert ui.text("stopConfirmationText").startswith("Stopped with your stop code.")
    assert ui.job(lambda s: s.view("1").state.value) == "charging"


def test_a_stray_card_on_the_overview_is_ignored_with_a_log_line(
    kiosk_ui: KioskUi, caplog: pytest.LogCaptureFixture
) -> None:
    ui = kiosk_ui
    ui.on("overview")
    ui.click("lang_de")
    caplog.set_level(logging.INFO)
    _tap(ui, "04FFFFFFFF")
    ui.job(lambda s: None)
    ui.qtbot.wait(100)
    assert ui.screen() == "overview"
    assert "no session waits for a card" in caplog.text
    ui.bridge.qrPaid()  # a phone payment nobody started: logged, not shown
    ui.qtbot.wait(100)
    assert ui.screen() == "overview"
    assert "a phone payment ignored: the screen shows overview" in caplog.text
