"""ISO 7816-4 command/response exchanges over a PC/SC connection, strictly checked.

The response comes from whatever was held to the reader, so it is untrusted input:
every answer is checked (at least a status word, at most 256 data bytes, a bounded
61xx chain) and every failure is a typed `ApduError`, never an IndexError. A card
pulled away in the middle of an exchange is `CardRemoved`.

Status words: 90 00 is success; 61 xx means "xx more bytes": they are fetched with
GET RESPONSE and concatenated; 6C xx means "wrong Le, use xx": the command is sent
once more with Le = xx; anything else is a `StatusWordError` with its meaning.
"""

from __future__ import annotations

from typing import Final, Protocol

from smartcard.Exceptions import CardConnectionException, NoCardException

from payment_drivers.pcsc import _scard

__all__ = [
    "GET_UID",
    "MAX_CHAIN",
    "MAX_RESPONSE",
    "SELECT_PPSE",
    "UID_LENGTHS",
    "ApduError",
    "ApduTransport",
    "CardRemoved",
    "Channel",
    "MalformedResponse",
    "PcscChannel",
    "PyscardChannel",
    "PyscardConnection",
    "StatusWordError",
    "TransmitError",
    "UnusableUid",
    "is_payment_card",
    "read_uid",
    "sw_meaning",
]

MAX_RESPONSE: Final = 258  # 256 data bytes + SW1 SW2: the most a short APDU can answer
MAX_CHAIN: Final = 32  # GET RESPONSE rounds before a 61xx chain counts as endless
UID_LENGTHS: Final = (4, 7, 10)  # single, double, triple size ISO 14443-3 UIDs
GET_UID: Final = bytes.fromhex("FFCA000000")  # PC/SC part 3 GET DATA, the card's UID
# SELECT by name "2PAY.SYS.DDF01": the contactless payment directory (EMV Book B)
SELECT_PPSE: Final = bytes.fromhex("00A404000E") + b"2PAY.SYS.DDF01" + b"\x00"

# hresults that mean the card left (or broke off) in the middle of an exchange
_GONE: Final = frozenset(
    {
        _scard.REMOVED_CARD,
        _scard.NO_SMARTCARD,
        _scard.RESET_CARD,
        _scard.UNPOWERED_CARD,
        _scard.UNRESPONSIVE_CARD,
        _scard.NOT_TRANSACTED,
        _scard.COMM_ERROR,
    }
)


class ApduError(Exception):
    """An exchange with the card gave no usable answer."""


class StatusWordError(ApduError):
    """The card answered with a status word other than 90 00 (or 61xx / 6Cxx handled)."""

    def __init__(self, sw1: int, sw2: int) -> None:
        self.sw1 = sw1
        self.sw2 = sw2
        self.meaning = sw_meaning(sw1, sw2)
        super().__init__(f"status word {sw1:02X}{sw2:02X}: {self.meaning}")


class MalformedResponse(ApduError):
    """An answer no ISO 7816-4 card gives: too short, too long, an endless chain."""


class CardRemoved(ApduError):
    """The card went away (or stopped answering) in the middle of an exchange."""


class TransmitError(ApduError):
    """PC/SC refused the exchange for a reason other than the card leaving."""


class UnusableUid(ApduError):
    """The UID answer has a length no ISO 14443 card has (4, 7 or 10 bytes)."""

    def __init__(self, length: int) -> None:
        self.length = length
        super().__init__(f"a UID of {length} bytes is not usable")


class Channel(Protocol):
    """Sends one command APDU and gives back the raw response (data + SW1 SW2)."""

    def exchange(self, command: bytes) -> bytes: ...


class PcscChannel:
    """A card handle from `smartcard.scard` (what the reader threads use)."""

    def __init__(self, card: int, protocol: int) -> None:
        self._card = card
        self._protocol = protocol

    def exchange(self, command: bytes) -> bytes:
        try:
            return _scard.transmit(self._card, self._protocol, command)
        except _scard.PcscError as exc:
            if exc.hresult in _GONE:
                raise CardRemoved(str(exc)) from exc
            raise TransmitError(str(exc)) from exc


class PyscardConnection(Protocol):
    """What `PyscardChannel` uses of a pyscard `CardConnection`."""

    def transmit(self, command: list[int]) -> tuple[list[int], int, int]: ...


class PyscardChannel:
    """A pyscard `CardConnection` (smartcard.System.readers()[i].createConnection())."""

    def __init__(self, connection: PyscardConnection) -> None:
        self._connection = connection

    def exchange(self, command: bytes) -> bytes:
        try:
            data, sw1, sw2 = self._connection.transmit(list(command))
        except NoCardException as exc:
            raise CardRemoved(str(exc)) from exc
        except CardConnectionException as exc:
            hresult = int(getattr(exc, "hresult", -1)) & 0xFFFFFFFF
            if hresult == _scard.SUCCESS:  # pyscard's "Card returned no valid response"
                raise MalformedResponse("an answer without a status word") from exc
            raise CardRemoved(str(exc)) from exc
        except (TypeError, ValueError) as exc:
            raise MalformedResponse(f"an answer pyscard could not read: {exc}") from exc
        try:
            return bytes(data) + bytes((sw1, sw2))
        except (TypeError, ValueError) as exc:
            raise MalformedResponse(f"an answer that is not bytes: {exc}") from exc


def _split(response: bytes) -> tuple[bytes, int, int]:
    if len(response) < 2:
        raise MalformedResponse(f"an answer of {len(response)} byte(s): no status word")
    if len(response) > MAX_RESPONSE:
        raise MalformedResponse(f"an answer of {len(response)} bytes (at most {MAX_RESPONSE})")
    return response[:-2], response[-2], response[-1]


def _with_le(command: bytes, le: int) -> bytes:
    """The same short command with its Le set to `le` (added when it had none)."""
    if len(command) < 4:
        raise MalformedResponse("6Cxx to a command without a header")
    if len(command) == 4:  # case 1: add Le
        return command + bytes((le,))
    lc = command[4]
    if len(command) == 5:  # case 2: replace Le
        return command[:4] + bytes((le,))
    if len(command) == 5 + lc:  # case 3: add Le
        return command + bytes((le,))
    return command[: 5 + lc] + bytes((le,))  # case 4: replace Le


class ApduTransport:
    """Exchanges with one card: status words checked, 61xx chained, 6Cxx resent."""

    def __init__(self, channel: Channel, *, max_chain: int = MAX_CHAIN) -> None:
        self._channel = channel
        self._max_chain = max_chain

    def transmit(self, command: bytes) -> bytes:
        """The response data of a command that succeeded (90 00); else an ApduError."""
        data, sw1, sw2 = _split(self._channel.exchange(command))
        if sw1 == 0x6C:
            data, sw1, sw2 = _split(self._channel.exchange(_with_le(command, sw2)))
            if sw1 == 0x6C:
                raise MalformedResponse("the card asks for another Le again (6Cxx twice)")
        collected = bytearray(data)
        rounds = 0
        while sw1 == 0x61:
            rounds += 1
            if rounds > self._max_chain:
                raise MalformedResponse(f"more than {self._max_chain} GET RESPONSE rounds")
            get_response = bytes((0x00, 0xC0, 0x00, 0x00, sw2))
            data, sw1, sw2 = _split(self._channel.exchange(get_response))
            if sw1 == 0x6C:  # T=0 style: GET RESPONSE with the exact length
                data, sw1, sw2 = _split(self._channel.exchange(_with_le(get_response, sw2)))
            collected += data
        if (sw1, sw2) != (0x90, 0x00):
            raise StatusWordError(sw1, sw2)
        return bytes(collected)

    def status(self, command: bytes) -> tuple[int, int]:
        """Only the status word of one exchange: its data is dropped unread, never chained."""
        _data, sw1, sw2 = _split(self._channel.exchange(command))
        del _data
        return sw1, sw2


def read_uid(transport: ApduTransport) -> bytes:
    """The card's UID (GET DATA FF CA): 4, 7 or 10 bytes, or an ApduError."""
    uid = transport.transmit(GET_UID)
    if len(uid) not in UID_LENGTHS:
        raise UnusableUid(len(uid))
    return uid


def is_payment_card(transport: ApduTransport) -> bool:
    """Whether the card selects the payment directory (PPSE): 90 00 or 61xx says yes.

    Nothing of the answer is kept: the FCI is neither read on (no GET RESPONSE) nor
    returned. A card that answers anything else, or nothing sensible, is no bank card.
    """
    try:
        sw1, sw2 = transport.status(SELECT_PPSE)
    except (MalformedResponse, StatusWordError, TransmitError):
        return False
    return sw1 == 0x61 or (sw1, sw2) == (0x90, 0x00)


_SW1_MEANINGS: Final[dict[int, str]] = {
    0x61: "more response bytes available",
    0x62: "warning: state of non-volatile memory unchanged",
    0x63: "warning: state of non-volatile memory changed",
    0x64: "execution error: state of non-volatile memory unchanged",
    0x65: "execution error: state of non-volatile memory changed",
    0x66: "security-related issue",
    0x67: "wrong length",
    0x68: "function in CLA not supported",
    0x69: "command not allowed",
    0x6A: "wrong parameters P1-P2",
    0x6B: "wrong parameters P1-P2",
    0x6C: "wrong Le field",
    0x6D: "instruction code not supported or invalid",
    0x6E: "class not supported",
    0x6F: "no precise diagnosis",
    0x90: "success",
    0x91: "application-specific status (e.g. MIFARE DESFire)",
}
_SW_MEANINGS: Final[dict[int, str]] = {
    0x6281: "part of returned data may be corrupted",
    0x6282: "end of file or record reached before reading Ne bytes",
    0x6283: "selected file deactivated",
    0x6284: "file control information not formatted",
    0x6300: "verification failed",
    0x6581: "memory failure",
    0x6700: "wrong length",
    0x6881: "logical channel not supported",
    0x6882: "secure messaging not supported",
    0x6982: "security status not satisfied",
    0x6983: "authentication method blocked",
    0x6985: "conditions of use not satisfied",
    0x6986: "command not allowed (no current EF)",
    0x6A80: "incorrect parameters in the data field",
    0x6A81: "function not supported",
    0x6A82: "file or application not found",
    0x6A83: "record not found",
    0x6A86: "incorrect parameters P1-P2",
    0x6A88: "referenced data not found",
    0x6B00: "wrong parameters P1-P2",
    0x6D00: "instruction code not supported or invalid",
    0x6E00: "class not supported",
    0x6F00: "no precise diagnosis",
    0x9000: "success",
}


def sw_meaning(sw1: int, sw2: int) -> str:
    """ISO 7816-4's wording of a status word (a generic one when it is not listed)."""
    exact = _SW_MEANINGS.get((sw1 << 8) | sw2)
    if exact is not None:
        return exact
    if sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
        return f"verification failed, {sw2 & 0x0F} tries left"
    generic = _SW1_MEANINGS.get(sw1)
    if generic is not None:
        return generic
    if sw1 & 0xF0 in (0x60, 0x90):
        return "status word not defined by ISO 7816-4"
    return "not a status word (SW1 must be 6x or 9x)"
