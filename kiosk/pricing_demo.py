"""A headless demo of the pricing engine on the sample tariffs in assets/tariffs.

For each tariff it shows the price text a driver would read, then charges a
plausible session minute by minute through LiveCost (the running cost the screen
shows), and finally the bill, checked against the batch engine to the cent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TextIO

from kiosk.domain import jsonio
from kiosk.domain.pricing import LiveCost, TariffPricer, price_session, select_tariff
from kiosk.domain.tariff import Tariff, TariffError, parse_tariffs
from kiosk.domain.tariff_text import describe
from kiosk.paths import assets_dir
from kiosk.tariff_commands import render_breakdown

__all__ = ["run"]

_START = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)


def _session(tariff: Tariff, tz: str, power_kw: Decimal, minutes: int, park: int) -> LiveCost:
    live = LiveCost(TariffPricer(tariff), tz=tz, start=_START)
    energy_wh = Decimal(0)
    for minute in range(1, minutes + park + 1):
        charging = minute <= minutes
        if charging:
            energy_wh += power_kw * 1000 / 60
        live.add_sample(
            _START + timedelta(minutes=minute),
            energy_wh.quantize(Decimal("0.1")),
            power_kw if charging else Decimal(0),
        )
    return live


def run(*, tz: str, out: TextIO) -> int:
    folder = assets_dir() / "tariffs"
    files = sorted(folder.glob("*.json"))
    if not files:
        out.write(f"no sample tariffs in {folder}\n")
        return 1
    for path in files:
        try:
            tariffs = parse_tariffs(jsonio.loads(path.read_bytes()))
        except (TariffError, jsonio.JsonInputError) as exc:
            out.write(f"{path.name}: invalid: {exc}\n")
            return 1
        tariff = select_tariff(tariffs, _START)
        out.write(f"\n=== {path.name}: {tariff.id} ===\n")
        for language in ("en", "de"):
            out.write(f"  [{language}] {describe(tariff, language).summary}\n")
        power = Decimal(150) if "dc" in path.name else Decimal(11)
        live = _session(tariff, tz, power, minutes=45, park=25)
        batch = price_session(
            live.periods(),
            start=_START,
            end=live.last_sample_at,
            tz=tz,
            pricer=TariffPricer(tariff),
        )
        out.write(
            f"  live cost after {len(live.periods())} periods: {live.cost().incl_vat} "
            f"(batch price: {batch.total_cost.incl_vat})\n"
        )
        for line in render_breakdown(batch).splitlines():
            out.write(f"  {line}\n")
        if live.cost() != batch.total_cost:
            out.write("  MISMATCH between live cost and batch price\n")
            return 1
    return 0
