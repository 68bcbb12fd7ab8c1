"""Pricing benchmark: batch re-pricing throughput and live cost per meter sample.

(a) `kiosk tariff price --batch` path in CDRs per second, JSON parsing included, on a
    seeded mix of realistic tariffs (time of use, power tiers, parking, step sizes,
    customer groups, idle fee) and CDRs of 1-50 periods.
(b) LiveCost: microseconds per meter sample over a 12-hour session sampled every
    second (43,200 samples), reported per hour to show it stays flat.

Run: .venv/bin/python benchmarks/pricing.py [--cdrs N] [--seed S]
Targets on one core: >= 25,000 CDRs/s (realistic mix), <= 20 us per sample.
The header says whether kiosk/domain/pricing.py and periods.py run compiled (mypyc,
setup.py) or from source; for the pure-Python figures install with KIOSK_NO_COMPILE=1
(`pip install -e .`).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from kiosk.domain import periods, pricing
from kiosk.domain.pricing import LiveCost, TariffPricer
from kiosk.domain.tariff import parse_tariff
from kiosk.tariff_commands import _batch_results, _PricerCache

_BASE = {"country_code": "DE", "party_id": "KIO", "last_updated": "2026-01-01T00:00:00Z"}


def _pc(kind: str, price: str, vat: str = "19", step: int = 1) -> dict[str, Any]:
    return {"type": kind, "price": Decimal(price), "vat": Decimal(vat), "step_size": step}


def tariffs() -> list[dict[str, Any]]:
    """A realistic mix of what operators run."""
    return [
        {  # time of use with an evening peak, parking during the day
            **_BASE,
            "id": "TOU",
            "currency": "EUR",
            "elements": [
                {
                    "price_components": [_pc("ENERGY", "0.29", step=100)],
                    "restrictions": {"start_time": "22:00", "end_time": "06:00"},
                },
                {
                    "price_components": [_pc("ENERGY", "0.49", step=100)],
                    "restrictions": {"start_time": "17:00", "end_time": "20:00"},
                },
                {"price_components": [_pc("ENERGY", "0.39", step=100)]},
                {
                    "price_components": [_pc("PARKING_TIME", "6.00", step=300)],
                    "restrictions": {
                        "start_time": "09:00",
                        "end_time": "18:00",
                        "day_of_week": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
                    },
                },
            ],
        },
        {  # DC power tiers with a start fee and a max price
            **_BASE,
            "id": "DC-TIERS",
            "currency": "EUR",
            "max_price": {"excl_vat": Decimal("60.00"), "incl_vat": Decimal("71.40")},
            "elements": [
                {"price_components": [_pc("FLAT", "0.50")]},
                {
                    "price_components": [_pc("ENERGY", "0.49")],
                    "restrictions": {"max_power": Decimal(50)},
                },
                {
                    "price_components": [_pc("ENERGY", "0.59")],
                    "restrictions": {"min_power": Decimal(50), "max_power": Decimal(150)},
                },
                {"price_components": [_pc("ENERGY", "0.69")]},
                {
                    "price_components": [_pc("TIME", "6.00", step=60)],
                    "restrictions": {"min_duration": 2700},
                },
            ],
        },
        {  # time-based AC with parking and step sizes, min price
            **_BASE,
            "id": "AC-TIME",
            "currency": "EUR",
            "min_price": {"excl_vat": Decimal("1.00")},
            "elements": [
                {
                    "price_components": [
                        _pc("TIME", "1.20", step=900),
                        _pc("PARKING_TIME", "2.00", step=900),
                    ],
                    "restrictions": {"max_kwh": Decimal(10)},
                },
                {
                    "price_components": [
                        _pc("TIME", "2.40", step=600),
                        _pc("PARKING_TIME", "3.00", step=300),
                    ]
                },
            ],
        },
        {  # member groups and an idle fee (our extensions)
            **_BASE,
            "id": "MEMBERS",
            "currency": "EUR",
            "x_kiosk": {
                "idle_fee": {
                    "price_per_minute": Decimal("0.40"),
                    "vat": Decimal(19),
                    "grace_minutes": 15,
                    "max_fee": Decimal("12.00"),
                },
                "customer_groups": {
                    "member": {"discount_percent": Decimal(10)},
                    "staff": {"energy_discount_per_kwh": Decimal("0.20")},
                },
            },
            "elements": [
                {"price_components": [_pc("ENERGY", "0.45"), _pc("FLAT", "0.35")]},
            ],
        },
        {  # CHF, kWh tiers
            **_BASE,
            "country_code": "CH",
            "id": "CH-KWH",
            "currency": "CHF",
            "elements": [
                {
                    "price_components": [_pc("ENERGY", "0.55", vat="8.1")],
                    "restrictions": {"max_kwh": Decimal(20)},
                },
                {"price_components": [_pc("ENERGY", "0.45", vat="8.1")]},
            ],
        },
    ]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def period_count(rng: random.Random, mix: str) -> int:
    """Periods per CDR: `uniform` 1-50, or `realistic`.

    Realistic: most sessions are a plain AC charge and an idle tail (1-3 periods);
    time-of-use boundaries and DC power tiers give 4-10; long or tier-hopping DC
    sessions 11-25; a few pathological ones up to 50.
    """
    if mix == "uniform":
        return rng.randint(1, 50)
    bucket = rng.random()
    if bucket < 0.40:
        return rng.randint(1, 3)
    if bucket < 0.75:
        return rng.randint(4, 10)
    if bucket < 0.95:
        return rng.randint(11, 25)
    return rng.randint(26, 50)


def cdr(rng: random.Random, tariff: dict[str, Any], mix: str) -> dict[str, Any]:
    start = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 60 * 24 * 200))
    n = period_count(rng, mix)
    at = start
    periods = []
    for i in range(n):
        minutes = rng.randint(1, 30)
        parking = i == n - 1 and rng.random() < 0.5
        dims: list[dict[str, Any]] = []
        hours = Decimal(minutes) / 60
        if parking:
            dims.append({"type": "PARKING_TIME", "volume": round(hours, 6)})
            dims.append({"type": "ENERGY", "volume": Decimal(0)})
        else:
            power = Decimal(rng.choice([7, 11, 22, 45, 90, 140, 160]))
            dims.append({"type": "ENERGY", "volume": round(power * hours, 4)})
            dims.append({"type": "TIME", "volume": round(hours, 6)})
            dims.append({"type": "MAX_POWER", "volume": power})
            dims.append({"type": "MIN_POWER", "volume": power})
        periods.append({"start_date_time": _iso(at), "dimensions": dims})
        at += timedelta(minutes=minutes)
    return {
        "id": f"CDR{rng.randrange(10**9)}",
        "start_date_time": _iso(start),
        "end_date_time": _iso(at),
        "currency": tariff["currency"],
        "charging_periods": periods,
    }


class _DecimalEncoder(json.JSONEncoder):
    def default(self, o: object) -> Any:
        if isinstance(o, Decimal):
            return float(o)  # only to write the benchmark's input file: parsed back as Decimal
        return super().default(o)


def batch_lines(count: int, seed: int, mix: str = "uniform") -> list[str]:
    rng = random.Random(seed)
    operators = tariffs()
    lines = []
    for _ in range(count):
        tariff = rng.choice(operators)
        tz = "Europe/Zurich" if tariff["currency"] == "CHF" else "Europe/Berlin"
        item = {"tariff": tariff, "cdr": cdr(rng, tariff, mix), "tz": tz}
        lines.append(json.dumps(item, cls=_DecimalEncoder))
    return lines


def bench_batch(count: int, seed: int, mix: str) -> float:
    lines = batch_lines(count, seed, mix)
    periods = sum(line.count("start_date_time") - 1 for line in lines)
    best = 0.0
    for _ in range(3):
        cache = _PricerCache({})
        sink = io.StringIO()
        t0 = time.perf_counter()
        errors = 0
        for text, ok in _batch_results(iter(lines), cache):
            sink.write(text)
            errors += not ok
        elapsed = time.perf_counter() - t0
        if errors:
            raise SystemExit(f"{errors} CDRs failed to price")
        best = max(best, count / elapsed)
    per_cdr = periods / count
    print(
        f"batch re-pricing, {mix} mix: {best:,.0f} CDRs/s "
        f"({count} CDRs, {per_cdr:.1f} periods avg, {best * per_cdr:,.0f} periods/s)"
    )
    return best


def bench_live() -> tuple[float, list[float]]:
    tariff = parse_tariff(tariffs()[0])  # time of use: boundaries at 17:00, 20:00, 22:00, 06:00
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    live = LiveCost(TariffPricer(tariff), tz="Europe/Berlin", start=start)
    per_hour: list[float] = []
    energy = Decimal(0)
    power = Decimal("11.0")
    step = power * 1000 / 3600  # Wh per second
    samples = 12 * 3600
    t_all = time.perf_counter()
    t_hour = t_all
    for s in range(1, samples + 1):
        charging = s < 11 * 3600  # the last hour parked: the car is full
        if charging:
            energy += step
        live.add_sample(
            start + timedelta(seconds=s),
            energy.quantize(Decimal("0.001")),
            power if charging else Decimal(0),
        )
        live.cost()  # the screen asks for the running cost every second
        if s % 3600 == 0:
            now = time.perf_counter()
            per_hour.append((now - t_hour) / 3600 * 1e6)
            t_hour = now
    mean = (time.perf_counter() - t_all) / samples * 1e6
    hours = " ".join(f"{v:.1f}" for v in per_hour)
    print(f"live cost: {mean:.1f} us per sample over {samples} samples (add + cost)")
    print(f"  per hour (us/sample): {hours}")
    print(f"  flatness: last hour / first hour = {per_hour[-1] / per_hour[0]:.2f}")
    print(f"  periods recorded: {len(live.periods())}, cost {live.cost().incl_vat} EUR")
    return mean, per_hour


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cdrs", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says
    compiled = not pricing.__file__.endswith(".py") and not periods.__file__.endswith(".py")
    implementation = "compiled (mypyc)" if compiled else "pure Python (from source)"
    print(f"pricing benchmark (one core, python {platform.python_version()}, {implementation})")
    bench_batch(args.cdrs, args.seed, "realistic")
    bench_batch(args.cdrs, args.seed, "uniform")
    _, per_hour = bench_live()
    print(f"median hour: {statistics.median(per_hour):.1f} us/sample")


if __name__ == "__main__":
    main()
