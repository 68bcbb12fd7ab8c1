"""The ZVT tables in one place: result codes, intermediate statuses, terminal statuses.

Result codes (BMP 27, the byte of 06 1E and of a NAK 84 xx) are those of the ECR
interface's "Error-Messages" chapter, as the open implementations list them
(Portalum.Zvt, the `zvt` crate used with Feig terminals): 00 is success, 01 to 63 are
the network operator's / authorisation system's codes passed through, 64 to FF the
terminal's own. Each maps to the `DeclineCode` the screens word; a code not listed is
a plain DECLINED.

Codes 01 to 63 are, as network operators send them, the two-digit ISO 8583 response
codes carried as a binary number (51 "insufficient funds" arrives as 0x33). Some
operators give a few of them their own meaning (Lavego: 0x21 card expired, 0x33 and
0x41 "PIN entry required"); the ISO reading is the one used here.

Note that 6A and 6B are *not* card errors (the specification's 6A is "turnover file
full", 6B "function deactivated, PT not registered"); the cards a terminal refuses are
7A, C5, 67, 68, D2 and EA.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from kiosk.domain.payment import DeclineCode
from kiosk.ports import TerminalPrompt

__all__ = [
    "ABORT_TIMEOUT_OR_KEY",
    "ALREADY_REVERSED",
    "ERROR_PREAUTH",
    "FUNCTION_NOT_POSSIBLE",
    "INTERMEDIATE_STATUSES",
    "NOT_REGISTERED",
    "RESULT_CODES",
    "SUCCESS",
    "TERMINAL_STATUSES",
    "ResultCode",
    "card_brand",
    "decline_code",
    "describe",
    "intermediate_status",
    "terminal_status",
]

SUCCESS: Final = 0x00
NOT_REGISTERED: Final = 0x6B
ABORT_TIMEOUT_OR_KEY: Final = 0x6C
FUNCTION_NOT_POSSIBLE: Final = 0x83
ALREADY_REVERSED: Final = 0xB4
ERROR_PREAUTH: Final = 0xB8

_D = DeclineCode


@dataclass(frozen=True, slots=True)
class ResultCode:
    text: str
    decline: DeclineCode


# The terminal's own result codes (64..FF), from the specification's list.
_TERMINAL: Final[dict[int, ResultCode]] = {
    0x64: ResultCode("card not readable (LRC/parity error)", _D.CARD_ERROR),
    0x65: ResultCode("card data not present (neither track data nor chip)", _D.CARD_ERROR),
    0x66: ResultCode("processing error (also card reader mechanism)", _D.CARD_ERROR),
    0x67: ResultCode("function not permitted for ec and Maestro cards", _D.CARD_NOT_SUPPORTED),
    0x68: ResultCode("function not permitted for credit and tank cards", _D.CARD_NOT_SUPPORTED),
    0x6A: ResultCode("turnover file full", _D.UNAVAILABLE),
    0x6B: ResultCode("function deactivated (PT not registered)", _D.UNAVAILABLE),
    0x6C: ResultCode("abort via timeout or abort key", _D.TIMEOUT),
    0x6E: ResultCode("card in blocked list", _D.BLOCKED),
    0x6F: ResultCode("wrong currency", _D.UNAVAILABLE),
    0x71: ResultCode("credit not sufficient (chip card)", _D.INSUFFICIENT_FUNDS),
    0x72: ResultCode("chip error", _D.CARD_ERROR),
    0x73: ResultCode("card data incorrect (country key, checksum)", _D.CARD_ERROR),
    0x74: ResultCode("DUKPT engine exhausted", _D.UNAVAILABLE),
    0x75: ResultCode("text not authentic", _D.UNAVAILABLE),
    0x76: ResultCode("PAN not in white list", _D.CARD_NOT_SUPPORTED),
    0x77: ResultCode("end-of-day batch not possible", _D.UNAVAILABLE),
    0x78: ResultCode("card expired", _D.EXPIRED),
    0x79: ResultCode("card not yet valid", _D.DECLINED),
    0x7A: ResultCode("card unknown", _D.CARD_NOT_SUPPORTED),
    0x7B: ResultCode("fallback to magnetic stripe for girocard not possible", _D.CARD_ERROR),
    0x7C: ResultCode("fallback to magnetic stripe not possible", _D.CARD_ERROR),
    0x7D: ResultCode("communication error (communication module)", _D.UNAVAILABLE),
    0x7E: ResultCode(
        "fallback to magnetic stripe not possible, debit advice possible", _D.CARD_ERROR
    ),
    0x83: ResultCode("function not possible", _D.UNAVAILABLE),
    0x85: ResultCode("key missing", _D.UNAVAILABLE),
    0x89: ResultCode("PIN pad defective", _D.UNAVAILABLE),
    0x9A: ResultCode("ZVT protocol error", _D.UNAVAILABLE),
    0x9B: ResultCode("error from dial-up / communication fault", _D.UNAVAILABLE),
    0x9C: ResultCode("please wait", _D.BUSY),
    0xA0: ResultCode("receiver not ready", _D.BUSY),
    0xA1: ResultCode("remote station does not respond", _D.UNAVAILABLE),
    0xA3: ResultCode("no connection", _D.UNAVAILABLE),
    0xA4: ResultCode("submission of Geldkarte not possible", _D.UNAVAILABLE),
    0xA5: ResultCode("function not allowed due to PCI-DSS/P2PE rules", _D.UNAVAILABLE),
    0xB1: ResultCode("memory full", _D.UNAVAILABLE),
    0xB2: ResultCode("merchant journal full", _D.UNAVAILABLE),
    0xB4: ResultCode("already reversed", _D.DECLINED),
    0xB5: ResultCode("reversal not possible", _D.DECLINED),
    0xB7: ResultCode(
        "pre-authorisation incorrect (amount too high) or amount wrong", _D.LIMIT_EXCEEDED
    ),
    0xB8: ResultCode("error pre-authorisation", _D.DECLINED),
    0xBF: ResultCode("voltage supply too low", _D.UNAVAILABLE),
    0xC0: ResultCode("card locking mechanism defective", _D.UNAVAILABLE),
    0xC1: ResultCode("merchant card locked", _D.UNAVAILABLE),
    0xC2: ResultCode("diagnosis required", _D.UNAVAILABLE),
    0xC3: ResultCode("maximum amount exceeded", _D.LIMIT_EXCEEDED),
    0xC4: ResultCode("card profile invalid", _D.UNAVAILABLE),
    0xC5: ResultCode("payment method not supported", _D.CARD_NOT_SUPPORTED),
    0xC6: ResultCode("currency not applicable", _D.UNAVAILABLE),
    0xC8: ResultCode("amount too small", _D.LIMIT_EXCEEDED),
    0xC9: ResultCode("max. transaction amount too small", _D.LIMIT_EXCEEDED),
    0xCB: ResultCode("function only allowed in EURO", _D.UNAVAILABLE),
    0xCC: ResultCode("printer not ready", _D.UNAVAILABLE),
    0xCD: ResultCode("cashback not possible", _D.DECLINED),
    0xD2: ResultCode(
        "function not permitted for service / bank customer cards", _D.CARD_NOT_SUPPORTED
    ),
    0xDC: ResultCode("card inserted", _D.CARD_ERROR),
    0xDD: ResultCode("error during card eject", _D.CARD_ERROR),
    0xDE: ResultCode("error during card insertion", _D.CARD_ERROR),
    0xE0: ResultCode("remote maintenance activated", _D.UNAVAILABLE),
    0xE2: ResultCode("card reader does not answer / defective", _D.UNAVAILABLE),
    0xE3: ResultCode("shutter closed", _D.UNAVAILABLE),
    0xE4: ResultCode("terminal activation required", _D.UNAVAILABLE),
    0xE7: ResultCode("min. one goods group not found", _D.DECLINED),
    0xE8: ResultCode("no goods groups table loaded", _D.UNAVAILABLE),
    0xE9: ResultCode("restriction code not permitted", _D.DECLINED),
    0xEA: ResultCode("card code not permitted", _D.CARD_NOT_SUPPORTED),
    0xEB: ResultCode("function not executable (PIN algorithm unknown)", _D.UNAVAILABLE),
    0xEC: ResultCode("PIN processing not possible", _D.UNAVAILABLE),
    0xED: ResultCode("PIN pad defective", _D.UNAVAILABLE),
    0xF0: ResultCode("open end-of-day batch present", _D.UNAVAILABLE),
    0xF1: ResultCode("ec-cash/Maestro offline error", _D.UNAVAILABLE),
    0xF5: ResultCode("OPT error", _D.UNAVAILABLE),
    0xF6: ResultCode("OPT data not available (OPT personalisation required)", _D.UNAVAILABLE),
    0xFA: ResultCode("error transmitting offline transactions (clearing error)", _D.UNAVAILABLE),
    0xFB: ResultCode("turnover data set defective", _D.UNAVAILABLE),
    0xFC: ResultCode("necessary device not present or defective", _D.UNAVAILABLE),
    0xFD: ResultCode("baudrate not supported", _D.UNAVAILABLE),
    0xFE: ResultCode("register unknown", _D.UNAVAILABLE),
    0xFF: ResultCode("system error", _D.UNAVAILABLE),
}

# Authorisation-system codes 01..63: ISO 8583 response codes (decimal), sent as binary.
_ISO8583: Final[dict[int, ResultCode]] = {
    1: ResultCode("refer to card issuer", _D.DECLINED),
    2: ResultCode("refer to card issuer, special condition", _D.DECLINED),
    3: ResultCode("invalid merchant", _D.UNAVAILABLE),
    4: ResultCode("pick up card", _D.BLOCKED),
    5: ResultCode("do not honour", _D.DECLINED),
    6: ResultCode("error", _D.UNAVAILABLE),
    7: ResultCode("pick up card, special condition", _D.BLOCKED),
    12: ResultCode("invalid transaction", _D.DECLINED),
    13: ResultCode("invalid amount", _D.LIMIT_EXCEEDED),
    14: ResultCode("invalid card number", _D.CARD_NOT_SUPPORTED),
    15: ResultCode("no such issuer", _D.CARD_NOT_SUPPORTED),
    19: ResultCode("re-enter transaction", _D.DECLINED),
    30: ResultCode("format error", _D.UNAVAILABLE),
    33: ResultCode("expired card", _D.EXPIRED),
    34: ResultCode("suspected fraud", _D.BLOCKED),
    36: ResultCode("restricted card", _D.BLOCKED),
    38: ResultCode("allowable PIN tries exceeded", _D.PIN_WRONG),
    41: ResultCode("lost card", _D.BLOCKED),
    43: ResultCode("stolen card", _D.BLOCKED),
    51: ResultCode("insufficient funds", _D.INSUFFICIENT_FUNDS),
    54: ResultCode("expired card", _D.EXPIRED),
    55: ResultCode("incorrect PIN", _D.PIN_WRONG),
    56: ResultCode("no card record", _D.CARD_NOT_SUPPORTED),
    57: ResultCode("transaction not permitted to cardholder", _D.DECLINED),
    58: ResultCode("transaction not permitted to terminal", _D.CARD_NOT_SUPPORTED),
    59: ResultCode("suspected fraud", _D.BLOCKED),
    61: ResultCode("exceeds withdrawal amount limit", _D.LIMIT_EXCEEDED),
    62: ResultCode("restricted card", _D.BLOCKED),
    65: ResultCode("exceeds withdrawal frequency limit (PIN required)", _D.DECLINED),
    75: ResultCode("allowable number of PIN tries exceeded", _D.PIN_WRONG),
    91: ResultCode("issuer or switch inoperative", _D.UNAVAILABLE),
    96: ResultCode("system malfunction", _D.UNAVAILABLE),
}

RESULT_CODES: Final[Mapping[int, ResultCode]] = {
    0x00: ResultCode("no error", _D.DECLINED),  # success: never a decline
    **{
        code: _ISO8583.get(code, ResultCode("declined by the authorisation system", _D.DECLINED))
        for code in range(0x01, 0x64)
    },
    **_TERMINAL,
}


def describe(code: int) -> str:
    """The result code's text with its number, for the log and `ProviderResult.error`."""
    found = RESULT_CODES.get(code)
    text = found.text if found is not None else "unknown result code"
    if 0x01 <= code <= 0x63:
        return f"{text} (authorisation system code {code:02d}, 0x{code:02X})"
    return f"{text} (0x{code:02X})"


def decline_code(code: int) -> DeclineCode:
    found = RESULT_CODES.get(code)
    return found.decline if found is not None and code != SUCCESS else DeclineCode.DECLINED


# ------------------------------------------------------- intermediate statuses (04 FF)

_P = TerminalPrompt

INTERMEDIATE_STATUSES: Final[Mapping[int, tuple[TerminalPrompt, str]]] = {
    0x00: (_P.WAIT, "waiting for amount confirmation"),
    0x01: (_P.ENTER_PIN, "please watch PIN pad"),
    0x02: (_P.ENTER_PIN, "please watch PIN pad"),
    0x03: (_P.OTHER, "not accepted"),
    0x04: (_P.PROCESSING, "waiting for response from the host"),
    0x05: (_P.PROCESSING, "sending auto-reversal"),
    0x06: (_P.PROCESSING, "sending post-bookings"),
    0x07: (_P.OTHER, "card not admitted"),
    0x08: (_P.OTHER, "card unknown / undefined"),
    0x09: (_P.OTHER, "expired card"),
    0x0A: (_P.PRESENT_CARD, "insert card"),
    0x0B: (_P.REMOVE_CARD, "please remove card"),
    0x0C: (_P.OTHER, "card not readable"),
    0x0D: (_P.OTHER, "processing error"),
    0x0E: (_P.WAIT, "please wait"),
    0x0F: (_P.WAIT, "automatic end-of-day batch"),
    0x10: (_P.OTHER, "invalid card"),
    0x11: (_P.OTHER, "balance display"),
    0x12: (_P.OTHER, "system malfunction"),
    0x13: (_P.OTHER, "payment not possible"),
    0x14: (_P.OTHER, "credit not sufficient"),
    0x15: (_P.PIN_WRONG, "incorrect PIN"),
    0x16: (_P.OTHER, "limit not sufficient"),
    0x17: (_P.WAIT, "please wait"),
    0x18: (_P.PIN_WRONG, "PIN try limit exceeded"),
    0x19: (_P.OTHER, "card data incorrect"),
    0x1A: (_P.OTHER, "service mode"),
    0x1B: (_P.OTHER, "approved, please fill up"),
    0x1C: (_P.OTHER, "approved, please take goods"),
    0x1D: (_P.OTHER, "declined"),
    0x28: (_P.WAIT, "currency selection, please wait"),
    0x29: (_P.WAIT, "language selection, please wait"),
    0x2A: (_P.PRESENT_CARD, "for loading please insert card"),
    0x2B: (_P.WAIT, "emergency transaction, please wait"),
    0x2C: (_P.WAIT, "application selection, please wait"),
    0x41: (_P.REMOVE_CARD, "please watch PIN pad, please remove card"),
    0x42: (_P.REMOVE_CARD, "please watch PIN pad, please remove card"),
    0x43: (_P.REMOVE_CARD, "not accepted, please remove card"),
    0x44: (_P.REMOVE_CARD, "waiting for response from the host, please remove card"),
    0x45: (_P.REMOVE_CARD, "sending auto-reversal, please remove card"),
    0x46: (_P.REMOVE_CARD, "sending post-booking, please remove card"),
    0x47: (_P.REMOVE_CARD, "card not admitted, please remove card"),
    0x48: (_P.REMOVE_CARD, "card unknown, please remove card"),
    0x49: (_P.REMOVE_CARD, "expired card, please remove card"),
    0x4A: (_P.REMOVE_CARD, "please remove card"),
    0x4B: (_P.REMOVE_CARD, "please remove card"),
    0x4C: (_P.REMOVE_CARD, "card not readable, please remove card"),
    0x4D: (_P.REMOVE_CARD, "processing error, please remove card"),
    0x4E: (_P.REMOVE_CARD, "please wait, please remove card"),
    0x4F: (_P.REMOVE_CARD, "automatic end-of-day batch, please remove card"),
    0x50: (_P.REMOVE_CARD, "invalid card, please remove card"),
    0x51: (_P.REMOVE_CARD, "balance display, please remove card"),
    0x52: (_P.REMOVE_CARD, "system malfunction, please remove card"),
    0x53: (_P.REMOVE_CARD, "payment not possible, please remove card"),
    0x54: (_P.REMOVE_CARD, "credit not sufficient, please remove card"),
    0x55: (_P.PIN_WRONG, "incorrect PIN, please remove card"),
    0x56: (_P.REMOVE_CARD, "limit not sufficient, please remove card"),
    0x57: (_P.REMOVE_CARD, "please wait, please remove card"),
    0x58: (_P.PIN_WRONG, "PIN try limit exceeded, please remove card"),
    0x59: (_P.REMOVE_CARD, "card data incorrect, please remove card"),
    0x5A: (_P.REMOVE_CARD, "service mode, please remove card"),
    0x5B: (_P.REMOVE_CARD, "approved, please fill up, please remove card"),
    0x5C: (_P.REMOVE_CARD, "approved, please take goods, please remove card"),
    0x5D: (_P.REMOVE_CARD, "declined, please remove card"),
    0x5E: (_P.PROCESSING, "contactless card access finished"),
    0x68: (_P.PROCESSING, "card insertion detected"),
    0x69: (_P.WAIT, "please select DCC"),
    0x6A: (_P.ENTER_PIN, "PIN digit entered"),
    0x6B: (_P.ENTER_PIN, "PIN digit entered, confirmation possible"),
    0x6C: (_P.ENTER_PIN, "correction key entered"),
    0x6D: (_P.PROCESSING, "PIN entered"),
    0xC7: (_P.WAIT, "waiting for input of the mileage"),
    0xC8: (_P.WAIT, "waiting for cashier"),
    0xC9: (_P.WAIT, "automatic diagnosis"),
    0xCA: (_P.WAIT, "automatic initialisation"),
    0xCB: (_P.OTHER, "merchant journal full"),
    0xCC: (_P.ENTER_PIN, "debit advice not possible, PIN required"),
    0xD2: (_P.PROCESSING, "connecting dial-up"),
    0xD3: (_P.PROCESSING, "dial-up connection made"),
    0xE0: (_P.WAIT, "waiting for application selection"),
    0xE1: (_P.WAIT, "waiting for language selection"),
    0xE2: (_P.OTHER, "please use the cleaning card"),
    0xF1: (_P.WAIT, "offline"),
    0xF2: (_P.PROCESSING, "online"),
    0xF3: (_P.PROCESSING, "offline transaction"),
    0xFF: (_P.OTHER, ""),  # no code fits: the terminal's own texts follow in TLV
}


def intermediate_status(code: int) -> tuple[TerminalPrompt, str]:
    """The prompt of an intermediate status and the specification's text for it."""
    return INTERMEDIATE_STATUSES.get(code, (TerminalPrompt.OTHER, ""))


# ------------------------------------------------------ terminal status (status enquiry)

TERMINAL_STATUSES: Final[Mapping[int, str]] = {
    0x00: "ready",
    0x51: "initialisation required",
    0x62: "date/time incorrect",
    0x9C: "please wait (e.g. software update)",
    0x9D: "partial issue of goods",
    0xB1: "memory full",
    0xB2: "merchant journal full",
    0xBF: "voltage supply too low",
    0xC0: "card locking mechanism defective",
    0xC1: "merchant card locked",
    0xC2: "diagnosis required",
    0xC4: "card profile invalid",
    0xCC: "printer not ready",
    0xDC: "card inserted",
    0xDF: "out of order",
    0xE0: "remote maintenance activated",
    0xE1: "card not completely removed",
    0xE2: "card reader does not answer / defective",
    0xE3: "shutter closed",
    0xE4: "terminal activation required",
    0xF0: "reconciliation required",
    0xF6: "OPT data not available",
}


def terminal_status(code: int) -> str:
    return TERMINAL_STATUSES.get(code, f"status 0x{code:02X}")


# ------------------------------------------------------------------------ card brands

# ZVT card types (BMP 8A) of the cards an unattended charger sees, as short brands.
_CARD_TYPE_BRANDS: Final[Mapping[int, str]] = {
    5: "GIRO",
    6: "MC",
    8: "AMEX",
    10: "VISA",
    11: "VISA",
    12: "DINERS",
    13: "VPAY",
    14: "JCB",
    46: "MAESTRO",
    198: "CUP",
    232: "DISCOVER",
}
_NAME_BRANDS: Final = (
    ("giro", "GIRO"),
    ("maestro", "MAESTRO"),
    ("master", "MC"),
    ("v pay", "VPAY"),
    ("vpay", "VPAY"),
    ("visa", "VISA"),
    ("american", "AMEX"),
    ("amex", "AMEX"),
    ("diners", "DINERS"),
    ("jcb", "JCB"),
    ("union", "CUP"),
    ("discover", "DISCOVER"),
)


def card_brand(card_type: int | None, card_name: str | None) -> str | None:
    """A short brand for the masked reference ("VISA"), from the card type or name."""
    if card_type is not None and card_type in _CARD_TYPE_BRANDS:
        return _CARD_TYPE_BRANDS[card_type]
    if card_name:
        lower = card_name.lower()
        for needle, brand in _NAME_BRANDS:
            if needle in lower:
                return brand
        words = card_name.split()
        letters = "".join(ch for ch in words[0] if ch.isascii() and ch.isalpha()) if words else ""
        return letters.upper()[:12] or None
    return None
