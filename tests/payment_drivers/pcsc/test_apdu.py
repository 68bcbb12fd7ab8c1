"""The APDU transport against fake connections: every status word, chains, broken answers."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from smartcard.Exceptions import CardConnectionException, NoCardException

from payment_drivers.pcsc import _scard
from payment_drivers.pcsc.apdu import (
    GET_UID,
    MAX_CHAIN,
    SELECT_PPSE,
    ApduError,
    ApduTransport,
    CardRemoved,
    MalformedResponse,
    PcscChannel,
    PyscardChannel,
    StatusWordError,
    TransmitError,
    UnusableUid,
    is_payment_card,
    read_uid,
    sw_meaning,
)

UID = bytes.fromhex("04A1B2C3D4E5F6")
MORE = bytes.fromhex("0102")


class FakeChannel:
    """Answers each command through `answer`; records what was sent."""

    def __init__(self, answer: Callable[[bytes], bytes]) -> None:
        self.answer = answer
        self.sent: list[bytes] = []

    def exchange(self, command: bytes) -> bytes:
        self.sent.append(command)
        return self.answer(command)


class OneStatusWord:
    """GET UID answered with `sw`; what follows (GET RESPONSE, the 6Cxx resend) succeeds."""

    def __init__(self, sw: int) -> None:
        self.sw = sw
        self.sent: list[bytes] = []

    def exchange(self, command: bytes) -> bytes:
        self.sent.append(command)
        if len(self.sent) == 1:
            return UID + self.sw.to_bytes(2, "big")
        if command[:4] == b"\x00\xc0\x00\x00":  # GET RESPONSE
            return MORE + b"\x90\x00"
        return UID + b"\x90\x00"  # the resend with the Le the card asked for (6C00: the same)


def _transmit(channel: OneStatusWord) -> bytes | StatusWordError:
    try:
        return ApduTransport(channel).transmit(GET_UID)
    except StatusWordError as exc:
        return exc


def test_every_status_word_answering_get_uid() -> None:
    """All 65,536 SW1 SW2: success, a chain, a resend, or a StatusWordError; nothing else."""
    outcomes = {"ok": 0, "chained": 0, "resent": 0, "error": 0}
    for sw in range(0x10000):
        sw1, sw2 = sw >> 8, sw & 0xFF
        channel = OneStatusWord(sw)
        result = _transmit(channel)
        if isinstance(result, StatusWordError):
            assert (result.sw1, result.sw2) == (sw1, sw2)
            assert result.meaning
            assert f"{sw1:02X}{sw2:02X}" in str(result)
            assert sw1 not in (0x61, 0x6C)
            assert sw != 0x9000
            outcomes["error"] += 1
        elif sw == 0x9000:
            assert result == UID
            outcomes["ok"] += 1
        elif sw1 == 0x61:
            assert result == UID + MORE
            assert channel.sent[1] == bytes((0x00, 0xC0, 0x00, 0x00, sw2))
            outcomes["chained"] += 1
        else:
            assert sw1 == 0x6C, f"{sw:04X} was taken for success"
            assert result == UID
            assert channel.sent[1] == GET_UID[:4] + bytes((sw2,))
            outcomes["resent"] += 1
    assert outcomes == {"ok": 1, "chained": 256, "resent": 256, "error": 65536 - 513}


class FixedAnswer:
    """Answers every command the same."""

    def __init__(self, response: bytes) -> None:
        self.response = response

    def exchange(self, command: bytes) -> bytes:
        return self.response


def test_every_status_word_through_read_uid() -> None:
    """read_uid raises only ApduErrors (typed) for whatever status word comes back."""
    for sw in range(0x10000):
        channel = FixedAnswer(UID + sw.to_bytes(2, "big"))
        with contextlib.suppress(ApduError):
            assert read_uid(ApduTransport(channel)) == UID


def test_61xx_chain_over_several_rounds() -> None:
    parts = [b"\x01" * 10, b"\x02" * 10, b"\x03" * 5]
    answers = iter([parts[0] + b"\x61\x0a", parts[1] + b"\x61\x05", parts[2] + b"\x90\x00"])
    channel = FakeChannel(lambda _c: next(answers))
    assert ApduTransport(channel).transmit(GET_UID) == b"".join(parts)
    assert channel.sent[1:] == [bytes.fromhex("00C000000A"), bytes.fromhex("00C0000005")]


def test_61xx_then_6cxx_on_get_response() -> None:
    answers = iter([b"\x61\x00", b"\x6c\x07", UID + b"\x90\x00"])
    channel = FakeChannel(lambda _c: next(answers))
    assert ApduTransport(channel).transmit(GET_UID) == UID
    assert channel.sent[1:] == [bytes.fromhex("00C0000000"), bytes.fromhex("00C0000007")]


def test_endless_61xx_chain_is_capped() -> None:
    channel = FakeChannel(lambda _c: b"\x00\x61\x01")
    with pytest.raises(MalformedResponse, match="GET RESPONSE rounds"):
        ApduTransport(channel).transmit(GET_UID)
    assert len(channel.sent) == MAX_CHAIN + 1


def test_6cxx_twice_is_malformed() -> None:
    channel = FakeChannel(lambda _c: b"\x6c\x07")
    with pytest.raises(MalformedResponse, match="6Cxx twice"):
        ApduTransport(channel).transmit(GET_UID)
    assert len(channel.sent) == 2


@pytest.mark.parametrize(
    ("command", "resent"),
    [
        ("00B00000", "00B0000010"),  # case 1: Le added
        ("00B0000000", "00B0000010"),  # case 2: Le replaced
        ("00D6000002AABB", "00D6000002AABB10"),  # case 3: Le added
        ("00A4040002AABB00", "00A4040002AABB10"),  # case 4: Le replaced
    ],
)
def test_6cxx_resend_keeps_the_command(command: str, resent: str) -> None:
    answers = iter([b"\x6c\x10", b"\x90\x00"])
    channel = FakeChannel(lambda _c: next(answers))
    ApduTransport(channel).transmit(bytes.fromhex(command))
    assert channel.sent[1] == bytes.fromhex(resent)


@pytest.mark.parametrize(
    ("response", "match"),
    [
        (b"", "0 byte"),
        (b"\x90", "1 byte"),
        (b"\x00" * 257 + b"\x90\x00", "259 bytes"),
        (b"\x00" * 1000, "1000 bytes"),
    ],
)
def test_malformed_answers(response: bytes, match: str) -> None:
    with pytest.raises(MalformedResponse, match=match):
        ApduTransport(FakeChannel(lambda _c: response)).transmit(GET_UID)


def test_largest_short_answer_is_fine() -> None:
    data = bytes(range(256))
    assert ApduTransport(FakeChannel(lambda _c: data + b"\x90\x00")).transmit(GET_UID) == data


@pytest.mark.parametrize("length", range(0, 17))
def test_uid_lengths(length: int) -> None:
    uid = bytes(range(1, length + 1))
    transport = ApduTransport(FakeChannel(lambda _c: uid + b"\x90\x00"))
    if length in (4, 7, 10):
        assert read_uid(transport) == uid
    else:
        with pytest.raises(UnusableUid, match=f"{length} bytes"):
            read_uid(transport)


@pytest.mark.parametrize(
    ("answer", "payment"),
    [
        (b"\x6f\x10" + b"\x00" * 16 + b"\x90\x00", True),
        (b"\x61\x2a", True),
        (b"\x6a\x82", False),
        (b"\x6d\x00", False),
        (b"\x90", False),  # malformed: no bank card (and no crash)
        (b"", False),
    ],
)
def test_payment_card_detection(answer: bytes, payment: bool) -> None:
    channel = FakeChannel(lambda _c: answer)
    assert is_payment_card(ApduTransport(channel)) is payment
    assert channel.sent == [SELECT_PPSE]  # one SELECT, never a GET RESPONSE for the FCI


def test_select_ppse_is_the_emv_command() -> None:
    assert SELECT_PPSE.hex().upper() == "00A404000E325041592E5359532E444446303100"


def test_payment_detection_lets_a_pulled_card_through() -> None:
    def gone(_c: bytes) -> bytes:
        raise CardRemoved("gone")

    with pytest.raises(CardRemoved):
        is_payment_card(ApduTransport(FakeChannel(gone)))


class FakePyscardConnection:
    """The shape of a pyscard CardConnection: transmit(list) -> (data, sw1, sw2)."""

    def __init__(self, result: tuple[list[int], int, int] | BaseException) -> None:
        self.result = result

    def transmit(self, command: list[int]) -> tuple[list[int], int, int]:
        assert isinstance(command, list)
        if isinstance(self.result, BaseException):
            raise self.result
        return self.result


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (NoCardException("no card", hresult=_scard.NO_SMARTCARD), CardRemoved),
        (CardConnectionException("gone", hresult=_scard.REMOVED_CARD), CardRemoved),
        (CardConnectionException("broken", hresult=_scard.NOT_TRANSACTED), CardRemoved),
        (CardConnectionException("no valid response", hresult=0), MalformedResponse),
    ],
)
def test_pyscard_errors_are_typed(error: BaseException, expected: type[ApduError]) -> None:
    channel = PyscardChannel(FakePyscardConnection(error))
    with pytest.raises(expected):
        ApduTransport(channel).transmit(GET_UID)


def test_pyscard_channel_answers() -> None:
    channel = PyscardChannel(FakePyscardConnection((list(UID), 0x90, 0x00)))
    assert read_uid(ApduTransport(channel)) == UID
    broken = PyscardChannel(FakePyscardConnection(([300], 0x90, 0x00)))
    with pytest.raises(MalformedResponse):
        ApduTransport(broken).transmit(GET_UID)


@pytest.mark.parametrize(
    ("hresult", "expected"),
    [
        (_scard.REMOVED_CARD, CardRemoved),
        (_scard.NO_SMARTCARD, CardRemoved),
        (_scard.NOT_TRANSACTED, CardRemoved),
        (_scard.INVALID_HANDLE, TransmitError),
    ],
)
def test_pcsc_channel_errors_are_typed(
    monkeypatch: pytest.MonkeyPatch, hresult: int, expected: type[ApduError]
) -> None:
    def transmit(card: int, protocol: int, command: bytes) -> bytes:
        raise _scard.PcscError("transmit failed", hresult)

    monkeypatch.setattr(_scard, "transmit", transmit)
    with pytest.raises(expected, match=f"0x{hresult:08X}"):
        PcscChannel(1, 2).exchange(GET_UID)


def test_meanings() -> None:
    assert sw_meaning(0x6A, 0x82) == "file or application not found"
    assert sw_meaning(0x63, 0xC2) == "verification failed, 2 tries left"
    assert sw_meaning(0x6A, 0x99) == "wrong parameters P1-P2"
    assert sw_meaning(0x12, 0x34).startswith("not a status word")
    assert all(sw_meaning(sw >> 8, sw & 0xFF) for sw in range(0x10000))
