"""Price a charging session with an OCPI 2.2.1 tariff, exactly, and explain the result.

The rules (docs/tariffs.md says each with its source in the spec):
- Periods are priced one by one. An element's restrictions are all checked (AND) at
  the period's start: local time, date and weekday in the station's zone; the energy
  of all earlier periods; the seconds since the session start; the period's power and
  current. Per dimension, the first matching element that prices it is used.
- FLAT is charged once per session. step_size is applied once per dimension, to the
  session total, with the step of the last period that priced that dimension; the
  extra volume is billed at that period's price.
- Nothing is rounded until the end: costs are summed exactly (scaled by 3600 so that
  per-hour prices of whole seconds stay exact), and each reported figure is rounded
  once, half-up to the currency's minor unit.

`LiveCost` feeds meter samples into the same accumulator the batch path uses, so the
running cost equals the batch price of the periods recorded so far, by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from enum import Enum
from typing import Any, Final
from zoneinfo import ZoneInfo

import msgspec

from kiosk.domain.money import Rounding, round_to_minor
from kiosk.domain.periods import ZERO, ChargingPeriod, microseconds
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
_ONE: Final = Decimal(1)


class Amount(msgspec.Struct, frozen=True):
    """A cost rounded to the minor unit; incl_vat is None when a cost had no VAT given."""

    excl_vat: Decimal
    incl_vat: Decimal | None

    def to_json(self) -> dict[str, str | None]:
        return {
            "excl_vat": str(self.excl_vat),
            "incl_vat": None if self.incl_vat is None else str(self.incl_vat),
        }


class CostLine(msgspec.Struct, frozen=True):
    """One billed item: a price component applied to the volume it priced."""

    kind: LineKind
    tariff_id: str
    element: int | None  # index in that tariff's elements (None for extension fees)
    unit_price: Decimal  # per kWh, per hour, per minute (IDLE_FEE) or once
    vat: Decimal | None
    volume: Decimal  # billed: kWh, hours, minutes (IDLE_FEE) or 1
    step_volume: Decimal  # the part of volume added by step_size rounding
    cost: Amount


class PricedPeriod(msgspec.Struct, frozen=True):
    index: int
    start: datetime
    end: datetime
    elements: Mapping[str, int]  # dimension name -> index of the element that priced it


class VatLine(msgspec.Struct, frozen=True):
    rate: Decimal | None  # percent; None: no VAT given
    net: Decimal
    vat: Decimal | None


@dataclass(frozen=True, slots=True)
class CostBreakdown:
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

    def totals_json(self) -> dict[str, Any]:
        """The OCPI CDR totals, as decimal strings (the `kiosk tariff price --json` shape)."""
        return {
            "total_cost": self.total_cost.to_json(),
            "total_fixed_cost": self.total_fixed_cost.to_json(),
            "total_energy_cost": self.total_energy_cost.to_json(),
            "total_time_cost": self.total_time_cost.to_json(),
            "total_parking_cost": self.total_parking_cost.to_json(),
            "total_reservation_cost": self.total_reservation_cost.to_json(),
            "total_energy": _volume_text(self.total_energy_kwh),
            "total_time": _volume_text(self.total_time_s / _H),
            "total_parking_time": _volume_text(Decimal(self.total_parking_s) / _H),
        }


def _volume_text(value: Decimal) -> str:
    """OCPI numbers carry 4 decimals: round half-up there, drop trailing zeros."""
    with localcontext(_CTX):
        text = format(value.quantize(_VOLUME_PLACES).normalize(), "f")
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
    if s is not None and e is not None:
        if s < e:
            checks.append(lambda c: s <= c.tod < e)
        else:  # the window wraps past midnight
            checks.append(lambda c: c.tod >= s or c.tod < e)
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
    if r.min_current is not None:
        mc = r.min_current
        checks.append(lambda c: c.cmin is not None and c.cmin >= mc)
    if r.max_current is not None:
        xc = r.max_current
        checks.append(lambda c: c.cmax is not None and c.cmax < xc)
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
        self.needs_local_time = any(
            el.restrictions is not None and el.restrictions.needs_local_time
            for el in self.tariff.elements
        )
        self.components: dict[int, tuple[PriceComponent | None, ...]] = {
            c.index: c.components for c in compiled
        }

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
        return self._choose(self._normal, ctx)

    def choose_reservation(self, ctx: _Ctx, expired: bool) -> Choice:
        return self._choose(self._expired if expired else self._reservation, ctx)

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


_KINDS: Final = (
    (_ENERGY, LineKind.ENERGY),
    (_TIME, LineKind.TIME),
    (_PARKING, LineKind.PARKING_TIME),
)
# (kind, element, unit price, vat, billed volume, of which step extra, exact cost x3600)
_Item = tuple[LineKind, str, int | None, Decimal, Decimal | None, Decimal, Decimal, Decimal]
_Ref = tuple[int, int]  # (tariff slot, element index)


class _Accumulator:
    """Exact running sums of one session's billed volumes; shared by batch and live."""

    def __init__(self, pricer: TariffPricer) -> None:
        self.pricer = pricer
        self.pricers = [pricer]  # slot -> tariff (a period may name another tariff)
        # (choice index, element) -> volume: kWh for ENERGY, whole seconds otherwise
        # (choice index, (slot, element)) -> volume: kWh for ENERGY, whole seconds otherwise
        self.volumes: dict[tuple[int, _Ref], Decimal] = {}
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
        flat = choice[_FLAT]
        if not self.flat_decided and flat is not None:
            self.flat = (slot, flat)
            self.flat_decided = True
        volumes = self.volumes
        for dim, volume in ((_ENERGY, energy), (_TIME, time_s), (_PARKING, parking_s)):
            if not volume:
                continue
            element = choice[dim]
            if element is None:
                continue
            ref = (slot, element)
            key = (dim, ref)
            volumes[key] = volumes.get(key, ZERO) + volume
            self.last[dim] = ref
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
        other = _Accumulator.__new__(_Accumulator)
        other.__dict__.update(self.__dict__)
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
    ) -> CostBreakdown:
        with localcontext(_CTX):
            return self._result(total_time_s, periods)

    def _items(self) -> tuple[list[_Item], int]:
        """Every billed item with its exact cost (x3600), and the idle seconds billed."""
        pricer = self.pricer
        raw: list[tuple[LineKind, _Ref, PriceComponent, Decimal, Decimal]] = []
        # (kind, element, component, billed volume in base unit, step extra)
        if self.flat is not None:
            raw.append((LineKind.FLAT, self.flat, self.component(self.flat, _FLAT), ZERO, ZERO))
        volumes = self.volumes
        for dim, kind in _KINDS:
            keys = [k for k in volumes if k[0] == dim]
            if not keys:
                continue
            total = sum((volumes[k] for k in keys), ZERO)
            last = self.last[dim]
            step = self.component(last, dim).step_size
            unit_total = total * _THOUSAND if dim == _ENERGY else total  # Wh or s
            extra_units = _round_up(unit_total, step) - unit_total
            extra = extra_units / _THOUSAND if dim == _ENERGY else extra_units
            for key in keys:
                ref = key[1]
                bonus = extra if ref == last else ZERO
                pc = self.component(ref, dim)
                raw.append((kind, ref, pc, volumes[key] + bonus, bonus))
        if self.res_flat is not None:
            pc = self.component(self.res_flat, _FLAT)
            raw.append((LineKind.RESERVATION_FLAT, self.res_flat, pc, ZERO, ZERO))
        if self.res_volumes and self.res_last is not None:
            total = sum(self.res_volumes.values(), ZERO)
            step = self.component(self.res_last, _TIME).step_size
            extra = _round_up(total, step) - total
            for ref, volume in self.res_volumes.items():
                bonus = extra if ref == self.res_last else ZERO
                pc = self.component(ref, _TIME)
                raw.append((LineKind.RESERVATION_TIME, ref, pc, volume + bonus, bonus))

        items: list[_Item] = []
        for kind, (slot, el), comp, vol, bonus in raw:
            tid = self.pricers[slot].tariff.id
            if kind is LineKind.FLAT or kind is LineKind.RESERVATION_FLAT:
                items.append((kind, tid, el, comp.price, comp.vat, _ONE, ZERO, comp.price * _H))
            elif kind is LineKind.ENERGY:
                items.append(
                    (kind, tid, el, comp.price, comp.vat, vol, bonus, comp.price * vol * _H)
                )
            else:  # time-based: volume in seconds, price per hour
                items.append(
                    (kind, tid, el, comp.price, comp.vat, vol / _H, bonus / _H, comp.price * vol)
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
                    )
                )
        return items, idle_s

    def total(self) -> Amount:
        """Just the total: what the charging screen shows every second."""
        with localcontext(_CTX):
            items, _ = self._items()
            excl = incl = ZERO
            known = True
            for item in items:
                scaled_excl, vat = item[7], item[4]
                excl += scaled_excl
                if vat is None:
                    if scaled_excl:
                        known = False
                else:
                    incl += scaled_excl * (_HUNDRED + vat) / _HUNDRED
            tariff = self.pricer.tariff
            excl_c, incl_c, _ = _clamp(tariff, excl, incl if known else None)
            return _amount(excl_c, incl_c, tariff.currency, incl_c is not None)

    def _result(self, total_time_s: Decimal, periods: tuple[PricedPeriod, ...]) -> CostBreakdown:
        tariff = self.pricer.tariff
        currency = tariff.currency
        items, idle_s = self._items()

        lines: list[CostLine] = []
        # scaled (x3600) exact sums per reporting bucket: [excl, incl, incl_known]
        buckets: dict[str, list[Any]] = {
            name: [ZERO, ZERO, True] for name in ("fixed", "energy", "time", "parking", "res")
        }
        vat_sums: dict[Decimal | None, list[Decimal]] = {}
        bucket_of = {
            LineKind.FLAT: "fixed",
            LineKind.ENERGY: "energy",
            LineKind.TIME: "time",
            LineKind.PARKING_TIME: "parking",
            LineKind.IDLE_FEE: "parking",
            LineKind.RESERVATION_FLAT: "res",
            LineKind.RESERVATION_TIME: "res",
        }

        def add_line(
            kind: LineKind,
            tariff_id: str,
            element: int | None,
            unit_price: Decimal,
            vat: Decimal | None,
            volume_out: Decimal,
            step_out: Decimal,
            scaled_excl: Decimal,
        ) -> None:
            scaled_incl = None if vat is None else scaled_excl * (_HUNDRED + vat) / _HUNDRED
            bucket = buckets[bucket_of[kind]]
            bucket[0] += scaled_excl
            if scaled_incl is None:
                if scaled_excl:
                    bucket[2] = False
            else:
                bucket[1] += scaled_incl
            sums = vat_sums.setdefault(vat, [ZERO, ZERO])
            sums[0] += scaled_excl
            if scaled_incl is not None:
                sums[1] += scaled_incl - scaled_excl
            lines.append(
                CostLine(
                    kind=kind,
                    tariff_id=tariff_id,
                    element=element,
                    unit_price=unit_price,
                    vat=vat,
                    volume=volume_out,
                    step_volume=step_out,
                    cost=_amount(scaled_excl, scaled_incl, currency, True),
                )
            )

        for item in items:
            add_line(*item)

        excl = sum((b[0] for b in buckets.values()), ZERO)
        incl_known = all(b[2] for b in buckets.values())
        incl = sum((b[1] for b in buckets.values()), ZERO) if incl_known else None
        uncapped = _amount(excl, incl, currency, incl_known)
        excl_c, incl_c, cap = _clamp(tariff, excl, incl)
        total_amount = _amount(excl_c, incl_c, currency, incl_c is not None)

        def bucket_amount(name: str) -> Amount:
            b = buckets[name]
            return _amount(b[0], b[1], currency, bool(b[2]))

        vat_lines = tuple(
            VatLine(
                rate,
                round_to_minor(sums[0] / _H, currency),
                None if rate is None else round_to_minor(sums[1] / _H, currency),
            )
            for rate, sums in sorted(
                vat_sums.items(), key=lambda kv: (kv[0] is None, kv[0] or ZERO)
            )
        )
        return CostBreakdown(
            tariff_id=tariff.id,
            currency=currency,
            lines=tuple(lines),
            periods=periods,
            total_cost=total_amount,
            total_fixed_cost=bucket_amount("fixed"),
            total_energy_cost=bucket_amount("energy"),
            total_time_cost=bucket_amount("time"),
            total_parking_cost=bucket_amount("parking"),
            total_reservation_cost=bucket_amount("res"),
            uncapped_cost=uncapped,
            cap=cap,
            total_energy_kwh=self.energy,
            total_time_s=total_time_s,
            total_charging_s=self.charging_s,
            total_parking_s=self.parking_s,
            idle_s=idle_s,
            vat_lines=vat_lines,
        )


def _round_up(volume: Decimal, step: int) -> Decimal:
    """The smallest multiple of step that is at least volume (volume >= 0)."""
    whole, rest = divmod(volume, step)
    return (whole + (1 if rest else 0)) * step


def _amount(
    scaled_excl: Decimal, scaled_incl: Decimal | None, currency: str, known: bool
) -> Amount:
    excl = round_to_minor(scaled_excl / _H, currency, Rounding.HALF_UP)
    if scaled_incl is None or not known:
        return Amount(excl, None)
    return Amount(excl, round_to_minor(scaled_incl / _H, currency, Rounding.HALF_UP))


def _clamp(
    tariff: Tariff, excl: Decimal, incl: Decimal | None
) -> tuple[Decimal, Decimal | None, str | None]:
    """min_price / max_price, on the exact (x3600) totals, excl. and incl. VAT separately."""
    cap = None
    for name, bound in (("min_price", tariff.min_price), ("max_price", tariff.max_price)):
        if bound is None:
            continue

        def too_far(value: Decimal, limit: Decimal, name: str = name) -> bool:
            return value < limit if name == "min_price" else value > limit

        b_excl = bound.excl_vat * _H
        new_excl = b_excl if too_far(excl, b_excl) else excl
        new_incl = incl
        if incl is not None:
            if bound.incl_vat is not None:
                b_incl = bound.incl_vat * _H
                new_incl = b_incl if too_far(incl, b_incl) else incl
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

    With explain=False the breakdown's `periods` is left empty (batch re-pricing).
    """
    if not pricer.tariff.is_valid_at(start):
        raise NoActiveTariff(f"tariff {pricer.tariff.id!r} is not valid at {start.isoformat()}")
    zone = _zone(tz)
    acc = _Accumulator(pricer)
    ctx = _Ctx()
    kwh = ZERO
    expired = bool(periods) and all(
        p.reservation_s and not p.energy_kwh and not p.time_s and not p.parking_s for p in periods
    )
    priced: list[PricedPeriod] = []
    n = len(periods)
    half_second = timedelta(microseconds=_US_PER_S // 2)
    for i, p in enumerate(periods):
        p_start = p.start
        p_end = periods[i + 1].start if i + 1 < n else end
        this = pricer
        if p.tariff_id is not None and extra_tariffs and p.tariff_id in extra_tariffs:
            this = extra_tariffs[p.tariff_id]
        if this.needs_local_time:
            local = p_start.astimezone(zone)
            ctx.tod = local.hour * 3600 + local.minute * 60 + local.second
            ctx.day = local.date()
            ctx.weekday = local.weekday()
        ctx.kwh = kwh
        ctx.elapsed_us = (p_start - start) // _ONE_US
        duration_s = (p_end - p_start + half_second) // _ONE_S
        time_s, parking_s = p.time_s, p.parking_s
        if time_s is None and parking_s is None and p.reservation_s is None:
            if p.energy_kwh > 0:
                time_s = duration_s
            else:
                parking_s = duration_s
        time_s = time_s or 0
        parking_s = parking_s or 0
        pmin, pmax = p.min_power_kw, p.max_power_kw
        if pmin is None:
            with localcontext(_CTX):
                average = p.energy_kwh * _H / time_s if time_s else ZERO
            pmin = pmax = average
        ctx.pmin, ctx.pmax = pmin, pmax
        ctx.cmin, ctx.cmax = p.min_current_a, p.max_current_a
        used: dict[str, int] = {}
        if p.reservation_s:
            rchoice = this.choose_reservation(ctx, expired)
            acc.account_reservation(rchoice, p.reservation_s, acc.slot(this))
            res_element = rchoice[_TIME]
            if res_element is not None:
                used["RESERVATION_TIME"] = res_element
        if not expired and (p.energy_kwh or time_s or parking_s or not p.reservation_s):
            choice = this.choose(ctx)
            flat_before = acc.flat_decided
            acc.account(choice, p.energy_kwh, time_s, parking_s, acc.slot(this))
            if explain:
                for dim, volume in (
                    (_ENERGY, p.energy_kwh),
                    (_TIME, time_s),
                    (_PARKING, parking_s),
                ):
                    element = choice[dim]
                    if volume and element is not None:
                        used[_CHOICE_NAMES[dim]] = element
                if not flat_before and acc.flat_decided and acc.flat is not None:
                    used["FLAT"] = acc.flat[1]
        kwh += p.energy_kwh
        if explain:
            priced.append(PricedPeriod(i, p_start, p_end, used))
    total_time_s = Decimal(microseconds(end - start)) / _US_PER_S
    return acc.result(total_time_s=total_time_s, periods=tuple(priced))


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
