"""The kiosk UI driven as a driver would: taps on QML items, a card on the reader
(from another thread), a car plugged into the simulated charger, time moving on.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from babel.numbers import format_currency

from kiosk.domain.estimate import example_charge, price_example
from kiosk.domain.payment import PaymentMethod, PaymentState
from kiosk.domain.session import StopReason
from kiosk.services.station_service import StationService
from tests.conftest import ExpectedWarnings
from tests.ui.conftest import KioskUi

MEMBER = "04A1B2C3D4"


def _receipt_session(ui: KioskUi, cid: str) -> str:
    sid = ui.job(lambda s: s.view(cid).receipt_session_id)
    assert isinstance(sid, str)
    return sid


def _payment_of(service: StationService, session_id: str) -> tuple[PaymentState, Decimal, str]:
    with service.db.unit_of_work(write=False) as uow:
        payment = uow.payments.get_by_session(session_id)
    assert payment is not None
    return payment.state, payment.captured, payment.currency


def _to_terminal(ui: KioskUi, cid: str) -> None:
    ui.on("overview")
    ui.click(f"connector_{cid}")
    ui.on("price")
    ui.click("toPayment")
    ui.on("payment")
    ui.click("pay_card")
    ui.on("terminal")


def _charging_by_card(ui: KioskUi, cid: str) -> None:
    """Price, bank card, plug in: the session on `cid` is charging."""
    _to_terminal(ui, cid)
    ui.bridge.payByCard("visa-ok")
    ui.on("plugIn")
    ui.bridge.devPlugIn(cid)
    ui.on("charging")


def test_rfid_session_from_tap_to_receipt(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    ui.on("overview")
    ui.click("connector_1")
    ui.on("price")
    assert ui.bridge.property("activeConnector") == "1"
    ui.click("toPayment")
    ui.on("payment")
    ui.click("pay_rfid")
    ui.on("waitCard")

    # the card reader has its own thread: its event reaches the screen through the
    # station thread and the bridge's queued snapshot, never by touching Qt directly
    reader = threading.Thread(target=ui.bridge.tapCard, args=(MEMBER,), name="pcsc-reader")
    reader.start()
    reader.join(5)
    ui.on("plugIn")
    assert int(ui.session()["secondsLeft"]) == ui.service.settings.timeouts.plug_in_s

    ui.bridge.devPlugIn("1")  # the simulated car
    ui.on("charging")
    ui.advance(300, steps=10)
    ui.qtbot.waitUntil(lambda: len(ui.session().get("history", [])) >= 5)
    assert ui.item("stopCodePanel").isVisible()  # the driver's own session shows its code
    assert ui.text("stopCodeText").replace(" ", "") == ui.session()["stopCode"]
    assert Decimal(ui.text("energyText").replace(",", ".")) > 0

    ui.click("stopButton")  # asks once: a stopped session cannot be resumed
    ui.item("confirmStop")
    ui.click("keepCharging")
    assert ui.job(lambda s: s.view("1").state.value) == "charging"
    ui.click("stopButton")
    ui.click("confirmStopButton")
    ui.on("finishing")
    assert ui.text("stopConfirmationText").startswith("Stopped as you asked. Cost: €")
    ui.bridge.devUnplug("1")
    ui.on("receipt")
    ui.qtbot.waitUntil(lambda: ui.text("receiptTotal") != "")
    sid = _receipt_session(ui, "1")
    state, captured, currency = _payment_of(ui.service, sid)
    assert state is PaymentState.CAPTURED
    assert ui.text("receiptTotal") == ui.bridge.money(captured, currency)
    assert ui.text("receiptVat").startswith("incl. VAT 19%: €")
    ui.click("lang_fr")  # French puts a space before the colon
    ui.qtbot.waitUntil(lambda: ui.text("receiptVat").startswith("dont TVA 19\u00a0% : "))

    ui.click("receiptDone")
    ui.on("overview")


def test_declined_card_and_the_way_back(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    _to_terminal(ui, "2")
    ui.bridge.payByCard("mc-funds")  # the terminal reads a card without funds
    ui.on("declined")
    assert ui.text("screenSubtitle") == "There is not enough money on the card."
    ui.click("tryAgain")
    ui.on("payment")
    ui.click("cancelButton")
    ui.on("overview")
    assert ui.job(lambda s: s.view("2").state.value) == "idle"


def test_plug_in_timeout_on_a_simulated_clock(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    _to_terminal(ui, "2")
    ui.bridge.payByCard("visa-ok")
    ui.on("plugIn")
    ui.advance(ui.service.settings.timeouts.plug_in_s - 5)
    ui.on("plugIn")  # not yet
    ui.advance(10)
    ui.on("timeout")
    ui.click("homeButton")
    ui.on("overview")

    def voided(s: StationService) -> list[PaymentState]:
        with s.db.unit_of_work(write=False) as uow:
            return [p.state for p in uow.payments.non_final()]

    assert ui.job(voided) == []  # the hold was released, nothing left open


def test_language_switch_changes_the_screen(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    ui.on("overview")
    assert ui.text("overviewTitle") == "Choose a charging point"
    ui.click("lang_de")
    ui.qtbot.waitUntil(lambda: ui.text("overviewTitle") == "Ladepunkt wählen")
    assert ui.bridge.property("language") == "de"
    ui.click("connector_1")  # a new screen comes up in German, with German amounts
    ui.on("price")
    assert ui.text("screenTitle") == "Preis an Ladepunkt A"
    assert "€/kWh" in str(ui.bridge.property("price")["lines"][0]["amount"])
    ui.click("lang_fr")
    ui.qtbot.waitUntil(lambda: ui.text("screenTitle") == "Prix au point de recharge A")
    ui.click("lang_en")
    ui.qtbot.waitUntil(lambda: ui.text("screenTitle") == "Price at charging point A")


def test_screen_price_equals_the_captured_amount(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    _charging_by_card(ui, "1")
    ui.advance(1500, steps=25)
    ui.click("stopButton")
    ui.click("confirmStopButton")
    ui.on("finishing")
    ui.advance(120)  # inside the idle-fee grace: nothing more is due
    shown = ui.session()["cost"]
    ui.qtbot.waitUntil(lambda: ui.text("costText") == shown)
    screen_cost = ui.text("costText")
    assert screen_cost not in ("", "—")

    ui.bridge.devUnplug("1")
    ui.on("receipt")
    state, captured, currency = _payment_of(ui.service, _receipt_session(ui, "1"))
    assert state is PaymentState.CAPTURED
    assert captured > Decimal("1")
    assert ui.bridge.money(captured, currency) == screen_cost  # to the cent


def test_stop_a_session_opened_from_the_overview_with_its_code(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    _to_terminal(ui, "2")
    ui.bridge.payByCard("visa-ok")
    ui.on("plugIn")
    ui.bridge.devPlugIn("2")
    ui.on("charging")
    code = str(ui.session()["stopCode"])
    ui.click("homeButton")
    ui.on("overview")

    ui.click("connector_2")  # someone opens the running session
    ui.on("charging")
    assert ui.window.property("shownScreen") == "charging"
    assert ui.item("stopButton").isVisible()
    assert ui.bridge.property("session")["stopCode"] == code
    # the code is not shown to whoever opens the session from the overview
    from ui.autoplay import find_item

    assert find_item(ui.window, "stopCodePanel") is None
    ui.click("stopButton")  # asks for the code instead of stopping
    ui.item("stopCodePad")
    assert ui.job(lambda s: s.view("2").state.value) == "charging"
    for digit in code:
        ui.click(f"key_{digit}")
    ui.click("key_OK")
    ui.on("finishing")


def test_wrong_stop_codes_answer_in_the_pad_then_pause_it(
    kiosk_ui: KioskUi, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("wrong codes in a row")
    ui = kiosk_ui
    _charging_by_card(ui, "2")
    ui.click("homeButton")
    ui.on("overview")
    ui.click("connector_2")
    ui.on("charging")
    ui.click("stopButton")
    ui.item("stopCodePad")
    for tries_left in (2, 1):
        for digit in "000000":
            ui.click(f"key_{digit}")
        ui.click("key_OK")
        ui.qtbot.waitUntil(lambda: ui.item("padAnswer").isVisible())
        want = f"{tries_left} {'try' if tries_left == 1 else 'tries'} left"
        ui.qtbot.waitUntil(lambda: want in ui.text("padAnswerText"))  # noqa: B023 - waited here
    for digit in "000000":
        ui.click(f"key_{digit}")
    ui.click("key_OK")
    ui.qtbot.waitUntil(lambda: "Too many wrong codes" in ui.text("padAnswerText"))
    assert not ui.item("key_1").isEnabled()  # paused: no more guesses for a while
    assert ui.screen() == "charging"
    assert ui.job(lambda s: s.view("2").state.value) == "charging"
    ui.click("closePad")
    ui.click("homeButton")
    ui.on("overview")


def test_offline_banner_contrast_and_reach(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    ui.on("overview")
    ui.bridge.setOffline(True)
    assert ui.item("offlineBanner").isVisible()
    ui.click("connector_1")
    ui.on("price")
    ui.click("toPayment")
    ui.on("payment")
    assert not ui.item("pay_qr").isEnabled()  # the phone's checkout needs the backend
    ui.click("toggleContrast")
    ui.qtbot.waitUntil(lambda: bool(ui.bridge.property("highContrast")))
    ui.click("toggleReach")
    ui.qtbot.waitUntil(lambda: bool(ui.bridge.property("reachMode")))
    # every control now sits in the lower part of the screen
    ui.qtbot.wait(300)
    for name in ("lang_en", "toggleReach", "pay_rfid", "backButton", "cancelButton"):
        item = ui.item(name)
        top = item.mapToScene(item.boundingRect().topLeft()).y()
        assert top > ui.window.height() * 0.3, name
    ui.click("cancelButton")
    ui.on("overview")


@pytest.mark.parametrize("kiosk_ui", ["landscape"], indirect=True)
def test_landscape_window(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    assert (ui.window.width(), ui.window.height()) == (1920, 1080)
    ui.click("connector_3")
    ui.on("price")
    ui.click("backButton")
    ui.on("overview")


def test_idle_fee_grace_counts_from_the_cores_stop_not_from_the_screen(kiosk_ui: KioskUi) -> None:
    """The countdown is what the receipt bills: it runs from the session's stop, even when
    the screen first hears of the stop minutes later (a restarted UI, a busy thread)."""
    ui = kiosk_ui
    _charging_by_card(ui, "1")
    ui.advance(600, steps=10)
    grace_s = 15 * 60  # assets/tariffs/ac_time_of_use.json: x_kiosk idle_fee grace_minutes

    def stop_then_wait(s: StationService) -> None:
        s.stop("1", StopReason.DRIVER_SCREEN)
        ui.clock.advance(300)
        s.tick()

    ui.job(stop_then_wait)  # one job: the first snapshot the screen gets is 300 s late
    ui.on("finishing")
    since = ui.job(lambda s: s.view("1").idle_since)  # the last metered energy: what is billed
    now = ui.job(lambda s: s.now())
    assert abs((now - since).total_seconds() - 300) <= 30  # one meter interval at most
    left = grace_s - int((now - since).total_seconds())
    assert int(ui.session()["idleSecondsLeft"]) == left
    ui.advance(120)
    assert int(ui.session()["idleSecondsLeft"]) == left - 120


def test_price_screen_shows_a_worked_example_priced_by_the_engine(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    ui.on("overview")
    ui.click("connector_3")  # DC 150 kW: 40 kWh at 100 kW
    ui.on("price")
    assert ui.text("exampleText") == "40\u00a0kWh at 100\u00a0kW, about 24\u00a0min"
    now = ui.job(lambda s: s.now()).replace(second=0, microsecond=0)
    settings = ui.service.settings
    tariff = settings.tariff_for("3", PaymentMethod.BANK_CARD, now)
    cost = price_example(
        tariff, example_charge("DC", Decimal(150)), start=now, tz=settings.station.time_zone
    )
    assert cost.incl_vat is not None
    expected = format_currency(cost.incl_vat, tariff.currency, locale="en_IE")
    ui.qtbot.waitUntil(lambda: ui.text("exampleCost") == f"≈ {expected}")
    ui.click("lang_de")
    ui.qtbot.waitUntil(
        lambda: ui.text("exampleText").replace("\u00a0", " ") == "40 kWh mit 100 kW, etwa 24 Min."
    )
