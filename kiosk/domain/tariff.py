"""OCPI 2.2.1 Tariff objects, parsed and validated whole, plus our documented extensions.

A tariff is either fully valid or refused with every problem named by its path
(`elements[2].restrictions.start_time: ...`): nothing half-parsed is ever priced.
The extension block lives under the `x_kiosk` key (docs/tariffs.md); plain OCPI
input never needs it.
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
    "parse_datetime",
    "parse_tariff",
    "parse_tariffs",
    "select_tariff",
]


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
    """A tariff that cannot be used, with every problem found in it."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True, slots=True)
class PriceComponent:
    type: Dimension
    price: Decimal  # per unit, excl. VAT: per kWh, per hour, or once (FLAT)
    vat: Decimal | None  # percent; None means "no VAT given", not 0 %
    step_size: int  # in Wh (ENERGY) or seconds (TIME, PARKING_TIME)


@dataclass(frozen=True, slots=True)
class TariffRestrictions:
    """Conditions under which an element is active; all given ones must hold."""

    start_time: int | None = None  # minutes after local midnight, inclusive
    end_time: int | None = None  # minutes after local midnight, exclusive
    start_date: date | None = None  # local date, inclusive
    end_date: date | None = None  # local date, exclusive
    min_kwh: Decimal | None = None
    max_kwh: Decimal | None = None
    min_current: Decimal | None = None
    max_current: Decimal | None = None
    min_power: Decimal | None = None
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
    country_code: str
    party_id: str
    id: str
    currency: str
    elements: tuple[TariffElement, ...]
    last_updated: datetime
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
        raise ValueError(f"expected an RFC 3339 date-time like 2019-06-01T12:00:00Z, got {value!r}")
    text = value
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a real date-time: {value!r}") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


class _Checker:
    """Collects problems with their paths instead of stopping at the first one."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def bad(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def unknown_fields(self, obj: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
        for key in obj:
            if key not in allowed:
                self.warnings.append(
                    Problem(_join(path, str(key)), "unknown field, ignored (misspelt?)")
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
        minimum: Decimal | None = Decimal(0),
        maximum: Decimal | None = None,
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
        if minimum is not None and number < minimum:
            self.bad(p, f"must be at least {minimum}, got {number}")
            return None
        if maximum is not None and number > maximum:
            self.bad(p, f"must be at most {maximum}, got {number}")
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
    ) -> int | None:
        p = _join(path, key)
        value = obj.get(key)
        if value is None:
            if required:
                self.bad(p, "required")
            return None
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.bad(p, f"must be a whole number, not {_kind(value)}")
            return None
        if value < minimum:
            self.bad(p, f"must be at least {minimum}, got {value}")
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
            self.bad(path, f"must be one of {', '.join(names)}; got {value!r}")
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
        self, obj: Mapping[str, Any], key: str, path: str, *, required: bool, non_empty: bool
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
        return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, Decimal)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
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
    excl = c.number(data, "excl_vat", p, required=True)
    incl = c.number(data, "incl_vat", p)
    if excl is None:
        return None
    if incl is not None and incl < excl:
        c.bad(_join(p, "incl_vat"), f"must not be less than excl_vat ({excl})")
    return Price(excl, incl)


def _time_of_day(c: _Checker, obj: Mapping[str, Any], key: str, path: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    m = _TIME_RE.fullmatch(value) if isinstance(value, str) else None
    if m is None:
        c.bad(_join(path, key), f"must be a 24h time HH:MM like 13:30, got {value!r}")
        return None
    return int(m.group(1)) * 60 + int(m.group(2))


def _date(c: _Checker, obj: Mapping[str, Any], key: str, path: str) -> date | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        c.bad(_join(path, key), f"must be a date YYYY-MM-DD, got {value!r}")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        c.bad(_join(path, key), f"is not a real date: {value!r}")
        return None


def _restrictions(c: _Checker, value: object, path: str) -> TariffRestrictions | None:
    data = c.obj(value, path)
    if data is None:
        return None
    c.unknown_fields(data, _RESTRICTION_FIELDS, path)
    start_time = _time_of_day(c, data, "start_time", path)
    end_time = _time_of_day(c, data, "end_time", path)
    if start_time is not None and start_time == end_time:
        c.bad(
            _join(path, "end_time"),
            "equals start_time: the window would be empty; leave both out for the whole day",
        )
    start_date = _date(c, data, "start_date", path)
    end_date = _date(c, data, "end_date", path)
    if start_date and end_date and end_date <= start_date:
        c.bad(_join(path, "end_date"), f"must be after start_date ({start_date}); it is exclusive")
    numbers: dict[str, Decimal | None] = {}
    for key in ("min_kwh", "max_kwh", "min_current", "max_current", "min_power", "max_power"):
        numbers[key] = c.number(data, key, path)
    for low, high in (
        ("min_kwh", "max_kwh"),
        ("min_current", "max_current"),
        ("min_power", "max_power"),
    ):
        lo, hi = numbers[low], numbers[high]
        if lo is not None and hi is not None and hi <= lo:
            c.bad(_join(path, high), f"must be greater than {low} ({lo}); {high} is exclusive")
    min_duration = c.integer(data, "min_duration", path)
    max_duration = c.integer(data, "max_duration", path)
    if min_duration is not None and max_duration is not None and max_duration <= min_duration:
        c.bad(
            _join(path, "max_duration"),
            f"must be greater than min_duration ({min_duration}); max_duration is exclusive",
        )
    days: set[int] = set()
    day_list = c.list_(data, "day_of_week", path, required=False, non_empty=False)
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
    price = c.number(data, "price", path, required=True)
    vat = c.number(data, "vat", path, maximum=_VAT_MAX)
    step = c.integer(data, "step_size", path, required=True, minimum=1)
    if kind is None or price is None or step is None:
        return None
    return PriceComponent(kind, price, vat, step)


def _element(c: _Checker, value: object, path: str) -> TariffElement | None:
    data = c.obj(value, path)
    if data is None:
        return None
    c.unknown_fields(data, _ELEMENT_FIELDS, path)
    raw_components = c.list_(data, "price_components", path, required=True, non_empty=True)
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
            per_minute = c.number(fee, "price_per_minute", ip, required=True)
            vat = c.number(fee, "vat", ip, maximum=_VAT_MAX)
            grace = c.integer(fee, "grace_minutes", ip, required=True)
            step = c.integer(fee, "step_size", ip, minimum=1)
            cap = c.number(fee, "max_fee", ip)
            if per_minute is not None and grace is not None:
                idle = IdleFee(per_minute, vat, grace, step if step is not None else 60, cap)
    groups: dict[str, CustomerGroupRule] = {}
    if data.get("customer_groups") is not None:
        gp = _join(p, "customer_groups")
        raw_groups = c.obj(data["customer_groups"], gp)
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
            per_kwh = c.number(rule, "energy_discount_per_kwh", rp)
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
    country = c.string(data, "country_code", path, required=True, exact_len=2)
    party = c.string(data, "party_id", path, required=True, exact_len=3)
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
    raw_elements = c.list_(data, "elements", path, required=True, non_empty=True)
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
    last_updated = c.datetime_(data, "last_updated", path, required=True)
    extensions = _extensions(c, data, path)
    if (
        country is None
        or party is None
        or tariff_id is None
        or currency is None
        or last_updated is None
        or not elements_ok
    ):
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


def parse_tariff(value: object, path: str = "") -> Tariff:
    """A validated Tariff from parsed JSON, or TariffError naming every problem."""
    c = _Checker()
    tariff = _build(c, value, path)
    if c.problems or tariff is None:
        raise TariffError(c.problems or [Problem(path, "not a valid tariff")])
    if c.warnings:
        tariff = _with_warnings(tariff, c.warnings)
    return tariff


def parse_tariffs(value: object) -> tuple[Tariff, ...]:
    """One tariff or a list of them (as OCPI's GET returns), all valid or none."""
    single = not isinstance(value, list)
    items: list[Any] = value if isinstance(value, list) else [value]
    if not items:
        raise TariffError([Problem("", "the list holds no tariff")])
    c = _Checker()
    parsed: list[tuple[int, Tariff]] = []  # (index in the input, tariff)

    def where(i: int) -> str:
        return "" if single else f"[{i}]"

    for i, item in enumerate(items):
        sub = _Checker()
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
    return replace(tariff, warnings=tuple(warnings))


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
