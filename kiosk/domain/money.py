"""Money: a Decimal amount with an ISO 4217 currency.

Amounts are exact `Decimal`s; a float never gets in (it cannot represent 0.10).
Rounding happens in one place, `Money.rounded`, with one policy for the whole
application (half-up to the currency's minor unit unless configured otherwise).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from enum import Enum
from fractions import Fraction
from typing import Final

from iso4217 import Currency

__all__ = [
    "Money",
    "MoneyError",
    "Rounding",
    "minor_unit",
    "round_to_minor",
    "to_decimal",
]

_CODE: Final = re.compile(r"[A-Z]{3}")


class MoneyError(ValueError):
    """An amount or currency that money arithmetic must refuse."""


class Rounding(Enum):
    """How an exact amount becomes a payable amount in the currency's minor unit."""

    HALF_UP = ROUND_HALF_UP
    HALF_EVEN = ROUND_HALF_EVEN


@functools.cache
def minor_unit(currency: str) -> int:
    """Digits after the decimal point of an ISO 4217 currency (EUR 2, JPY 0, BHD 3).

    From the ISO 4217 table itself (the iso4217 package), not CLDR: CLDR gives the
    digits a locale displays, which differ for a few currencies (IQD, RSD, ...).
    """
    if not isinstance(currency, str) or not _CODE.fullmatch(currency):
        raise MoneyError(f"not an ISO 4217 currency code: {currency!r}")
    try:
        exponent = Currency(currency).exponent
    except ValueError:
        raise MoneyError(f"not an ISO 4217 currency code: {currency!r}") from None
    if exponent is None:
        raise MoneyError(f"{currency} has no minor unit: it is not a currency to pay in")
    return int(exponent)


@functools.cache
def _quantum(digits: int) -> Decimal:
    return Decimal(1).scaleb(-digits)


def to_decimal(value: object, what: str = "amount") -> Decimal:
    """A finite Decimal from a Decimal, int or decimal string; never from a float."""
    if isinstance(value, (bool, float)):
        raise MoneyError(f"{what} must not be a {type(value).__name__}: {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise MoneyError(f"{what} is not a decimal number: {value!r}") from None
    else:
        raise MoneyError(f"{what} must be a decimal number, not {type(value).__name__}")
    if not result.is_finite():
        raise MoneyError(f"{what} must be finite, not {value!r}")
    return result


def round_to_minor(
    value: Decimal | Fraction, currency: str, rounding: Rounding = Rounding.HALF_UP
) -> Decimal:
    """Round an exact value to the currency's minor unit: the one rounding point."""
    digits = minor_unit(currency)
    if isinstance(value, Fraction):
        if value < 0:  # both policies are symmetric: round the magnitude
            return -round_to_minor(-value, currency, rounding)
        scaled = value * 10**digits
        whole, rest = divmod(scaled.numerator, scaled.denominator)
        twice = 2 * rest
        if twice > scaled.denominator or (
            twice == scaled.denominator and (rounding is Rounding.HALF_UP or whole % 2 == 1)
        ):
            whole += 1
        return Decimal(whole).scaleb(-digits).quantize(_quantum(digits))
    return value.quantize(_quantum(digits), rounding=rounding.value)


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount of one currency. Arithmetic across currencies is refused."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount))
        minor_unit(self.currency)

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        return cls(to_decimal(amount), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @property
    def minor_unit(self) -> int:
        return minor_unit(self.currency)

    def rounded(self, rounding: Rounding = Rounding.HALF_UP) -> Money:
        return Money(round_to_minor(self.amount, self.currency, rounding), self.currency)

    def is_zero(self) -> bool:
        return self.amount == 0

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise MoneyError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"currency mismatch: {self.currency} and {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money(self.amount * to_decimal(factor, "factor"), self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other).amount

    def __str__(self) -> str:
        return f"{self.currency} {self.amount}"
