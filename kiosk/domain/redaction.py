"""No card data anywhere: the one redaction rule, the masked reference, the log filter.

Every string that comes from a payment provider or a card reader passes through
`redact()` before it is stored, logged, rendered or sent (the provider boundary in
`kiosk.services.provider_boundary` does it for every answer, in one place); the
ledger refuses any text that `redact()` would change (`contains_card_data`), in every
text column; `RedactingFilter` applies it to every log record.

What `redact()` removes, each replaced by ``[redacted]``:

- track data: track 2 (``;4111111111111111=2512101...?``, also with ``D`` as the
  separator) and track 1 (``%B4111...^NAME/X^2512...``), and what follows a
  separator as expiry, service code and discretionary data (``=2512101``: ``=`` and
  seven digits or more);
- CVV/CVC mentions with their value: ``CVV 123``, ``cvc2: 9876``, ``security code
  was 123`` (the keyword goes too, with or without a value);
- PAN-like runs: 12 digits or more in a row, optionally grouped by single spaces or
  dashes (``4111 1111 1111 1111``, ``4111-1111-1111-1111``). 12 to 19 digits is the
  length of a card number (ISO/IEC 7812); longer runs go as well, since a PAN can
  hide in one.

What it leaves, because the kiosk's own identifiers and figures look like that:
UUIDs (``8-4-4-4-12`` hex), hex digests of 32 characters or more that contain a
letter (SHA-256, a UUID's hex), and the fraction of a decimal number with at most 11
integer digits (``123456789.000000000001`` is a meter register, not a PAN).

`mask_reference()` rebuilds a masked card reference from at most its last four
characters: ``"4111111111111111"`` becomes ``"•••• 1111"``, ``"VISA 4111 1111 1111
1111"`` becomes ``"VISA •••• 1111"``; an already masked ``"VISA •••• 4242"`` or
``"RFID ••••C3D4"`` is kept as it is.
"""

from __future__ import annotations

import logging
import re
from typing import Final

__all__ = [
    "REDACTED",
    "RedactingFilter",
    "contains_card_data",
    "install_log_redaction",
    "looks_like_pan",
    "mask_reference",
    "redact",
    "redact_optional",
]

REDACTED: Final = "[redacted]"

_PROTECTED: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"  # UUID
    r"|(?<![0-9A-Za-z])(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{32,}(?![0-9A-Za-z])"  # digest
    r"|(?<![0-9.])[0-9]{1,11}\.[0-9]+"  # a decimal number's fraction
)

_CVV: Final = (
    r"(?i:\b(?:cvv2?|cvc2?|cvn2?|cav2|card\s+security\s+code|security\s+code"
    r"|card\s+verification\s+(?:value|code))\b(?:\s*(?:[:=#]|is|was|of)?\s*[0-9]{3,4}\b)?)"
)
_SENSITIVE: Final = re.compile(
    # track 1: %B<PAN>^<NAME>^<YYMM><service code><discretionary>?
    r"%?B[0-9]{12,19}\^[^^\n]{0,26}\^[0-9]{4}[0-9 ]*\??"
    # track 2: ;<PAN>=<YYMM><service code><discretionary>?
    r"|;?[0-9]{12,19}[=D][0-9]{4,}\??"
    # CVV/CVC and the like, with the value that follows (if any)
    rf"|{_CVV}"
    # what follows a track separator: expiry, service code, discretionary data
    r"|=[0-9]{7,}"
    # digit groups separated by single spaces or dashes: PAN-like when 12 digits or more
    r"|(?P<digits>(?<![0-9])[0-9]+(?:[ -][0-9]+)*(?![0-9]))"
)
_CVV_MENTION: Final = re.compile(_CVV)
_PAN_DIGITS: Final = 12


# A cheap first look (C-speed byte operations, no regex): text in which none of these
# turns up cannot hold what `_SENSITIVE` finds. Most of what the ledger writes passes
# here (a session's periods are written every 10 s); the rest gets the full rule.
_DIGIT_MAP: Final = bytes(
    ord("0") if chr(b).isdigit() else b if chr(b) in "=^" else ord("x") for b in range(256)
)
_TWELVE: Final = b"0" * 12
_KEYWORDS: Final = ("cvv", "cvc", "cvn", "cav2", "security", "verification")


def _maybe_sensitive(text: str) -> bool:
    folded = text.encode("utf-8", "surrogatepass").translate(_DIGIT_MAP, b" -")
    if _TWELVE in folded or b"=0000" in folded or b"^" in folded:
        return True
    lower = text.lower()
    return any(word in lower for word in _KEYWORDS)


def _replace(m: re.Match[str]) -> str:
    if m.lastgroup != "digits":
        return REDACTED
    text = m.group()
    if sum(ch.isdigit() for ch in text) < _PAN_DIGITS:
        return text
    # A leading group of one or two digits ("track2 4111...", "no. 1 4111...") belongs
    # to the words before it; card numbers are grouped by three digits or more.
    groups = re.split(r"(?<=[0-9])(?=[ -])|(?<=[ -])(?=[0-9])", text)
    kept = ""
    while len(groups) > 2 and len(groups[0]) <= 2:
        rest = "".join(groups[2:])
        if sum(ch.isdigit() for ch in rest) < _PAN_DIGITS:
            break
        kept += groups[0] + groups[1]
        groups = groups[2:]
    return kept + REDACTED


def _redact_segment(text: str) -> str:
    return _SENSITIVE.sub(_replace, text)


def redact(text: str) -> str:
    """`text` with track data, CVV mentions and PAN-like digit runs replaced by [redacted].

    >>> redact("CVV 123 wrong; track2 4111111111111111=2512101")
    '[redacted] wrong; track2 [redacted]'
    >>> redact("card 4111 1111 1111 1111 declined")
    'card [redacted] declined'
    >>> redact("payment 0b7f7c1e-8a0e-4c55-9d2f-0b1a2c3d4e5f: 12.345678901234 kWh")
    'payment 0b7f7c1e-8a0e-4c55-9d2f-0b1a2c3d4e5f: 12.345678901234 kWh'
    """
    if not text or not _maybe_sensitive(text):
        return text
    out: list[str] = []
    last = 0
    for m in _PROTECTED.finditer(text):
        out.append(_redact_segment(text[last : m.start()]))
        out.append(m.group())
        last = m.end()
    out.append(_redact_segment(text[last:]))
    return "".join(out)


def redact_optional(text: str | None) -> str | None:
    return None if text is None else redact(text)


def contains_card_data(text: str) -> bool:
    """Whether `redact()` would change `text` (the ledger's guard: such text is refused)."""
    return redact(text) != text


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def looks_like_pan(value: str) -> bool:
    """A value made of 12 to 19 digits (spaces and dashes aside) that passes the Luhn check.

    For identifiers that must be kept verbatim (a reader's UID): such a value is a card
    number handed over where an identifier belongs, and is refused, never kept.
    """
    digits = re.sub(r"[ -]", "", value)
    return digits.isdigit() and 12 <= len(digits) <= 19 and _luhn_ok(digits)


# ---------------------------------------------------------------- masked references

_BULLETS: Final = "••••"
# Already masked: an optional brand (letters, spaces, dots, & and dashes; no digits),
# bullets, and at most four characters after them.
_MASKED: Final = re.compile(r"(?:[A-Za-z][A-Za-z .&-]{0,19} )?•{2,}(?: ?)[0-9A-Za-z]{1,4}")
_BRAND: Final = re.compile(r"[A-Za-z][A-Za-z.&-]{0,19}")
_CVV_WORD: Final = re.compile(
    r"(?i:cvv2?|cvc2?|cvn2?|cav2|card|security|code|track[12]?|exp|expiry|pan)"
)
_DIGIT_GROUP: Final = re.compile(r"[0-9](?:[ -]?[0-9])*")


def mask_reference(ref: str | None) -> str | None:
    """A masked card reference rebuilt from at most the last four digits of `ref`.

    The brand is kept when the reference starts with a word of letters ("VISA"); the
    digits are those of its longest run of digits before any track separator (``=``,
    ``^``), CVV mentions removed first. A reference already in the masked shape
    ("VISA •••• 4242", "RFID ••••C3D4") is returned as it is. None stays None; a
    reference with neither brand nor digits gives None.
    """
    if ref is None:
        return None
    text = " ".join(ref.split())
    if _MASKED.fullmatch(text):
        return text
    words = text.split(" ")
    brand = ""
    if words and _BRAND.fullmatch(words[0]) and not _CVV_WORD.fullmatch(words[0]):
        brand = words[0]
    head = re.split(r"[=^]", text, maxsplit=1)[0]
    head = _CVV_MENTION.sub(" ", head)
    runs = [re.sub(r"[ -]", "", m.group()) for m in _DIGIT_GROUP.finditer(head)]
    number = max(runs, key=len, default="")
    tail = number[-4:]
    if tail:
        return f"{brand} {_BULLETS} {tail}" if brand else f"{_BULLETS} {tail}"
    return brand or None


# ------------------------------------------------------------------------ logging


class RedactingFilter(logging.Filter):
    """Applies `redact()` to a record's message (its arguments merged in) and exception.

    It always lets the record through: it changes what it says, never whether it is
    logged.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def redact_record(record: logging.LogRecord) -> None:
    if getattr(record, "_kiosk_redacted", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it later, as usual
        return
    cleaned = redact(message)
    if cleaned != message or record.args:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        formatted = logging.Formatter().formatException(record.exc_info)
        record.exc_text = redact(formatted)
    record._kiosk_redacted = True


_installed: list[bool] = []


def install_log_redaction() -> None:
    """Redact every log record from now on, whichever handler gets it.

    A filter on a handler sees only that handler's records, and handlers come and go
    (tests add their own); so the filter runs in the log record factory, where every
    record is made. Idempotent.
    """
    if _installed:
        return
    previous = logging.getLogRecordFactory()
    redactor = RedactingFilter()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        redactor.filter(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed.append(True)
