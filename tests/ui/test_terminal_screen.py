"""A bank-card terminal that waits for the card: its prompts on the screen, Cancel
sent to it as an abort, and the screens answering every typed decline."""

from __future__ import annotations

import pytest

from kiosk.domain.payment import PaymentMethod
from kiosk.sim.psp import SimulatedPsp
from tests.fakes.terminal import SlowTerminal
from tests.ui.conftest import KioskUi


def _to_terminal(ui: KioskUi) -> SlowTerminal:
    terminal = SlowTerminal(SimulatedPsp(None, "bank_card"))

    def swap(s):  # type: ignore[no-untyped-def]
        from kiosk.services.provider_boundary import GuardedProvider

        s.providers[PaymentMethod.BANK_CARD] = terminal
        s._guarded[PaymentMethod.BANK_CARD] = GuardedProvider(terminal, "bank_card")

    ui.job(swap)
    ui.on("overview")
    ui.click("connector_1")
    ui.on("price")
    ui.click("toPayment")
    ui.on("payment")
    ui.click("pay_card")
    assert terminal.waiting.wait(5)
    ui.on("terminal")
    return terminal


def test_the_terminals_prompts_and_text_are_shown(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    terminal = _to_terminal(ui)
    ui.qtbot.waitUntil(lambda: ui.session().get("terminalPrompt") == "present_card")
    assert "Karte bitte" in ui.text("terminalSays")
    terminal.present("visa-ok")
    ui.on("plugIn")


def test_cancel_aborts_the_terminal_and_goes_back(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    terminal = _to_terminal(ui)
    ui.qtbot.waitUntil(lambda: ui.session().get("terminalPrompt") == "present_card")
    ui.click("cancelButton")
    ui.qtbot.waitUntil(lambda: terminal.aborts == 1)
    ui.on("overview")  # nothing was charged; back at the start
    ui.qtbot.waitUntil(lambda: ui.job(lambda s: s.view("1").state.value) == "idle")


def test_other_payment_aborts_the_terminal_and_offers_the_others(kiosk_ui: KioskUi) -> None:
    ui = kiosk_ui
    terminal = _to_terminal(ui)
    ui.qtbot.waitUntil(lambda: ui.session().get("terminalPrompt") == "present_card")
    ui.click("backButton")
    ui.qtbot.waitUntil(lambda: terminal.aborts == 1)
    ui.on("payment")


@pytest.mark.parametrize(
    ("card", "words"),
    [("mc-funds", "not enough money"), ("visa-declined", "declined by the bank")],
)
def test_a_typed_decline_is_worded(kiosk_ui: KioskUi, card: str, words: str) -> None:
    ui = kiosk_ui
    terminal = _to_terminal(ui)
    terminal.present(card)
    ui.on("declined")
    assert words in str(ui.item("declinedPage").property("subtitle"))
