"""Texts that fit the situation, replayed as a driver meets them: a decline, a timeout
and a hold worded for the way the driver pays; the rate that applies now on the price
screen; screen timeouts in the driver's real time whatever the demo's speed-up."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtQuick import QQuickItem

from kiosk.charger.clock import ScaledClock
from kiosk.services.station_service import StationService
from tests.ui.conftest import KioskUi
from tests.ui.test_flow import MEMBER, _to_terminal

BLOCKED = "04B10C4ED0"  # kiosk/sim/psp.py: "this card is blocked"


def _to_wait_card(ui: KioskUi, cid: str) -> None:
    ui.on("overview")
    ui.click(f"connector_{cid}")
    ui.on("price")
    ui.click("toPayment")
    ui.on("payment")
    ui.click("pay_rfid")
    ui.on("waitCard")


def _tap(ui: KioskUi, uid: str) -> None:
    reader = threading.Thread(target=ui.bridge.tapCard, args=(uid,), name="pcsc-reader")
    reader.start()
    reader.join(5)


def test_a_refused_bank_card_is_sent_to_its_bank(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    _to_terminal(ui, "2")
    ui.bridge.payByCard("visa-declined")
    ui.on("declined")
    assert ui.text("screenTitle") == "Payment not accepted"
    assert ui.text("screenSubtitle") == "The card was declined by the bank."
    assert (
        ui.text("declinedAdvice") == "You can try another card or pay by phone, or ask your bank."
    )


def test_a_blocked_charging_card_is_not_sent_to_a_bank(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    _to_wait_card(ui, "1")
    _tap(ui, BLOCKED)
    ui.on("declined")
    assert ui.session()["declineCode"] == "blocked"
    assert ui.text("screenTitle") == "Charging card not accepted"
    assert ui.text("screenSubtitle") == "This charging card is blocked."
    advice = ui.text("declinedAdvice")
    assert "bank or card issuer" not in advice
    assert advice.startswith("Please contact the company that issued your charging card")
    ui.click("lang_de")
    ui.qtbot.waitUntil(lambda: ui.text("screenSubtitle") == "Diese Ladekarte ist gesperrt.")


def test_an_unknown_charging_card_in_french(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    ui.on("overview")
    ui.click("lang_fr")
    _to_wait_card(ui, "1")
    _tap(ui, "0102030405")
    ui.on("declined")
    assert ui.session()["declineCode"] == "unknown_card"
    assert ui.text("screenSubtitle") == "Cette carte de recharge n’est pas reconnue ici."


def test_timeout_after_a_card_hold_says_the_card_is_released(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    _to_terminal(ui, "2")
    ui.bridge.payByCard("visa-ok")
    ui.on("plugIn")
    ui.advance(ui.service.settings.timeouts.plug_in_s + 1)
    ui.on("timeout")
    assert ui.text("screenSubtitle") == "No car was plugged in, so we stopped waiting."
    assert ui.text("timeoutDetail").startswith(
        "The amount reserved on your card has been released."
    )


def test_timeout_of_the_phone_code_says_nothing_was_paid(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    ui.on("overview")
    ui.click("connector_2")
    ui.on("price")
    ui.click("toPayment")
    ui.on("payment")
    ui.click("pay_qr")
    ui.on("qr")
    ui.advance(ui.service.settings.timeouts.inactivity_s + 1)
    ui.on("timeout")
    detail = ui.text("timeoutDetail")
    assert "card" not in detail
    assert detail.startswith("The payment code has expired and nothing was paid.")


def test_timeout_after_a_charging_card_mentions_no_card_hold(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    _to_wait_card(ui, "1")
    _tap(ui, MEMBER)
    ui.on("plugIn")
    ui.advance(ui.service.settings.timeouts.plug_in_s + 1)
    ui.on("timeout")
    detail = ui.text("timeoutDetail")
    assert "reserved" not in detail
    assert detail.startswith("This session was cancelled: nothing is billed to your charging")


def test_the_hold_is_worded_for_the_method(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    _to_wait_card(ui, "1")
    _tap(ui, MEMBER)
    ui.on("plugIn")
    ui.bridge.devPlugIn("1")
    ui.on("charging")
    ui.advance(120, steps=4)
    ui.qtbot.waitUntil(lambda: ui.session().get("remaining", "") != "")
    text = ui.text("holdText")
    assert "reserved" not in text
    assert text.endswith("limit on your account")

    ui.click("homeButton")
    ui.on("overview")
    _to_terminal(ui, "2")
    ui.bridge.payByCard("visa-ok")
    ui.on("plugIn")
    ui.bridge.devPlugIn("2")
    ui.on("charging")
    ui.advance(120, steps=4)
    ui.qtbot.waitUntil(lambda: ui.session().get("remaining", "") != "")
    assert ui.text("holdText").endswith("reserved on your card")


def _local(ui: KioskUi, hour: int, minute: int) -> datetime:
    """The next moment after the clock's time that is hour:minute at the station."""
    zone = ZoneInfo(ui.service.settings.station.time_zone)
    now = ui.clock.now().astimezone(zone)
    at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return at if at > now else at + timedelta(days=1)


def _price_at(ui: KioskUi, hour: int, minute: int) -> None:
    at = _local(ui, hour, minute)

    def move(s: StationService) -> None:
        ui.clock.advance_to(at)
        s.tick()

    ui.job(move)
    ui.on("overview")
    ui.click("connector_1")  # assets/tariffs/ac_time_of_use.json: 22:00-06:00 is cheaper
    ui.on("price")


def _current(ui: KioskUi) -> list[bool]:
    return [bool(line["current"]) for line in ui.bridge.property("price")["lines"]]


def test_the_day_rate_is_marked_and_the_night_rate_announced(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    _price_at(ui, 21, 30)  # 20 kWh at 11 kW: 110 min, over the 22:00 boundary
    assert _current(ui) == [False, True, False, False]  # "otherwise", not "22:00-06:00"
    assert ui.item("priceLine1").property("current") is True
    ui.qtbot.waitUntil(lambda: ui.text("rateChange") != "")
    assert ui.text("rateChange") == "From 22:00 during this charge: €0.29/kWh"
    ui.click("lang_de")
    ui.qtbot.waitUntil(lambda: ui.text("rateChange").startswith("Ab 22:00 während dieser Ladung"))


def test_the_night_rate_is_marked_just_after_its_start(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    _price_at(ui, 22, 0)
    assert _current(ui) == [True, False, False, False]
    assert ui.bridge.property("price")["example"]["changes"] == []


def test_the_morning_change_back_to_the_day_rate(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    _price_at(ui, 5, 0)
    assert _current(ui) == [True, False, False, False]
    changes = ui.bridge.property("price")["example"]["changes"]
    assert [(c["at"], c["amount"]) for c in changes] == [("06:00", "€0.45/kWh")]


def test_the_power_tier_of_the_example_is_marked_on_dc(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    ui.on("overview")
    ui.click("connector_3")  # DC: the example charges at 100 kW, the 50-150 kW tier
    ui.on("price")
    lines = ui.bridge.property("price")["lines"]
    marked = [line["condition"] for line in lines if line["current"]]
    assert marked == ["50–150 kW"]


def test_screen_timeouts_run_in_real_time_at_any_demo_speed(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    real = [0.0]
    timeouts = ui.service.settings.timeouts

    def speed_up(s: StationService) -> None:  # the demo's --speed 10
        s.clock = ScaledClock(s.now(), speed=10, monotonic=lambda: real[0])

    def wait(seconds: float) -> None:
        real[0] += seconds
        ui.job(lambda s: s.tick())

    ui.on("overview")
    ui.job(speed_up)
    ui.click("connector_2")
    ui.on("price")
    assert int(ui.session()["secondsLeft"]) == timeouts.inactivity_s
    wait(10)  # 100 simulated seconds, but the driver has only read for 10
    ui.on("price")
    ui.click("toPayment")
    ui.on("payment")
    ui.click("pay_qr")
    ui.on("qr")
    assert int(ui.session()["secondsLeft"]) == timeouts.inactivity_s  # the QR's full time
    wait(timeouts.inactivity_s - 5)
    ui.on("qr")
    ui.click("backButton")
    ui.on("payment")
    ui.click("pay_card")
    ui.on("terminal")
    ui.bridge.payByCard("visa-ok")
    ui.on("plugIn")
    assert int(ui.session()["secondsLeft"]) == timeouts.plug_in_s
    wait(timeouts.plug_in_s - 5)
    ui.on("plugIn")
    wait(10)
    ui.on("timeout")


def _all_named(item: QQuickItem, name: str) -> list[QQuickItem]:
    found = [item] if item.objectName() == name else []
    for child in item.childItems():
        found += _all_named(child, name)
    return found


@pytest.mark.parametrize("kiosk_ui", ["portrait", "landscape"], indirect=True)
def test_developer_panel_labels_fit_in_every_language(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    ui.on("overview")
    ui.click("devTab")
    for lang in ("en", "de", "fr", "nl"):
        ui.click(f"lang_{lang}")
        ui.qtbot.wait(100)
        labels = _all_named(ui.window.contentItem(), "devButtonText")
        assert len(labels) >= 15, lang  # cards, terminal, phone, 4 per charging point
        cut = [str(t.property("text")) for t in labels if t.property("truncated")]
        assert cut == [], lang


def _flickables(item: QQuickItem) -> list[QQuickItem]:
    """The visible scrolling areas on the screen (the developer panel's left out)."""
    if not item.isVisible() or item.objectName() == "devPanel":
        return []
    found = [item] if item.metaObject().className().startswith("QQuickFlickable") else []
    for child in item.childItems():
        found += _flickables(child)
    return found


@pytest.mark.parametrize("kiosk_ui", ["landscape"], indirect=True)
def test_the_bank_card_screens_fit_without_scrolling_in_landscape(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    for lang in ("de", "fr"):
        ui.on("overview")
        ui.click(f"lang_{lang}")
        _to_terminal(ui, "2")
        for screen in ("terminal", "payment"):
            if screen == "payment":
                ui.click("backButton")
                ui.on("payment")
            ui.qtbot.wait(100)
            flicks = _flickables(ui.window.contentItem())
            assert flicks, screen  # the page scrolls only when its content is too tall
            for flick in flicks:
                assert flick.property("contentHeight") <= flick.height() + 1, (lang, screen)
        ui.click("cancelButton")
