"""Card kinds from PC/SC part 3 ATRs; any bytes at all give a kind, never an error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.ports import CardKind
from payment_drivers.pcsc.atr import card_kind, card_kind_name, has_iso7816_apps, parse_atr
from tests.payment_drivers.pcsc.vpcd import (
    BANK_CARD_ATR,
    DESFIRE_ATR,
    ISO14443_4_ATR,
    MIFARE_CLASSIC_1K_ATR,
    MIFARE_CLASSIC_4K_ATR,
    MIFARE_ULTRALIGHT_ATR,
    with_tck,
)


@pytest.mark.parametrize(
    ("atr", "kind"),
    [
        (MIFARE_CLASSIC_1K_ATR, CardKind.MIFARE_CLASSIC_1K),
        (MIFARE_CLASSIC_4K_ATR, CardKind.MIFARE_CLASSIC_4K),
        (MIFARE_ULTRALIGHT_ATR, CardKind.MIFARE_ULTRALIGHT),
        (with_tck("3B8F8001804F0CA00000030603002600000000"), CardKind.MIFARE_CLASSIC_1K),  # Mini
        (with_tck("3B8F8001804F0CA00000030603003A00000000"), CardKind.MIFARE_ULTRALIGHT),  # C
        (with_tck("3B8F8001804F0CA00000030603FFFF00000000"), CardKind.UNKNOWN),  # unlisted name
        (DESFIRE_ATR, CardKind.MIFARE_DESFIRE),
        (ISO14443_4_ATR, CardKind.ISO_14443_4),
        (BANK_CARD_ATR, CardKind.ISO_14443_4),
        (with_tck("3B8880010000000000718100"), CardKind.ISO_14443_4),  # type B
        (bytes.fromhex("3B6800000073C84013009000"), CardKind.UNKNOWN),  # a contact card, T=0
        (bytes.fromhex("3BF81300008131FE15597562696B657934D4"), CardKind.UNKNOWN),  # contact
    ],
)
def test_kinds(atr: bytes, kind: CardKind) -> None:
    assert card_kind(atr) is kind
    assert card_kind(list(atr)) is kind  # pyscard hands out lists of ints


def test_the_infra_atr_is_classic_1k_with_a_valid_tck() -> None:
    parsed = parse_atr(MIFARE_CLASSIC_1K_ATR)
    assert parsed is not None
    assert parsed.protocols == frozenset({0, 1})
    assert parsed.historical[:2] == b"\x80\x4f"


@pytest.mark.parametrize(
    "atr",
    [
        None,
        b"",
        b"\x3b",
        b"\x00" * 20,
        MIFARE_CLASSIC_1K_ATR[:-1],  # TCK missing
        MIFARE_CLASSIC_1K_ATR[:-1] + b"\x00",  # TCK wrong
        MIFARE_CLASSIC_1K_ATR + b"\x00",  # a byte too many
        b"\x3b\xff" + b"\xff" * 40,  # interface bytes without end, longer than any ATR
        b"\x3b\x8f\x80",  # TD1 says TD2 follows: it does not
    ],
)
def test_malformed_atrs_are_unknown(atr: bytes | None) -> None:
    assert card_kind(atr) is CardKind.UNKNOWN


@pytest.mark.parametrize("atr", [MIFARE_CLASSIC_1K_ATR, DESFIRE_ATR, BANK_CARD_ATR])
def test_every_truncation_is_unknown(atr: bytes) -> None:
    for end in range(len(atr)):
        assert card_kind(atr[:end]) is CardKind.UNKNOWN


@given(st.binary(max_size=40))
def test_any_bytes_give_a_kind(atr: bytes) -> None:
    assert isinstance(card_kind(atr), CardKind)


@given(st.lists(st.integers(min_value=-1000, max_value=1000), max_size=40))
def test_any_ints_give_a_kind(atr: list[int]) -> None:
    assert isinstance(card_kind(atr), CardKind)


def test_names_and_iso7816() -> None:
    assert card_kind_name(CardKind.MIFARE_CLASSIC_1K) == "MIFARE Classic 1K"
    assert card_kind_name(None) == "unknown card"
    assert not has_iso7816_apps(CardKind.MIFARE_ULTRALIGHT)
    assert has_iso7816_apps(CardKind.ISO_14443_4)
    assert has_iso7816_apps(CardKind.UNKNOWN)  # an unknown card may be a bank card
