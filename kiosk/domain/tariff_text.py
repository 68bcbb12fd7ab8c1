"""The price screen's text, generated from one Tariff, in en, de, fr and nl.

`describe(tariff, language)` returns a `TariffDescription`: one `PriceLine` per priced
item (label, amount, condition, plus the displayed value and unit for the UI), the VAT
note, and `summary`, the one-line text joined with " · ", e.g. (en)::

    €0.29/kWh 22:00–06:00 · €0.45/kWh otherwise · €0.10/min after 4 h ·
    idle €0.40/min after 15 min, max. €12.00 · incl. 19% VAT

These are domain texts made in the core (the backend and the CLI need them too), so the
translations live here, one small table per language; the Qt UI translates its own
strings with Qt's system. Numbers, amounts, times, dates and weekday names come from
Babel (CLDR) for the locale: `en` is formatted as `en_IE` (EU English: "€0.39",
24-hour clock, "1 Jan 2025"), the others as themselves; `region="CH"` (or a language tag
such as "de-CH") selects the regional variant when CLDR has it ("CHF 0.55").

Rules (what the screen shows is what is charged):

* **Which lines.** Per dimension, elements are taken in tariff order (OCPI picks the
  first matching element). A component after an unrestricted element of the same
  dimension can never apply and is left out; an unrestricted element after restricted
  ones is labelled "otherwise". A zero price in an unrestricted element means "no charge
  for this" and is left out; a zero price under a restriction is shown as "free".
  Order: energy, charging time, parking time, session fee, idle fee, min., max.
* **VAT.** Drivers in the EU see gross prices. When every shown component (and the
  idle fee) has a VAT, prices are shown including it: "incl. 19% VAT" when all rates
  are equal, "incl. VAT" when they differ. When any VAT is missing, every price is
  shown net and the note says "excl. VAT".
* **Rounding a unit price.** OCPI prices are net with (by convention) 4 decimals, so an
  operator's round gross price (0.39 incl. 19 %) is stored as 0.3277, whose exact gross
  is 0.389963. The displayed gross is the minor-unit value (0.39) when that value,
  converted back to net at the net price's precision (at least 4 decimals), gives the
  stored net exactly; otherwise it is the exact gross rounded half-up to 4 decimals,
  trailing zeros dropped down to the currency's minor unit (0.3925 stays, 0.4410 shows
  as 0.441). Net prices are shown exactly (rounded to 4 decimals if longer). Session
  totals (min./max. price, idle cap) use the same rule at their own precision. A
  snapped price differs from the exact one by less than the net's last digit times
  (1 + VAT), i.e. under 0.0001 per unit: the operator's own round price, and at most a
  cent on a session of ~80 kWh; running cost and receipt come from the pricing engine.
* **Per minute or per hour.** OCPI TIME and PARKING_TIME prices are per hour. They are
  shown per minute when the per-minute price is exact in the currency's minor unit
  (6.00/h → 0.10/min), else per hour (2.00/h stays 2.00/h). The idle fee is per minute.
* **Billing steps** are named for time when longer than a minute ("per started 15 min")
  and for energy from a whole kWh; finer steps only round at the session's end.
* **Customer groups** (`group=`), as `kiosk.domain.pricing` charges them: a
  `discount_percent` lowers every OCPI price component (energy, time, parking, session
  fee); an `energy_discount_per_kwh` (net, like every amount in a tariff) lowers ENERGY
  prices, never below 0; a `tariff_id` describes that tariff instead (pass the file's
  tariffs as `tariffs=`). The idle fee and the session bounds (min./max. price, idle
  cap) are not discounted. A group without a rule pays the public price. The operator's
  `tariff_alt_text` is dropped under a discount (it would quote the public price).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Final

from babel import Locale, UnknownLocaleError
from babel.dates import format_interval, format_skeleton, format_time, get_day_names
from babel.numbers import format_currency, format_decimal, format_percent

from kiosk.domain.money import minor_unit, round_to_minor
from kiosk.domain.tariff import (
    CustomerGroupRule,
    Dimension,
    Price,
    ReservationType,
    Tariff,
    TariffRestrictions,
)

__all__ = [
    "SUPPORTED_LANGUAGES",
    "TEXTS",
    "LineKind",
    "PriceLine",
    "PriceUnit",
    "TariffDescription",
    "describe",
]


# ------------------------------------------------------------------------ the tables
# Placeholders: {n}/{a}/{b} numbers, {u} a unit, {t} a time, {d} a date, {amount} money,
# {rate}/{p} a percentage, {group} a group name. Every table has the same keys.

_EN: Final[Mapping[str, str]] = {
    "unit.kwh": "kWh",
    "unit.kw": "kW",
    "unit.a": "A",
    "unit.h": "h",
    "unit.min": "min",
    "unit.s": "s",
    "per.kwh": "/kWh",
    "per.h": "/h",
    "per.min": "/min",
    "label.energy": "energy",
    "label.time": "charging time",
    "label.parking": "parking",
    "label.flat": "start fee",
    "label.idle": "idle",
    "label.min_price": "min.",
    "label.max_price": "max.",
    "free": "free",
    "all_free": "free charging",
    "cond.otherwise": "otherwise",
    "cond.time_from": "from {t}",
    "cond.time_until": "until {t}",
    "cond.date_from": "from {d}",
    "cond.date_until": "until {d}",
    "cond.power_min": "from {n} {u}",
    "cond.power_max": "below {n} {u}",
    "cond.power_range": "{a}–{b} {u}",
    "cond.kwh_min": "after {n} {u}",
    "cond.kwh_max": "first {n} {u}",
    "cond.kwh_range": "from {a} to {b} {u}",
    "cond.duration_min": "after {n} {u}",
    "cond.duration_max": "first {n} {u}",
    "cond.duration_range": "from {a} to {b} {u}",
    "cond.step": "per started {n} {u}",
    "cond.reservation": "for reservations",
    "cond.reservation_expires": "for expired reservations",
    "cond.cap": "max. {amount}",
    "vat.rate": "incl. {rate} VAT",
    "vat.incl": "incl. VAT",
    "vat.excl": "excl. VAT",
    "group.price": "{group} price",
    "group.note": "{note}: {discount}",
    "group.percent": "{p} off",
    "group.energy": "{amount}/kWh off",
    "groupname.member": "member",
    "groupname.staff": "staff",
    "groupname.fleet": "fleet",
}

_DE: Final[Mapping[str, str]] = {
    "unit.kwh": "kWh",
    "unit.kw": "kW",
    "unit.a": "A",
    "unit.h": "Std.",
    "unit.min": "Min.",
    "unit.s": "Sek.",
    "per.kwh": "/kWh",
    "per.h": "/Std.",
    "per.min": "/Min.",
    "label.energy": "Energie",
    "label.time": "Ladezeit",
    "label.parking": "Parken",
    "label.flat": "Startgebühr",
    "label.idle": "Blockiergebühr",
    "label.min_price": "mind.",
    "label.max_price": "max.",
    "free": "kostenlos",
    "all_free": "kostenloses Laden",
    "cond.otherwise": "sonst",
    "cond.time_from": "ab {t}",
    "cond.time_until": "bis {t}",
    "cond.date_from": "ab {d}",
    "cond.date_until": "bis {d}",
    "cond.power_min": "ab {n} {u}",
    "cond.power_max": "unter {n} {u}",
    "cond.power_range": "{a}–{b} {u}",
    "cond.kwh_min": "ab {n} {u}",
    "cond.kwh_max": "für die ersten {n} {u}",
    "cond.kwh_range": "von {a} bis {b} {u}",
    "cond.duration_min": "nach {n} {u}",
    "cond.duration_max": "in den ersten {n} {u}",
    "cond.duration_range": "von {a} bis {b} {u}",
    "cond.step": "je angefangene {n} {u}",
    "cond.reservation": "bei Reservierung",
    "cond.reservation_expires": "bei abgelaufener Reservierung",
    "cond.cap": "max. {amount}",
    "vat.rate": "inkl. {rate} MwSt.",
    "vat.incl": "inkl. MwSt.",
    "vat.excl": "zzgl. MwSt.",
    "group.price": "Preis für {group}",
    "group.note": "{note}: {discount}",
    "group.percent": "{p} Rabatt",
    "group.energy": "{amount}/kWh Rabatt",
    "groupname.member": "Mitglieder",
    "groupname.staff": "Mitarbeitende",
    "groupname.fleet": "Flottenkunden",
}

_FR: Final[Mapping[str, str]] = {
    "unit.kwh": "kWh",
    "unit.kw": "kW",
    "unit.a": "A",
    "unit.h": "h",
    "unit.min": "min",
    "unit.s": "s",
    "per.kwh": "/kWh",
    "per.h": "/h",
    "per.min": "/min",
    "label.energy": "énergie",
    "label.time": "temps de charge",
    "label.parking": "stationnement",
    "label.flat": "frais de session",
    "label.idle": "frais d’occupation",
    "label.min_price": "min.",
    "label.max_price": "max.",
    "free": "gratuit",
    "all_free": "recharge gratuite",
    "cond.otherwise": "sinon",
    "cond.time_from": "à partir de {t}",
    "cond.time_until": "jusqu’à {t}",
    "cond.date_from": "à partir du {d}",
    "cond.date_until": "jusqu’au {d}",
    "cond.power_min": "à partir de {n} {u}",
    "cond.power_max": "moins de {n} {u}",
    "cond.power_range": "{a}–{b} {u}",
    "cond.kwh_min": "au-delà de {n} {u}",
    "cond.kwh_max": "pour les {n} premiers {u}",
    "cond.kwh_range": "de {a} à {b} {u}",
    "cond.duration_min": "après {n} {u}",
    "cond.duration_max": "pendant les {n} premières {u}",
    "cond.duration_range": "de {a} à {b} {u}",
    "cond.step": "par tranche de {n} {u} entamée",
    "cond.reservation": "pour une réservation",
    "cond.reservation_expires": "pour une réservation expirée",
    "cond.cap": "max. {amount}",
    "vat.rate": "TVA {rate} incluse",
    "vat.incl": "TVA incluse",
    "vat.excl": "hors TVA",
    "group.price": "tarif {group}",
    "group.note": "{note}\u00a0: {discount}",
    "group.percent": "remise de {p}",
    "group.energy": "remise de {amount}/kWh",
    "groupname.member": "membres",
    "groupname.staff": "personnel",
    "groupname.fleet": "flotte",
}

_NL: Final[Mapping[str, str]] = {
    "unit.kwh": "kWh",
    "unit.kw": "kW",
    "unit.a": "A",
    "unit.h": "uur",
    "unit.min": "min",
    "unit.s": "s",
    "per.kwh": "/kWh",
    "per.h": "/uur",
    "per.min": "/min",
    "label.energy": "energie",
    "label.time": "laadtijd",
    "label.parking": "parkeren",
    "label.flat": "starttarief",
    "label.idle": "blokkeertarief",
    "label.min_price": "min.",
    "label.max_price": "max.",
    "free": "gratis",
    "all_free": "gratis laden",
    "cond.otherwise": "anders",
    "cond.time_from": "vanaf {t}",
    "cond.time_until": "tot {t}",
    "cond.date_from": "vanaf {d}",
    "cond.date_until": "t/m {d}",
    "cond.power_min": "vanaf {n} {u}",
    "cond.power_max": "onder {n} {u}",
    "cond.power_range": "{a}–{b} {u}",
    "cond.kwh_min": "vanaf {n} {u}",
    "cond.kwh_max": "voor de eerste {n} {u}",
    "cond.kwh_range": "van {a} tot {b} {u}",
    "cond.duration_min": "na {n} {u}",
    "cond.duration_max": "de eerste {n} {u}",
    "cond.duration_range": "van {a} tot {b} {u}",
    "cond.step": "per begonnen {n} {u}",
    "cond.reservation": "bij reservering",
    "cond.reservation_expires": "bij verlopen reservering",
    "cond.cap": "max. {amount}",
    "vat.rate": "incl. {rate} btw",
    "vat.incl": "incl. btw",
    "vat.excl": "excl. btw",
    "group.price": "tarief voor {group}",
    "group.note": "{note}: {discount}",
    "group.percent": "{p} korting",
    "group.energy": "{amount}/kWh korting",
    "groupname.member": "leden",
    "groupname.staff": "personeel",
    "groupname.fleet": "wagenparkklanten",
}

TEXTS: Final[Mapping[str, Mapping[str, str]]] = {"en": _EN, "de": _DE, "fr": _FR, "nl": _NL}
SUPPORTED_LANGUAGES: Final[tuple[str, ...]] = tuple(sorted(TEXTS))

_BASE_LOCALE: Final[Mapping[str, str]] = {"en": "en_IE", "de": "de", "fr": "fr", "nl": "nl"}


# ------------------------------------------------------------------------ the result


class LineKind(Enum):
    ENERGY = "ENERGY"
    TIME = "TIME"
    PARKING_TIME = "PARKING_TIME"
    FLAT = "FLAT"
    IDLE_FEE = "IDLE_FEE"
    MIN_PRICE = "MIN_PRICE"
    MAX_PRICE = "MAX_PRICE"


class PriceUnit(Enum):
    """What `PriceLine.price` is per."""

    KWH = "kWh"
    HOUR = "h"
    MINUTE = "min"
    SESSION = "session"  # once: session fee, min./max. price


@dataclass(frozen=True, slots=True)
class PriceLine:
    """One priced item as the screen shows it."""

    kind: LineKind
    label: str  # "parking", "start fee", "idle"; "" for plain energy and time prices
    amount: str  # "€0.39/kWh", "€0.50", "free"
    condition: str  # "22:00–06:00", "Mon–Fri 09:00–18:00, per started 15 min"; "" if none
    price: Decimal  # the displayed value, gross or net as the description's VAT note says
    unit: PriceUnit
    element_index: int | None = None  # index into tariff.elements; None for extensions

    @property
    def text(self) -> str:
        return " ".join(part for part in (self.label, self.amount, self.condition) if part)


@dataclass(frozen=True, slots=True)
class TariffDescription:
    tariff_id: str  # the tariff described (a group's own tariff when it has one)
    language: str
    currency: str
    lines: tuple[PriceLine, ...]
    vat_note: str  # "incl. 19% VAT", "incl. VAT", "excl. VAT"; "" when nothing is priced
    vat_included: bool  # prices are gross
    vat_rate: Decimal | None  # the one VAT rate, when all are equal and shown
    group: str | None  # the customer group whose prices these are; None: public prices
    group_note: str  # "member price: 10% off"; "" for public prices
    alt_text: str | None  # the operator's tariff_alt_text in this language, if any
    summary: str  # group note, lines and VAT note joined with " · "


# ------------------------------------------------------------------------ the API


def describe(
    tariff: Tariff,
    language: str,
    group: str | None = None,
    *,
    tariffs: Iterable[Tariff] | Mapping[str, Tariff] = (),
    region: str | None = None,
) -> TariffDescription:
    """The price screen's text for `tariff` in `language` ("en", "de", "fr", "nl").

    `language` may carry a region ("de-CH"); `region` overrides it. `group` shows that
    customer group's prices (see the module docstring); `tariffs` are the other tariffs
    of the same file, needed when the group's rule names another tariff. Raises
    ValueError for an unsupported language or a group tariff not found in `tariffs`.
    """
    lang, locale = _resolve_locale(language, region)
    texts = TEXTS[lang]
    described, rule = _group_view(tariff, group, tariffs)
    ctx = _Ctx(texts, locale, described.currency)

    items = _items(described, rule)
    vats = [item.vat for item in items]
    included = bool(vats) and all(v is not None for v in vats)
    rates = {v for v in vats if v is not None}
    vat_rate = rates.pop() if included and len(rates) == 1 else None
    ctx.included = included
    ctx.vat_rate = vat_rate

    lines = [_line(item, ctx) for item in items]
    for kind, price in (
        (LineKind.MIN_PRICE, described.min_price),
        (LineKind.MAX_PRICE, described.max_price),
    ):
        if price is not None and items:
            lines.append(_bound_line(kind, price, ctx))

    if not items:
        vat_note = ""
    elif not included:
        vat_note = texts["vat.excl"]
    elif vat_rate is not None:
        vat_note = texts["vat.rate"].format(rate=ctx.percent(vat_rate))
    else:
        vat_note = texts["vat.incl"]

    group_note = _group_note(group, rule, items, ctx) if group is not None else ""
    parts = [group_note] if group_note else []
    if lines:
        parts += [line.text for line in lines]
        parts.append(vat_note)
    else:
        parts.append(texts["all_free"])

    discounted = rule is not None and rule.tariff_id is None
    return TariffDescription(
        tariff_id=described.id,
        language=lang,
        currency=described.currency,
        lines=tuple(lines),
        vat_note=vat_note,
        vat_included=included,
        vat_rate=vat_rate,
        group=group if rule is not None else None,
        group_note=group_note,
        alt_text=None if discounted else _alt_text(described, lang),
        summary=" · ".join(parts),
    )


# ------------------------------------------------------------------------ internals

_TAG_RE: Final = re.compile(r"([A-Za-z]{2})(?:[-_]([A-Za-z]{2}))?")
_DIMENSION_ORDER: Final = (
    Dimension.ENERGY,
    Dimension.TIME,
    Dimension.PARKING_TIME,
    Dimension.FLAT,
)
_KIND: Final[Mapping[Dimension, LineKind]] = {
    Dimension.ENERGY: LineKind.ENERGY,
    Dimension.TIME: LineKind.TIME,
    Dimension.PARKING_TIME: LineKind.PARKING_TIME,
    Dimension.FLAT: LineKind.FLAT,
}
_OCPI_DIGITS: Final = 4  # OCPI numbers carry 4 decimals unless stated otherwise
_LETTER_DIGIT: Final = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def _resolve_locale(language: str, region: str | None) -> tuple[str, Locale]:
    m = _TAG_RE.fullmatch(language.strip()) if isinstance(language, str) else None
    lang = m.group(1).lower() if m else None
    if m is None or lang not in TEXTS:
        raise ValueError(
            f"unsupported language {language!r}; supported: {', '.join(SUPPORTED_LANGUAGES)}"
        )
    assert lang is not None
    wanted = region or m.group(2)
    if wanted:
        try:
            return lang, Locale.parse(f"{lang}_{wanted.upper()}")
        except (UnknownLocaleError, ValueError):
            pass  # no such regional variant in CLDR: the language's own formats
    return lang, Locale.parse(_BASE_LOCALE[lang])


def _group_view(
    tariff: Tariff, group: str | None, tariffs: Iterable[Tariff] | Mapping[str, Tariff]
) -> tuple[Tariff, CustomerGroupRule | None]:
    if group is None:
        return tariff, None
    rule = tariff.extensions.customer_groups.get(group)
    if rule is None:
        return tariff, None  # no rule for this group: it pays the public price
    if rule.tariff_id is None or rule.tariff_id == tariff.id:
        return tariff, rule
    if isinstance(tariffs, Mapping):
        found = tariffs.get(rule.tariff_id)
    else:
        found = next((t for t in tariffs if t.id == rule.tariff_id), None)
    if found is None:
        raise ValueError(
            f"customer group {group!r} pays tariff {rule.tariff_id!r}, which was not given "
            "in tariffs=; pass the tariffs of the same file"
        )
    return found, rule


def _alt_text(tariff: Tariff, lang: str) -> str | None:
    for text in tariff.tariff_alt_text:
        if text.language.lower() == lang:
            return text.text
    return None


@dataclass(slots=True)
class _Item:
    """A priced item before formatting: net price per OCPI unit, after any discount."""

    kind: LineKind
    net: Decimal  # per kWh, per hour (TIME, PARKING_TIME), per minute (idle), or once
    vat: Decimal | None
    step: int
    restrictions: TariffRestrictions | None
    element_index: int | None
    otherwise: bool = False
    grace_minutes: int = 0
    cap: Decimal | None = None  # idle fee cap, net


def _is_unrestricted(r: TariffRestrictions | None) -> bool:
    if r is None:
        return True
    return r == TariffRestrictions(day_of_week=r.day_of_week) and len(r.day_of_week) in (0, 7)


def _discounted(net: Decimal, dimension: Dimension, rule: CustomerGroupRule | None) -> Decimal:
    if rule is None:
        return net
    if rule.discount_percent is not None:
        return net * (100 - rule.discount_percent) / 100
    if rule.energy_discount_per_kwh is not None and dimension is Dimension.ENERGY:
        return max(Decimal(0), net - rule.energy_discount_per_kwh)
    return net


def _items(tariff: Tariff, rule: CustomerGroupRule | None) -> list[_Item]:
    items: list[_Item] = []
    for dimension in _DIMENSION_ORDER:
        restricted_before = False
        for index, element in enumerate(tariff.elements):
            component = element.component(dimension)
            if component is None:
                continue
            open_ = _is_unrestricted(element.restrictions)
            if not (open_ and component.price == 0):
                items.append(
                    _Item(
                        kind=_KIND[dimension],
                        net=_discounted(component.price, dimension, rule),
                        vat=component.vat,
                        step=component.step_size,
                        restrictions=None if open_ else element.restrictions,
                        element_index=index,
                        otherwise=open_ and restricted_before,
                    )
                )
            if open_:
                break  # later elements can never price this dimension
            restricted_before = True
    idle = tariff.extensions.idle_fee
    if idle is not None and idle.price_per_minute > 0:
        items.append(
            _Item(
                kind=LineKind.IDLE_FEE,
                net=idle.price_per_minute,  # no group discount (as pricing.py charges it)
                vat=idle.vat,
                step=idle.step_size,
                restrictions=None,
                element_index=None,
                grace_minutes=idle.grace_minutes,
                cap=idle.max_fee,
            )
        )
    return items


class _Ctx:
    """Language table, locale and currency of one description, with the formatters."""

    def __init__(self, texts: Mapping[str, str], locale: Locale, currency: str) -> None:
        self.t = texts
        self.locale = locale
        self.currency = currency
        self.minor = minor_unit(currency)
        self.included = False
        self.vat_rate: Decimal | None = None

    # -- numbers
    def number(self, value: Decimal | int) -> str:
        return format_decimal(value, locale=self.locale, decimal_quantization=False)

    def percent(self, value: Decimal) -> str:
        fraction = (value / 100).normalize()  # 19.0 % reads "19 %", not "19,0 %"
        return format_percent(fraction, locale=self.locale, decimal_quantization=False)

    def money(self, value: Decimal) -> str:
        text = format_currency(value, self.currency, locale=self.locale, decimal_quantization=False)
        # CLDR's currency spacing, which Babel leaves out: "CHF 0.55", not "CHF0.55".
        return _LETTER_DIGIT.sub("\u00a0", text)

    # -- amounts
    def tidy(self, value: Decimal) -> Decimal:
        """Half-up to 4 decimals (or the minor unit, if longer), no trailing zeros
        beyond the minor unit."""
        digits = max(_OCPI_DIGITS, self.minor)
        value = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        minor = round_to_minor(value, self.currency)
        return minor if minor == value else value.normalize()

    def shown(self, net: Decimal, vat: Decimal | None, *, floor_digits: int) -> Decimal:
        """The value shown for a net amount: gross (snapped, see module doc) or net."""
        if not self.included or vat is None:
            return self.tidy(net)
        factor = 1 + vat / 100
        exact = net * factor
        minor = round_to_minor(exact, self.currency)
        exponent = net.as_tuple().exponent
        digits = max(floor_digits, -exponent if isinstance(exponent, int) else 0)
        back = (minor / factor).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        return minor if back == net else self.tidy(exact)

    def unit_price(self, net: Decimal, vat: Decimal | None) -> Decimal:
        return self.shown(net, vat, floor_digits=max(_OCPI_DIGITS, self.minor))

    def total(self, net: Decimal, vat: Decimal | None) -> Decimal:
        return self.shown(net, vat, floor_digits=self.minor)

    # -- conditions
    def duration(self, seconds: list[int]) -> tuple[list[str], str]:
        """The values in one shared unit: whole hours from 2 h, else minutes, else s."""
        if all(s % 3600 == 0 for s in seconds) and max(seconds) >= 7200:
            return [self.number(s // 3600) for s in seconds], self.t["unit.h"]
        if all(s % 60 == 0 for s in seconds):
            return [self.number(s // 60) for s in seconds], self.t["unit.min"]
        return [self.number(s) for s in seconds], self.t["unit.s"]

    def bounds(self, key: str, low: Decimal | None, high: Decimal | None, unit: str) -> str:
        t = self.t
        if low is not None and high is not None:
            return t[f"cond.{key}_range"].format(a=self.number(low), b=self.number(high), u=unit)
        if low is not None:
            return t[f"cond.{key}_min"].format(n=self.number(low), u=unit)
        if high is not None:
            return t[f"cond.{key}_max"].format(n=self.number(high), u=unit)
        return ""

    def durations(self, low: int | None, high: int | None) -> str:
        t = self.t
        if low is not None and high is not None:
            (a, b), unit = self.duration([low, high])
            return t["cond.duration_range"].format(a=a, b=b, u=unit)
        if low is not None:
            (n,), unit = self.duration([low])
            return t["cond.duration_min"].format(n=n, u=unit)
        if high is not None:
            (n,), unit = self.duration([high])
            return t["cond.duration_max"].format(n=n, u=unit)
        return ""

    def clock(self, minutes: int) -> str:
        # an end_time of 1440 ("24:00") is shown as midnight, 00:00
        return format_time(time(minutes // 60 % 24, minutes % 60), "short", locale=self.locale)

    def days(self, days: frozenset[int]) -> str:
        if len(days) in (0, 7):
            return ""
        names = get_day_names("abbreviated", locale=self.locale)
        runs: list[list[int]] = []
        for day in sorted(days):
            if runs and runs[-1][-1] == day - 1:
                runs[-1].append(day)
            else:
                runs.append([day])
        parts: list[str] = []
        for run in runs:
            if len(run) >= 3:
                parts.append(f"{names[run[0]]}–{names[run[-1]]}")
            else:
                parts.extend(names[d] for d in run)
        return ", ".join(parts)

    def date_(self, day: date) -> str:
        return format_skeleton("yMMMd", day, locale=self.locale)

    def conditions(self, r: TariffRestrictions) -> list[str]:
        t = self.t
        parts: list[str] = []
        when = self.days(r.day_of_week)
        window = ""
        if r.start_time is not None and r.start_time == r.end_time:
            pass  # "00:00" to "00:00": the whole day, no window to show
        elif r.start_time is not None and r.end_time is not None:
            window = f"{self.clock(r.start_time)}–{self.clock(r.end_time)}"
        elif r.start_time is not None:
            window = t["cond.time_from"].format(t=self.clock(r.start_time))
        elif r.end_time is not None:
            window = t["cond.time_until"].format(t=self.clock(r.end_time))
        parts.append(" ".join(p for p in (when, window) if p))
        last_day = r.end_date - timedelta(days=1) if r.end_date is not None else None
        if r.start_date is not None and last_day is not None:
            parts.append(format_interval(r.start_date, last_day, "yMMMd", locale=self.locale))
        elif r.start_date is not None:
            parts.append(t["cond.date_from"].format(d=self.date_(r.start_date)))
        elif last_day is not None:
            parts.append(t["cond.date_until"].format(d=self.date_(last_day)))
        parts.append(self.bounds("power", r.min_power, r.max_power, t["unit.kw"]))
        parts.append(self.bounds("power", r.min_current, r.max_current, t["unit.a"]))
        parts.append(self.bounds("kwh", r.min_kwh, r.max_kwh, t["unit.kwh"]))
        parts.append(self.durations(r.min_duration, r.max_duration))
        if r.reservation is ReservationType.RESERVATION:
            parts.append(t["cond.reservation"])
        elif r.reservation is ReservationType.RESERVATION_EXPIRES:
            parts.append(t["cond.reservation_expires"])
        return [p for p in parts if p]

    def step(self, item: _Item, unit: PriceUnit) -> str:
        if unit is PriceUnit.KWH:
            if item.step < 1000:
                return ""
            kwh = Decimal(item.step) / 1000
            return self.t["cond.step"].format(n=self.number(kwh), u=self.t["unit.kwh"])
        if unit in (PriceUnit.HOUR, PriceUnit.MINUTE) and item.step > 60:
            (n,), u = self.duration([item.step])
            return self.t["cond.step"].format(n=n, u=u)
        return ""


def _line(item: _Item, ctx: _Ctx) -> PriceLine:
    t = ctx.t
    kind = item.kind
    if kind is LineKind.ENERGY:
        unit, value = PriceUnit.KWH, ctx.unit_price(item.net, item.vat)
    elif kind in (LineKind.TIME, LineKind.PARKING_TIME):
        hourly = ctx.unit_price(item.net, item.vat)
        per_minute = hourly / 60
        if per_minute != 0 and per_minute == round_to_minor(per_minute, ctx.currency):
            unit, value = PriceUnit.MINUTE, round_to_minor(per_minute, ctx.currency)
        else:
            unit, value = PriceUnit.HOUR, hourly
    elif kind is LineKind.IDLE_FEE:
        unit, value = PriceUnit.MINUTE, ctx.unit_price(item.net, item.vat)
    else:  # FLAT
        unit, value = PriceUnit.SESSION, ctx.unit_price(item.net, item.vat)

    per = {PriceUnit.KWH: "per.kwh", PriceUnit.HOUR: "per.h", PriceUnit.MINUTE: "per.min"}
    suffix = t[per[unit]] if unit in per else ""
    amount = t["free"] if value == 0 else ctx.money(value) + suffix

    labels = {
        LineKind.PARKING_TIME: "label.parking",
        LineKind.FLAT: "label.flat",
        LineKind.IDLE_FEE: "label.idle",
    }
    if kind in labels:
        label = t[labels[kind]]
    elif value == 0:  # "free" needs to say what is free
        label = t["label.energy" if kind is LineKind.ENERGY else "label.time"]
    else:
        label = ""

    conditions = ctx.conditions(item.restrictions) if item.restrictions is not None else []
    if item.otherwise:
        conditions.insert(0, t["cond.otherwise"])
    if kind is LineKind.IDLE_FEE and item.grace_minutes > 0:
        conditions.append(ctx.durations(item.grace_minutes * 60, None))
    step = ctx.step(item, unit) if value != 0 else ""
    if step:
        conditions.append(step)
    if item.cap is not None:
        cap = ctx.money(ctx.total(item.cap, item.vat))
        conditions.append(t["cond.cap"].format(amount=cap))
    return PriceLine(
        kind=kind,
        label=label,
        amount=amount,
        condition=", ".join(conditions),
        price=value,
        unit=unit,
        element_index=item.element_index,
    )


def _bound_line(kind: LineKind, price: Price, ctx: _Ctx) -> PriceLine:
    t = ctx.t
    condition = ""
    if not ctx.included:
        value = ctx.tidy(price.excl_vat)
    elif price.incl_vat is not None:
        value = ctx.tidy(price.incl_vat)
    elif ctx.vat_rate is not None:
        value = ctx.total(price.excl_vat, ctx.vat_rate)
    else:  # rates differ and the operator gave no gross bound: say what it is
        value = ctx.tidy(price.excl_vat)
        condition = t["vat.excl"]
    key = "label.min_price" if kind is LineKind.MIN_PRICE else "label.max_price"
    return PriceLine(
        kind=kind,
        label=t[key],
        amount=ctx.money(value),
        condition=condition,
        price=value,
        unit=PriceUnit.SESSION,
    )


def _group_note(group: str, rule: CustomerGroupRule | None, items: list[_Item], ctx: _Ctx) -> str:
    if rule is None:
        return ""
    t = ctx.t
    name = t.get(f"groupname.{group}", group)
    note = t["group.price"].format(group=name)
    if rule.discount_percent is not None:
        discount = t["group.percent"].format(p=ctx.percent(rule.discount_percent))
        return t["group.note"].format(note=note, discount=discount)
    if rule.energy_discount_per_kwh is not None:
        vat = next((i.vat for i in items if i.kind is LineKind.ENERGY), None)
        amount = ctx.money(ctx.unit_price(rule.energy_discount_per_kwh, vat))
        return t["group.note"].format(note=note, discount=t["group.energy"].format(amount=amount))
    return note
