"""OCPI 2.2.1 Tariff objects, parsed and validated whole, plus our documented extensions.

A tariff is either fully valid or refused with every problem named by its path
(`elements[2].restrictions.start_time: ...`): nothing half-parsed is ever priced.
What the spec's own examples and real data contain is accepted, with a warning where
it is odd (docs/tariffs.md §1.1); numbers past the plausibility bounds below (§1.3)
are refused, so that no magnitude reaches the engine that its exact arithmetic
cannot carry. The extension block lives under the `x_kiosk` key (docs/tariffs.md);
plain OCPI input never needs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Final, TypeVar

from kiosk.domain.money import MoneyError, minor_unit

E = TypeVar("E", bound=Enum)

__all__ = [
    "MAX_AMOUNT",
    "MAX_CURRENT_A",
    "MAX_DECIMALS",
    "MAX_DIGITS",
    "MAX_DURATION_S",
    "MAX_ELEMENTS",
    "MAX_ENERGY_KWH",
    "MAX_POWER_KW",
    "MAX_PROBLEMS",
    "MAX_STEP_SIZE",
    "MAX_TARIFFS",
    "MAX_UNIT_PRICE",
    "CustomerGroupRule",
    "DayOfWeek",
    "Dimension",
    "DisplayText",
    "IdleFee",
    "NoActiveTariff",
    "Price",
    "PriceComponent",
    "Problem",
    "ReservationType",
    "Tariff",
    "TariffElement",
    "TariffError",
    "TariffExtensions",
    "TariffRestrictions",
    "TariffType",
    "capped",
    "parse_datetime",
    "parse_tariff",
    "parse_tariffs",
    "select_tariff",
]


# ------------------------------------------------------------------ plausibility bounds
# docs/tariffs.md §1.3 gives each with its reason. Prices are currency-agnostic: the
# bounds leave room for currencies with large numbers (JPY, IDR, VND), and keep every
# product the engine forms well inside its 60 significant digits.

ZERO: Final = Decimal(0)
MAX_UNIT_PRICE: Final = Decimal(10) ** 9  # per kWh, per hour, per minute, or once (FLAT)
MAX_AMOUNT: Final = Decimal(10) ** 12  # a session amount: min_price, max_price, max_fee
MAX_STEP_SIZE: Final = 10**7  # Wh (10 MWh) or seconds (115 days)
MAX_ENERGY_KWH: Final = Decimal(10) ** 8  # kWh: a 3.75 MW charger running for 3 years
MAX_POWER_KW: Final = Decimal(10) ** 5  # kW (100 MW), either sign
MAX_CURRENT_A: Final = Decimal(10) ** 5  # A, either sign
MAX_DURATION_S: Final = 366 * 24 * 3600  # a session lasts at most a (leap) year
MAX_DIGITS: Final = 40  # significant digits in any tariff number
MAX_DECIMALS: Final = 40  # decimal places in any tariff number (trailing zeros not counted)
MAX_ELEMENTS: Final = 1000  # elements in a tariff
MAX_COMPONENTS: Final = 100  # price components in an element
MAX_LIST: Final = 1000  # tariff_alt_text entries, customer groups
MAX_TARIFFS: Final = 10_000  # tariffs in one file
MAX_PROBLEMS: Final = 100  # problems reported for one input; the rest are counted


class Dimension(Enum):
    """OCPI TariffDimensionType."""

    ENERGY = "ENERGY"
    FLAT = "FLAT"
    PARKING_TIME = "PARKING_TIME"
    TIME = "TIME"


class DayOfWeek(Enum):
    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


class ReservationType(Enum):
    RESERVATION = "RESERVATION"
    RESERVATION_EXPIRES = "RESERVATION_EXPIRES"


class TariffType(Enum):
    AD_HOC_PAYMENT = "AD_HOC_PAYMENT"
    PROFILE_CHEAP = "PROFILE_CHEAP"
    PROFILE_FAST = "PROFILE_FAST"
    PROFILE_GREEN = "PROFILE_GREEN"
    REGULAR = "REGULAR"


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class TariffError(ValueError):
    """A tariff that cannot be used, with every problem found in it.

    At most MAX_PROBLEMS are kept (hostile input can hold millions); a last one says
    how many more there were.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = capped(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True, slots=True)
class PriceComponent:
    type: Dimension
    price: Decimal  # per unit, excl. VAT: per kWh, per hour, or once (FLAT)
    vat: Decimal | None  # percent; None means "no VAT given", not 0 %
    step_size: int  # in Wh (ENERGY) or seconds (TIME, PARKING_TIME); 0: no step rounding


@dataclass(frozen=True, slots=True)
class TariffRestrictions:
    """Conditions under which an element is active; all given ones must hold."""

    # Minutes after local midnight. start_time is inclusive (0-1439); end_time is
    # exclusive (0-1440, where 1440 is "24:00", the end of the day). When both are
    # given and equal, the window is the whole day (OCPI: "00:00" to "00:00").
    start_time: int | None = None
    end_time: int | None = None
    start_date: date | None = None  # local date, inclusive
    end_date: date | None = None  # local date, exclusive
    min_kwh: Decimal | None = None
    max_kwh: Decimal | None = None
    min_current: Decimal | None = None  # A; negative: from the EV to the grid
    max_current: Decimal | None = None
    min_power: Decimal | None = None  # kW; negative: from the EV to the grid
    max_power: Decimal | None = None
    min_duration: int | None = None  # seconds
    max_duration: int | None = None
    day_of_week: frozenset[int] = frozenset()  # 0 = Monday
    reservation: ReservationType | None = None

    @property
    def needs_local_time(self) -> bool:
        return (
            self.start_time is not None
            or self.end_time is not None
            or self.start_date is not None
            or self.end_date is not None
            or bool(self.day_of_week)
        )


@dataclass(frozen=True, slots=True)
class TariffElement:
    price_components: tuple[PriceComponent, ...]
    restrictions: TariffRestrictions | None = None

    def component(self, dimension: Dimension) -> PriceComponent | None:
        for pc in self.price_components:
            if pc.type is dimension:
                return pc
        return None


@dataclass(frozen=True, slots=True)
class Price:
    excl_vat: Decimal
    incl_vat: Decimal | None = None


@dataclass(frozen=True, slots=True)
class DisplayText:
    language: str
    text: str


@dataclass(frozen=True, slots=True)
class IdleFee:
    """Extension: a fee per minute for staying plugged in once charging has ended."""

    price_per_minute: Decimal
    vat: Decimal | None
    grace_minutes: int
    step_size: int = 60  # seconds, like OCPI step_size for PARKING_TIME
    max_fee: Decimal | None = None  # cap on the idle fee, excl. VAT


@dataclass(frozen=True, slots=True)
class CustomerGroupRule:
    """Extension: what a customer group pays (another tariff, or a discount)."""

    group: str
    tariff_id: str | None = None
    discount_percent: Decimal | None = None
    energy_discount_per_kwh: Decimal | None = None


@dataclass(frozen=True, slots=True)
class TariffExtensions:
    idle_fee: IdleFee | None = None
    customer_groups: Mapping[str, CustomerGroupRule] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Tariff:
    # country_code, party_id and last_updated identify a tariff in OCPI exchange, not
    # its price: None only when parsed with require_identity=False (priced, not stored).
    country_code: str | None
    party_id: str | None
    id: str
    currency: str
    elements: tuple[TariffElement, ...]
    last_updated: datetime | None
    type: TariffType | None = None
    tariff_alt_text: tuple[DisplayText, ...] = ()
    tariff_alt_url: str | None = None
    min_price: Price | None = None
    max_price: Price | None = None
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None
    energy_mix: Mapping[str, Any] | None = None
    extensions: TariffExtensions = field(default_factory=TariffExtensions)
    warnings: tuple[Problem, ...] = ()

    def is_valid_at(self, moment: datetime) -> bool:
        """OCPI validity: from start_date_time (inclusive) to end_date_time (exclusive)."""
        if self.start_date_time is not None and moment < self.start_date_time:
            return False
        return self.end_date_time is None or moment < self.end_date_time

    def dimensions(self) -> Iterator[Dimension]:
        seen: set[Dimension] = set()
        for element in self.elements:
            for pc in element.price_components:
                if pc.type not in seen:
                    seen.add(pc.type)
                    yield pc.type


# --------------------------------------------------------------------------- parsing

_TIME_RE: Final = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
_END_OF_DAY: Final = "24:00"  # allowed as an end_time (the spec's step_size example)
_DATE_RE: Final = re.compile(r"([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")
_ISO_DT_RE: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?", re.IGNORECASE
)

_TARIFF_FIELDS: Final = frozenset(
    {
        "country_code",
        "party_id",
        "id",
        "currency",
        "type",
        "tariff_alt_text",
        "tariff_alt_url",
        "min_price",
        "max_price",
        "elements",
        "start_date_time",
        "end_date_time",
        "energy_mix",
        "last_updated",
        "x_kiosk",
    }
)
_ELEMENT_FIELDS: Final = frozenset({"price_components", "restrictions"})
_COMPONENT_FIELDS: Final = frozenset({"type", "price", "vat", "step_size"})
_RESTRICTION_FIELDS: Final = frozenset(
    {
        "start_time",
        "end_time",
        "start_date",
        "end_date",
        "min_kwh",
        "max_kwh",
        "min_current",
        "max_current",
        "min_power",
        "max_power",
        "min_duration",
        "max_duration",
        "day_of_week",
        "reservation",
    }
)


def parse_datetime(value: object) -> datetime:
    """An OCPI DateTime (RFC 3339, UTC when no offset is given) as an aware UTC datetime."""
    if not isinstance(value, str) or not _ISO_DT_RE.fullmatch(value):
        raise ValueError(
            f"expected an RFC 3339 date-time like 2019-06-01T12:00:00Z, got {_short(repr(value))}"
        )
    text = value
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: 0001-01-01T00:00:00+01:00
        raise ValueError(f"not a real date-time: {_short(repr(value))}") from None


class _Checker:
    """Collects problems with their paths instead of stopping at the first one."""

    def __init__(self, *, require_identity: bool = True) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.require_identity = require_identity

    def bad(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(Problem(path, message))

    def unknown_fields(self, obj: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
        for key in obj:
            if key not in allowed:
                self.warnings.append(
                    Problem(_join(path, _short(str(key))), "unknown field, ignored (misspelt?)")
                )

    def obj(self, value: object, path: str) -> Mapping[str, Any] | None:
        if not isinstance(value, dict):
            self.bad(path, f"must be an object, not {_kind(value)}")
            return None
        return value

    def string(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool,
        max_len: int | None = None,
        exact_len: int | None = None,
    ) -> str | None:
        p = _join(path, key)
        value = obj.get(key)
        if value is None:
            if required:
                self.bad(p, "required")
            return None
        if not isinstance(value, str):
            self.bad(p, f"must be a string, not {_kind(value)}")
            return None
        if exact_len is not None and len(value) != exact_len:
            self.bad(p, f"must be {exact_len} characters, got {len(value)}")
            return None
        if max_len is not None and len(value) > max_len:
            self.bad(p, f"must be at most {max_len} characters, got {len(value)}")
            return None
        if required and not value.strip():
            self.bad(p, "must not be empty")
            return None
        return value

    def number(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = False,
        minimum: Decimal = Decimal(0),
        maximum: Decimal,
    ) -> Decimal | None:
        p = _join(path, key)
        value = obj.get(key)
        if value is None:
            if required:
                self.bad(p, "required")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            self.bad(p, f"must be a number, not {_kind(value)}")
            return None
        number = Decimal(value)
        if not number.is_finite():
            self.bad(p, "must be a finite number")
            return None
        if number < minimum:
            self.bad(p, f"must be at least {minimum}, got {_short(number)}")
            return None
        if number > maximum:
            self.bad(p, f"must be at most {maximum}, got {_short(number)}")
            return None
        digits = _digits_problem(number)
        if digits is not None:
            self.bad(p, digits)
            return None
        return number

    def integer(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = False,
        minimum: int = 0,
        maximum: int,
    ) -> int | None:
        p = _join(path, key)
        value = obj.get(key)
        if value is None:
            if required:
                self.bad(p, "required")
            return None
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral():
            if not minimum <= value <= maximum:  # before int(): 1E+999999999 is a huge int
                self.bad(p, f"must be from {minimum} to {maximum}, got {_short(value)}")
                return None
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.bad(p, f"must be a whole number, not {_kind(value)}")
            return None
        if value < minimum:
            self.bad(p, f"must be at least {minimum}, got {_short(value)}")
            return None
        if value > maximum:
            self.bad(p, f"must be at most {maximum}, got {_short(value)}")
            return None
        return value

    def enum(
        self, obj: Mapping[str, Any], key: str, path: str, kind: type[E], *, required: bool
    ) -> E | None:
        p = _join(path, key)
        value = obj.get(key)
        if value is None:
            if required:
                self.bad(p, "required")
            return None
        return self.enum_value(value, p, kind)

    def enum_value(self, value: object, path: str, kind: type[E]) -> E | None:
        names = [m.name for m in kind]
        if not isinstance(value, str) or value not in names:
            self.bad(path, f"must be one of {', '.join(names)}; got {_short(repr(value))}")
            return None
        return kind[value]

    def datetime_(
        self, obj: Mapping[str, Any], key: str, path: str, *, required: bool
    ) -> datetime | None:
        p = _join(path, key)
        value = obj.get(key)
        if value is None:
            if required:
                self.bad(p, "required")
            return None
        try:
            return parse_datetime(value)
        except ValueError as exc:
            self.bad(p, str(exc))
            return None

    def list_(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool,
        non_empty: bool,
        max_len: int = MAX_LIST,
    ) -> list[Any] | None:
        p = _join(path, key)
        value = obj.get(key)
        if value is None:
            if required:
                self.bad(p, "required")
            return None
        if not isinstance(value, list):
            self.bad(p, f"must be a list, not {_kind(value)}")
            return None
        if non_empty and not value:
            self.bad(p, "must contain at least one entry")
            return None
        if len(value) > max_len:
            self.bad(p, f"must have at most {max_len} entries, got {len(value)}")
            return None
        return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _short(value: object, limit: int = 40) -> str:
    """A value for a message: a 5,000-digit number is cut, not quoted whole."""
    text = str(value)
    return text if len(text) <= limit else f"{text[: limit - 10]}…({len(text)} characters)"


def _digits_problem(number: Decimal) -> str | None:
    """Too many digits for a tariff number (MAX_DIGITS, MAX_DECIMALS), or None."""
    if not number:
        return None
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite
    trailing = len(digits) - len(bytes(digits).rstrip(b"\x00"))
    significant = len(digits) - trailing
    decimals = -(exponent + trailing)
    if significant > MAX_DIGITS:
        return f"has {significant} significant digits; at most {MAX_DIGITS} are accepted"
    if decimals > MAX_DECIMALS:
        return f"has {decimals} decimal places; at most {MAX_DECIMALS} are accepted"
    return None


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, Decimal)):
        return f"the number {_short(value)}"
    if isinstance(value, str):
        return f"the string {_short(repr(value))}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _price(c: _Checker, obj: Mapping[str, Any], key: str, path: str) -> Price | None:
    value = obj.get(key)
    if value is None:
        return None
    p = _join(path, key)
    data = c.obj(value, p)
    if data is None:
        return None
    c.unknown_fields(data, frozenset({"excl_vat", "incl_vat"}), p)
    excl = c.number(data, "excl_vat", p, required=True, maximum=MAX_AMOUNT)
    incl = c.number(data, "incl_vat", p, maximum=MAX_AMOUNT)
    if excl is None:
        return None
    if incl is not None and incl < excl:
        c.bad(_join(p, "incl_vat"), f"must not be less than excl_vat ({excl})")
    return Price(excl, incl)


def _time_of_day(c: _Checker, obj: Mapping[str, Any], key: str, path: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if key == "end_time" and value == _END_OF_DAY:
        return 24 * 60
    m = _TIME_RE.fullmatch(value) if isinstance(value, str) else None
    if m is None:
        last = "24:00" if key == "end_time" else "23:59"
        c.bad(
            _join(path, key),
            f"must be a 24h time HH:MM from 00:00 to {last}, got {_short(repr(value))}",
        )
        return None
    return int(m.group(1)) * 60 + int(m.group(2))


def _date(c: _Checker, obj: Mapping[str, Any], key: str, path: str) -> date | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        c.bad(_join(path, key), f"must be a date YYYY-MM-DD, got {_short(repr(value))}")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        c.bad(_join(path, key), f"is not a real date: {_short(repr(value))}")
        return None


def _restrictions(c: _Checker, value: object, path: str) -> TariffRestrictions | None:
    data = c.obj(value, path)
    if data is None:
        return None
    c.unknown_fields(data, _RESTRICTION_FIELDS, path)
    start_time = _time_of_day(c, data, "start_time", path)
    end_time = _time_of_day(c, data, "end_time", path)
    if start_time is not None and start_time == end_time:
        # OCPI's own examples write "00:00" to "00:00" for the whole day: kept as given
        # (both equal), and pricing matches such a window at every time of day.
        c.warn(_join(path, "end_time"), "start_time equals end_time: the whole day")
    start_date = _date(c, data, "start_date", path)
    end_date = _date(c, data, "end_date", path)
    if start_date and end_date and end_date <= start_date:
        c.bad(_join(path, "end_date"), f"must be after start_date ({start_date}); it is exclusive")
    numbers: dict[str, Decimal | None] = {}
    for key, bound in (
        ("min_kwh", MAX_ENERGY_KWH),
        ("max_kwh", MAX_ENERGY_KWH),
        ("min_current", MAX_CURRENT_A),
        ("max_current", MAX_CURRENT_A),
        ("min_power", MAX_POWER_KW),
        ("max_power", MAX_POWER_KW),
    ):
        # power and current may be negative: energy flowing from the EV to the grid
        lowest = ZERO if key.endswith("kwh") else -bound
        numbers[key] = c.number(data, key, path, minimum=lowest, maximum=bound)
    for low, high in (
        ("min_kwh", "max_kwh"),
        ("min_current", "max_current"),
        ("min_power", "max_power"),
    ):
        lo, hi = numbers[low], numbers[high]
        if lo is not None and hi is not None and hi <= lo:
            c.bad(_join(path, high), f"must be greater than {low} ({lo}); {high} is exclusive")
    min_duration = c.integer(data, "min_duration", path, maximum=MAX_DURATION_S)
    max_duration = c.integer(data, "max_duration", path, maximum=MAX_DURATION_S)
    if min_duration is not None and max_duration is not None and max_duration <= min_duration:
        c.bad(
            _join(path, "max_duration"),
            f"must be greater than min_duration ({min_duration}); max_duration is exclusive",
        )
    days: set[int] = set()
    day_list = c.list_(data, "day_of_week", path, required=False, non_empty=False, max_len=7)
    for i, day in enumerate(day_list or ()):
        dp = f"{_join(path, 'day_of_week')}[{i}]"
        parsed = c.enum_value(day, dp, DayOfWeek)
        if parsed is not None:
            if parsed.value in days:
                c.bad(dp, f"{parsed.name} is listed twice")
            days.add(parsed.value)
    reservation = c.enum(data, "reservation", path, ReservationType, required=False)
    return TariffRestrictions(
        start_time=start_time,
        end_time=end_time,
        start_date=start_date,
        end_date=end_date,
        min_kwh=numbers["min_kwh"],
        max_kwh=numbers["max_kwh"],
        min_current=numbers["min_current"],
        max_current=numbers["max_current"],
        min_power=numbers["min_power"],
        max_power=numbers["max_power"],
        min_duration=min_duration,
        max_duration=max_duration,
        day_of_week=frozenset(days),
        reservation=reservation,
    )


_VAT_MAX: Final = Decimal(100)


def _component(c: _Checker, value: object, path: str) -> PriceComponent | None:
    data = c.obj(value, path)
    if data is None:
        return None
    c.unknown_fields(data, _COMPONENT_FIELDS, path)
    kind = c.enum(data, "type", path, Dimension, required=True)
    price = c.number(data, "price", path, required=True, maximum=MAX_UNIT_PRICE)
    vat = c.number(data, "vat", path, maximum=_VAT_MAX)
    step = c.integer(data, "step_size", path, required=True, maximum=MAX_STEP_SIZE)
    if kind is None or price is None or step is None:
        return None
    if step == 0 and kind is not Dimension.FLAT:  # FLAT has no step unit: 0 is normal
        # the spec's own free-of-charge example; pricing rounds nothing for this component
        c.warn(_join(path, "step_size"), "step_size 0: no step rounding")
    return PriceComponent(kind, price, vat, step)


def _element(c: _Checker, value: object, path: str) -> TariffElement | None:
    data = c.obj(value, path)
    if data is None:
        return None
    c.unknown_fields(data, _ELEMENT_FIELDS, path)
    raw_components = c.list_(
        data, "price_components", path, required=True, non_empty=True, max_len=MAX_COMPONENTS
    )
    components: list[PriceComponent] = []
    ok = raw_components is not None
    for i, raw in enumerate(raw_components or ()):
        pc = _component(c, raw, f"{path}.price_components[{i}]")
        if pc is None:
            ok = False
        else:
            components.append(pc)
    restrictions = None
    if data.get("restrictions") is not None:
        restrictions = _restrictions(c, data["restrictions"], _join(path, "restrictions"))
        if restrictions is None:
            ok = False
    if restrictions is not None and restrictions.reservation is not None:
        for i, pc in enumerate(components):
            if pc.type not in (Dimension.FLAT, Dimension.TIME):
                c.bad(
                    f"{path}.price_components[{i}].type",
                    f"a reservation element can only price FLAT and TIME, not {pc.type.name}",
                )
    seen: dict[Dimension, int] = {}
    for i, pc in enumerate(components):
        if pc.type in seen:
            c.warnings.append(
                Problem(
                    f"{path}.price_components[{i}].type",
                    f"second {pc.type.name} component in one element: only the first one is used",
                )
            )
        seen.setdefault(pc.type, i)
    if not ok:
        return None
    return TariffElement(tuple(components), restrictions)


def _display_texts(c: _Checker, obj: Mapping[str, Any], path: str) -> tuple[DisplayText, ...]:
    raw = c.list_(obj, "tariff_alt_text", path, required=False, non_empty=False)
    texts: list[DisplayText] = []
    for i, item in enumerate(raw or ()):
        p = f"{_join(path, 'tariff_alt_text')}[{i}]"
        data = c.obj(item, p)
        if data is None:
            continue
        language = c.string(data, "language", p, required=True, exact_len=2)
        text = c.string(data, "text", p, required=True, max_len=512)
        if language is not None and text is not None:
            texts.append(DisplayText(language, text))
    return tuple(texts)


def _extensions(c: _Checker, obj: Mapping[str, Any], path: str) -> TariffExtensions:
    if obj.get("x_kiosk") is None:
        return TariffExtensions()
    p = _join(path, "x_kiosk")
    data = c.obj(obj["x_kiosk"], p)
    if data is None:
        return TariffExtensions()
    c.unknown_fields(data, frozenset({"idle_fee", "customer_groups"}), p)
    idle = None
    if data.get("idle_fee") is not None:
        ip = _join(p, "idle_fee")
        fee = c.obj(data["idle_fee"], ip)
        if fee is not None:
            c.unknown_fields(
                fee,
                frozenset({"price_per_minute", "vat", "grace_minutes", "step_size", "max_fee"}),
                ip,
            )
            per_minute = c.number(
                fee, "price_per_minute", ip, required=True, maximum=MAX_UNIT_PRICE
            )
            vat = c.number(fee, "vat", ip, maximum=_VAT_MAX)
            grace = c.integer(fee, "grace_minutes", ip, required=True, maximum=MAX_DURATION_S // 60)
            step = c.integer(fee, "step_size", ip, minimum=1, maximum=MAX_STEP_SIZE)
            cap = c.number(fee, "max_fee", ip, maximum=MAX_AMOUNT)
            if per_minute is not None and grace is not None:
                idle = IdleFee(per_minute, vat, grace, step if step is not None else 60, cap)
    groups: dict[str, CustomerGroupRule] = {}
    if data.get("customer_groups") is not None:
        gp = _join(p, "customer_groups")
        raw_groups = c.obj(data["customer_groups"], gp)
        if raw_groups is not None and len(raw_groups) > MAX_LIST:
            c.bad(gp, f"must have at most {MAX_LIST} groups, got {len(raw_groups)}")
            raw_groups = None
        for name, raw_rule in (raw_groups or {}).items():
            rp = _join(gp, str(name))
            rule = c.obj(raw_rule, rp)
            if rule is None:
                continue
            c.unknown_fields(
                rule, frozenset({"tariff_id", "discount_percent", "energy_discount_per_kwh"}), rp
            )
            tariff_id = c.string(rule, "tariff_id", rp, required=False, max_len=36)
            percent = c.number(rule, "discount_percent", rp, maximum=_VAT_MAX)
            per_kwh = c.number(rule, "energy_discount_per_kwh", rp, maximum=MAX_UNIT_PRICE)
            given = [x for x in (tariff_id, percent, per_kwh) if x is not None]
            if len(given) != 1:
                c.bad(
                    rp,
                    "give exactly one of tariff_id, discount_percent, energy_discount_per_kwh",
                )
                continue
            groups[str(name)] = CustomerGroupRule(str(name), tariff_id, percent, per_kwh)
    return TariffExtensions(idle, groups)


def _build(c: _Checker, value: object, path: str) -> Tariff | None:
    data = c.obj(value, path)
    if data is None:
        return None
    c.unknown_fields(data, _TARIFF_FIELDS, path)
    strict = c.require_identity
    country = c.string(data, "country_code", path, required=strict, exact_len=2)
    party = c.string(data, "party_id", path, required=strict, exact_len=3)
    if not strict:
        for key in ("country_code", "party_id", "last_updated"):
            if data.get(key) is None:
                c.warn(
                    _join(path, key),
                    "missing: fine for pricing, but OCPI exchange and a station's tariff "
                    "file need it",
                )
    tariff_id = c.string(data, "id", path, required=True, max_len=36)
    currency = c.string(data, "currency", path, required=True, exact_len=3)
    if currency is not None:
        try:
            minor_unit(currency)
        except MoneyError:
            c.bad(_join(path, "currency"), f"not an ISO 4217 currency code: {currency!r}")
            currency = None
    tariff_type = c.enum(data, "type", path, TariffType, required=False)
    alt_text = _display_texts(c, data, path)
    alt_url = c.string(data, "tariff_alt_url", path, required=False)
    min_price = _price(c, data, "min_price", path)
    max_price = _price(c, data, "max_price", path)
    if min_price and max_price and max_price.excl_vat < min_price.excl_vat:
        c.bad(_join(path, "max_price.excl_vat"), "must not be less than min_price.excl_vat")
    raw_elements = c.list_(
        data, "elements", path, required=True, non_empty=True, max_len=MAX_ELEMENTS
    )
    elements: list[TariffElement] = []
    elements_ok = raw_elements is not None
    for i, raw in enumerate(raw_elements or ()):
        element = _element(c, raw, f"{_join(path, 'elements')}[{i}]")
        if element is None:
            elements_ok = False
        else:
            elements.append(element)
    start = c.datetime_(data, "start_date_time", path, required=False)
    end = c.datetime_(data, "end_date_time", path, required=False)
    if start and end and end <= start:
        c.bad(_join(path, "end_date_time"), "must be after start_date_time")
    energy_mix = None
    if data.get("energy_mix") is not None:
        energy_mix = c.obj(data["energy_mix"], _join(path, "energy_mix"))
    last_updated = c.datetime_(data, "last_updated", path, required=strict)
    extensions = _extensions(c, data, path)
    if tariff_id is None or currency is None or not elements_ok:
        return None
    if strict and (country is None or party is None or last_updated is None):
        return None
    return Tariff(
        country_code=country,
        party_id=party,
        id=tariff_id,
        currency=currency,
        elements=tuple(elements),
        last_updated=last_updated,
        type=tariff_type,
        tariff_alt_text=alt_text,
        tariff_alt_url=alt_url,
        min_price=min_price,
        max_price=max_price,
        start_date_time=start,
        end_date_time=end,
        energy_mix=energy_mix,
        extensions=extensions,
    )


def parse_tariff(value: object, path: str = "", *, require_identity: bool = True) -> Tariff:
    """A validated Tariff from parsed JSON, or TariffError naming every problem.

    require_identity=False accepts a tariff without country_code, party_id or
    last_updated (with a warning each): enough to price it, not to store or exchange it.
    """
    c = _Checker(require_identity=require_identity)
    tariff = _build(c, value, path)
    if c.problems or tariff is None:
        raise TariffError(c.problems or [Problem(path, "not a valid tariff")])
    if c.warnings:
        tariff = _with_warnings(tariff, c.warnings)
    return tariff


def parse_tariffs(value: object, *, require_identity: bool = True) -> tuple[Tariff, ...]:
    """One tariff or a list of them (as OCPI's GET returns), all valid or none."""
    single = not isinstance(value, list)
    items: list[Any] = value if isinstance(value, list) else [value]
    if not items:
        raise TariffError([Problem("", "the list holds no tariff")])
    if len(items) > MAX_TARIFFS:
        raise TariffError(
            [Problem("", f"a file may hold at most {MAX_TARIFFS} tariffs, got {len(items)}")]
        )
    c = _Checker(require_identity=require_identity)
    parsed: list[tuple[int, Tariff]] = []  # (index in the input, tariff)

    def where(i: int) -> str:
        return "" if single else f"[{i}]"

    for i, item in enumerate(items):
        sub = _Checker(require_identity=require_identity)
        tariff = _build(sub, item, where(i))
        c.problems.extend(sub.problems)
        if tariff is not None and not sub.problems:
            parsed.append((i, _with_warnings(tariff, sub.warnings) if sub.warnings else tariff))
    by_id: dict[str, Tariff] = {}
    for i, tariff in parsed:
        if tariff.id in by_id:
            c.bad(_join(where(i), "id"), f"tariff id {tariff.id!r} is used twice")
        by_id.setdefault(tariff.id, tariff)
    for i, tariff in parsed:
        for name, rule in tariff.extensions.customer_groups.items():
            if rule.tariff_id is None:
                continue
            path = _join(where(i), f"x_kiosk.customer_groups.{name}.tariff_id")
            target = by_id.get(rule.tariff_id)
            if target is None:
                c.bad(path, f"no tariff with id {rule.tariff_id!r} in this file")
            elif target.currency != tariff.currency:
                c.bad(
                    path,
                    f"tariff {rule.tariff_id!r} is in {target.currency}, not {tariff.currency}",
                )
    if c.problems or len(parsed) != len(items):
        raise TariffError(c.problems or [Problem("", "not a valid tariff")])
    return tuple(t for _, t in parsed)


def _with_warnings(tariff: Tariff, warnings: Sequence[Problem]) -> Tariff:
    return replace(tariff, warnings=capped(warnings, "warning(s)"))


def capped(problems: Sequence[Problem], what: str = "problem(s)") -> tuple[Problem, ...]:
    """At most MAX_PROBLEMS of them, and a last one that counts the rest."""
    kept = tuple(problems[:MAX_PROBLEMS])
    if len(problems) > MAX_PROBLEMS:
        kept += (Problem("", f"… and {len(problems) - MAX_PROBLEMS} more {what}"),)
    return kept


class NoActiveTariff(LookupError):
    """No tariff is valid at the session's start."""


def select_tariff(
    tariffs: Sequence[Tariff], at: datetime, preferred_id: str | None = None
) -> Tariff:
    """The tariff that applies to a session starting at `at` (OCPI validity dates)."""
    valid = [t for t in tariffs if t.is_valid_at(at)]
    if not valid:
        raise NoActiveTariff(f"no tariff is valid at {at.isoformat()}")
    for t in valid:
        if t.id == preferred_id:
            return t
    return valid[0]
