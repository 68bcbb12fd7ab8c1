"""What kind of contactless card a reader found, from the ATR it made up for it.

A PC/SC contactless reader builds an ATR for each card (PC/SC part 3, 3.1.3.2.3):
storage cards (MIFARE Classic, Ultralight) get
`3B 8F 80 01 80 4F 0C A0 00 00 03 06 SS NN NN 00 00 00 00 TCK` with the card's name in
NN NN; ISO 14443-4 cards get `3B 8n 80 01` and their ATS historical bytes (DESFire's
are the single byte 80). The ATR comes from the card's side of the air gap, so the
parser takes any bytes: a short, long or inconsistent ATR is UNKNOWN, never an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from kiosk.ports import CardKind

__all__ = ["ParsedAtr", "card_kind", "card_kind_name", "has_iso7816_apps", "parse_atr"]

_RID_PCSC: Final = bytes.fromhex("A000000306")  # PC/SC workgroup's registered id
_CARD_NAMES: Final[dict[int, CardKind]] = {
    0x0001: CardKind.MIFARE_CLASSIC_1K,
    0x0002: CardKind.MIFARE_CLASSIC_4K,
    0x0003: CardKind.MIFARE_ULTRALIGHT,
    0x0026: CardKind.MIFARE_CLASSIC_1K,  # MIFARE Mini: Classic protocol, less memory
    0x003A: CardKind.MIFARE_ULTRALIGHT,  # Ultralight C
}
_NAMES: Final[dict[CardKind, str]] = {
    CardKind.MIFARE_CLASSIC_1K: "MIFARE Classic 1K",
    CardKind.MIFARE_CLASSIC_4K: "MIFARE Classic 4K",
    CardKind.MIFARE_ULTRALIGHT: "MIFARE Ultralight",
    CardKind.MIFARE_DESFIRE: "MIFARE DESFire",
    CardKind.ISO_14443_4: "ISO 14443-4 smart card",
    CardKind.UNKNOWN: "unknown card",
}
# storage cards speak no ISO 7816-4: nothing to SELECT on them
_STORAGE: Final = frozenset(
    {CardKind.MIFARE_CLASSIC_1K, CardKind.MIFARE_CLASSIC_4K, CardKind.MIFARE_ULTRALIGHT}
)


@dataclass(frozen=True, slots=True)
class ParsedAtr:
    """The parts of an ISO 7816-3 ATR the kind depends on."""

    interface: bytes  # T0 up to the last interface byte
    protocols: frozenset[int]
    historical: bytes


def parse_atr(atr: Iterable[int] | None) -> ParsedAtr | None:
    """Split an ATR into interface and historical bytes; None if it is not well formed."""
    if atr is None:
        return None
    try:
        data = bytes(atr)
    except (TypeError, ValueError):
        return None
    if len(data) < 2 or len(data) > 33 or data[0] not in (0x3B, 0x3F):
        return None
    indicator = data[1] >> 4  # which of TA, TB, TC, TD follow
    historical_count = data[1] & 0x0F
    i = 2
    protocols: set[int] = set()
    while True:
        i += bin(indicator & 0x7).count("1")  # TAi, TBi, TCi
        if not indicator & 0x8:
            break
        if i >= len(data):
            return None
        td = data[i]
        i += 1
        protocols.add(td & 0x0F)
        indicator = td >> 4
    if i > len(data):
        return None
    interface = data[1:i]
    historical = data[i : i + historical_count]
    if len(historical) != historical_count:
        return None
    end = i + historical_count
    if protocols - {0}:  # TCK present when anything but T=0 is offered
        if end >= len(data):
            return None
        checksum = 0
        for byte in data[1 : end + 1]:
            checksum ^= byte
        if checksum != 0:
            return None
        end += 1
    if end != len(data):
        return None
    return ParsedAtr(interface, frozenset(protocols or {0}), historical)


def card_kind(atr: Iterable[int] | None) -> CardKind:
    """The card's kind; UNKNOWN for a contact card, an unlisted name or a broken ATR."""
    parsed = parse_atr(atr)
    if parsed is None:
        return CardKind.UNKNOWN
    hist = parsed.historical
    if len(hist) >= 11 and hist[0] == 0x80 and hist[1] == 0x4F and hist[3:8] == _RID_PCSC:
        return _CARD_NAMES.get(int.from_bytes(hist[9:11], "big"), CardKind.UNKNOWN)
    # 3B 8n 80 01: TD1 says T=0 and TD2 follows, TD2 says T=1 and nothing follows
    if parsed.interface[1:] != b"\x80\x01":
        return CardKind.UNKNOWN
    if hist == b"\x80":
        return CardKind.MIFARE_DESFIRE
    return CardKind.ISO_14443_4


def card_kind_name(kind: CardKind | None) -> str:
    """The kind as an installer reads it: 'MIFARE Classic 1K'."""
    return _NAMES.get(kind, "unknown card") if kind is not None else "unknown card"


def has_iso7816_apps(kind: CardKind) -> bool:
    """Whether the card may hold ISO 7816-4 applications (a payment application, say)."""
    return kind not in _STORAGE
