"""Declines carry typed codes from the provider: the screens word each code per method
and never show, translate or guess from a provider's free text."""

from __future__ import annotations

from kiosk.domain.payment import DeclineCode, PaymentMethod
from kiosk.sim.psp import TEST_CARDS, TEST_TOKENS
from kiosk.station import FlowState
from tests.kiosk.services.test_station_service import Station, _pay_card


def test_every_simulated_decline_has_a_specific_code() -> None:
    declines = [card for card in TEST_CARDS.values() if card.outcome == "decline"]
    assert declines
    assert {card.code for card in declines} == {
        DeclineCode.DECLINED,
        DeclineCode.INSUFFICIENT_FUNDS,
    }
    assert all(t.code is not None for t in TEST_TOKENS.values() if not t.allowed)


def test_the_screen_gets_the_providers_code(station: Station) -> None:
    assert _pay_card(station, card="mc-funds") is False
    view = station.service.view("1")
    assert view.state is FlowState.DECLINED
    assert view.decline is DeclineCode.INSUFFICIENT_FUNDS


def test_a_text_without_a_code_is_a_plain_decline(station: Station) -> None:
    """A provider that words its reason but sends no code: nothing is read into the words."""
    psp = station.psps[PaymentMethod.BANK_CARD]
    real = psp.authorize

    def wordy(**kw):  # type: ignore[no-untyped-def]
        import dataclasses

        result = real(**kw)
        return dataclasses.replace(result, code=None, error="Insufficient funds (51)")

    psp.authorize = wordy  # type: ignore[method-assign]
    assert _pay_card(station, card="visa-declined") is False
    assert station.service.view("1").decline is DeclineCode.DECLINED


def test_a_blocked_rfid_card(station: Station) -> None:
    blocked = next(uid for uid, t in TEST_TOKENS.items() if not t.allowed)
    station.service.select("1")
    station.service.choose_payment("1", PaymentMethod.ACCOUNT_TOKEN)
    assert station.service.present_token(blocked, "1") == "declined"
    assert station.service.view("1").decline is DeclineCode.BLOCKED


def test_an_unknown_rfid_card(station: Station) -> None:
    station.service.select("1")
    station.service.choose_payment("1", PaymentMethod.ACCOUNT_TOKEN)
    assert station.service.present_token("04DEADBEEF", "1") == "declined"
    assert station.service.view("1").decline is DeclineCode.UNKNOWN_CARD
