"""The ZVT wire format (ECR interface), ECR side: APDUs, BMP fields, TLV, BCD.

An APDU is CLASS INSTR LEN DATA, LEN one byte, or 0xFF and two bytes little-endian
for longer data. DATA is a run of BMP fields (a tag byte, then a fixed length, an
LLVAR/LLLVAR length in FxFy digits, or a BER-TLV length for the TLV container 06),
after the few untagged fields some messages start with.

Written from the public descriptions of the protocol (the ECR interface
specification as the open implementations read it); the terminal side of the same
format is written again, independently, in `kiosk.sim.zvt_terminal`: two readings
of the format meeting on the wire catch each other's mistakes.

Strict by design: any malformed frame or field raises `ZvtProtocolError` (never an
IndexError, never a guess), and no card data is kept: the PAN (BMP 22) is reduced
to its last four digits while it is parsed, track data, CVV, PIN blocks and the
expiry date are dropped unread.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Final

__all__ = [
    "ACK",
    "BMP_LENGTHS",
    "CONFIG_BYTE",
    "NAK_NOT_POSSIBLE",
    "RECEIPT_ANY",
    "TERMINAL_CLASSES",
    "Ack",
    "Apdu",
    "Completion",
    "Fields",
    "IntermediateStatus",
    "Message",
    "Nak",
    "PrintLine",
    "PrintTextBlock",
    "SetDateTime",
    "StatusInformation",
    "TerminalAbort",
    "TlvNode",
    "UnknownCommand",
    "ZvtProtocolError",
    "abort_command",
    "amount_from_minor",
    "amount_to_minor",
    "bcd_decode",
    "bcd_encode",
    "book_total",
    "decode_apdu",
    "decode_bmps",
    "decode_text",
    "decode_tlv",
    "encode_apdu",
    "encode_bmp",
    "encode_tlv",
    "end_of_day",
    "find_tlv",
    "frame_length",
    "open_preauths_query",
    "parse_message",
    "partial_reversal",
    "pre_authorisation",
    "preauth_reversal",
    "registration",
    "repeat_receipt",
    "reversal",
    "status_enquiry",
]


class ZvtProtocolError(ValueError):
    """Bytes that are not a well-formed ZVT frame or field (the terminal's fault)."""


# ---------------------------------------------------------------------------- APDUs

MAX_DATA: Final = 0xFFFF
ACK: Final = b"\x80\x00\x00"
NAK_NOT_POSSIBLE: Final = b"\x84\x83\x00"  # answer to a command the ECR does not support
RECEIPT_ANY: Final = 0xFFFF  # "every open pre-authorisation" in 06 23 and its 06 1E answer

# The classes a terminal may send; anything else is garbage, not a message.
TERMINAL_CLASSES: Final = frozenset({0x04, 0x05, 0x06, 0x08, 0x80, 0x84})


@dataclass(frozen=True, slots=True)
class Apdu:
    """One frame. `data` stays out of repr: it may hold a (masked) card number."""

    cls: int
    instr: int
    data: bytes = field(default=b"", repr=False)

    @property
    def command(self) -> tuple[int, int]:
        return (self.cls, self.instr)

    def encode(self) -> bytes:
        return encode_apdu(self.cls, self.instr, self.data)

    def __str__(self) -> str:
        return f"{self.cls:02X} {self.instr:02X} ({len(self.data)} bytes)"


def encode_apdu(cls: int, instr: int, data: bytes = b"") -> bytes:
    if not (0 <= cls <= 0xFF and 0 <= instr <= 0xFF):
        raise ZvtProtocolError(f"control field out of range: {cls!r} {instr!r}")
    n = len(data)
    if n > MAX_DATA:
        raise ZvtProtocolError(f"APDU data of {n} bytes is longer than {MAX_DATA}")
    if n < 0xFF:
        return bytes((cls, instr, n)) + data
    return bytes((cls, instr, 0xFF, n & 0xFF, n >> 8)) + data


def frame_length(head: bytes) -> tuple[int, int] | None:
    """(header size, data length) from a frame's first bytes; None when more are needed."""
    if len(head) < 3:
        return None
    if head[2] != 0xFF:
        return 3, head[2]
    if len(head) < 5:
        return None
    return 5, head[3] | (head[4] << 8)


def decode_apdu(frame: bytes) -> Apdu:
    """Exactly one frame; trailing or missing bytes are an error."""
    size = frame_length(frame)
    if size is None:
        raise ZvtProtocolError(f"truncated APDU header ({len(frame)} bytes)")
    header, length = size
    if len(frame) != header + length:
        raise ZvtProtocolError(
            f"APDU length says {length} data bytes, the frame has {len(frame) - header}"
        )
    return Apdu(frame[0], frame[1], bytes(frame[header:]))


# ----------------------------------------------------------------------------- BCD


def bcd_encode(value: int, size: int) -> bytes:
    """`value` as `size` bytes of packed BCD, most significant digit first."""
    if value < 0 or value >= 10 ** (2 * size):
        raise ValueError(f"{value} does not fit {size} BCD bytes")
    digits = str(value).rjust(2 * size, "0")
    return bytes(int(digits[i]) << 4 | int(digits[i + 1]) for i in range(0, 2 * size, 2))


def bcd_decode(data: bytes) -> int:
    if not data:
        raise ZvtProtocolError("empty BCD field")
    value = 0
    for byte in data:
        hi, lo = byte >> 4, byte & 0x0F
        if hi > 9 or lo > 9:
            raise ZvtProtocolError(f"not a BCD byte: {byte:02X}")
        value = value * 100 + hi * 10 + lo
    return value


def amount_to_minor(amount: Decimal, exponent: int) -> int:
    """An amount in minor units (cents): exact, non-negative, 12 digits at most."""
    try:
        scaled = amount.scaleb(exponent)
        minor = int(scaled)
    except (InvalidOperation, ValueError, OverflowError):
        raise ValueError(f"not an amount: {amount!r}") from None
    if scaled != minor:
        raise ValueError(f"{amount} has more than {exponent} decimal places")
    if minor < 0 or minor >= 10**12:
        raise ValueError(f"{amount} is out of the terminal's range")
    return minor


def amount_from_minor(minor: int, exponent: int) -> Decimal:
    return Decimal(minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


# ------------------------------------------------------------------------- BMP table

_TLV: Final = -1  # BER-TLV length
_LL: Final = -2  # FxFy
_LLL: Final = -3  # FxFyFz

BMP_LENGTHS: Final[Mapping[int, int]] = {
    0x01: 1,  # timeout
    0x02: 1,  # max. number of status informations
    0x03: 1,  # service byte
    0x04: 6,  # amount, BCD, minor units
    0x05: 1,  # pump number
    0x06: _TLV,  # TLV container
    0x0B: 3,  # trace number, BCD
    0x0C: 3,  # time HHMMSS
    0x0D: 2,  # date MMDD
    0x0E: 2,  # expiry date YYMM (card data: dropped)
    0x17: 2,  # card sequence number
    0x19: 1,  # status byte / payment type / card type
    0x22: _LL,  # PAN, BCD, E = masked digit, F = padding
    0x23: _LL,  # track 2 (card data: dropped)
    0x24: _LLL,  # track 3 (dropped)
    0x27: 1,  # result code
    0x29: 4,  # terminal id, BCD
    0x2A: 15,  # VU number, ASCII
    0x2D: _LL,  # track 1 (dropped)
    0x2E: _LLL,  # synchronous chip data (dropped)
    0x37: 3,  # trace number of the original transaction
    0x3A: 2,  # CVV/CVC (dropped)
    0x3B: 8,  # AID authorisation attribute
    0x3C: _LLL,  # additional data / text
    0x3D: 3,  # password
    0x49: 2,  # currency code, BCD
    0x60: _LLL,  # individual totals
    0x70: 4,
    0x71: 4,
    0x72: 1,
    0x73: 1,
    0x74: 1,
    0x75: 1,
    0x87: 2,  # receipt number, BCD (FFFF: "any" in 06 23)
    0x88: 3,  # turnover record number
    0x8A: 1,  # ZVT card type
    0x8B: _LL,  # card name
    0x8C: 1,  # card type id of the network operator
    0x9A: _LLL,  # Geldkarte records
    0xA0: 1,  # result code AS
    0xA7: _LL,  # chip data, EF_ID (dropped)
    0xAA: 3,  # date YYMMDD
    0xAF: _LLL,  # EF_Info
    0xBA: 5,  # AID parameter
    0xD0: 1,
    0xD1: _LL,  # card offset / PIN data (dropped)
    0xD2: 1,
    0xD3: 1,
    0xE0: 1,
    **dict.fromkeys(range(0xE1, 0xE9), _LL),  # text2 lines
    0xE9: 1,
    0xEA: 1,
    0xEB: 8,
    0xF0: 1,
    **dict.fromkeys(range(0xF1, 0xF9), _LL),  # text1 lines
    0xF9: 1,
    0xFA: 1,
    0xFB: 1,
    0xFC: 1,
    0xFD: 1,
}
# Card data that is never kept, not even in memory past the parser.
_DROPPED_BMPS: Final = frozenset({0x0E, 0x23, 0x24, 0x2D, 0x2E, 0x3A, 0xA7, 0xD1})
_PAN_BMP: Final = 0x22
# TLV tags of card data: track data, PAN for card acceptance matching, encrypted PIN,
# encrypted cardholder data, IBAN.
_DROPPED_TAGS: Final = frozenset({0x1F08, 0x1F09, 0x1F0A, 0x1F1A, 0x1F31, 0x1F3E, 0x1F5E})
_MAX_TLV_DEPTH: Final = 8


def _var_length_prefix(n: int, digits: int) -> bytes:
    if n < 0 or n >= 10**digits:
        raise ValueError(f"a length of {n} does not fit {digits} FxFy digits")
    return bytes(0xF0 | int(d) for d in str(n).rjust(digits, "0"))


def _read_var_length(data: bytes, pos: int, digits: int) -> tuple[int, int]:
    if pos + digits > len(data):
        raise ZvtProtocolError("truncated LLVAR length")
    n = 0
    for byte in data[pos : pos + digits]:
        if byte >> 4 != 0xF or byte & 0x0F > 9:
            raise ZvtProtocolError(f"not an FxFy length digit: {byte:02X}")
        n = n * 10 + (byte & 0x0F)
    return n, pos + digits


def encode_bmp(tag: int, value: bytes) -> bytes:
    """One BMP field: the tag, the length as its kind wants, the value."""
    spec = BMP_LENGTHS.get(tag)
    if spec is None:
        raise ValueError(f"unknown BMP {tag:02X}")
    if spec == _TLV:
        return bytes((tag,)) + _tlv_length(len(value)) + value
    if spec == _LL:
        return bytes((tag,)) + _var_length_prefix(len(value), 2) + value
    if spec == _LLL:
        return bytes((tag,)) + _var_length_prefix(len(value), 3) + value
    if len(value) != spec:
        raise ValueError(f"BMP {tag:02X} takes {spec} bytes, not {len(value)}")
    return bytes((tag,)) + value


@dataclass(frozen=True, slots=True)
class Fields:
    """The BMP fields of one message, card data already removed.

    `values` maps a BMP tag to its raw value (the first occurrence); the TLV
    container's nodes are in `tlv`; of the PAN only `pan_last4` is left (None when
    the terminal sent none, or masked its last digits too).
    """

    values: Mapping[int, bytes] = field(default_factory=dict, repr=False)
    tlv: tuple[TlvNode, ...] = ()
    pan_last4: str | None = None

    def get(self, tag: int) -> bytes | None:
        return self.values.get(tag)

    def bcd(self, tag: int) -> int | None:
        raw = self.values.get(tag)
        return None if raw is None else bcd_decode(raw)

    def byte(self, tag: int) -> int | None:
        raw = self.values.get(tag)
        return None if raw is None else raw[0]

    def text(self, tag: int) -> str | None:
        raw = self.values.get(tag)
        return None if raw is None else decode_text(raw)


def _pan_last4(raw: bytes) -> str | None:
    """The last four digits of a BCD PAN (E: a masked digit, F: padding at the end)."""
    tail: deque[str] = deque(maxlen=4)
    padded = False
    for byte in raw:
        for nibble in (byte >> 4, byte & 0x0F):
            if nibble == 0xF:
                padded = True
                continue
            if padded:
                raise ZvtProtocolError("PAN digits after its padding")
            if nibble <= 9:
                tail.append(str(nibble))
            elif nibble == 0xE:
                tail.append("*")
            else:
                raise ZvtProtocolError(f"not a PAN digit: {nibble:X}")
    digits = "".join(tail)
    kept = digits.rsplit("*", 1)[-1]
    return kept or None


def decode_bmps(data: bytes, pos: int = 0) -> Fields:
    """Every BMP field from `pos` to the end of `data`."""
    values: dict[int, bytes] = {}
    tlv: tuple[TlvNode, ...] = ()
    pan: str | None = None
    while pos < len(data):
        tag = data[pos]
        pos += 1
        spec = BMP_LENGTHS.get(tag)
        if spec is None:
            raise ZvtProtocolError(f"unknown BMP {tag:02X}")
        if spec == _TLV:
            length, pos = _read_tlv_length(data, pos)
        elif spec == _LL:
            length, pos = _read_var_length(data, pos, 2)
        elif spec == _LLL:
            length, pos = _read_var_length(data, pos, 3)
        else:
            length = spec
        if pos + length > len(data):
            raise ZvtProtocolError(f"BMP {tag:02X} runs past the end of the message")
        value = data[pos : pos + length]
        pos += length
        if tag == _PAN_BMP:
            pan = _pan_last4(value)
            continue
        if tag in _DROPPED_BMPS:
            continue
        if tag == 0x06:
            tlv = tlv + decode_tlv(value)
            continue
        values.setdefault(tag, bytes(value))
    return Fields(values, tlv, pan)


# ------------------------------------------------------------------------------- TLV


@dataclass(frozen=True, slots=True)
class TlvNode:
    """A BER-TLV data object: primitive (`value`) or constructed (`children`)."""

    tag: int
    value: bytes = field(default=b"", repr=False)
    children: tuple[TlvNode, ...] = ()

    @property
    def constructed(self) -> bool:
        return _first_tag_byte(self.tag) & 0x20 != 0

    def find(self, tag: int) -> list[TlvNode]:
        """Every node with `tag` below this one, depth first."""
        return find_tlv(self.children, tag)


def find_tlv(nodes: Iterable[TlvNode], tag: int) -> list[TlvNode]:
    found: list[TlvNode] = []
    for node in nodes:
        if node.tag == tag:
            found.append(node)
        found.extend(find_tlv(node.children, tag))
    return found


def _first_tag_byte(tag: int) -> int:
    size = max(1, (tag.bit_length() + 7) // 8)
    return tag >> (8 * (size - 1))


def _tag_bytes(tag: int) -> bytes:
    size = max(1, (tag.bit_length() + 7) // 8)
    return tag.to_bytes(size, "big")


def _tlv_length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    if n <= 0xFF:
        return bytes((0x81, n))
    if n <= 0xFFFF:
        return bytes((0x82, n >> 8, n & 0xFF))
    raise ValueError(f"a TLV length of {n} is too long")


def _read_tlv_length(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise ZvtProtocolError("truncated TLV length")
    first = data[pos]
    if first < 0x80:
        return first, pos + 1
    if first == 0x81:
        if pos + 2 > len(data):
            raise ZvtProtocolError("truncated TLV length")
        return data[pos + 1], pos + 2
    if first == 0x82:
        if pos + 3 > len(data):
            raise ZvtProtocolError("truncated TLV length")
        return data[pos + 1] << 8 | data[pos + 2], pos + 3
    raise ZvtProtocolError(f"unsupported TLV length byte {first:02X}")


def _read_tag(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise ZvtProtocolError("truncated TLV tag")
    first = data[pos]
    tag = first
    pos += 1
    if first & 0x1F == 0x1F:  # the tag number follows, 7 bits a byte
        while True:
            if pos >= len(data):
                raise ZvtProtocolError("truncated TLV tag")
            byte = data[pos]
            pos += 1
            tag = tag << 8 | byte
            if tag > 0xFFFFFF:
                raise ZvtProtocolError("a TLV tag longer than 3 bytes")
            if not byte & 0x80:
                break
    return tag, pos


def decode_tlv(data: bytes, depth: int = 0) -> tuple[TlvNode, ...]:
    if depth > _MAX_TLV_DEPTH:
        raise ZvtProtocolError("TLV nested too deep")
    nodes: list[TlvNode] = []
    pos = 0
    while pos < len(data):
        tag, pos = _read_tag(data, pos)
        length, pos = _read_tlv_length(data, pos)
        if pos + length > len(data):
            raise ZvtProtocolError(f"TLV tag {tag:X} runs past its container")
        value = data[pos : pos + length]
        pos += length
        if tag in _DROPPED_TAGS:
            nodes.append(TlvNode(tag))
        elif _first_tag_byte(tag) & 0x20:
            nodes.append(TlvNode(tag, b"", decode_tlv(value, depth + 1)))
        else:
            nodes.append(TlvNode(tag, bytes(value)))
    return tuple(nodes)


def encode_tlv(nodes: Iterable[TlvNode]) -> bytes:
    out = bytearray()
    for node in nodes:
        value = encode_tlv(node.children) if node.constructed else node.value
        out += _tag_bytes(node.tag) + _tlv_length(len(value)) + value
    return bytes(out)


# ----------------------------------------------------------------------------- texts


def decode_text(raw: bytes) -> str:
    """A terminal text (ZVT's default character set, code page 437), controls removed."""
    text = raw.decode("cp437")
    return "".join(ch if ch.isprintable() else " " for ch in text).strip()


def _texts(nodes: Iterable[TlvNode]) -> tuple[str, ...]:
    """The text lines (tag 07) in a TLV tree, in order, empty ones left out."""
    lines = (decode_text(n.value) for n in find_tlv(nodes, 0x07))
    return tuple(line for line in lines if line)


# -------------------------------------------------------------------------- messages


@dataclass(frozen=True, slots=True)
class Ack:
    """80 00 00 (or 84 00 00): the positive acknowledgement."""


@dataclass(frozen=True, slots=True)
class Nak:
    """84 xx: the terminal refuses the command; `code` is a result code."""

    code: int


@dataclass(frozen=True, slots=True)
class IntermediateStatus:
    """04 FF: what the terminal shows while it works (status code, texts of its own)."""

    code: int
    timeout: int | None = None
    texts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StatusInformation:
    """04 0F: the result of a transaction (or the totals of an end-of-day)."""

    result_code: int | None
    amount_minor: int | None = None
    trace_no: int | None = None
    receipt_no: int | None = None
    terminal_id: str | None = None
    currency: int | None = None
    card_type: int | None = None
    card_name: str | None = None
    pan_last4: str | None = None
    additional_text: str | None = None
    totals_count: int | None = None  # from BMP 60, the end-of-day's individual totals
    texts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Completion:
    """06 0F: the terminal hands control back (registration and status-enquiry data)."""

    result_code: int | None = None
    status_byte: int | None = None
    terminal_id: str | None = None
    currency: int | None = None
    software: str | None = None  # status enquiry
    terminal_status: int | None = None  # status enquiry


@dataclass(frozen=True, slots=True)
class TerminalAbort:
    """06 1E: the command ended without success; with 06 23 FFFF, the open receipts."""

    code: int
    receipt_no: int | None = None
    open_receipts: tuple[int, ...] = ()
    texts: tuple[str, ...] = ()
    # Whether `open_receipts` is the whole list (a TLV list came, or FFFF: none is open);
    # a terminal may name only the first open one in BMP 87.
    listed: bool = False


@dataclass(frozen=True, slots=True)
class PrintLine:
    """06 D1: one line of a receipt for the ECR's printer."""

    attribute: int
    text: str


@dataclass(frozen=True, slots=True)
class PrintTextBlock:
    """06 D3: a whole receipt as text lines."""

    lines: tuple[str, ...]
    receipt_type: int | None = None


@dataclass(frozen=True, slots=True)
class SetDateTime:
    """04 01: the terminal tells the ECR its date and time (acknowledged, ignored)."""


@dataclass(frozen=True, slots=True)
class UnknownCommand:
    """A well-framed command of a known class the ECR does not implement (NAKed)."""

    cls: int
    instr: int


Message = (
    Ack
    | Nak
    | IntermediateStatus
    | StatusInformation
    | Completion
    | TerminalAbort
    | PrintLine
    | PrintTextBlock
    | SetDateTime
    | UnknownCommand
)


def _receipt(raw: bytes | None) -> int | None:
    if raw is None:
        return None
    if raw == b"\xff\xff":
        return RECEIPT_ANY
    return bcd_decode(raw)


def _terminal_id(fields: Fields) -> str | None:
    raw = fields.get(0x29)
    if raw is None:
        return None
    return str(bcd_decode(raw)).rjust(8, "0")


def _totals_count(raw: bytes | None) -> int | None:
    """The number of transactions in BMP 60: receipt range, then 7 x (count, total)."""
    if raw is None or len(raw) != 4 + 7 * 7:
        return None
    count = 0
    for i in range(4, len(raw), 7):
        count += raw[i]
        bcd_decode(raw[i + 1 : i + 7])  # validated, the total is in BMP 04
    return count


def _status_information(data: bytes) -> StatusInformation:
    f = decode_bmps(data)
    return StatusInformation(
        result_code=f.byte(0x27),
        amount_minor=f.bcd(0x04),
        trace_no=f.bcd(0x0B),
        receipt_no=_receipt(f.get(0x87)),
        terminal_id=_terminal_id(f),
        currency=f.bcd(0x49),
        card_type=f.byte(0x8A),
        card_name=f.text(0x8B),
        pan_last4=f.pan_last4,
        additional_text=f.text(0x3C),
        totals_count=_totals_count(f.get(0x60)),
        texts=_texts(f.tlv),
    )


def _completion(data: bytes) -> Completion:
    if data and data[0] >> 4 == 0xF:  # status enquiry: LLL software version, status byte
        length, pos = _read_var_length(data, 0, 3)
        if pos + length + 1 > len(data):
            raise ZvtProtocolError("truncated status-enquiry completion")
        software = decode_text(data[pos : pos + length])
        status = data[pos + length]
        decode_bmps(data, pos + length + 1)  # a TLV container may follow: validated
        return Completion(software=software, terminal_status=status)
    f = decode_bmps(data)
    return Completion(
        result_code=f.byte(0x27),
        status_byte=f.byte(0x19),
        terminal_id=_terminal_id(f),
        currency=f.bcd(0x49),
    )


def _abort(data: bytes) -> TerminalAbort:
    if not data:
        raise ZvtProtocolError("06 1E without a result code")
    code = data[0]
    pos = 1
    if code == 0x6F and len(data) >= 3 and data[1] not in BMP_LENGTHS:
        pos = 3  # "wrong currency" may carry the terminal's currency, untagged
    f = decode_bmps(data, pos)
    receipt = _receipt(f.get(0x87))
    in_list = [_receipt(n.value) for n in find_tlv(f.tlv, 0x08)]
    candidates = ([receipt] if receipt is not None else []) + in_list
    open_receipts = tuple(
        dict.fromkeys(r for r in candidates if r is not None and r != RECEIPT_ANY)
    )
    listed = receipt == RECEIPT_ANY or bool(find_tlv(f.tlv, 0x23))
    return TerminalAbort(code, receipt, open_receipts, _texts(f.tlv), listed)


def parse_message(apdu: Apdu) -> Message:
    """A terminal's frame as a message; ZvtProtocolError for anything malformed."""
    cls, instr, data = apdu.cls, apdu.instr, apdu.data
    if cls not in TERMINAL_CLASSES:
        raise ZvtProtocolError(f"not a ZVT message: class {cls:02X}")
    if cls == 0x80:
        if instr != 0x00:
            raise ZvtProtocolError(f"not an acknowledgement: 80 {instr:02X}")
        return Ack()
    if cls == 0x84:
        return Ack() if instr == 0x00 else Nak(instr)
    if (cls, instr) == (0x04, 0xFF):
        if not data:
            raise ZvtProtocolError("04 FF without a status code")
        timeout = data[1] if len(data) >= 2 else None  # BCD or binary: terminals differ
        texts = _texts(decode_bmps(data, 2).tlv) if len(data) > 2 else ()
        return IntermediateStatus(data[0], timeout, texts)
    if (cls, instr) == (0x04, 0x0F):
        return _status_information(data)
    if (cls, instr) == (0x06, 0x0F):
        return _completion(data)
    if (cls, instr) == (0x06, 0x1E):
        return _abort(data)
    if (cls, instr) == (0x06, 0xD1):
        if not data:
            raise ZvtProtocolError("06 D1 without its attribute byte")
        return PrintLine(data[0], decode_text(data[1:]))
    if (cls, instr) == (0x06, 0xD3):
        f = decode_bmps(data)
        kinds = find_tlv(f.tlv, 0x1F07)
        kind = kinds[0].value[0] if kinds and kinds[0].value else None
        return PrintTextBlock(_texts(f.tlv), kind)
    if (cls, instr) == (0x04, 0x01):
        decode_bmps(data)
        return SetDateTime()
    return UnknownCommand(cls, instr)


# -------------------------------------------------------------------------- commands


def _password(password: str) -> bytes:
    if len(password) != 6 or not password.isdigit():
        raise ValueError("the terminal password is six digits")
    return bcd_encode(int(password), 3)


def _currency(numeric: int) -> bytes:
    return bcd_encode(numeric, 2)


# Registration config byte: the ECR receives the receipts (payment 0x02, administration
# 0x04) and the intermediate statuses (0x08), controls the payment (0x10) and the
# administration (0x20) functions, and takes receipts as text blocks (0x80).
CONFIG_BYTE: Final = 0x02 | 0x04 | 0x08 | 0x10 | 0x20 | 0x80
# Service byte: the terminal's service menu stays off its function key (0x01).
SERVICE_BYTE: Final = 0x01


def registration(password: str, currency: int, config: int = CONFIG_BYTE) -> Apdu:
    data = _password(password) + bytes((config,)) + _currency(currency)
    return Apdu(0x06, 0x00, data + encode_bmp(0x03, bytes((SERVICE_BYTE,))))


def pre_authorisation(amount_minor: int, currency: int) -> Apdu:
    data = encode_bmp(0x04, bcd_encode(amount_minor, 6)) + encode_bmp(0x49, _currency(currency))
    return Apdu(0x06, 0x22, data)


def book_total(
    receipt_no: int, amount_minor: int, currency: int, trace_no: int | None = None
) -> Apdu:
    data = (
        encode_bmp(0x87, bcd_encode(receipt_no, 2))
        + encode_bmp(0x04, bcd_encode(amount_minor, 6))
        + encode_bmp(0x49, _currency(currency))
    )
    if trace_no is not None:
        data += encode_bmp(0x0B, bcd_encode(trace_no, 3))
    return Apdu(0x06, 0x24, data)


def partial_reversal(receipt_no: int, amount_minor: int, currency: int) -> Apdu:
    """06 23: release `amount_minor` of a pre-authorisation (what Feig ECRs book with)."""
    data = (
        encode_bmp(0x87, bcd_encode(receipt_no, 2))
        + encode_bmp(0x04, bcd_encode(amount_minor, 6))
        + encode_bmp(0x49, _currency(currency))
    )
    return Apdu(0x06, 0x23, data)


def open_preauths_query() -> Apdu:
    """06 23 with receipt FFFF: answered 06 1E B8 with the open pre-authorisations."""
    return Apdu(0x06, 0x23, encode_bmp(0x87, b"\xff\xff"))


def preauth_reversal(receipt_no: int, currency: int) -> Apdu:
    data = encode_bmp(0x87, bcd_encode(receipt_no, 2)) + encode_bmp(0x49, _currency(currency))
    return Apdu(0x06, 0x25, data)


def reversal(password: str, receipt_no: int) -> Apdu:
    return Apdu(0x06, 0x30, _password(password) + encode_bmp(0x87, bcd_encode(receipt_no, 2)))


def abort_command() -> Apdu:
    return Apdu(0x06, 0xB0)


def status_enquiry() -> Apdu:
    return Apdu(0x05, 0x01)


def repeat_receipt(password: str) -> Apdu:
    return Apdu(0x06, 0x20, _password(password))


def end_of_day(password: str) -> Apdu:
    return Apdu(0x06, 0x50, _password(password))
