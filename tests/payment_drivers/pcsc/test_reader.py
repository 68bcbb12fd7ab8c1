"""PcscReader against the real pcscd, the vpcd reader and scripted virtual cards."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from kiosk.ports import CardKind, TokenEvent, TokenEventKind, TokenReader
from payment_drivers.pcsc import PcscReader, _scard
from payment_drivers.pcsc.apdu import (
    GET_UID,
    SELECT_PPSE,
    ApduError,
    ApduTransport,
    PcscChannel,
    StatusWordError,
)
from tests.conftest import ExpectedWarnings
from tests.payment_drivers.pcsc.events import EventLog, driver_threads, running_reader
from tests.payment_drivers.pcsc.vpcd import (
    BANK_CARD_ATR,
    DESFIRE_ATR,
    ISO14443_4_ATR,
    MIFARE_CLASSIC_1K_ATR,
    MIFARE_ULTRALIGHT_ATR,
    PULL,
    SLOTS,
    Answer,
    Pcscd,
    Reply,
    bank_card_script,
    uid_script,
)

K = TokenEventKind
SLOT0, SLOT1 = SLOTS
UID7 = "04A1B2C3D4E5F6"


def test_is_a_token_reader() -> None:
    reader: TokenReader = PcscReader()
    reader.close()  # closing a reader never started is fine


@pytest.mark.parametrize(
    ("atr", "uid", "kind", "selects"),
    [
        (None, "A1B2C3D4", CardKind.MIFARE_CLASSIC_1K, False),
        (MIFARE_ULTRALIGHT_ATR, UID7, CardKind.MIFARE_ULTRALIGHT, False),
        (DESFIRE_ATR, "04112233445566", CardKind.MIFARE_DESFIRE, True),
        (ISO14443_4_ATR, "08C0FFEE", CardKind.ISO_14443_4, True),
    ],
    ids=["classic-1k", "ultralight", "desfire", "iso14443-4"],
)
def test_tap_presents_the_uid_and_kind(
    pcscd: Pcscd, atr: bytes | None, uid: str, kind: CardKind, selects: bool
) -> None:
    with running_reader() as (_reader, log):
        card = pcscd.insert(uid_script(uid.lower()), atr=atr or MIFARE_CLASSIC_1K_ATR)
        event = log.wait_for(K.PRESENTED)
        assert (event.uid, event.card, event.reader) == (uid, kind, SLOT0)
        assert event.at.tzinfo is not None
        # storage cards are not asked for a payment application, the others first are
        assert card.apdus == ([SELECT_PPSE, GET_UID] if selects else [GET_UID])
        assert log.threads == {f"pcsc-reader {SLOT0}"}
        card.remove()
        log.wait_for(K.REMOVED)
        assert log.kinds() == [K.READER_ATTACHED, K.PRESENTED, K.REMOVED]


def test_one_presented_however_long_held_and_again_after_removal(pcscd: Pcscd) -> None:
    with running_reader() as (_reader, log):
        card = pcscd.insert(uid_script(UID7))
        log.wait_for(K.PRESENTED)
        time.sleep(2.5)  # held: pcscd keeps polling it, nothing new may come of it
        assert log.kinds() == [K.READER_ATTACHED, K.PRESENTED]
        card.remove()
        log.wait_for(K.REMOVED)
        again = pcscd.insert(uid_script(UID7))
        second = log.wait_for(K.PRESENTED, count=2)
        assert second.uid == UID7
        again.remove()
        log.wait_for(K.REMOVED, count=2)
        log.settle()
        assert log.kinds() == [K.READER_ATTACHED, K.PRESENTED, K.REMOVED, K.PRESENTED, K.REMOVED]
        assert len(card.apdus) == 1  # the held card was read once


def test_card_pulled_in_the_middle_of_the_uid_apdu(pcscd: Pcscd) -> None:
    with running_reader() as (_reader, log):
        pcscd.insert(uid_script(UID7, {GET_UID: PULL}))
        log.wait_for(K.REMOVED)
        kinds = log.kinds()
        assert K.PRESENTED not in kinds
        assert kinds in ([K.READER_ATTACHED, K.UNREADABLE, K.REMOVED], [K.READER_ATTACHED])
        pcscd.insert(uid_script(UID7))
        assert log.wait_for(K.PRESENTED).uid == UID7


def test_bank_card_leaves_nothing(pcscd: Pcscd, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    uid = "08A1B2C3"
    with running_reader() as (_reader, log):
        card = pcscd.insert(bank_card_script(uid), atr=BANK_CARD_ATR)
        event = log.wait_for(K.BANK_CARD)
        card.remove()
        log.wait_for(K.REMOVED)
        log.settle()
    assert log.kinds() == [K.READER_ATTACHED, K.BANK_CARD, K.REMOVED]
    assert (event.uid, event.card, event.detail) == (None, None, "")
    assert card.apdus == [SELECT_PPSE]  # no UID asked for, no GET RESPONSE for the FCI
    everything = caplog.text + repr(log.events)
    for secret in (uid, uid[-4:], "A0000000041010", "2PAY"):
        assert secret.lower() not in everything.lower()
    assert "a payment card was presented" in caplog.text


def test_bank_card_answering_61xx(pcscd: Pcscd) -> None:
    with running_reader() as (_reader, log):
        script = uid_script(UID7, {SELECT_PPSE: b"\x61\x25"})
        card = pcscd.insert(script, atr=BANK_CARD_ATR)
        log.wait_for(K.BANK_CARD)
        assert card.apdus == [SELECT_PPSE]


def test_uid_never_logged_in_full(pcscd: Pcscd, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with running_reader() as (_reader, log):
        pcscd.insert(uid_script(UID7))
        log.wait_for(K.PRESENTED)
    assert UID7 not in caplog.text.upper()
    assert "…E5F6" in caplog.text


@pytest.mark.parametrize(
    ("answer", "detail"),
    [
        (b"\x90", "1 byte"),  # no status word
        (Answer(b""), "0 byte"),  # empty (vpcd then drops the card)
        (b"\x00" * 300 + b"\x90\x00", "302 bytes"),  # oversized
        (bytes.fromhex("0102030405") + b"\x90\x00", "UID of 5 bytes"),
        (b"\x6a\x81", "6A81: function not supported"),
        (b"\x63\xc1", "63C1"),
    ],
    ids=["no-sw", "empty", "oversized", "uid-5-bytes", "6A81", "63C1"],
)
def test_broken_answers_through_pcscd_are_unreadable(
    pcscd: Pcscd, answer: Reply, detail: str
) -> None:
    with running_reader() as (_reader, log):
        card = pcscd.insert(uid_script(UID7, {GET_UID: answer}))
        event = log.wait_for(K.UNREADABLE)
        assert detail in event.detail
        assert event.uid is None
        card.remove()
        log.wait_for(K.REMOVED)
        assert K.PRESENTED not in log.kinds()


def test_card_with_a_garbage_atr_is_unreadable(pcscd: Pcscd) -> None:
    with running_reader() as (_reader, log):
        card = pcscd.insert(uid_script(UID7), atr=b"\x00")  # pcscd cannot even connect
        event = log.wait_for(K.UNREADABLE)
        assert "0x8010000F" in event.detail  # SCARD_E_PROTO_MISMATCH
        assert event.card is CardKind.UNKNOWN
        assert card.apdus == []
        card.remove()
        log.wait_for(K.REMOVED)


def test_61xx_chain_and_6cxx_resend_through_pcscd(pcscd: Pcscd) -> None:
    uid = bytes.fromhex(UID7)

    def chained(command: bytes) -> Reply:
        if command == GET_UID:
            return uid[:3] + b"\x61\x04"
        if command == bytes.fromhex("00C0000004"):
            return uid[3:] + b"\x90\x00"
        return b"\x6d\x00"

    def wrong_le(command: bytes) -> Reply:
        if command == GET_UID:
            return b"\x6c\x07"
        if command == bytes.fromhex("FFCA000007"):
            return uid + b"\x90\x00"
        return b"\x6d\x00"

    with running_reader() as (_reader, log):
        card = pcscd.insert(chained)
        assert log.wait_for(K.PRESENTED).uid == UID7
        assert card.apdus == [GET_UID, bytes.fromhex("00C0000004")]
        card.remove()
        log.wait_for(K.REMOVED)
        card = pcscd.insert(wrong_le)
        assert log.wait_for(K.PRESENTED, count=2).uid == UID7
        assert card.apdus == [GET_UID, bytes.fromhex("FFCA000007")]


@pytest.mark.slow
def test_every_status_word_through_pcscd(pcscd: Pcscd) -> None:
    """All 65,536 status words, through pcscd and vpcd to the transport (~16 s)."""
    current = {"sw": 0x9000, "fresh": 1}
    uid = bytes.fromhex(UID7)

    def script(command: bytes) -> Reply:
        if command == GET_UID and current["fresh"]:
            current["fresh"] = 0
            return uid + current["sw"].to_bytes(2, "big")
        return uid + b"\x90\x00"  # GET RESPONSE and the 6Cxx resend (6C00: the same APDU)

    sample = list(range(0x10000))
    pcscd.insert(script)
    context = _scard.establish()
    try:
        deadline = time.monotonic() + 5
        while True:
            try:
                handle, protocol = _scard.connect(context, SLOT0)
                break
            except _scard.PcscError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        transport = ApduTransport(PcscChannel(handle, protocol))
        results: dict[str, int] = {}
        for sw in sample:
            current.update(sw=sw, fresh=1)
            outcome = _outcome(transport, uid)
            assert outcome in ("ok", f"status {sw:04X}"), f"{sw:04X}: {outcome}"
            results[outcome[:6]] = results.get(outcome[:6], 0) + 1
        _scard.disconnect(handle)
    finally:
        _scard.release(context)
    chained_or_resent = sum(1 for sw in sample if sw >> 8 in (0x61, 0x6C))
    assert results == {"ok": 1 + chained_or_resent, "status": len(sample) - 1 - chained_or_resent}


def _outcome(transport: ApduTransport, uid: bytes) -> str:
    try:
        data = transport.transmit(GET_UID)
    except StatusWordError as exc:
        return f"status {exc.sw1:02X}{exc.sw2:02X}"
    except ApduError as exc:  # any other error fails the test
        return repr(exc)
    return "ok" if data in (uid, uid + uid) else f"data {data.hex()}"


def test_sink_exception_does_not_kill_the_thread(
    pcscd: Pcscd, expect_warnings: ExpectedWarnings, caplog: pytest.LogCaptureFixture
) -> None:
    expect_warnings("the token sink failed")
    log = EventLog()

    def sink(event: TokenEvent) -> None:
        log(event)
        if event.kind is K.PRESENTED:
            raise RuntimeError(f"sink broke on {event.uid}")

    reader = PcscReader(SLOT0)
    reader.start(sink)
    try:
        log.wait_for(K.READER_ATTACHED)
        card = pcscd.insert(uid_script(UID7))
        log.wait_for(K.PRESENTED)
        card.remove()
        log.wait_for(K.REMOVED)  # the thread lived on
        pcscd.insert(uid_script(UID7))
        log.wait_for(K.PRESENTED, count=2)
    finally:
        reader.close()
    assert "sink broke on …E5F6" in caplog.text
    assert UID7 not in caplog.text


def test_every_reader_gets_its_own_thread_and_pattern_filters(pcscd: Pcscd) -> None:
    with running_reader(None, attached=2) as (_reader, log):
        names = sorted(t.name for t in driver_threads())
        assert names == ["pcsc-discovery", f"pcsc-reader {SLOT0}", f"pcsc-reader {SLOT1}"]
        pcscd.insert(uid_script("11223344"), slot=1)
        event = log.wait_for(K.PRESENTED)
        assert (event.reader, event.uid) == (SLOT1, "11223344")
    with running_reader("pcd 00 01$") as (_reader, log):  # a regex, any case
        assert [e.reader for e in log.of(K.READER_ATTACHED)] == [SLOT1]
        assert sorted(t.name for t in driver_threads()) == [
            "pcsc-discovery",
            f"pcsc-reader {SLOT1}",
        ]


def test_pattern_matching_nothing_starts_no_reader_thread(pcscd: Pcscd) -> None:
    log = EventLog()
    reader = PcscReader("no such reader")
    reader.start(log)
    time.sleep(0.3)
    assert [t.name for t in driver_threads()] == ["pcsc-discovery"]
    reader.close()
    assert driver_threads() == []
    assert log.events == []


def test_pcscd_restart_detaches_and_attaches(
    pcscd: Pcscd, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("pcscd is not running or not reachable", "detached")
    with running_reader() as (_reader, log):
        pcscd.insert(uid_script(UID7))
        log.wait_for(K.PRESENTED)
        pcscd.stop()  # like pulling the reader's cable: the card goes with it
        detached = log.wait_for(K.READER_DETACHED)
        assert detached.reader == SLOT0
        assert "pcscd is not running" in detached.detail
        assert log.kinds() == [K.READER_ATTACHED, K.PRESENTED, K.REMOVED, K.READER_DETACHED]
        time.sleep(0.3)  # the driver retries meanwhile
        began = time.monotonic()
        pcscd.start()
        log.wait_for(K.READER_ATTACHED, count=2)
        assert time.monotonic() - began < 3
        pcscd.insert(uid_script("CAFEBABE"))
        assert log.wait_for(K.PRESENTED, count=2).uid == "CAFEBABE"


def test_started_while_pcscd_is_down(pcscd: Pcscd, expect_warnings: ExpectedWarnings) -> None:
    expect_warnings("pcscd is not running or not reachable")
    pcscd.stop()
    log = EventLog()
    reader = PcscReader(SLOT0)
    reader.start(log)
    try:
        time.sleep(0.3)
        assert log.events == []
        pcscd.start()
        log.wait_for(K.READER_ATTACHED)
        pcscd.insert(uid_script(UID7))
        log.wait_for(K.PRESENTED)
    finally:
        began = time.monotonic()
        reader.close()
        assert time.monotonic() - began < 1
    assert driver_threads() == []


def test_reader_fault_and_recovery(
    pcscd: Pcscd, monkeypatch: pytest.MonkeyPatch, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("is faulty")
    broken = threading.Event()
    real = _scard.get_status_change

    def get_status_change(
        context: int, timeout_ms: int, states: list[tuple[str, int]]
    ) -> tuple[int, list[_scard.ReaderState]]:
        if broken.is_set() and states[0][0] == SLOT0:
            time.sleep(0.01)
            return _scard.READER_UNAVAILABLE, []
        return real(context, timeout_ms, states)

    monkeypatch.setattr(_scard, "get_status_change", get_status_change)
    with running_reader() as (_reader, log):
        broken.set()
        fault = log.wait_for(K.READER_FAULT)
        assert "0x80100017" in fault.detail
        time.sleep(0.5)
        assert len(log.of(K.READER_FAULT)) == 1  # said once, not on every retry
        broken.clear()
        log.wait_for(K.READER_ATTACHED, count=2)  # usable again
        pcscd.insert(uid_script(UID7))
        assert log.wait_for(K.PRESENTED).uid == UID7


def test_close_is_prompt_and_stops_every_thread(pcscd: Pcscd) -> None:
    reader = PcscReader(None, poll_s=5.0)  # a long timeout: close() must cancel the wait
    log = EventLog()
    reader.start(log)
    log.wait_for(K.READER_ATTACHED, count=2)
    began = time.monotonic()
    reader.close()
    assert time.monotonic() - began < 0.5
    assert driver_threads() == []
    reader.close()  # twice is fine
    with pytest.raises(RuntimeError):
        reader.start(log)


def test_slow_card_is_still_read(pcscd: Pcscd) -> None:
    with running_reader() as (_reader, log):
        pcscd.insert(uid_script(UID7, {GET_UID: Answer(bytes.fromhex(UID7) + b"\x90\x00", 0.4)}))
        assert log.wait_for(K.PRESENTED).uid == UID7
