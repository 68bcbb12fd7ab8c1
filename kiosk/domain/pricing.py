"""Price a charging session with an OCPI 2.2.1 tariff, exactly, and explain the result.

The rules (docs/tariffs.md says each with its source in the spec):
- Periods are priced one by one. An element's restrictions are all checked (AND) at
  the period's start: local time, date and weekday in the station's zone; the energy
  of all earlier periods; the seconds since the session start; the period's power and
  current. Per dimension, the first matching element that prices it is used.
- FLAT is charged once per session. step_size is applied once per session for ENERGY
  and once for TIME and PARKING_TIME combined (mod_cdrs "step_size"): to the session's
  billed total of PARKING_TIME when any parking was priced, else to that of TIME; with
  the step of the last period that priced that dimension, the extra billed at that
  period's price. A component without `vat` has no VAT: incl. = excl.
- Nothing is rounded until the end: costs are summed exactly (scaled by 3600 so that
  per-hour prices of whole seconds stay exact), and each reported figure is rounded
  once, half-up to the currency's minor unit.

`LiveCost` feeds meter samples into the same accumulator the batch path uses, so the
running cost equals the batch price of the periods recorded so far, by construction.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from enum import Enum
from typing import Any, Final, cast
from zoneinfo import ZoneInfo

import msgspec

from kiosk.domain.cdr_structs import ChargingPeriod
from kiosk.domain.money import minor_unit, round_to_minor
from kiosk.domain.periods import ZERO, microseconds
from kiosk.domain.tariff import (
    Dimension,
    NoActiveTariff,
    PriceComponent,
    ReservationType,
    Tariff,
    TariffElement,
    TariffRestrictions,
    select_tariff,
)

__all__ = [
    "Amount",
    "CostBreakdown",
    "CostLine",
    "LineKind",
    "LiveCost",
    "NoActiveTariff",
    "PricedPeriod",
    "TariffPricer",
    "VatLine",
    "price_session",
    "select_tariff",
]

_CTX: Final = Context(prec=60, rounding=ROUND_HALF_UP)
_H: Final = Decimal(3600)
_HUNDRED: Final = Decimal(100)
_THOUSAND: Final = Decimal(1000)
_US_PER_S: Final = 1_000_000
_VOLUME_PLACES: Final = Decimal("1E-4")
_ONE_US: Final = timedelta(microseconds=1)
_ONE_S: Final = timedelta(seconds=1)
_HALF_SECOND: Final = timedelta(microseconds=_US_PER_S // 2)


class LineKind(Enum):
    FLAT = "FLAT"
    ENERGY = "ENERGY"
    TIME = "TIME"
    PARKING_TIME = "PARKING_TIME"
    RESERVATION_FLAT = "RESERVATION_FLAT"
    RESERVATION_TIME = "RESERVATION_TIME"
    IDLE_FEE = "IDLE_FEE"


# Index of each dimension in a choice tuple.
_ENERGY, _TIME, _PARKING, _FLAT = 0, 1, 2, 3
_DIM_INDEX: Final = {
    Dimension.ENERGY: _ENERGY,
    Dimension.TIME: _TIME,
    Dimension.PARKING_TIME: _PARKING,
    Dimension.FLAT: _FLAT,
}
_CHOICE_NAMES: Final = ("ENERGY", "TIME", "PARKING_TIME", "FLAT")
_astuple: Final = msgspec.structs.astuple  # a ChargingPeriod's fields, cdr_structs.PERIOD_FIELDS
_ONE: Final = Decimal(1)


# This module is compiled by mypyc when installed (setup.py). msgspec encodes the Structs
# below, but compiled it cannot decode them: mypyc turns an annotation such as
# `int | None` into `type`. Decode into Structs of an uncompiled module (cdr_structs.py).
# gc=False: they hold only numbers, strings and tuples of their own kind, so they can
# never be part of a reference cycle, and the batch allocates them by the million.
class Amount(msgspec.Struct, frozen=True, gc=False):
    """A cost rounded to the minor unit, without and with VAT (equal where no VAT applies)."""

    excl_vat: Decimal
    incl_vat: Decimal

    def to_json(self) -> dict[str, str]:
        return {"excl_vat": str(self.excl_vat), "incl_vat": str(self.incl_vat)}


class CostLine(msgspec.Struct, frozen=True, gc=False):
    """One billed item: a price component applied to the volume it priced."""

    kind: LineKind
    tariff_id: str
    element: int | None  # index in that tariff's elements (None for extension fees)
    unit_price: Decimal  # per kWh, per hour, per minute (IDLE_FEE) or once
    vat: Decimal | None
    volume: Decimal  # billed: kWh, hours, minutes (IDLE_FEE) or 1
    step_volume: Decimal  # the part of volume added by step_size rounding
    cost: Amount


class PricedPeriod(msgspec.Struct, frozen=True, gc=False):
    index: int
    start: datetime
    end: datetime
    elements: Mapping[str, int]  # dimension name -> index of the element that priced it


class VatLine(msgspec.Struct, frozen=True, gc=False):
    rate: Decimal | None  # percent; None: the components gave no VAT (none applies)
    net: Decimal
    vat: Decimal  # 0 where rate is None


class CostBreakdown(msgspec.Struct, frozen=True, gc=False):
    tariff_id: str
    currency: str
    lines: tuple[CostLine, ...]
    periods: tuple[PricedPeriod, ...]
    total_cost: Amount
    total_fixed_cost: Amount
    total_energy_cost: Amount
    total_time_cost: Amount
    total_parking_cost: Amount
    total_reservation_cost: Amount
    uncapped_cost: Amount  # before min_price / max_price
    cap: str | None  # "min_price" / "max_price" when one changed the total
    total_energy_kwh: Decimal
    total_time_s: Decimal  # whole session, seconds (exact)
    total_charging_s: int
    total_parking_s: int
    idle_s: int  # parking after charging ended, counted by the idle-fee extension
    vat_lines: tuple[VatLine, ...]

    def volumes_text(self) -> tuple[str, str, str]:
        """total_energy, total_time and total_parking_time as OCPI numbers (4 decimals)."""
        with localcontext(_CTX):
            return (
                _volume_text(self.total_energy_kwh),
                _volume_text(self.total_time_s / _H),
                _volume_text(Decimal(self.total_parking_s) / _H),
            )

    def totals_json(self) -> dict[str, Any]:
        """The OCPI CDR totals, as decimal strings (the `kiosk tariff price --json` shape)."""
        energy, time, parking = self.volumes_text()
        return {
            "total_cost": self.total_cost.to_json(),
            "total_fixed_cost": self.total_fixed_cost.to_json(),
            "total_energy_cost": self.total_energy_cost.to_json(),
            "total_time_cost": self.total_time_cost.to_json(),
            "total_parking_cost": self.total_parking_cost.to_json(),
            "total_reservation_cost": self.total_reservation_cost.to_json(),
            "total_energy": energy,
            "total_time": time,
            "total_parking_time": parking,
        }

    def totals_line(self) -> str:
        """`totals_json()` as compact JSON text, written directly (the batch output line)."""
        energy, time, parking = self.volumes_text()
        c, f, e, t, p, r = (
            self.total_cost,
            self.total_fixed_cost,
            self.total_energy_cost,
            self.total_time_cost,
            self.total_parking_cost,
            self.total_reservation_cost,
        )
        return (
            f'{{"total_cost":{{"excl_vat":"{c.excl_vat}","incl_vat":"{c.incl_vat}"}},'
            f'"total_fixed_cost":{{"excl_vat":"{f.excl_vat}","incl_vat":"{f.incl_vat}"}},'
            f'"total_energy_cost":{{"excl_vat":"{e.excl_vat}","incl_vat":"{e.incl_vat}"}},'
            f'"total_time_cost":{{"excl_vat":"{t.excl_vat}","incl_vat":"{t.incl_vat}"}},'
            f'"total_parking_cost":{{"excl_vat":"{p.excl_vat}","incl_vat":"{p.incl_vat}"}},'
            f'"total_reservation_cost":{{"excl_vat":"{r.excl_vat}","incl_vat":"{r.incl_vat}"}},'
            f'"total_energy":"{energy}","total_time":"{time}","total_parking_time":"{parking}"}}'
        )


def _volume_text(value: Decimal) -> str:
    """OCPI numbers carry 4 decimals: round half-up there, drop trailing zeros (in _CTX).

    str() of a Decimal with exponent -4 is plain notation (no exponent), so trailing
    zeros are stripped from the text rather than with normalize() and format "f".
    """
    text = str(value.quantize(_VOLUME_PLACES))
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# ----------------------------------------------------------------------- matching


class _Ctx:
    """What restrictions are checked against, at one period's start."""

    __slots__ = ("cmax", "cmin", "day", "elapsed_us", "kwh", "pmax", "pmin", "tod", "weekday")

    def __init__(self) -> None:
        self.tod = 0  # seconds after local midnight
        self.day: Any = None  # local date
        self.weekday = 0
        self.kwh: Decimal = ZERO
        self.elapsed_us = 0
        self.pmin: Decimal | None = None
        self.pmax: Decimal | None = None
        self.cmin: Decimal | None = None
        self.cmax: Decimal | None = None


_Check = Callable[[_Ctx], bool]


def _checks(r: TariffRestrictions) -> tuple[_Check, ...]:
    checks: list[_Check] = []
    s = None if r.start_time is None else r.start_time * 60
    e = None if r.end_time is None else r.end_time * 60
    if e in {0, 86_400}:
        e = None  # "00:00" and "24:00" as an end both mean the end of the day
    if s == 0:
        s = None
    if s is not None and e is not None:
        if s < e:
            checks.append(lambda c: s <= c.tod < e)
        elif s > e:  # the window wraps past midnight
            checks.append(lambda c: c.tod >= s or c.tod < e)
        # equal: the whole day, no check
    elif s is not None:
        checks.append(lambda c: c.tod >= s)
    elif e is not None:
        checks.append(lambda c: c.tod < e)
    if r.start_date is not None:
        sd = r.start_date
        checks.append(lambda c: c.day >= sd)
    if r.end_date is not None:
        ed = r.end_date
        checks.append(lambda c: c.day < ed)
    if r.day_of_week:
        days = r.day_of_week
        checks.append(lambda c: c.weekday in days)
    if r.min_kwh is not None:
        mk = r.min_kwh
        checks.append(lambda c: c.kwh >= mk)
    if r.max_kwh is not None:
        xk = r.max_kwh
        checks.append(lambda c: c.kwh < xk)
    if r.min_duration is not None:
        md = r.min_duration * _US_PER_S
        checks.append(lambda c: c.elapsed_us >= md)
    if r.max_duration is not None:
        xd = r.max_duration * _US_PER_S
        checks.append(lambda c: c.elapsed_us < xd)
    if r.min_power is not None:
        mp = r.min_power
        checks.append(lambda c: c.pmin is not None and c.pmin >= mp)
    if r.max_power is not None:
        xp = r.max_power
        checks.append(lambda c: c.pmax is not None and c.pmax < xp)
    # A period without current data meets a current restriction (docs/tariffs.md §2.1).
    if r.min_current is not None:
        mc = r.min_current
        checks.append(lambda c: c.cmin is None or c.cmin >= mc)
    if r.max_current is not None:
        xc = r.max_current
        checks.append(lambda c: c.cmax is None or c.cmax < xc)
    return tuple(checks)


@dataclass(frozen=True, slots=True)
class _Compiled:
    index: int
    checks: tuple[_Check, ...]
    components: tuple[PriceComponent | None, ...]  # by choice index; first of each kind

    def matches(self, ctx: _Ctx) -> bool:
        for check in self.checks:  # noqa: SIM110 - a plain loop is faster than all() here
            if not check(ctx):
                return False
        return True


def _compile(index: int, element: TariffElement) -> _Compiled:
    slots: list[PriceComponent | None] = [None, None, None, None]
    for pc in element.price_components:
        i = _DIM_INDEX[pc.type]
        if slots[i] is None:
            slots[i] = pc
    checks = _checks(element.restrictions) if element.restrictions else ()
    return _Compiled(index, checks, tuple(slots))


Choice = tuple[int | None, int | None, int | None, int | None]
_NO_CHOICE: Final[Choice] = (None, None, None, None)
_MEMO_LIMIT: Final = 4096


def _band_function(restrictions: Sequence[TariffRestrictions]) -> Callable[[_Ctx], Any]:
    """A key that is equal for two contexts exactly when no restriction can tell them apart.

    Every check in `_checks` compares one context value with one threshold, as
    `value >= t` or `value < t` (plus membership for weekdays and "no data" for current).
    Both flip where value == t, so `bisect_right(sorted thresholds, value)` tells every
    check of that value; the weekday is used as it is.
    """
    tods: set[int] = set()
    days: set[Any] = set()
    kwhs: set[Decimal] = set()
    elapsed: set[int] = set()
    pmins: set[Decimal] = set()
    pmaxs: set[Decimal] = set()
    cmins: set[Decimal] = set()
    cmaxs: set[Decimal] = set()
    weekday = False
    for r in restrictions:
        for minutes in (r.start_time, r.end_time):
            if minutes is not None:
                tods.add(minutes * 60)
        for moment in (r.start_date, r.end_date):
            if moment is not None:
                days.add(moment)
        for value, into in (
            (r.min_kwh, kwhs),
            (r.max_kwh, kwhs),
            (r.min_power, pmins),
            (r.max_power, pmaxs),
            (r.min_current, cmins),
            (r.max_current, cmaxs),
        ):
            if value is not None:
                into.add(value)
        for seconds in (r.min_duration, r.max_duration):
            if seconds is not None:
                elapsed.add(seconds * _US_PER_S)
        weekday = weekday or bool(r.day_of_week)

    # One closure per restricted value, reading its _Ctx field directly: compiled, that
    # is a native field access (getattr by name would go through the type's lookup).
    parts: list[Callable[[_Ctx], Any]] = []
    if tods:
        tod_t = _ordered(tods)
        parts.append(lambda c: bisect_right(tod_t, c.tod))
    if days:
        day_t = _ordered(days)
        parts.append(lambda c: bisect_right(day_t, c.day))
    if kwhs:
        kwh_t = _ordered(kwhs)
        parts.append(lambda c: bisect_right(kwh_t, c.kwh))
    if elapsed:
        elapsed_t = _ordered(elapsed)
        parts.append(lambda c: bisect_right(elapsed_t, c.elapsed_us))
    if pmins:
        pmin_t = _ordered(pmins)
        parts.append(lambda c: -1 if c.pmin is None else bisect_right(pmin_t, c.pmin))
    if pmaxs:
        pmax_t = _ordered(pmaxs)
        parts.append(lambda c: -1 if c.pmax is None else bisect_right(pmax_t, c.pmax))
    if cmins:
        cmin_t = _ordered(cmins)
        parts.append(lambda c: -1 if c.cmin is None else bisect_right(cmin_t, c.cmin))
    if cmaxs:
        cmax_t = _ordered(cmaxs)
        parts.append(lambda c: -1 if c.cmax is None else bisect_right(cmax_t, c.cmax))
    if weekday:
        parts.append(lambda c: c.weekday)
    if not parts:
        return lambda c: 0
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        first, second = parts
        return lambda c: (first(c), second(c))
    if len(parts) == 3:
        one, two, three = parts
        return lambda c: (one(c), two(c), three(c))
    fixed = tuple(parts)
    return lambda c: tuple([part(c) for part in fixed])


def _ordered(thresholds: set[Any]) -> tuple[Any, ...]:
    return tuple(sorted(thresholds))


def _discounted(tariff: Tariff, group: str | None) -> Tariff:
    """The tariff as a customer group pays it (extension: percent or per-kWh discount)."""
    if group is None:
        return tariff
    rule = tariff.extensions.customer_groups.get(group)
    if rule is None or rule.tariff_id is not None:
        return tariff  # no rule, or another tariff altogether: resolved by the caller

    def cheaper(pc: PriceComponent) -> PriceComponent:
        new_price = pc.price
        if rule.discount_percent is not None:
            new_price = pc.price * (_HUNDRED - rule.discount_percent) / _HUNDRED
        elif rule.energy_discount_per_kwh is not None and pc.type is Dimension.ENERGY:
            new_price = max(ZERO, pc.price - rule.energy_discount_per_kwh)
        return replace(pc, price=new_price)

    with localcontext(_CTX):
        elements = tuple(
            replace(el, price_components=tuple(cheaper(pc) for pc in el.price_components))
            for el in tariff.elements
        )
    return replace(tariff, elements=elements)


class TariffPricer:
    """A tariff compiled for pricing: build once, price many sessions."""

    def __init__(self, tariff: Tariff, group: str | None = None) -> None:
        self.list_tariff = tariff
        self.tariff = _discounted(tariff, group)
        self.group = group
        self.quantum = Decimal(1).scaleb(-minor_unit(tariff.currency))
        self.nothing = _amount(ZERO, ZERO, self.quantum)  # a bucket with no cost: 0.00
        compiled = [_compile(i, el) for i, el in enumerate(self.tariff.elements)]
        self._normal = tuple(
            c
            for c, el in zip(compiled, self.tariff.elements, strict=True)
            if el.restrictions is None or el.restrictions.reservation is None
        )
        self._reservation = tuple(
            c
            for c, el in zip(compiled, self.tariff.elements, strict=True)
            if el.restrictions is not None
            and el.restrictions.reservation is ReservationType.RESERVATION
        )
        expires = tuple(
            c
            for c, el in zip(compiled, self.tariff.elements, strict=True)
            if el.restrictions is not None
            and el.restrictions.reservation is ReservationType.RESERVATION_EXPIRES
        )
        self._expired = expires + self._reservation  # RESERVATION_EXPIRES preferred
        restricted = [el.restrictions for el in self.tariff.elements if el.restrictions]
        self.needs_local_time = any(r.needs_local_time for r in restricted)
        self.needs_elapsed = any(
            r.min_duration is not None or r.max_duration is not None for r in restricted
        )
        self.needs_power = any(
            r.min_power is not None or r.max_power is not None for r in restricted
        )
        self.components: dict[int, tuple[PriceComponent | None, ...]] = {
            c.index: c.components for c in compiled
        }
        self._band_of = _band_function(restricted)
        self._memo: dict[Any, Choice] = {}
        self._memo_reservation: dict[Any, Choice] = {}
        self._memo_expired: dict[Any, Choice] = {}

    @staticmethod
    def _choose(candidates: Iterable[_Compiled], ctx: _Ctx) -> Choice:
        energy = time = parking = flat = None
        for el in candidates:
            ce, ct, cp, cf = el.components
            if (
                (ce is None or energy is not None)
                and (ct is None or time is not None)
                and (cp is None or parking is not None)
                and (cf is None or flat is not None)
            ):
                continue  # nothing left for this element to price
            if el.checks and not el.matches(ctx):
                continue
            index = el.index
            if ce is not None and energy is None:
                energy = index
            if ct is not None and time is None:
                time = index
            if cp is not None and parking is None:
                parking = index
            if cf is not None and flat is None:
                flat = index
        return (energy, time, parking, flat)

    def choose(self, ctx: _Ctx) -> Choice:
        band = self._band_of(ctx)
        choice = self._memo.get(band)
        if choice is None:
            choice = self._remember(self._memo, band, self._normal, ctx)
        return choice

    def choose_reservation(self, ctx: _Ctx, expired: bool) -> Choice:
        if expired:
            return self._memoized(self._memo_expired, self._expired, ctx)
        return self._memoized(self._memo_reservation, self._reservation, ctx)

    def _memoized(
        self, memo: dict[Any, Choice], candidates: tuple[_Compiled, ...], ctx: _Ctx
    ) -> Choice:
        band = self._band_of(ctx)
        choice = memo.get(band)
        if choice is None:
            choice = self._remember(memo, band, candidates, ctx)
        return choice

    def _remember(
        self, memo: dict[Any, Choice], band: Any, candidates: tuple[_Compiled, ...], ctx: _Ctx
    ) -> Choice:
        """The choice for ctx's band: every check is constant within a band
        (`_band_function`), so the restrictions are evaluated once per band, by the
        same checks."""
        choice = self._choose(candidates, ctx)
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[band] = choice
        return choice

    def component(self, element: int, dim: int) -> PriceComponent:
        pc = self.components[element][dim]
        assert pc is not None
        return pc

    def context(
        self,
        ctx: _Ctx,
        at: datetime,
        zone: ZoneInfo,
        session_start: datetime,
        kwh: Decimal,
    ) -> None:
        if self.needs_local_time:
            local = at.astimezone(zone)
            ctx.tod = local.hour * 3600 + local.minute * 60 + local.second
            ctx.day = local.date()
            ctx.weekday = local.weekday()
        ctx.kwh = kwh
        ctx.elapsed_us = microseconds(at - session_start)

    def price(
        self,
        periods: Sequence[ChargingPeriod],
        *,
        start: datetime,
        end: datetime,
        tz: ZoneInfo | str,
        extra_tariffs: Mapping[str, TariffPricer] | None = None,
    ) -> CostBreakdown:
        return price_session(
            periods, start=start, end=end, tz=tz, pricer=self, extra_tariffs=extra_tariffs
        )


# -------------------------------------------------------------------- accumulating


# Reporting buckets of the CDR totals.
_FIXED, _ENERGY_B, _TIME_B, _PARKING_B, _RES_B = range(5)
_BUCKETS: Final = 5

_KINDS: Final = (
    (_ENERGY, LineKind.ENERGY, _ENERGY_B),
    (_TIME, LineKind.TIME, _TIME_B),
    (_PARKING, LineKind.PARKING_TIME, _PARKING_B),
)
# (kind, tariff id, element, unit price, vat, billed volume, of which step extra,
#  exact cost x3600 excl. VAT, the same incl. VAT, reporting bucket). The bucket rides
# along because a dict keyed by LineKind would hash the enum in Python for every item.
_Item = tuple[
    LineKind, str, int | None, Decimal, Decimal | None, Decimal, Decimal, Decimal, Decimal, int
]
_Ref = tuple[int, int]  # (tariff slot, element index)


_ACCUMULATOR_FIELDS: Final = (
    "charging_s",
    "energy",
    "flat",
    "flat_decided",
    "last",
    "parking_s",
    "pricer",
    "pricers",
    "res_flat",
    "res_flat_decided",
    "res_last",
    "res_volumes",
    "trailing_parking_s",
    "volumes",
)


class _Accumulator:
    """Exact running sums of one session's billed volumes; shared by batch and live."""

    __slots__ = _ACCUMULATOR_FIELDS

    def __init__(self, pricer: TariffPricer) -> None:
        self.pricer = pricer
        self.pricers = [pricer]  # slot -> tariff (a period may name another tariff)
        # (choice index, slot, element) -> volume: kWh for ENERGY, whole seconds otherwise
        self.volumes: dict[tuple[int, int, int], Decimal | int] = {}
        self.last: dict[int, _Ref] = {}  # choice index -> element of the last priced period
        self.flat: _Ref | None = None
        self.flat_decided = False
        self.res_volumes: dict[_Ref, Decimal] = {}  # element -> reservation seconds
        self.res_last: _Ref | None = None
        self.res_flat: _Ref | None = None
        self.res_flat_decided = False
        self.energy = ZERO
        self.charging_s = 0
        self.parking_s = 0
        self.trailing_parking_s = 0

    def slot(self, pricer: TariffPricer) -> int:
        for i, known in enumerate(self.pricers):
            if known is pricer:
                return i
        self.pricers.append(pricer)
        return len(self.pricers) - 1

    def component(self, ref: _Ref, dim: int) -> PriceComponent:
        return self.pricers[ref[0]].component(ref[1], dim)

    def account(
        self, choice: Choice, energy: Decimal, time_s: int, parking_s: int, slot: int = 0
    ) -> None:
        """Add one period's (or one live extension's) volumes under its element choice."""
        e_el, t_el, p_el, f_el = choice
        if f_el is not None and not self.flat_decided:
            self.flat = (slot, f_el)
            self.flat_decided = True
        volumes = self.volumes
        if energy and e_el is not None:
            key = (_ENERGY, slot, e_el)
            volumes[key] = volumes.get(key, 0) + energy
            self.last[_ENERGY] = (slot, e_el)
        if time_s and t_el is not None:
            key = (_TIME, slot, t_el)
            volumes[key] = volumes.get(key, 0) + time_s
            self.last[_TIME] = (slot, t_el)
        if parking_s and p_el is not None:
            key = (_PARKING, slot, p_el)
            volumes[key] = volumes.get(key, 0) + parking_s
            self.last[_PARKING] = (slot, p_el)
        self.energy += energy
        self.charging_s += time_s
        self.parking_s += parking_s
        if energy > 0:
            self.trailing_parking_s = 0
        else:
            self.trailing_parking_s += parking_s

    def account_reservation(self, choice: Choice, seconds: int, slot: int = 0) -> None:
        flat = choice[_FLAT]
        if not self.res_flat_decided and flat is not None:
            self.res_flat = (slot, flat)
            self.res_flat_decided = True
        element = choice[_TIME]
        if seconds and element is not None:
            ref = (slot, element)
            self.res_volumes[ref] = self.res_volumes.get(ref, ZERO) + seconds
            self.res_last = ref

    def copy(self) -> _Accumulator:
        # through __init__: a class compiled by mypyc has no bare __new__ (setup.py)
        other = _Accumulator(self.pricer)
        for name in _ACCUMULATOR_FIELDS:
            setattr(other, name, getattr(self, name))
        other.pricers = list(self.pricers)
        other.volumes = dict(self.volumes)
        other.last = dict(self.last)
        other.res_volumes = dict(self.res_volumes)
        return other

    # The result ------------------------------------------------------------------

    def result(
        self,
        *,
        total_time_s: Decimal,
        periods: tuple[PricedPeriod, ...],
        explain: bool = True,
    ) -> CostBreakdown:
        """The priced session. explain=False leaves lines and vat_lines empty: the batch
        needs only the totals, which are the same figures either way."""
        with localcontext(_CTX):
            return self.result_in_context(total_time_s, periods, explain)

    def result_in_context(
        self, total_time_s: Decimal, periods: tuple[PricedPeriod, ...], explain: bool
    ) -> CostBreakdown:
        """`result`, for a caller that already runs in the engine's decimal context."""
        items, idle_s = self._items()
        return self._result(items, idle_s, total_time_s, periods, explain)

    def _items(self) -> tuple[list[_Item], int]:
        """Every billed item with its exact costs (x3600), and the idle seconds billed."""
        pricer = self.pricer
        pricers = self.pricers
        items: list[_Item] = []
        if self.flat is not None:
            slot, el = self.flat
            pc = pricers[slot].component(el, _FLAT)
            scaled = pc.price * _H
            gross = _gross(scaled, pc.vat)
            tid = pricers[slot].tariff.id
            items.append(
                (LineKind.FLAT, tid, el, pc.price, pc.vat, _ONE, ZERO, scaled, gross, _FIXED)
            )
        volumes = self.volumes
        if volumes:
            # step_size rounds the session total once for ENERGY and once for TIME and
            # PARKING_TIME combined (mod_cdrs, "step_size"): "In the cases that TIME and
            # PARKING_TIME Tariff Elements are both used, step_size is only taken into
            # account for the total parking duration"; charging time is "not affected by
            # step_size because it is followed by another time-based period".
            time_dim = _PARKING if self.last.get(_PARKING) is not None else _TIME
            for dim, kind, bucket in _KINDS:
                last = self.last.get(dim)
                if last is None:
                    continue
                keys = [k for k in volumes if k[0] == dim]
                extra = ZERO
                if dim in (_ENERGY, time_dim):
                    step = pricers[last[0]].component(last[1], dim).step_size
                    if step > 1 or dim == _ENERGY:
                        total = cast(Decimal, sum((volumes[k] for k in keys), ZERO))
                        if dim == _ENERGY:  # in Wh
                            wh = total * _THOUSAND
                            extra = (_round_up(wh, step) - wh) / _THOUSAND
                        else:  # in seconds
                            extra = _round_up(total, step) - total
                for key in keys:
                    slot, el = key[1], key[2]
                    bonus = extra if (slot, el) == last else ZERO
                    pc = pricers[slot].component(el, dim)
                    volume = volumes[key] + bonus
                    if dim == _ENERGY:
                        scaled = pc.price * volume * _H
                        shown, shown_step = volume, bonus
                    else:  # time-based: volume in seconds, price per hour
                        scaled = pc.price * volume
                        shown, shown_step = volume / _H, bonus / _H
                    gross = _gross(scaled, pc.vat)
                    tid = pricers[slot].tariff.id
                    items.append(
                        (kind, tid, el, pc.price, pc.vat, shown, shown_step, scaled, gross, bucket)
                    )
        if self.res_flat is not None:
            slot, el = self.res_flat
            pc = pricers[slot].component(el, _FLAT)
            scaled = pc.price * _H
            gross = _gross(scaled, pc.vat)
            tid = pricers[slot].tariff.id
            kind = LineKind.RESERVATION_FLAT
            items.append((kind, tid, el, pc.price, pc.vat, _ONE, ZERO, scaled, gross, _RES_B))
        if self.res_volumes and self.res_last is not None:
            total = sum(self.res_volumes.values(), ZERO)
            step = self.component(self.res_last, _TIME).step_size
            res_extra = _round_up(total, step) - total
            for (slot, el), seconds in self.res_volumes.items():
                bonus = res_extra if (slot, el) == self.res_last else ZERO
                pc = pricers[slot].component(el, _TIME)
                volume = seconds + bonus
                scaled = pc.price * volume
                gross = _gross(scaled, pc.vat)
                tid = pricers[slot].tariff.id
                hours, step_hours = volume / _H, bonus / _H
                kind = LineKind.RESERVATION_TIME
                items.append(
                    (kind, tid, el, pc.price, pc.vat, hours, step_hours, scaled, gross, _RES_B)
                )

        idle_fee = pricer.tariff.extensions.idle_fee
        idle_s = 0
        if idle_fee is not None:
            idle_s = max(0, self.trailing_parking_s - idle_fee.grace_minutes * 60)
            if idle_s:
                billed = int(_round_up(Decimal(idle_s), idle_fee.step_size))
                scaled = idle_fee.price_per_minute * billed * 60
                if idle_fee.max_fee is not None:
                    scaled = min(scaled, idle_fee.max_fee * _H)
                items.append(
                    (
                        LineKind.IDLE_FEE,
                        pricer.tariff.id,
                        None,
                        idle_fee.price_per_minute,
                        idle_fee.vat,
                        Decimal(billed) / 60,
                        Decimal(billed - idle_s) / 60,
                        scaled,
                        _gross(scaled, idle_fee.vat),
                        _PARKING_B,
                    )
                )
        return items, idle_s

    def total(self) -> Amount:
        """Just the total: what the charging screen shows every second."""
        with localcontext(_CTX):
            items, _ = self._items()
            excl = sum((item[7] for item in items), ZERO)
            incl = sum((item[8] for item in items), ZERO)
            tariff = self.pricer.tariff
            excl_c, incl_c, _ = _clamp(tariff, excl, incl)
            return _amount(excl_c, incl_c, self.pricer.quantum)

    def _result(
        self,
        items: list[_Item],
        idle_s: int,
        total_time_s: Decimal,
        periods: tuple[PricedPeriod, ...],
        explain: bool,
    ) -> CostBreakdown:
        tariff = self.pricer.tariff
        currency = tariff.currency
        # exact (x3600) sums per reporting bucket: excl, incl
        excl_sums = [ZERO] * _BUCKETS
        incl_sums = [ZERO] * _BUCKETS
        for item in items:
            b = item[9]
            excl_sums[b] += item[7]
            incl_sums[b] += item[8]
        excl = sum(excl_sums, ZERO)
        incl = sum(incl_sums, ZERO)
        excl_c, incl_c, cap = _clamp(tariff, excl, incl)
        q = self.pricer.quantum
        nothing = self.pricer.nothing
        bucket = [
            _amount(excl_sums[b], incl_sums[b], q) if excl_sums[b] or incl_sums[b] else nothing
            for b in range(_BUCKETS)
        ]

        lines: tuple[CostLine, ...] = ()
        vat_lines: tuple[VatLine, ...] = ()
        if explain:
            lines = tuple(
                CostLine(
                    kind=item[0],
                    tariff_id=item[1],
                    element=item[2],
                    unit_price=item[3],
                    vat=item[4],
                    volume=item[5],
                    step_volume=item[6],
                    cost=_amount(item[7], item[8], q),
                )
                for item in items
            )
            vat_sums: dict[Decimal | None, list[Decimal]] = {}
            for item in items:
                sums = vat_sums.setdefault(item[4], [ZERO, ZERO])
                sums[0] += item[7]
                sums[1] += item[8] - item[7]
            vat_lines = tuple(
                VatLine(
                    rate,
                    round_to_minor(sums[0] / _H, currency),
                    round_to_minor(sums[1] / _H, currency),
                )
                for rate, sums in sorted(
                    vat_sums.items(), key=lambda kv: (kv[0] is None, kv[0] or ZERO)
                )
            )
        total = _amount(excl_c, incl_c, q)
        return CostBreakdown(
            tariff_id=tariff.id,
            currency=currency,
            lines=lines,
            periods=periods,
            total_cost=total,
            total_fixed_cost=bucket[_FIXED],
            total_energy_cost=bucket[_ENERGY_B],
            total_time_cost=bucket[_TIME_B],
            total_parking_cost=bucket[_PARKING_B],
            total_reservation_cost=bucket[_RES_B],
            uncapped_cost=total if cap is None else _amount(excl, incl, q),
            cap=cap,
            total_energy_kwh=self.energy,
            total_time_s=total_time_s,
            total_charging_s=self.charging_s,
            total_parking_s=self.parking_s,
            idle_s=idle_s,
            vat_lines=vat_lines,
        )


def _gross(scaled_excl: Decimal, vat: Decimal | None) -> Decimal:
    """Incl. VAT; a component without VAT has none (OCPI: "no VAT is applicable")."""
    return scaled_excl if vat is None else scaled_excl * (_HUNDRED + vat) / _HUNDRED


def _round_up(volume: Decimal, step: int) -> Decimal:
    """The smallest multiple of step that is at least volume (volume >= 0); step 0: none."""
    if step <= 0:
        return volume
    whole, rest = divmod(volume, step)
    return (whole + (1 if rest else 0)) * step


def _amount(scaled_excl: Decimal, scaled_incl: Decimal, quantum: Decimal) -> Amount:
    """The one rounding point (as `round_to_minor`): half-up to the minor unit."""
    return Amount(
        (scaled_excl / _H).quantize(quantum, ROUND_HALF_UP),
        (scaled_incl / _H).quantize(quantum, ROUND_HALF_UP),
    )


def _clamp(tariff: Tariff, excl: Decimal, incl: Decimal) -> tuple[Decimal, Decimal, str | None]:
    """min_price / max_price, on the exact (x3600) totals, excl. and incl. VAT separately."""
    cap: str | None = None
    if tariff.min_price is None and tariff.max_price is None:
        return excl, incl, cap
    for name, bound in (("min_price", tariff.min_price), ("max_price", tariff.max_price)):
        if bound is None:
            continue
        lower = name == "min_price"
        b_excl = bound.excl_vat * _H
        new_excl = b_excl if (excl < b_excl if lower else excl > b_excl) else excl
        new_incl = incl
        if bound.incl_vat is not None:
            b_incl = bound.incl_vat * _H
            new_incl = b_incl if (incl < b_incl if lower else incl > b_incl) else incl
        elif new_excl != excl:
            # No incl. bound given: keep the session's own VAT ratio.
            new_incl = new_excl if excl == 0 else incl * new_excl / excl
        if new_excl != excl or new_incl != incl:
            cap = name
        excl, incl = new_excl, new_incl
    return excl, incl, cap


# ------------------------------------------------------------------------ batch


def _zone(tz: ZoneInfo | str) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def price_session(
    periods: Sequence[ChargingPeriod],
    *,
    start: datetime,
    end: datetime,
    tz: ZoneInfo | str,
    pricer: TariffPricer,
    extra_tariffs: Mapping[str, TariffPricer] | None = None,
    explain: bool = True,
) -> CostBreakdown:
    """Price a finished session given as OCPI charging periods.

    With explain=False the breakdown's `periods`, `lines` and `vat_lines` are left empty
    (batch re-pricing): its totals are the same figures.
    """
    if not pricer.tariff.is_valid_at(start):
        raise NoActiveTariff(f"tariff {pricer.tariff.id!r} is not valid at {start.isoformat()}")
    with localcontext(_CTX):
        return _price_in_context(periods, start, end, _zone(tz), pricer, extra_tariffs, explain)


def _price_in_context(
    periods: Sequence[ChargingPeriod],
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    pricer: TariffPricer,
    extra_tariffs: Mapping[str, TariffPricer] | None,
    explain: bool,
) -> CostBreakdown:
    acc = _Accumulator(pricer)
    ctx = _Ctx()
    kwh = ZERO
    expired = bool(periods) and all(
        p.reservation_s and not p.energy_kwh and not p.time_s and not p.parking_s for p in periods
    )
    priced: list[PricedPeriod] = []
    n = len(periods)
    others = extra_tariffs or None
    for i, p in enumerate(periods):
        # one C call for all fields (in PERIOD_FIELDS order), not a lookup for each
        (
            p_start,
            energy,
            time_s,
            parking_s,
            reservation_s,
            pmin,
            pmax,
            cmin,
            cmax,
            _soc,
            tariff_id,
        ) = _astuple(p)
        this = pricer
        slot = 0
        if others is not None and tariff_id is not None:
            this = others.get(tariff_id, pricer)
            if this is not pricer:
                slot = acc.slot(this)
        if this.needs_local_time:
            local = p_start.astimezone(zone)
            ctx.tod = local.hour * 3600 + local.minute * 60 + local.second
            ctx.day = local.date()
            ctx.weekday = local.weekday()
        ctx.kwh = kwh
        if this.needs_elapsed:
            ctx.elapsed_us = (p_start - start) // _ONE_US
        if time_s is None and parking_s is None and reservation_s is None:
            p_end = periods[i + 1].start if i + 1 < n else end
            duration_s = (p_end - p_start + _HALF_SECOND) // _ONE_S
            if energy > 0:
                time_s = duration_s
            else:
                parking_s = duration_s
        time_s = time_s or 0
        parking_s = parking_s or 0
        if this.needs_power:
            if pmin is None:
                pmin = pmax = energy * _H / time_s if time_s else ZERO
            ctx.pmin, ctx.pmax = pmin, pmax
        ctx.cmin, ctx.cmax = cmin, cmax
        if reservation_s:
            rchoice = this.choose_reservation(ctx, expired)
            acc.account_reservation(rchoice, reservation_s, slot)
        else:
            rchoice = _NO_CHOICE
        if not expired and (energy or time_s or parking_s or not reservation_s):
            choice = this.choose(ctx)
            flat_before = acc.flat_decided
            acc.account(choice, energy, time_s, parking_s, slot)
        else:
            choice, flat_before = _NO_CHOICE, True
        kwh += energy
        if explain:
            used: dict[str, int] = {}
            res_element = rchoice[_TIME]
            if res_element is not None:
                used["RESERVATION_TIME"] = res_element
            for dim, volume in ((_ENERGY, energy), (_TIME, time_s), (_PARKING, parking_s)):
                element = choice[dim]
                if volume and element is not None:
                    used[_CHOICE_NAMES[dim]] = element
            if not flat_before and acc.flat_decided and acc.flat is not None:
                used["FLAT"] = acc.flat[1]
            p_end = periods[i + 1].start if i + 1 < n else end
            priced.append(PricedPeriod(i, p_start, p_end, used))
    total_time_s = Decimal(microseconds(end - start)) / _US_PER_S
    return acc.result_in_context(total_time_s, tuple(priced), explain)


# ------------------------------------------------------------------------- live


class LiveCost:
    """The running cost of a session fed one meter sample at a time.

    Each sample costs O(number of tariff elements), independent of the session's
    length. A new period starts whenever the tariff element chosen for any dimension
    would change, or charging turns into parking or back, so `periods()` is exactly
    what the batch engine prices to the same result.
    """

    def __init__(
        self,
        pricer: TariffPricer,
        *,
        tz: ZoneInfo | str,
        start: datetime,
        start_energy_wh: Decimal = ZERO,
    ) -> None:
        if not pricer.tariff.is_valid_at(start):
            raise NoActiveTariff(f"tariff {pricer.tariff.id!r} is not valid at {start.isoformat()}")
        self.pricer = pricer
        self.zone = _zone(tz)
        self.start = start
        self._acc = _Accumulator(pricer)
        self._ctx = _Ctx()
        self._last_at = start
        self._last_wh = start_energy_wh
        self._kwh = ZERO  # session energy so far
        self._closed: list[ChargingPeriod] = []
        self._closed_used: list[Mapping[str, int]] = []
        # the open period
        self._p_start: datetime | None = None
        self._p_choice: Choice = _NO_CHOICE
        self._p_charging = False
        self._p_kwh_start = ZERO
        self._p_energy = ZERO
        self._p_us = 0
        self._p_secs = 0
        self._p_pmin: Decimal | None = None
        self._p_pmax: Decimal | None = None
        self._p_cmin: Decimal | None = None
        self._p_cmax: Decimal | None = None
        self._p_soc: Decimal | None = None

    @property
    def last_sample_at(self) -> datetime:
        return self._last_at

    @property
    def energy_kwh(self) -> Decimal:
        return self._kwh

    def _evaluate(
        self,
        at: datetime,
        kwh: Decimal,
        pmin: Decimal | None,
        pmax: Decimal | None,
        cmin: Decimal | None,
        cmax: Decimal | None,
    ) -> Choice:
        ctx = self._ctx
        self.pricer.context(ctx, at, self.zone, self.start, kwh)
        ctx.pmin, ctx.pmax, ctx.cmin, ctx.cmax = pmin, pmax, cmin, cmax
        return self.pricer.choose(ctx)

    def add_sample(
        self,
        at: datetime,
        energy_wh: Decimal,
        power_kw: Decimal,
        current_a: Decimal | None = None,
        soc: Decimal | None = None,
    ) -> None:
        """Record the meter at `at`; the interval since the last sample is priced."""
        if at < self._last_at:
            raise ValueError(f"meter sample at {at.isoformat()} is older than the previous one")
        delta_wh = energy_wh - self._last_wh
        if delta_wh < 0:
            raise ValueError(f"energy register went backwards: {self._last_wh} -> {energy_wh} Wh")
        interval_us = microseconds(at - self._last_at)
        if interval_us == 0 and delta_wh == 0:
            return
        delta_kwh = delta_wh / _THOUSAND
        charging = delta_wh > 0
        pmin = pmax = power_kw if charging else ZERO
        cmin = cmax = current_a if charging else (None if current_a is None else ZERO)
        if self._p_start is not None and charging == self._p_charging:
            ext = (
                _min(self._p_pmin, pmin),
                _max(self._p_pmax, pmax),
                _min(self._p_cmin, cmin),
                _max(self._p_cmax, cmax),
            )
            widened = ext != (self._p_pmin, self._p_pmax, self._p_cmin, self._p_cmax)
            if not widened or self._evaluate(self._p_start, self._p_kwh_start, *ext) == (
                self._p_choice
            ):
                here = self._evaluate(self._last_at, self._kwh, pmin, pmax, cmin, cmax)
                if here == self._p_choice:
                    self._extend(delta_kwh, interval_us, ext, soc)
                    self._last_at, self._last_wh = at, energy_wh
                    return
        self._close()
        choice = self._evaluate(self._last_at, self._kwh, pmin, pmax, cmin, cmax)
        self._p_start = self._last_at
        self._p_choice = choice
        self._p_charging = charging
        self._p_kwh_start = self._kwh
        self._p_energy = ZERO
        self._p_us = 0
        self._p_secs = 0
        self._extend(delta_kwh, interval_us, (pmin, pmax, cmin, cmax), soc)
        self._last_at, self._last_wh = at, energy_wh

    def _extend(
        self,
        delta_kwh: Decimal,
        interval_us: int,
        ranges: tuple[Decimal | None, Decimal | None, Decimal | None, Decimal | None],
        soc: Decimal | None,
    ) -> None:
        self._p_pmin, self._p_pmax, self._p_cmin, self._p_cmax = ranges
        self._p_us += interval_us
        secs = (self._p_us + _US_PER_S // 2) // _US_PER_S
        delta_s = secs - self._p_secs
        self._p_secs = secs
        self._p_energy += delta_kwh
        self._kwh += delta_kwh
        if soc is not None:
            self._p_soc = soc
        if self._p_charging:
            self._acc.account(self._p_choice, delta_kwh, delta_s, 0)
        else:
            self._acc.account(self._p_choice, ZERO, 0, delta_s)

    def _open_period(self) -> ChargingPeriod | None:
        if self._p_start is None:
            return None
        return ChargingPeriod(
            start=self._p_start,
            energy_kwh=self._p_energy,
            time_s=self._p_secs if self._p_charging else 0,
            parking_s=0 if self._p_charging else self._p_secs,
            min_power_kw=self._p_pmin,
            max_power_kw=self._p_pmax,
            min_current_a=self._p_cmin,
            max_current_a=self._p_cmax,
            state_of_charge=self._p_soc,
        )

    def _used(self) -> Mapping[str, int]:
        used: dict[str, int] = {}
        energy, time, parking, _ = self._p_choice
        if self._p_charging:
            if self._p_energy and energy is not None:
                used["ENERGY"] = energy
            if self._p_secs and time is not None:
                used["TIME"] = time
        elif self._p_secs and parking is not None:
            used["PARKING_TIME"] = parking
        return used

    def _close(self) -> None:
        period = self._open_period()
        if period is not None:
            self._closed.append(period)
            self._closed_used.append(self._used())
        self._p_start = None

    def periods(self) -> list[ChargingPeriod]:
        """The session so far as OCPI charging periods (the open one included)."""
        open_period = self._open_period()
        return self._closed + ([open_period] if open_period is not None else [])

    def breakdown(self) -> CostBreakdown:
        """The price if the session ended at the last sample."""
        periods = self.periods()
        used = [*self._closed_used, *([self._used()] if self._p_start is not None else [])]
        priced = tuple(
            PricedPeriod(
                i,
                p.start,
                periods[i + 1].start if i + 1 < len(periods) else self._last_at,
                used[i],
            )
            for i, p in enumerate(periods)
        )
        acc = self._acc
        if not periods:
            # A session with no sample yet still owes its start fee, as batch would charge.
            acc = acc.copy()
            acc.account(self._evaluate(self.start, ZERO, ZERO, ZERO, None, None), ZERO, 0, 0)
        total_s = Decimal(microseconds(self._last_at - self.start)) / _US_PER_S
        return acc.result(total_time_s=total_s, periods=priced)

    def cost(self) -> Amount:
        """The running total if the session ended at the last sample (cheap)."""
        if self._p_start is None and not self._closed:
            return self.breakdown().total_cost
        return self._acc.total()


def _min(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if a <= b else b


def _max(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if a >= b else b
