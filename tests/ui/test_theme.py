"""Every colour pair the theme declares meets WCAG AA (4.5:1), normal and high contrast.

The pairs come from Theme.qml itself (`contrastPairs`), and so do the colours, so a
new colour drawn on a new background is checked as soon as it is listed there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

THEME = Path(__file__).resolve().parents[2] / "ui" / "qml" / "components" / "Theme.qml"
_COLOUR = re.compile(
    r'property\s+color\s+(\w+)\s*:\s*(?:high\s*\?\s*"(#[0-9A-Fa-f]{6,8})"\s*:\s*)?"(#[0-9A-Fa-f]{6,8})"'
)
_PAIR = re.compile(r'\[\s*"(\w+)"\s*,\s*"(\w+)"\s*\]')


def _theme() -> tuple[dict[str, tuple[str, str]], list[tuple[str, str]]]:
    text = THEME.read_text(encoding="utf-8")
    colours = {name: (normal, high or normal) for name, high, normal in _COLOUR.findall(text)}
    block = re.search(r"contrastPairs:\s*\[(.*?)\n\s*\]\n", text, re.DOTALL)
    assert block is not None, "Theme.qml has no contrastPairs list"
    return colours, _PAIR.findall(block.group(1))


def _luminance(hex_colour: str) -> float:
    digits = hex_colour.lstrip("#")
    if len(digits) == 8:  # #AARRGGBB: only opaque colours are text or background
        assert digits[:2].upper() == "FF", f"{hex_colour} is translucent"
        digits = digits[2:]

    def channel(i: int) -> float:
        c = int(digits[i : i + 2], 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


COLOURS, PAIRS = _theme()


def test_the_theme_declares_its_pairs() -> None:
    assert len(PAIRS) == len(re.findall(r'\[\s*"\w+"\s*,', THEME.read_text())) >= 20
    for fg, bg in PAIRS:
        assert fg in COLOURS, f"{fg} is not a colour of the theme"
        assert bg in COLOURS, f"{bg} is not a colour of the theme"


@pytest.mark.parametrize("theme", [0, 1], ids=["normal", "high-contrast"])
@pytest.mark.parametrize(("fg", "bg"), PAIRS, ids=[f"{f}-on-{b}" for f, b in PAIRS])
def test_pair_meets_wcag_aa(theme: int, fg: str, bg: str) -> None:
    ratio = contrast(COLOURS[fg][theme], COLOURS[bg][theme])
    assert ratio >= 4.5, f"{fg} {COLOURS[fg][theme]} on {bg} {COLOURS[bg][theme]}: {ratio:.2f}"


def test_high_contrast_is_higher() -> None:
    """The high-contrast theme is at least 7:1 (WCAG AAA) for body text."""
    for fg, bg in (("text", "bg"), ("text", "surface"), ("textOnPrimary", "primary")):
        assert contrast(COLOURS[fg][1], COLOURS[bg][1]) >= 7


def test_known_ratio() -> None:
    assert contrast("#FFFFFF", "#000000") == pytest.approx(21)
    assert contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)
