"""list_readers() and test_reader() (what `devices test` prints) against the real pcscd."""

from __future__ import annotations

import io
import threading
import time

import pytest

from kiosk.ports import CardKind
from payment_drivers.pcsc import PcscUnavailable, ReaderInfo, diagnostics, list_readers
from tests.payment_drivers.pcsc.events import driver_threads
from tests.payment_drivers.pcsc.vpcd import (
    BANK_CARD_ATR,
    DESFIRE_ATR,
    SLOTS,
    Pcscd,
    bank_card_script,
    uid_script,
)

SLOT0, SLOT1 = SLOTS


def _wait_for_card(slot: str) -> list[ReaderInfo]:
    deadline = time.monotonic() + 5
    while True:
        infos = list_readers()
        if any(info.name == slot and info.card_present for info in infos):
            return infos
        assert time.monotonic() < deadline, "pcscd never saw the card"
        time.sleep(0.05)


def test_list_readers(pcscd: Pcscd) -> None:
    assert list_readers() == [
        ReaderInfo(SLOT0, False, None, None, None),
        ReaderInfo(SLOT1, False, None, None, None),
    ]
    pcscd.insert(uid_script("04112233445566"), atr=DESFIRE_ATR, slot=1)
    infos = _wait_for_card(SLOT1)
    assert infos[1] == ReaderInfo(SLOT1, True, "3B8180018080", CardKind.MIFARE_DESFIRE, None)
    assert infos[0].card_present is False


def test_list_readers_without_pcscd(pcscd: Pcscd) -> None:
    pcscd.stop()
    with pytest.raises(
        PcscUnavailable, match=r"pcscd is not running or not reachable: .*0x8010001D"
    ):
        list_readers()
    out = io.StringIO()
    assert diagnostics.test_reader(None, 1.0, out) == 1
    assert out.getvalue().startswith("pcscd is not running or not reachable: ")
    assert out.getvalue().count("\n") == 1


def test_tap_prints_the_masked_uid(pcscd: Pcscd) -> None:
    out = io.StringIO()
    timer = threading.Timer(0.3, lambda: pcscd.insert(uid_script("04A1B2C3D4E5F6")))
    timer.start()
    try:
        code = diagnostics.test_reader("Virtual PCD 00 00", 5.0, out)
    finally:
        timer.join()
    lines = out.getvalue().splitlines()
    assert code == 0
    assert lines == [
        f"waiting 5 s for a card on {SLOT0}",
        f"{SLOT0}: MIFARE Classic 1K, UID ••••••E5F6 (7 bytes)",
    ]
    assert "04A1B2C3D4" not in out.getvalue()
    assert driver_threads() == []


def test_a_card_already_on_the_reader_counts(pcscd: Pcscd) -> None:
    pcscd.insert(uid_script("A1B2C3D4"), slot=1)
    _wait_for_card(SLOT1)
    out = io.StringIO()
    assert diagnostics.test_reader("00 01", 5.0, out) == 0
    assert (
        out.getvalue().splitlines()[-1] == f"{SLOT1}: MIFARE Classic 1K, UID ••••••C3D4 (4 bytes)"
    )


def test_bank_card_is_named_and_nothing_printed_of_it(pcscd: Pcscd) -> None:
    pcscd.insert(bank_card_script("08A1B2C3"), atr=BANK_CARD_ATR)
    out = io.StringIO()
    assert diagnostics.test_reader(SLOT0, 5.0, out) == 0
    last = out.getvalue().splitlines()[-1]
    assert last == f"{SLOT0}: a bank card was presented: use the card terminal"
    assert "B2C3" not in out.getvalue()


def test_timeout(pcscd: Pcscd) -> None:
    out = io.StringIO()
    began = time.monotonic()
    assert diagnostics.test_reader(SLOT0, 0.5, out) == 1
    assert time.monotonic() - began < 1.5
    assert out.getvalue().splitlines() == [
        f"waiting 0.5 s for a card on {SLOT0}",
        "no card was read within 0.5 s",
    ]
    assert driver_threads() == []


def test_no_matching_reader(pcscd: Pcscd) -> None:
    out = io.StringIO()
    assert diagnostics.test_reader("ACR122", 1.0, out) == 1
    assert out.getvalue() == f"no reader matches 'ACR122'; readers: {SLOT0}, {SLOT1}\n"


def test_unreadable_card_is_reported_then_timeout(pcscd: Pcscd) -> None:
    pcscd.insert(uid_script("0102", {}))  # a 2-byte UID: not usable
    out = io.StringIO()
    assert diagnostics.test_reader(SLOT0, 1.5, out) == 1
    lines = out.getvalue().splitlines()
    assert lines[1] == f"{SLOT0}: a card could not be read (a UID of 2 bytes is not usable)"
    assert lines[-1] == "no card was read within 1.5 s"
