"""What an example charge would cost now, for the price screen.

Drivers compare per-kWh, per-minute and session prices badly; one worked example in
money ("20 kWh at 11 kW, starting now: about €8.90") answers what they want to know.
It is priced by the same engine that bills (LiveCost, minute by minute, in the
station's time zone), so time-of-use steps, minimum prices and caps are all in it;
it is an estimate only because the car decides its power.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from zoneinfo import ZoneInfo

from kiosk.domain.pricing import Amount, LiveCost, TariffPricer
from kiosk.domain.tariff import Tariff
from kiosk.domain.tariff_text import PriceLine, TariffDescription

__all__ = [
    "ExampleCharge",
    "ExampleEstimate",
    "RateChange",
    "current_lines",
    "estimate_example",
    "example_charge",
    "price_example",
    "rate_changes",
]

_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class ExampleCharge:
    energy_kwh: Decimal
    power_kw: Decimal

    @property
    def minutes(self) -> int:
        """Whole minutes to deliver the energy at the power (rounded up)."""
        exact = self.energy_kwh * 60 / self.power_kw
        return int(exact.to_integral_value(rounding=ROUND_CEILING))


def example_charge(power_type: str, max_power_kw: Decimal) -> ExampleCharge:
    """A typical charge for this connector: 20 kWh at 11 kW on AC (what most cars take
    from a 22 kW point), 40 kWh at 100 kW on DC; never above the connector's rating."""
    if power_type == "DC":
        return ExampleCharge(Decimal(40), min(Decimal(100), max_power_kw))
    return ExampleCharge(Decimal(20), min(Decimal(11), max_power_kw))


@dataclass(frozen=True, slots=True)
class RateChange:
    """During the example charge, another element starts to price a dimension."""

    at: datetime  # UTC, the first minute priced by the new element
    dimension: str  # "ENERGY", "TIME", "PARKING_TIME", "FLAT"
    element: int | None  # the element pricing it from then on; None: nothing does


@dataclass(frozen=True, slots=True)
class ExampleEstimate:
    cost: Amount
    start: frozenset[tuple[str, int]]  # (dimension, element) pricing the first minute
    changes: tuple[RateChange, ...]  # in time order


def estimate_example(
    tariff: Tariff, charge: ExampleCharge, *, start: datetime, tz: str
) -> ExampleEstimate:
    """`charge` starting at `start` (constant power, unplugged when full), priced by the
    billing engine: its cost, the elements that price it now, and when they change."""
    live = LiveCost(TariffPricer(tariff), tz=ZoneInfo(tz), start=start)
    per_minute_wh = charge.power_kw * 1000 / 60
    total_wh = charge.energy_kwh * 1000
    delivered = Decimal(0)
    at = start
    while delivered < total_wh:
        delivered = min(total_wh, delivered + per_minute_wh)
        at += _MINUTE
        live.add_sample(at, delivered, charge.power_kw)
    periods = live.breakdown().periods
    first = dict(periods[0].elements) if periods else {}
    changes: list[RateChange] = []
    for before, after in itertools.pairwise(periods):
        for dim in sorted(before.elements.keys() | after.elements.keys()):
            if before.elements.get(dim) != after.elements.get(dim):
                changes.append(RateChange(after.start, dim, after.elements.get(dim)))
    return ExampleEstimate(
        cost=live.cost(),
        start=frozenset(first.items()),
        changes=tuple(changes),
    )


def price_example(tariff: Tariff, charge: ExampleCharge, *, start: datetime, tz: str) -> Amount:
    """The cost of `charge` starting at `start`: constant power, unplugged when full."""
    return estimate_example(tariff, charge, start=start, tz=tz).cost


def _alternatives(description: TariffDescription) -> set[str]:
    """Kinds with more than one priced line: only there does "now" tell the driver anything."""
    seen: dict[str, int] = {}
    for line in description.lines:
        if line.element_index is not None:
            seen[line.kind.value] = seen.get(line.kind.value, 0) + 1
    return {kind for kind, count in seen.items() if count > 1}


def current_lines(description: TariffDescription, estimate: ExampleEstimate) -> frozenset[int]:
    """Indexes into `description.lines` of the rates a charge starting now pays first
    (time of day and the example's power tier); none where a kind has one rate only."""
    choose = _alternatives(description)
    return frozenset(
        i
        for i, line in enumerate(description.lines)
        if line.kind.value in choose
        and line.element_index is not None
        and (line.kind.value, line.element_index) in estimate.start
    )


def rate_changes(
    description: TariffDescription, estimate: ExampleEstimate
) -> tuple[tuple[datetime, PriceLine], ...]:
    """When a rate the driver sees changes during the example charge, and the line it
    changes to (UTC times; changes to an element without a shown line are left out)."""
    choose = _alternatives(description)
    out: list[tuple[datetime, PriceLine]] = []
    for change in estimate.changes:
        if change.dimension not in choose or change.element is None:
            continue
        for line in description.lines:
            if line.kind.value == change.dimension and line.element_index == change.element:
                out.append((change.at, line))
                break
    return tuple(out)
