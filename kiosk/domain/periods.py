"""OCPI charging periods: what the pricing engine prices, parsed from and written to JSON.

A period holds the volumes of one stretch of a session in which no tariff condition
changed. Times are whole seconds (the OCPI step_size unit for time), energy is exact kWh.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from kiosk.domain.tariff import Problem, TariffError, parse_datetime

__all__ = [
    "CDR_DIMENSIONS",
    "CdrInput",
    "ChargingPeriod",
    "hours",
    "parse_cdr",
    "period_to_json",
    "seconds_from_hours",
]

ZERO: Final = Decimal(0)
_SECONDS_PER_HOUR: Final = Decimal(3600)
_ONE: Final = Decimal(1)
_US: Final = timedelta(microseconds=1)

CDR_DIMENSIONS: Final = frozenset(
    {
        "CURRENT",
        "ENERGY",
        "ENERGY_EXPORT",
        "ENERGY_IMPORT",
        "MAX_CURRENT",
        "MIN_CURRENT",
        "MAX_POWER",
        "MIN_POWER",
        "PARKING_TIME",
        "POWER",
        "RESERVATION_TIME",
        "STATE_OF_CHARGE",
        "TIME",
    }
)


@dataclass(frozen=True, slots=True)
class ChargingPeriod:
    """One OCPI ChargingPeriod, reduced to what pricing needs.

    time_s / parking_s / reservation_s are None when the CDR did not give that
    dimension; the engine then derives it from the period's duration.
    """

    start: datetime  # aware, UTC
    energy_kwh: Decimal = ZERO
    time_s: int | None = None
    parking_s: int | None = None
    reservation_s: int | None = None
    min_power_kw: Decimal | None = None
    max_power_kw: Decimal | None = None
    min_current_a: Decimal | None = None
    max_current_a: Decimal | None = None
    state_of_charge: Decimal | None = None
    tariff_id: str | None = None


@dataclass(frozen=True, slots=True)
class CdrInput:
    start: datetime
    end: datetime
    currency: str | None
    periods: tuple[ChargingPeriod, ...]
    tariffs: tuple[Any, ...]  # raw tariff objects embedded in the CDR, parsed by the caller


def seconds_from_hours(value: Decimal) -> int:
    """Hours (an OCPI time volume) to whole seconds, half-up."""
    return int((value * _SECONDS_PER_HOUR).quantize(_ONE, rounding=ROUND_HALF_UP))


def hours(seconds: int) -> Decimal:
    """Whole seconds as hours, with enough digits to convert back exactly."""
    return (Decimal(seconds) / _SECONDS_PER_HOUR).quantize(Decimal("1E-9"), rounding=ROUND_HALF_UP)


def microseconds(delta: timedelta) -> int:
    return delta // _US


def _number(value: object, path: str, problems: list[Problem]) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        problems.append(Problem(path, f"must be a number, got {value!r}"))
        return None
    number = Decimal(value)
    if not number.is_finite() or number < 0:
        problems.append(Problem(path, f"must be a finite number ≥ 0, got {value}"))
        return None
    return number


def _period(raw: object, path: str, problems: list[Problem]) -> ChargingPeriod | None:
    if not isinstance(raw, dict):
        problems.append(Problem(path, "must be an object"))
        return None
    start_raw = raw.get("start_date_time")
    try:
        start = parse_datetime(start_raw)
    except ValueError as exc:
        problems.append(Problem(f"{path}.start_date_time", str(exc)))
        return None
    dims = raw.get("dimensions")
    if not isinstance(dims, list) or not dims:
        problems.append(Problem(f"{path}.dimensions", "must be a non-empty list"))
        return None
    values: dict[str, Decimal] = {}
    ok = True
    for j, dim in enumerate(dims):
        dp = f"{path}.dimensions[{j}]"
        if not isinstance(dim, dict):
            problems.append(Problem(dp, "must be an object"))
            ok = False
            continue
        kind = dim.get("type")
        if kind not in CDR_DIMENSIONS:
            problems.append(Problem(f"{dp}.type", f"unknown CDR dimension {kind!r}"))
            ok = False
            continue
        volume = _number(dim.get("volume"), f"{dp}.volume", problems)
        if volume is None:
            ok = False
            continue
        if kind in values:
            problems.append(Problem(f"{dp}.type", f"{kind} appears twice in one period"))
            ok = False
            continue
        values[kind] = volume
    tariff_id = raw.get("tariff_id")
    if tariff_id is not None and not isinstance(tariff_id, str):
        problems.append(Problem(f"{path}.tariff_id", "must be a string"))
        ok = False
    if not ok:
        return None
    energy = values.get("ENERGY")
    if energy is None and ("ENERGY_IMPORT" in values or "ENERGY_EXPORT" in values):
        energy = values.get("ENERGY_IMPORT", ZERO)
    power = values.get("POWER")
    current = values.get("CURRENT")
    min_power = values.get("MIN_POWER", power)
    max_power = values.get("MAX_POWER", power)
    min_current = values.get("MIN_CURRENT", current)
    max_current = values.get("MAX_CURRENT", current)
    # One extreme given alone serves for both: it is all the CDR tells.
    min_power = min_power if min_power is not None else max_power
    max_power = max_power if max_power is not None else min_power
    min_current = min_current if min_current is not None else max_current
    max_current = max_current if max_current is not None else min_current

    def secs(kind: str) -> int | None:
        v = values.get(kind)
        return None if v is None else seconds_from_hours(v)

    return ChargingPeriod(
        start=start,
        energy_kwh=energy if energy is not None else ZERO,
        time_s=secs("TIME"),
        parking_s=secs("PARKING_TIME"),
        reservation_s=secs("RESERVATION_TIME"),
        min_power_kw=min_power,
        max_power_kw=max_power,
        min_current_a=min_current,
        max_current_a=max_current,
        state_of_charge=values.get("STATE_OF_CHARGE"),
        tariff_id=tariff_id,
    )


def parse_cdr(raw: object) -> CdrInput:
    """The pricing-relevant part of an OCPI 2.2.1 CDR; `total_*` fields are ignored."""
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        raise TariffError([Problem("cdr", "must be an object")])
    start = end = None
    for key in ("start_date_time", "end_date_time"):
        try:
            parsed = parse_datetime(raw.get(key))
        except ValueError as exc:
            problems.append(Problem(f"cdr.{key}", str(exc)))
            continue
        if key == "start_date_time":
            start = parsed
        else:
            end = parsed
    currency = raw.get("currency")
    if currency is not None and not isinstance(currency, str):
        problems.append(Problem("cdr.currency", "must be a string"))
        currency = None
    raw_periods = raw.get("charging_periods")
    periods: list[ChargingPeriod] = []
    if not isinstance(raw_periods, list) or not raw_periods:
        problems.append(Problem("cdr.charging_periods", "must be a non-empty list"))
    else:
        for i, item in enumerate(raw_periods):
            period = _period(item, f"cdr.charging_periods[{i}]", problems)
            if period is not None:
                periods.append(period)
    if start is not None and end is not None:
        if end < start:
            problems.append(Problem("cdr.end_date_time", "is before start_date_time"))
        previous = start
        for i, period in enumerate(periods):
            where = f"cdr.charging_periods[{i}].start_date_time"
            if period.start < previous:
                problems.append(
                    Problem(where, "is before the session start or the previous period's start")
                )
            elif period.start > end:
                problems.append(Problem(where, "is after the session's end_date_time"))
            previous = max(previous, period.start)
    tariffs = raw.get("tariffs")
    if tariffs is not None and not isinstance(tariffs, list):
        problems.append(Problem("cdr.tariffs", "must be a list"))
        tariffs = None
    if problems or start is None or end is None:
        raise TariffError(problems)
    return CdrInput(start, end, currency, tuple(periods), tuple(tariffs or ()))


def period_to_json(period: ChargingPeriod) -> dict[str, Any]:
    """An OCPI ChargingPeriod object for a CDR export (exact volumes as JSON numbers)."""
    dims: list[Mapping[str, Any]] = [{"type": "ENERGY", "volume": period.energy_kwh}]
    for kind, secs in (
        ("TIME", period.time_s),
        ("PARKING_TIME", period.parking_s),
        ("RESERVATION_TIME", period.reservation_s),
    ):
        if secs is not None:
            dims.append({"type": kind, "volume": hours(secs)})
    for kind, value in (
        ("MIN_POWER", period.min_power_kw),
        ("MAX_POWER", period.max_power_kw),
        ("MIN_CURRENT", period.min_current_a),
        ("MAX_CURRENT", period.max_current_a),
        ("STATE_OF_CHARGE", period.state_of_charge),
    ):
        if value is not None:
            dims.append({"type": kind, "volume": value})
    out: dict[str, Any] = {
        "start_date_time": period.start.isoformat().replace("+00:00", "Z"),
        "dimensions": dims,
    }
    if period.tariff_id is not None:
        out["tariff_id"] = period.tariff_id
    return out
