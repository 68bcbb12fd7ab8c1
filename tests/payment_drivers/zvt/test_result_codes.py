"""The result-code table: every byte has a typed answer; the ones the screens word are right."""

from __future__ import annotations

import pytest

from kiosk.domain.payment import DeclineCode
from kiosk.ports import TerminalPrompt
from payment_drivers.zvt import result_codes as rc


@pytest.mark.parametrize(
    ("code", "decline"),
    [
        (0x64, DeclineCode.CARD_ERROR),
        (0x65, DeclineCode.CARD_ERROR),
        (0x66, DeclineCode.CARD_ERROR),
        (0x6C, DeclineCode.TIMEOUT),
        (0x6F, DeclineCode.UNAVAILABLE),
        (0x78, DeclineCode.EXPIRED),
        (0x7D, DeclineCode.UNAVAILABLE),
        (0x83, DeclineCode.UNAVAILABLE),
        (0x9A, DeclineCode.UNAVAILABLE),
        (0x9C, DeclineCode.BUSY),
        (0xA0, DeclineCode.BUSY),
        (0xC2, DeclineCode.UNAVAILABLE),
        (0xDC, DeclineCode.CARD_ERROR),
        (0x7A, DeclineCode.CARD_NOT_SUPPORTED),
        (0xC5, DeclineCode.CARD_NOT_SUPPORTED),
        (0x6A, DeclineCode.UNAVAILABLE),  # turnover file full, not a card refusal
        (0x6B, DeclineCode.UNAVAILABLE),  # not registered
        (0x6E, DeclineCode.BLOCKED),
        (0x71, DeclineCode.INSUFFICIENT_FUNDS),
        (0xB7, DeclineCode.LIMIT_EXCEEDED),
        (0xC3, DeclineCode.LIMIT_EXCEEDED),
        (0xFF, DeclineCode.UNAVAILABLE),
        # authorisation-system codes: ISO 8583 response codes as numbers
        (5, DeclineCode.DECLINED),
        (51, DeclineCode.INSUFFICIENT_FUNDS),
        (55, DeclineCode.PIN_WRONG),
        (75, DeclineCode.PIN_WRONG),
        (54, DeclineCode.EXPIRED),
        (43, DeclineCode.BLOCKED),
        (61, DeclineCode.LIMIT_EXCEEDED),
        (91, DeclineCode.UNAVAILABLE),
        (0x42, DeclineCode.DECLINED),  # an operator code nobody listed
    ],
)
def test_decline_codes(code: int, decline: DeclineCode) -> None:
    assert rc.decline_code(code) is decline


def test_every_byte_has_a_code_and_a_text() -> None:
    for code in range(256):
        assert isinstance(rc.decline_code(code), DeclineCode)
        assert f"0x{code:02X}" in rc.describe(code)
    assert rc.describe(0xB4) == "already reversed (0xB4)"
    assert rc.describe(51) == "insufficient funds (authorisation system code 51, 0x33)"
    assert "unknown" in rc.describe(0x8F)


@pytest.mark.parametrize(
    ("code", "prompt"),
    [
        (0x0A, TerminalPrompt.PRESENT_CARD),
        (0x01, TerminalPrompt.ENTER_PIN),
        (0x15, TerminalPrompt.PIN_WRONG),
        (0x04, TerminalPrompt.PROCESSING),
        (0x0B, TerminalPrompt.REMOVE_CARD),
        (0x4C, TerminalPrompt.REMOVE_CARD),
        (0x0E, TerminalPrompt.WAIT),
        (0x1D, TerminalPrompt.OTHER),
        (0xFF, TerminalPrompt.OTHER),
        (0x99, TerminalPrompt.OTHER),
    ],
)
def test_intermediate_statuses(code: int, prompt: TerminalPrompt) -> None:
    assert rc.intermediate_status(code)[0] is prompt


def test_brands_and_terminal_states() -> None:
    assert rc.card_brand(5, None) == "GIRO"
    assert rc.card_brand(None, "Mastercard") == "MC"
    assert rc.card_brand(None, "V PAY") == "VPAY"
    assert rc.card_brand(None, "Bonus-Karte 24") == "BONUSKARTE"
    assert rc.card_brand(None, None) is None
    assert rc.terminal_status(0x00) == "ready"
    assert rc.terminal_status(0xDF) == "out of order"
    assert rc.terminal_status(0x77) == "status 0x77"
