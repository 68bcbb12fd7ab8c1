"""What an example charge would cost now, for the price screen.

Drivers compare per-kWh, per-minute and session prices badly; one worked example in
money ("20 kWh at 11 kW, starting now: about €8.90") answers what they want to know.
It is priced by the same engine that bills (LiveCost, minute by minute, in the
station's time zone), so time-of-use steps, minimum prices and caps are all in it;
it is an estimate only because the car decides its power.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from zoneinfo import ZoneInfo

from kiosk.domain.pricing import Amount, LiveCost, TariffPricer
from kiosk.domain.tariff import Tariff

__all__ = ["ExampleCharge", "example_charge", "price_example"]

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


def price_example(tariff: Tariff, charge: ExampleCharge, *, start: datetime, tz: str) -> Amount:
    """The cost of `charge` starting at `start`: constant power, unplugged when full."""
    live = LiveCost(TariffPricer(tariff), tz=ZoneInfo(tz), start=start)
    per_minute_wh = charge.power_kw * 1000 / 60
    total_wh = charge.energy_kwh * 1000
    delivered = Decimal(0)
    at = start
    while delivered < total_wh:
        delivered = min(total_wh, delivered + per_minute_wh)
        at += _MINUTE
        live.add_sample(at, delivered, charge.power_kw)
    return live.cost()
