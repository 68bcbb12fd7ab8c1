"""Batch re-pricing against a pure-Python peer engine, on the same CDRs.

The peer is "ocpi-tariffs-py" (import name `ocpi_tariffs`, pydantic models and a
`calculate_cdr_cost(cdr, tariff)` function). It is not a dependency of this project:
install ocpi-tariffs-py from its public repository into a separate virtualenv, e.g.

    python3 -m venv /tmp/peer-venv
    /tmp/peer-venv/bin/pip install <checkout of ocpi-tariffs-py>

and pass that interpreter with --peer-python. Without it the peer is run only if
`ocpi_tariffs` is importable here; otherwise only our figures are printed.

Both engines get the same JSON lines (`{"tariff": ..., "cdr": ..., "tz": ...}`, the
`kiosk tariff price --batch` input). The CDRs come from benchmarks/pricing.py's
generator, with the fields the peer's model requires added (`cdr_location.country`,
`total_energy`, `total_time`, `last_updated`); our decoder ignores them. Tariffs are
plain OCPI 2.2.1, in two sets:

- `mix`: benchmarks/pricing.py's five tariffs without the `x_kiosk` extensions. Some use
  features the peer does not implement (time windows past midnight, power and kWh
  restrictions, min/max price): it prices them all the same, differently.
- `common`: the same kinds of tariff rewritten with only features both implement (time
  windows split at midnight, duration instead of power/kWh tiers, no min/max price).

Timed, on one core, best of --reps:
- ours: `_batch_results` over the lines (what `kiosk tariff price --batch` runs, JSON
  decoding and encoding included); `price_batch` file to file; pricing only (decoded
  CDRs and compiled tariffs reused).
- peer: end to end (`model_validate_json` of each line, price, `model_dump_json`); with
  each tariff validated once per id (stdlib json + `Cdr.model_validate`); pricing only.

Agreement: our total_cost against the peer's, rounded half-up to the cent, excl. and
incl. VAT, with a likely reason for a few disagreements.

Run: .venv/bin/python benchmarks/pricing_peer.py [--cdrs N] [--seed S]
         [--peer-python /tmp/peer-venv/bin/python] [--profile]
Target: ours >= 2x the peer's end-to-end CDRs/s. Exits non-zero only on a crash.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import io
import json
import math
import os
import platform
import pstats
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pricing import cdr as make_cdr
from pricing import tariffs as kiosk_tariffs

from kiosk.domain.periods import CdrInput, decode_line
from kiosk.tariff_commands import _batch_results, _price, _PricerCache, price_batch

_CENT = Decimal("0.01")
_BASE = {"country_code": "DE", "party_id": "KIO", "last_updated": "2026-01-01T00:00:00Z"}
_WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]
_HOW_TO_GET_PEER = (
    "peer not run: install ocpi-tariffs-py from its public repository into a separate "
    "virtualenv (python3 -m venv /tmp/peer-venv; /tmp/peer-venv/bin/pip install "
    "<its checkout>) and pass --peer-python /tmp/peer-venv/bin/python"
)


# ----------------------------------------------------------------------- inputs


def _pc(kind: str, price: str, vat: str = "19", step: int = 1) -> dict[str, Any]:
    return {"type": kind, "price": Decimal(price), "vat": Decimal(vat), "step_size": step}


def mix_tariffs() -> list[dict[str, Any]]:
    """benchmarks/pricing.py's operator mix, as plain OCPI (extensions dropped)."""
    return [{k: v for k, v in t.items() if k != "x_kiosk"} for t in kiosk_tariffs()]


def common_tariffs() -> list[dict[str, Any]]:
    """The same kinds of tariff, using only what both engines implement."""
    return [
        {  # time of use: the night window split at midnight
            **_BASE,
            "id": "TOU-SPLIT",
            "currency": "EUR",
            "elements": [
                {
                    "price_components": [_pc("ENERGY", "0.29", step=100)],
                    "restrictions": {"start_time": "22:00"},
                },
                {
                    "price_components": [_pc("ENERGY", "0.29", step=100)],
                    "restrictions": {"end_time": "06:00"},
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
                        "day_of_week": _WEEKDAYS,
                    },
                },
            ],
        },
        {  # DC: start fee, duration tiers instead of power tiers, no max price
            **_BASE,
            "id": "DC-DURATION",
            "currency": "EUR",
            "elements": [
                {"price_components": [_pc("FLAT", "0.50")]},
                {
                    "price_components": [_pc("ENERGY", "0.49")],
                    "restrictions": {"max_duration": 1800},
                },
                {"price_components": [_pc("ENERGY", "0.59")]},
                {
                    "price_components": [_pc("TIME", "6.00", step=60)],
                    "restrictions": {"min_duration": 2700},
                },
            ],
        },
        {  # time-based AC with parking and step sizes; duration instead of kWh, no min price
            **_BASE,
            "id": "AC-DURATION",
            "currency": "EUR",
            "elements": [
                {
                    "price_components": [
                        _pc("TIME", "1.20", step=900),
                        _pc("PARKING_TIME", "2.00", step=900),
                    ],
                    "restrictions": {"max_duration": 3600},
                },
                {
                    "price_components": [
                        _pc("TIME", "2.40", step=600),
                        _pc("PARKING_TIME", "3.00", step=300),
                    ]
                },
            ],
        },
        {  # energy and a start fee
            **_BASE,
            "id": "ENERGY-FLAT",
            "currency": "EUR",
            "elements": [{"price_components": [_pc("ENERGY", "0.45"), _pc("FLAT", "0.35")]}],
        },
        {  # CHF, duration tiers (no local-time restriction: the peer has no zone for CH)
            **_BASE,
            "country_code": "CH",
            "id": "CH-DURATION",
            "currency": "CHF",
            "elements": [
                {
                    "price_components": [_pc("ENERGY", "0.55", vat="8.1")],
                    "restrictions": {"max_duration": 3600},
                },
                {"price_components": [_pc("ENERGY", "0.45", vat="8.1")]},
            ],
        },
    ]


TARIFF_SETS = {"mix": mix_tariffs, "common": common_tariffs}


class _DecimalEncoder(json.JSONEncoder):
    def default(self, o: object) -> Any:
        if isinstance(o, Decimal):
            return float(o)  # written once as the input text; both engines read it back exactly
        return super().default(o)


@dataclass
class Case:
    tariff: dict[str, Any]
    cdr: dict[str, Any]
    tz: str
    line: str


def _peer_fields(cdr: dict[str, Any], country: str) -> dict[str, Any]:
    """The CDR fields the peer's model requires; pricing ignores them in both engines."""
    energy = Decimal(0)
    time_h = Decimal(0)
    parking_h = Decimal(0)
    for period in cdr["charging_periods"]:
        for dim in period["dimensions"]:
            if dim["type"] == "ENERGY":
                energy += dim["volume"]
            elif dim["type"] == "TIME":
                time_h += dim["volume"]
            elif dim["type"] == "PARKING_TIME":
                parking_h += dim["volume"]
    return {
        **cdr,
        "cdr_location": {"id": "LOC1", "country": country},
        "total_energy": energy,
        "total_time": time_h + parking_h,
        "total_parking_time": parking_h,
        "last_updated": cdr["end_date_time"],
    }


def build_cases(count: int, seed: int, mix: str, tariff_set: str) -> list[Case]:
    rng = random.Random(seed)
    operators = TARIFF_SETS[tariff_set]()
    cases = []
    for _ in range(count):
        tariff = rng.choice(operators)
        swiss = tariff["currency"] == "CHF"
        tz = "Europe/Zurich" if swiss else "Europe/Berlin"
        cdr = _peer_fields(make_cdr(rng, tariff, mix), "CHE" if swiss else "DEU")
        line = json.dumps({"tariff": tariff, "cdr": cdr, "tz": tz}, cls=_DecimalEncoder)
        cases.append(Case(tariff, cdr, tz, line))
    return cases


# ------------------------------------------------------------------------- ours


@dataclass
class OurRun:
    batch: float  # CDRs/s through _batch_results
    file: float  # CDRs/s through price_batch, file to file
    pricing: float  # CDRs/s, pricing only
    totals: list[tuple[Decimal, Decimal | None] | None] = field(default_factory=list)


def _our_totals(texts: list[str]) -> list[tuple[Decimal, Decimal | None] | None]:
    out: list[tuple[Decimal, Decimal | None] | None] = []
    for text in texts:
        obj = json.loads(text)
        cost = obj.get("total_cost")
        if cost is None:
            out.append(None)
            continue
        incl = cost["incl_vat"]
        out.append((Decimal(cost["excl_vat"]), None if incl is None else Decimal(incl)))
    return out


def run_ours(lines: list[str], reps: int) -> OurRun:
    count = len(lines)
    best = 0.0
    texts: list[str] = []
    for _ in range(reps):
        cache = _PricerCache({})
        sink = io.StringIO()
        texts = []
        t0 = time.perf_counter()
        for text, _ok in _batch_results(iter(lines), cache):
            sink.write(text)
            texts.append(text)
        best = max(best, count / (time.perf_counter() - t0))

    best_file = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp, "in.jsonl"), Path(tmp, "out.jsonl")
        src.write_text("\n".join(lines) + "\n", encoding="utf-8")
        for _ in range(reps):
            t0 = time.perf_counter()
            price_batch(src, dst, out=sys.stdout, err=io.StringIO())
            best_file = max(best_file, count / (time.perf_counter() - t0))

    decoded: list[tuple[CdrInput, bytes | None, str | None, bytes | None]] = [
        decode_line(line) for line in lines
    ]
    best_pricing = 0.0
    for _ in range(reps):
        cache = _PricerCache({})
        for cdr, raw, tz, embedded in decoded[:10]:  # compile the tariffs outside the clock
            _price(raw, cdr, embedded, tz, cache, explain=False)
        t0 = time.perf_counter()
        for cdr, raw, tz, embedded in decoded:
            _price(raw, cdr, embedded, tz, cache, explain=False)
        best_pricing = max(best_pricing, count / (time.perf_counter() - t0))
    return OurRun(best, best_file, best_pricing, _our_totals(texts))


def our_cap(line: str) -> str | None:
    """min_price / max_price when our engine capped this CDR's total."""
    cdr, raw, tz, embedded = decode_line(line)
    return _price(raw, cdr, embedded, tz, _PricerCache({}), explain=False).cap


# ------------------------------------------------------------------------- peer

# Runs in the peer's interpreter: argv = lines file, reps, core (or -1).
_PEER_SNIPPET = r"""
import json, os, sys, time
from importlib import metadata
from typing import Optional
from pydantic import BaseModel
from ocpi_tariffs.v2_2_1.models import Cdr, Tariff
from ocpi_tariffs.v2_2_1.tariff_calculator import calculate_cdr_cost

path, reps, core = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if core >= 0 and hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {core})

class Line(BaseModel):
    tariff: Tariff
    cdr: Cdr
    tz: Optional[str] = None

with open(path, "rb") as f:
    lines = f.read().splitlines()
n = len(lines)

def end_to_end():
    out = []
    for raw in lines:
        try:
            item = Line.model_validate_json(raw)
            out.append(calculate_cdr_cost(item.cdr, item.tariff).model_dump_json())
        except Exception as exc:
            out.append(json.dumps({"error": repr(exc)}))
    return out

def tariff_once():
    cache = {}
    out = []
    for raw in lines:
        try:
            obj = json.loads(raw)
            t = obj["tariff"]
            key = (t["id"], t["last_updated"])
            tariff = cache.get(key)
            if tariff is None:
                tariff = cache[key] = Tariff.model_validate(t)
            out.append(calculate_cdr_cost(Cdr.model_validate(obj["cdr"]), tariff))
        except Exception as exc:
            out.append(exc)
    return out

parsed = []
for raw in lines:
    try:
        item = Line.model_validate_json(raw)
        parsed.append((item.cdr, item.tariff))
    except Exception:
        pass

def pricing_only():
    for cdr, tariff in parsed:
        try:
            calculate_cdr_cost(cdr, tariff)
        except Exception:
            pass

def best(fn, count):
    top, result = 0.0, None
    for _ in range(reps):
        t0 = time.perf_counter()
        result = fn()
        top = max(top, count / (time.perf_counter() - t0))
    return top, result

e2e, texts = best(end_to_end, n)
once, _ = best(tariff_once, n)
only, _ = best(pricing_only, len(parsed)) if parsed else (0.0, None)
totals = []
for text in texts:
    obj = json.loads(text)
    totals.append(None if "error" in obj else [obj["excl_vat"], obj["incl_vat"]])
errors = [json.loads(t)["error"] for t in texts if "error" in json.loads(t)]
print(json.dumps({
    "python": sys.version.split()[0],
    "pydantic": metadata.version("pydantic"),
    "peer_version": metadata.version("ocpi-tariffs"),
    "end_to_end": e2e, "tariff_once": once, "pricing_only": only,
    "totals": totals, "errors": errors[:3], "error_count": len(errors),
}))
"""


@dataclass
class PeerRun:
    end_to_end: float
    tariff_once: float
    pricing: float
    totals: list[tuple[Decimal, Decimal | None] | None]
    versions: str
    errors: list[str]
    error_count: int


def _peer_interpreter(requested: str | None) -> str | None:
    if requested:
        return requested
    return sys.executable if importlib.util.find_spec("ocpi_tariffs") else None


def run_peer(python: str, lines: list[str], reps: int, core: int) -> PeerRun:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "in.jsonl")
        src.write_text("\n".join(lines) + "\n", encoding="utf-8")
        proc = subprocess.run(
            [python, "-c", _PEER_SNIPPET, str(src), str(reps), str(core)],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"peer run failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    data = json.loads(proc.stdout)
    totals: list[tuple[Decimal, Decimal | None] | None] = []
    for item in data["totals"]:
        if item is None:
            totals.append(None)
        else:
            excl, incl = item
            totals.append((Decimal(excl), None if incl is None else Decimal(incl)))
    versions = (
        f"ocpi-tariffs {data['peer_version']}, pydantic {data['pydantic']}, python {data['python']}"
    )
    return PeerRun(
        data["end_to_end"],
        data["tariff_once"],
        data["pricing_only"],
        totals,
        versions,
        data["errors"],
        data["error_count"],
    )


# -------------------------------------------------------------------- agreement


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _periods(cdr: dict[str, Any]) -> Iterator[tuple[datetime, dict[str, Decimal]]]:
    for period in cdr["charging_periods"]:
        start = datetime.fromisoformat(period["start_date_time"].replace("Z", "+00:00"))
        yield start, {d["type"]: d["volume"] for d in period["dimensions"]}


def likely_reasons(case: Case, cap: str | None) -> list[str]:
    """Which known difference between the engines this CDR touches (a heuristic)."""
    reasons: list[str] = []
    zone = ZoneInfo(case.tz)
    periods = list(_periods(case.cdr))
    restrictions = [el.get("restrictions") or {} for el in case.tariff["elements"]]
    components = [pc for el in case.tariff["elements"] for pc in el["price_components"]]
    local = [f"{start.astimezone(zone):%H:%M}" for start, _ in periods]
    for r in restrictions:
        s, e = r.get("start_time"), r.get("end_time")
        if s and e and s > e and any(t >= s or t < e for t in local):
            reasons.append(f"window {s}-{e} wraps midnight: the peer never matches it")
            break
    if any("min_power" in r or "max_power" in r for r in restrictions):
        limit = min(r["max_power"] for r in restrictions if "max_power" in r)
        if any(dims.get("MAX_POWER", Decimal(0)) >= limit for _, dims in periods):
            reasons.append("power tiers: the peer ignores min/max_power")
    kwh_limits = [r[k] for r in restrictions for k in ("min_kwh", "max_kwh") if k in r]
    if kwh_limits:
        before = Decimal(0)
        for _, dims in periods:
            if before >= min(kwh_limits):
                reasons.append("kWh tiers: the peer ignores min/max_kwh")
                break
            before += dims.get("ENERGY", Decimal(0))
    if cap is not None:
        reasons.append(f"{cap} applied by ours: the peer ignores min_price/max_price")
    time_steps = [pc["step_size"] for pc in components if pc["type"] == "TIME"]
    has_time = any(dims.get("TIME", 0) for _, dims in periods)
    has_parking = any(dims.get("PARKING_TIME", 0) for _, dims in periods)
    if has_time and has_parking and any(step > 1 for step in time_steps):
        reasons.append(
            "TIME and PARKING_TIME both used with step sizes: OCPI's combined step rule "
            "(mod_cdrs: round only the parking total), read differently by the engines"
        )
    energy_kinds = {(pc["price"], pc["step_size"]) for pc in components if pc["type"] == "ENERGY"}
    if len(energy_kinds) > 1 and not periods[-1][1].get("ENERGY"):
        reasons.append(
            "the last period has no energy: the peer takes the ENERGY step price from it"
        )
    session_start = datetime.fromisoformat(case.cdr["start_date_time"].replace("Z", "+00:00"))
    for kind in ("TIME", "PARKING_TIME"):
        for element, r in zip(case.tariff["elements"], restrictions, strict=True):
            steps = [
                pc["step_size"]
                for pc in element["price_components"]
                if pc["type"] == kind and pc["step_size"] > 1
            ]
            if not steps:
                continue
            # the volumes this element may have priced (its duration restrictions only)
            lo, hi = r.get("min_duration", 0), r.get("max_duration", 10**9)
            given = [
                dims[kind]
                for start, dims in periods
                if dims.get(kind) and lo <= (start - session_start).total_seconds() < hi
            ]
            exact_s = sum(given, Decimal(0)) * 3600  # the peer's volume, in seconds
            whole_s = sum(int(h * 3600 + Decimal("0.5")) for h in given)  # ours: whole seconds
            if math.ceil(exact_s / steps[0]) != math.ceil(Decimal(whole_s) / steps[0]):
                reasons.append(
                    f"{kind} in 6-place hours sums to just over whole steps: the peer rounds "
                    "up one step more, ours counts whole seconds first"
                )
                break
    return reasons or ["other (rounding: peer 4 places half-even, ours exact then cents)"]


@dataclass
class Agreement:
    both: int
    excl: int
    incl: int
    compared: int
    reasons: Counter[str]
    examples: list[str]


def compare(cases: list[Case], ours: OurRun, peer: PeerRun, show: int = 5) -> Agreement:
    both = excl = incl = compared = 0
    reasons: Counter[str] = Counter()
    examples: list[str] = []
    for case, mine, theirs in zip(cases, ours.totals, peer.totals, strict=True):
        if mine is None or theirs is None:
            continue
        compared += 1
        ok_excl = mine[0] == _cents(theirs[0])
        ok_incl = mine[1] == _cents(theirs[1])
        excl += ok_excl
        incl += ok_incl
        both += ok_excl and ok_incl
        if ok_excl and ok_incl:
            continue
        why = likely_reasons(case, our_cap(case.line))
        reasons.update(why)
        if len(examples) < show:
            examples.append(
                f"{case.cdr['id']} {case.tariff['id']} "
                f"({len(case.cdr['charging_periods'])} periods): "
                f"ours {mine[0]}/{mine[1]}, peer {theirs[0]}/{theirs[1]} (excl/incl) "
                f"- {'; '.join(why)}"
            )
    return Agreement(both, excl, incl, compared, reasons, examples)


# ------------------------------------------------------------------------ report


def profile_ours(lines: list[str], top: int = 15) -> None:
    profiler = cProfile.Profile()
    cache = _PricerCache({})
    profiler.enable()
    for _text, _ok in _batch_results(iter(lines), cache):
        pass
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(top)
    print(stream.getvalue())


def bench(
    count: int, seed: int, mix: str, tariff_set: str, reps: int, peer_python: str | None, core: int
) -> None:
    cases = build_cases(count, seed, mix, tariff_set)
    lines = [case.line for case in cases]
    per_cdr = sum(len(c.cdr["charging_periods"]) for c in cases) / count
    print(f"\n== {tariff_set} tariffs, {mix} mix: {count} CDRs, {per_cdr:.1f} periods avg")
    ours = run_ours(lines, reps)
    failed = sum(t is None for t in ours.totals)
    print(
        f"ours: {ours.batch:,.0f} CDRs/s batch path (_batch_results), "
        f"{ours.file:,.0f} CDRs/s price_batch file to file, "
        f"{ours.pricing:,.0f} CDRs/s pricing only" + (f"; {failed} CDRs failed" if failed else "")
    )
    if peer_python is None:
        print(_HOW_TO_GET_PEER)
        return
    peer = run_peer(peer_python, lines, reps, core)
    print(
        f"peer: {peer.end_to_end:,.0f} CDRs/s end to end, "
        f"{peer.tariff_once:,.0f} CDRs/s with each tariff validated once, "
        f"{peer.pricing:,.0f} CDRs/s pricing only ({peer.versions})"
    )
    if peer.error_count:
        print(f"peer errors: {peer.error_count}, e.g. {peer.errors}")
    ratio = ours.batch / peer.end_to_end
    verdict = "met" if ratio >= 2 else "MISSED"
    print(
        f"ratio ours/peer: {ratio:.2f}x end to end (target >= 2x: {verdict}); "
        f"{ours.batch / peer.tariff_once:.2f}x vs the peer with tariffs validated once; "
        f"{ours.pricing / peer.pricing:.2f}x pricing only"
    )
    agree = compare(cases, ours, peer)
    n = agree.compared
    print(
        f"agreement to the cent on total_cost: {agree.both}/{n} both "
        f"({agree.both / n:.1%}); excl. VAT {agree.excl}/{n}, incl. VAT {agree.incl}/{n}"
    )
    for reason, times in agree.reasons.most_common():
        print(f"  {times:6d} x {reason}")
    for example in agree.examples:
        print(f"  e.g. {example}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cdrs", type=int, default=4_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reps", type=int, default=3, help="best of this many runs")
    parser.add_argument(
        "--peer-python",
        help="interpreter of a virtualenv where ocpi-tariffs-py is installed",
    )
    parser.add_argument("--core", type=int, help="CPU to pin to (default: the lowest allowed)")
    parser.add_argument("--mix", choices=["realistic", "uniform", "both"], default="both")
    parser.add_argument("--tariffs", choices=["mix", "common", "both"], default="both")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile our batch path (realistic mix)"
    )
    args = parser.parse_args()
    core = -1
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0)) if args.core is None else args.core
        os.sched_setaffinity(0, {core})  # one core; the peer's process is pinned to it too
    print(f"pricing vs peer (one core, python {platform.python_version()})")
    peer_python = _peer_interpreter(args.peer_python)
    mixes = ["realistic", "uniform"] if args.mix == "both" else [args.mix]
    sets = ["mix", "common"] if args.tariffs == "both" else [args.tariffs]
    for tariff_set in sets:
        for mix in mixes:
            bench(args.cdrs, args.seed, mix, tariff_set, args.reps, peer_python, core)
    if args.profile:
        print(f"\n== cProfile, our batch path, {sets[0]} tariffs, realistic mix, by tottime")
        profile_ours([c.line for c in build_cases(args.cdrs, args.seed, "realistic", sets[0])])


if __name__ == "__main__":
    main()
