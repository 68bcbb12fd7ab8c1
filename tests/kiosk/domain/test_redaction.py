"""The one redaction rule: what it removes, what it leaves, the masked reference, the log filter."""

from __future__ import annotations

import logging
import sys

import pytest

from kiosk.domain.redaction import (
    REDACTED,
    RedactingFilter,
    contains_card_data,
    install_log_redaction,
    looks_like_pan,
    mask_reference,
    redact,
)

PAN = "4111111111111111"


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (PAN, REDACTED),
        ("card 4111 1111 1111 1111 declined", f"card {REDACTED} declined"),
        ("card 4111-1111-1111-1111", f"card {REDACTED}"),
        ("123456789012", REDACTED),  # 12 digits: the shortest card number
        ("1234567890123456789", REDACTED),  # 19: the longest
        ("1" * 25, REDACTED),  # longer runs can hide one
        (f"ref{PAN}", f"ref{REDACTED}"),  # letters do not protect a run
        ("CVV 123 wrong", f"{REDACTED} wrong"),
        ("cvc2: 9876 invalid", f"{REDACTED} invalid"),
        ("security code was 123", REDACTED),
        ("wrong CVV", f"wrong {REDACTED}"),
        (f";{PAN}=25121010000000000000?", REDACTED),  # track 2
        (f"track2 {PAN}=2512101...", f"track2 {REDACTED}{REDACTED}..."),
        (f"%B{PAN}^DOE/JOHN^25121010000000?", REDACTED),  # track 1
        (
            f"CVV 123 wrong; track2 {PAN}=2512101234567890",
            f"{REDACTED} wrong; track2 {REDACTED}{REDACTED}",
        ),
    ],
)
def test_card_data_is_removed(text: str, redacted: str) -> None:
    assert redact(text) == redacted
    assert contains_card_data(text)
    assert redact(redacted) == redacted  # idempotent


@pytest.mark.parametrize(
    "text",
    [
        "insufficient funds",
        "12345678901",  # 11 digits
        "payment 0b7f7c1e-8a0e-4c55-9d2f-0b1a2c3d4e5f: captured",  # our ids
        "bank_card-0123456789012345678901234567abcd",  # a hex handle
        "a" + "0" * 31 + "ff" * 16,  # a digest
        "meter 123456789.000000000001 Wh, 12.345678901234 kWh",  # decimals
        "2026-03-29T00:30:00.000000Z",
        "2026-03-02 09:00:00",
        "VISA •••• 4242",
        "RFID ••••C3D4",
        "R-20261124-7F3K9QXA",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text
    assert not contains_card_data(text)


def test_a_decimal_with_a_card_number_before_the_point_is_still_redacted() -> None:
    assert redact(f"{PAN}.00") == f"{REDACTED}.00"


@pytest.mark.parametrize(
    ("ref", "masked"),
    [
        ("VISA •••• 4242", "VISA •••• 4242"),
        ("RFID ••••C3D4", "RFID ••••C3D4"),
        ("iDEAL ••••7731", "iDEAL ••••7731"),
        (PAN, "•••• 1111"),
        ("VISA 4111 1111 1111 1111", "VISA •••• 1111"),
        ("MC 5555-5555-5555-4444", "MC •••• 4444"),
        (f"{PAN}=2512101", "•••• 1111"),  # the track's tail is not the last four
        (f"VISA {PAN} CVV 123", "VISA •••• 1111"),  # nor the CVV
        (f"CVV 123 {PAN}", "•••• 1111"),  # a CVV is never the brand
        ("MC", "MC"),
        ("", None),
        (None, None),
    ],
)
def test_masked_references_are_rebuilt_from_the_last_four(
    ref: str | None, masked: str | None
) -> None:
    assert mask_reference(ref) == masked
    assert mask_reference(masked) == masked


def test_a_pan_where_an_identifier_belongs_is_recognised() -> None:
    assert looks_like_pan(PAN)
    assert looks_like_pan("4111 1111 1111 1111")
    assert not looks_like_pan("4111111111111112")  # fails the Luhn check
    assert not looks_like_pan("04A1B2C3D4")


def test_the_log_filter_redacts_message_arguments_and_exceptions() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "paid with %s", (PAN,), None)
    assert RedactingFilter().filter(record)
    assert record.getMessage() == f"paid with {REDACTED}"
    try:
        raise ValueError(f"card {PAN}")
    except ValueError:
        exc = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    RedactingFilter().filter(exc)
    assert exc.exc_text is not None
    assert PAN not in exc.exc_text
    assert REDACTED in exc.exc_text


def test_installed_redaction_reaches_every_handler(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction()
    install_log_redaction()  # idempotent
    with caplog.at_level(logging.INFO):
        logging.getLogger("kiosk.test").info("decline: CVV 123, card %s", PAN)
    assert caplog.records[-1].getMessage() == f"decline: {REDACTED}, card {REDACTED}"
    assert PAN not in caplog.text
