from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.money import Money, MoneyError, Rounding, minor_unit, round_to_minor, to_decimal


@pytest.mark.parametrize(
    ("code", "digits"), [("EUR", 2), ("CHF", 2), ("JPY", 0), ("BHD", 3), ("IQD", 3), ("RSD", 2)]
)
def test_minor_units(code: str, digits: int) -> None:
    assert minor_unit(code) == digits


@pytest.mark.parametrize("code", ["EURO", "eur", "XYZ", "", 978, "XAU"])
def test_unknown_currency_refused(code: object) -> None:
    with pytest.raises(MoneyError):
        minor_unit(code)


@pytest.mark.parametrize("bad", [0.1, True, float("nan"), "NaN", "Infinity", "abc", None, [1]])
def test_refuses_float_and_non_finite(bad: object) -> None:
    with pytest.raises(MoneyError):
        to_decimal(bad)


def test_arithmetic_same_currency_only() -> None:
    a = Money.of("1.10", "EUR")
    assert a + Money.of("2.20", "EUR") == Money.of("3.30", "EUR")
    assert a - Money.of("0.10", "EUR") == Money.of("1.00", "EUR")
    assert a * 3 == Money.of("3.30", "EUR")
    assert -a == Money.of("-1.10", "EUR")
    assert a < Money.of("2", "EUR")
    with pytest.raises(MoneyError, match="currency mismatch"):
        _ = a + Money.of("1", "CHF")
    with pytest.raises(MoneyError, match="float"):
        _ = a * 1.5  # type: ignore[operator]
    with pytest.raises(MoneyError):
        Money(0.5, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "currency", "rounding", "expected"),
    [
        ("0.005", "EUR", Rounding.HALF_UP, "0.01"),
        ("0.015", "EUR", Rounding.HALF_EVEN, "0.02"),
        ("0.025", "EUR", Rounding.HALF_EVEN, "0.02"),
        ("-0.005", "EUR", Rounding.HALF_UP, "-0.01"),
        ("0.5", "JPY", Rounding.HALF_UP, "1"),
        ("0.0005", "BHD", Rounding.HALF_UP, "0.001"),
        ("14.125", "EUR", Rounding.HALF_UP, "14.13"),
    ],
)
def test_rounding_policy(value: str, currency: str, rounding: Rounding, expected: str) -> None:
    assert Money.of(value, currency).rounded(rounding).amount == Decimal(expected)
    assert str(round_to_minor(Decimal(value), currency, rounding)) == expected


@given(st.fractions(min_value=-1000, max_value=1000), st.sampled_from(list(Rounding)))
def test_fraction_rounding_matches_decimal_on_terminating_values(
    value: Fraction, rounding: Rounding
) -> None:
    # limit to values a Decimal holds exactly: denominators of 2^a 5^b
    exact = Fraction(round(value * 10_000), 10_000)
    as_decimal = Decimal(exact.numerator) / Decimal(exact.denominator)
    assert round_to_minor(exact, "EUR", rounding) == round_to_minor(as_decimal, "EUR", rounding)
