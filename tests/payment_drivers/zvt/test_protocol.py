"""The ZVT codec: known frames, round trips, no card data kept, garbage refused typed."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payment_drivers.zvt import protocol as p
from payment_drivers.zvt.protocol import ZvtProtocolError

# ------------------------------------------------------------------ framing


def test_short_and_extended_lengths_round_trip() -> None:
    short = p.encode_apdu(0x06, 0x22, b"x" * 254)
    assert short[:3] == b"\x06\x22\xfe"
    long = p.encode_apdu(0x06, 0xD3, b"y" * 300)
    assert long[:5] == b"\x06\xd3\xff\x2c\x01"  # 0xFF, then 300 little-endian
    for frame in (short, long, p.ACK):
        apdu = p.decode_apdu(frame)
        assert apdu.encode() == frame


def test_a_frame_must_be_whole() -> None:
    with pytest.raises(ZvtProtocolError):
        p.decode_apdu(b"\x06\x0f\x05\x00")
    with pytest.raises(ZvtProtocolError):
        p.decode_apdu(b"\x80\x00\x00\x00")  # trailing byte
    with pytest.raises(ZvtProtocolError):
        p.decode_apdu(b"\x80\x00")
    assert p.frame_length(b"\x06\xd3\xff\x01") is None  # the 2-byte length is not there yet


def test_the_repr_of_a_frame_never_shows_its_data() -> None:
    apdu = p.Apdu(0x04, 0x0F, b"\x22\xf0\xf8\x41\x11\x11\x11\x11\x11\x11\x11")
    assert "41" not in repr(apdu)
    assert str(apdu) == "04 0F (11 bytes)"


# ------------------------------------------------------------------- numbers


def test_bcd_and_amounts() -> None:
    assert p.bcd_encode(1234, 6) == bytes.fromhex("000000001234")
    assert p.bcd_decode(bytes.fromhex("0978")) == 978
    assert p.amount_to_minor(Decimal("12.34"), 2) == 1234
    assert p.amount_to_minor(Decimal(50), 2) == 5000
    assert p.amount_from_minor(1234, 2) == Decimal("12.34")
    assert p.amount_from_minor(5, 0) == Decimal(5)
    with pytest.raises(ZvtProtocolError):
        p.bcd_decode(b"\x1a")
    with pytest.raises(ValueError, match="decimal places"):
        p.amount_to_minor(Decimal("1.005"), 2)
    for bad in (Decimal(-1), Decimal("1e12"), Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises(ValueError):  # noqa: PT011 - any refusal will do
            p.amount_to_minor(bad, 2)
    with pytest.raises(ValueError, match="does not fit"):
        p.bcd_encode(1000, 1)


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_amount_round_trip(minor: int) -> None:
    assert p.bcd_decode(p.bcd_encode(minor, 6)) == minor
    assert p.amount_to_minor(p.amount_from_minor(minor, 2), 2) == minor


# -------------------------------------------------------------- BMP and TLV


def test_llvar_and_lllvar_lengths() -> None:
    assert p.encode_bmp(0x8B, b"VISA") == b"\x8b\xf0\xf4VISA"
    assert p.encode_bmp(0x3C, b"ab") == b"\x3c\xf0\xf0\xf2ab"
    fields = p.decode_bmps(b"\x8b\xf0\xf4VISA\x27\x00\x87\x00\x42")
    assert fields.text(0x8B) == "VISA"
    assert fields.byte(0x27) == 0
    assert fields.bcd(0x87) == 42
    with pytest.raises(ZvtProtocolError):
        p.decode_bmps(b"\x8b\xf0\xa4VISA")  # not an FxFy digit
    with pytest.raises(ZvtProtocolError):
        p.decode_bmps(b"\x8b\xf0\xf9VISA")  # longer than the message
    with pytest.raises(ZvtProtocolError):
        p.decode_bmps(b"\x42\x00")  # unknown BMP
    with pytest.raises(ValueError, match="takes 2 bytes"):
        p.encode_bmp(0x87, b"\x01")


def test_tlv_round_trip_with_long_lengths_and_two_byte_tags() -> None:
    nodes = (
        p.TlvNode(0x24, children=(p.TlvNode(0x07, b"line one"), p.TlvNode(0x07, b"x" * 200))),
        p.TlvNode(0x1F07, b"\x01"),
    )
    raw = p.encode_tlv(nodes)
    assert raw[:3] == b"\x24\x81\xd5"  # 213 bytes of content: 0x81 and one length byte
    assert p.decode_tlv(raw) == nodes
    big = p.encode_tlv([p.TlvNode(0x07, b"z" * 300)])
    assert big[:4] == b"\x07\x82\x01\x2c"
    assert p.decode_tlv(big)[0].value == b"z" * 300
    with pytest.raises(ZvtProtocolError):
        p.decode_tlv(b"\x07\x83\x00\x00\x01")
    with pytest.raises(ZvtProtocolError):
        p.decode_tlv(b"\x1f")  # a two-byte tag cut short
    with pytest.raises(ZvtProtocolError):
        p.decode_tlv(b"\x24" * 40 + b"\x00")  # nested past any sense


def test_only_the_last_four_pan_digits_survive_parsing() -> None:
    masked = p.decode_bmps(b"\x22\xf0\xf8" + bytes.fromhex("eeeeeeeeeeee4242"))
    assert masked.pan_last4 == "4242"
    # A terminal that forgets to mask: still only the last four are kept.
    plain = p.decode_bmps(b"\x22\xf0\xf8" + bytes.fromhex("4111111111111111"))
    assert plain.pan_last4 == "1111"
    assert 0x22 not in plain.values
    odd = p.decode_bmps(b"\x22\xf0\xf8" + bytes.fromhex("eeeeeeeeeee1234f"))  # padded
    assert odd.pan_last4 == "1234"
    fully_masked = p.decode_bmps(b"\x22\xf0\xf2" + bytes.fromhex("eeee"))
    assert fully_masked.pan_last4 is None
    with pytest.raises(ZvtProtocolError):
        p.decode_bmps(b"\x22\xf0\xf2" + bytes.fromhex("f123"))  # digits after the padding


def test_track_data_cvv_and_expiry_are_dropped_unread() -> None:
    raw = (
        b"\x23\xf1\xf0"
        + bytes.fromhex("41111111111111112512")
        + b"\x0e\x25\x12"
        + b"\x3a\x12\x3f"
        + b"\x06\x06\x1f\x09\x03abc"  # TLV track 2
    )
    fields = p.decode_bmps(raw)
    assert fields.values == {}
    assert fields.tlv == (p.TlvNode(0x1F09),)


# ------------------------------------------------------------------ messages


def _status_info() -> bytes:
    return (
        b"\x27\x00\x04"
        + p.bcd_encode(2000, 6)
        + b"\x0b\x00\x00\x07\x87\x00\x03\x29\x52\x50\x00\x01\x49\x09\x78\x8a\x05"
        + b"\x8b\xf0\xf8girocard\x22\xf0\xf8"
        + bytes.fromhex("eeeeeeeeeeee3000")
        + b"\x06\x05\x24\x03\x07\x01A"
    )


def test_status_information() -> None:
    msg = p.parse_message(p.Apdu(0x04, 0x0F, _status_info()))
    assert msg == p.StatusInformation(
        result_code=0,
        amount_minor=2000,
        trace_no=7,
        receipt_no=3,
        terminal_id="52500001",
        currency=978,
        card_type=5,
        card_name="girocard",
        pan_last4="3000",
        texts=("A",),
    )


def test_intermediate_status_with_the_terminals_text() -> None:
    tlv = p.encode_tlv([p.TlvNode(0x24, children=(p.TlvNode(0x07, b"Bitte\x00 warten"),))])
    msg = p.parse_message(p.Apdu(0x04, 0xFF, b"\xff\x05\x06" + bytes((len(tlv),)) + tlv))
    assert msg == p.IntermediateStatus(0xFF, 5, ("Bitte  warten",))
    assert p.parse_message(p.Apdu(0x04, 0xFF, b"\x0a")) == p.IntermediateStatus(0x0A)
    with pytest.raises(ZvtProtocolError):
        p.parse_message(p.Apdu(0x04, 0xFF))


def test_completions_aborts_acks_and_print_messages() -> None:
    reg = p.parse_message(p.Apdu(0x06, 0x0F, b"\x19\x00\x29\x52\x50\x00\x01\x49\x09\x78"))
    assert reg == p.Completion(status_byte=0, terminal_id="52500001", currency=978)
    enquiry = p.parse_message(p.Apdu(0x06, 0x0F, b"\xf0\xf0\xf3SW1\x00"))
    assert enquiry == p.Completion(software="SW1", terminal_status=0)
    assert p.parse_message(p.Apdu(0x06, 0x1E, b"\x6c")) == p.TerminalAbort(0x6C)
    listing = p.encode_tlv([p.TlvNode(0x23, children=(p.TlvNode(0x08, b"\x00\x07"),))])
    open_list = p.Apdu(0x06, 0x1E, b"\xb8\x87\x00\x05\x06" + bytes((len(listing),)) + listing)
    assert p.parse_message(open_list) == p.TerminalAbort(0xB8, 5, (5, 7), listed=True)
    first_only = p.parse_message(p.Apdu(0x06, 0x1E, b"\xb8\x87\x00\x05"))
    assert first_only == p.TerminalAbort(0xB8, 5, (5,), listed=False)
    none_open = p.parse_message(p.Apdu(0x06, 0x1E, b"\xb8\x87\xff\xff"))
    assert none_open == p.TerminalAbort(0xB8, p.RECEIPT_ANY, (), listed=True)
    assert p.parse_message(p.Apdu(0x06, 0x1E, b"\x6f\x09\x78")) == p.TerminalAbort(0x6F)
    assert p.parse_message(p.Apdu(0x80, 0x00)) == p.Ack()
    assert p.parse_message(p.Apdu(0x84, 0x00)) == p.Ack()
    assert p.parse_message(p.Apdu(0x84, 0x83)) == p.Nak(0x83)
    assert p.parse_message(p.Apdu(0x06, 0xD1, b"\x00Total  1.00")) == p.PrintLine(0, "Total  1.00")
    block = p.encode_tlv(
        [p.TlvNode(0x25, children=(p.TlvNode(0x07, b"one"), p.TlvNode(0x07, b"two"))),
         p.TlvNode(0x1F07, b"\x02")]
    )  # fmt: skip
    assert p.parse_message(p.Apdu(0x06, 0xD3, b"\x06" + bytes((len(block),)) + block)) == (
        p.PrintTextBlock(("one", "two"), 2)
    )
    assert p.parse_message(p.Apdu(0x06, 0xD8)) == p.UnknownCommand(0x06, 0xD8)
    with pytest.raises(ZvtProtocolError):
        p.parse_message(p.Apdu(0x99, 0x99, b"abc"))
    with pytest.raises(ZvtProtocolError):
        p.parse_message(p.Apdu(0x80, 0x01))


def test_commands_have_the_documented_bytes() -> None:
    assert p.registration("000000", 978).encode() == bytes.fromhex("060008000000be0978" + "0301")
    assert p.pre_authorisation(1234, 978).encode() == bytes.fromhex(
        "06220a" + "04000000001234" + "490978"
    )
    assert p.book_total(3, 1000, 978, 7).encode() == bytes.fromhex(
        "062411" + "870003" + "04000000001000" + "490978" + "0b000007"
    )
    assert p.partial_reversal(3, 500, 978).encode()[:2] == b"\x06\x23"
    assert p.open_preauths_query().encode() == bytes.fromhex("06230387ffff")
    assert p.preauth_reversal(3, 978).encode() == bytes.fromhex("062506870003490978")
    assert p.reversal("123456", 3).encode() == bytes.fromhex("063006123456870003")
    assert p.abort_command().encode() == bytes.fromhex("06b000")
    assert p.status_enquiry().encode() == bytes.fromhex("050100")
    assert p.repeat_receipt("000000").encode() == bytes.fromhex("062003000000")
    assert p.end_of_day("000000").encode() == bytes.fromhex("065003000000")
    with pytest.raises(ValueError, match="six digits"):
        p.end_of_day("12")


# ----------------------------------------------------------------------- fuzz

_ONLY_TYPED = settings(max_examples=300, deadline=None)


@_ONLY_TYPED
@given(st.binary(max_size=300))
def test_garbage_frames_raise_only_protocol_errors(raw: bytes) -> None:
    try:
        apdu = p.decode_apdu(raw)
        p.parse_message(apdu)
    except ZvtProtocolError:
        pass


@_ONLY_TYPED
@given(
    st.sampled_from([0x04, 0x05, 0x06, 0x08, 0x80, 0x84, 0x00, 0xFF]),
    st.sampled_from([0x0F, 0xFF, 0x1E, 0xD1, 0xD3, 0x01, 0x00, 0x83]),
    st.binary(max_size=200),
)
def test_garbage_data_in_known_messages_raises_only_protocol_errors(
    cls: int, instr: int, data: bytes
) -> None:
    with contextlib.suppress(ZvtProtocolError):
        p.parse_message(p.Apdu(cls, instr, data))


@_ONLY_TYPED
@given(st.binary(max_size=200))
def test_garbage_bmps_and_tlv_raise_only_protocol_errors(data: bytes) -> None:
    for decode in (p.decode_bmps, p.decode_tlv):
        with contextlib.suppress(ZvtProtocolError):
            decode(data)


@_ONLY_TYPED
@given(st.binary(min_size=1, max_size=60))
def test_mutated_real_messages_raise_only_protocol_errors(noise: bytes) -> None:
    """Real status information with bytes overwritten: parsed or refused, never a crash."""
    base = bytearray(_status_info())
    for i, byte in enumerate(noise):
        base[(i * 7 + byte) % len(base)] = byte
    with contextlib.suppress(ZvtProtocolError):
        p.parse_message(p.Apdu(0x04, 0x0F, bytes(base)))
