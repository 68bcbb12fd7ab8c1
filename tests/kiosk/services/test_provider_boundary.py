"""The provider boundary: every answer redacted in one place, before the core sees it."""

from __future__ import annotations

from decimal import Decimal

from kiosk.ports import ProviderHold, ProviderResult
from kiosk.services.provider_boundary import safe_hold, safe_result
from tests.conftest import ExpectedWarnings

PAN = "4111111111111111"


def test_a_clean_answer_passes_unchanged() -> None:
    result = ProviderResult(True, "bank_card-ab12", None, "VISA •••• 4242", Decimal(50))
    assert safe_result(result) is result


def test_texts_are_redacted_and_the_masked_reference_rebuilt(
    expect_warnings: ExpectedWarnings,
) -> None:
    expect_warnings("sent card data")
    result = ProviderResult(
        False, None, f"CVV 123 wrong; track2 {PAN}=2512101", masked_ref=f"VISA {PAN}"
    )
    safe = safe_result(result)
    assert safe.error == "[redacted] wrong; track2 [redacted][redacted]"
    assert safe.masked_ref == "VISA •••• 1111"
    assert not safe.ok


def test_a_hold_named_by_a_card_number_is_never_used(expect_warnings: ExpectedWarnings) -> None:
    expect_warnings("sent card data")
    safe = safe_result(ProviderResult(True, PAN, reference=f"S1:{PAN}", kind=f"x{PAN}"))
    assert not safe.ok
    assert safe.provider_ref is None
    assert safe.reference is None
    assert safe.kind is None
    assert safe.error is not None
    assert PAN not in safe.error


def test_a_listed_hold_with_card_data_is_left_out(expect_warnings: ExpectedWarnings) -> None:
    expect_warnings("listed a hold")
    assert safe_hold(ProviderHold(PAN, "S1:x", Decimal(50))) is None
    hold = ProviderHold("bank_card-ab12", "S1:x", Decimal(50))
    assert safe_hold(hold) is hold
