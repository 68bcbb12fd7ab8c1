"""Provider decline texts become typed codes: the screens word each code per method and
never show (or translate) a provider's free text."""

from __future__ import annotations

import pytest

from kiosk.domain.payment import DeclineCode, decline_code
from kiosk.sim.psp import TEST_CARDS


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("card declined", DeclineCode.DECLINED),
        ("insufficient funds", DeclineCode.INSUFFICIENT_FUNDS),
        ("Insufficient Funds (51)", DeclineCode.INSUFFICIENT_FUNDS),
        ("this card is blocked", DeclineCode.BLOCKED),
        ("account suspended", DeclineCode.BLOCKED),
        ("unknown card", DeclineCode.UNKNOWN_CARD),
        ("card expired", DeclineCode.EXPIRED),
        ("gateway timeout", DeclineCode.UNAVAILABLE),
        ("not sent before the restart", DeclineCode.UNAVAILABLE),
        ("Do not honour", DeclineCode.DECLINED),
        ("", DeclineCode.DECLINED),
        (None, DeclineCode.DECLINED),
    ],
)
def test_reason_to_code(reason: str | None, code: DeclineCode) -> None:
    assert decline_code(reason) is code


def test_every_simulated_decline_has_a_specific_code() -> None:
    declines = [card.reason for card in TEST_CARDS.values() if card.outcome == "decline"]
    assert declines
    assert {decline_code(r) for r in declines} == {
        DeclineCode.DECLINED,
        DeclineCode.INSUFFICIENT_FUNDS,
    }
