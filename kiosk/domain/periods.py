"""OCPI charging periods: what the pricing engine prices, parsed from and written to JSON.

A period holds the volumes of one stretch of a session in which no tariff condition
changed. Times are whole seconds (the OCPI step_size unit for time), energy is exact kWh.

What is tolerated, with a warning in `CdrInput.warnings` (docs/tariffs.md §1.2): a
period that starts at most SKEW_S seconds before the session start (clock skew; it is
priced as starting at the session start), negative power and current (energy flowing
from the EV to the grid). What is refused: volumes that are not JSON numbers, past the
bounds of §1.3, periods out of order, unknown dimension types.

The batch path is hot: this module is compiled with mypyc (setup.py), so its msgspec
shapes live in cdr_structs.py; `_fast_period` takes the common period in one pass, and
the exact per-dimension checks run only when it declines.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal
from typing import Any, Final, get_args

import msgspec

from kiosk.domain import jsonio
from kiosk.domain.cdr_structs import (
    CDR_DECODER,
    LINE_DECODER,
    CdrBytes,
    CdrInput,
    ChargingPeriod,
    DimensionKind,
    RawCdr,
    RawPeriod,
)
from kiosk.domain.tariff import (
    MAX_CURRENT_A,
    MAX_DURATION_S,
    MAX_ENERGY_KWH,
    MAX_POWER_KW,
    Problem,
    TariffError,
    capped,
)

__all__ = [
    "MAX_LINE_BYTES",
    "MAX_PERIODS",
    "SKEW_S",
    "CdrInput",
    "ChargingPeriod",
    "decode_cdr",
    "decode_line",
    "hours",
    "parse_cdr",
    "period_to_json",
    "seconds_from_hours",
]

ZERO: Final = Decimal(0)
_SECONDS_PER_HOUR: Final = Decimal(3600)
_HALF: Final = Decimal("0.5")
# Unlimited precision: the fused multiply-add below never rounds, whatever digits a CDR
# volume has (it costs what the digits cost); int() of the exact value >= 0 is its floor.
_EXACT: Final = Context(prec=MAX_PREC, rounding=ROUND_FLOOR, Emax=MAX_EMAX, Emin=MIN_EMIN)
_US: Final = timedelta(microseconds=1)

# docs/tariffs.md §1.3 gives the reasons.
SKEW_S: Final = 300  # a period may start this many seconds before the session start
MAX_PERIODS: Final = 10_000  # charging periods in one CDR
MAX_LINE_BYTES: Final = 4 * 1024 * 1024  # one `--batch` line
MAX_HOURS: Final = Decimal(MAX_DURATION_S) / _SECONDS_PER_HOUR  # 8784 h: a TIME volume
MAX_SOC: Final = Decimal(100)  # percent: above it, a warning (OCPI allows 0-100)
_SOC_LIMIT: Final = Decimal(1000)  # percent: above it, refused
_EARLIEST: Final = datetime(1970, 1, 1, tzinfo=UTC)  # CDR date-times: from here...
_LATEST: Final = datetime(9999, 1, 1, tzinfo=UTC)  # ...to before here (room for local time)
_SKEW: Final = timedelta(seconds=SKEW_S)
_LONGEST: Final = timedelta(seconds=MAX_DURATION_S)


def seconds_from_hours(value: Decimal) -> int:
    """Hours (an OCPI time volume, checked to lie in [0, MAX_HOURS]) to whole seconds,
    half-up: floor(h × 3600 + ½), in one exact fused multiply-add."""
    return int(_EXACT.fma(value, _SECONDS_PER_HOUR, _HALF))


def hours(seconds: int) -> Decimal:
    """Whole seconds as hours, with enough digits to convert back exactly."""
    return (Decimal(seconds) / _SECONDS_PER_HOUR).quantize(Decimal("1E-9"), rounding=ROUND_HALF_UP)


def microseconds(delta: timedelta) -> int:
    return delta // _US


def _utc(moment: datetime) -> datetime:
    zone = moment.tzinfo
    if zone is UTC:
        return moment
    return moment.replace(tzinfo=UTC) if zone is None else moment.astimezone(UTC)


def _problem_of(exc: msgspec.ValidationError | msgspec.DecodeError, root: str) -> Problem:
    text = str(exc)
    message, _, where = text.partition(" - at `$")
    path = (root + where.rstrip("`")).lstrip(".") if where else root
    return Problem(path, message)


# --------------------------------------------------------------------------- volumes

_ENERGY_KINDS: Final = frozenset({"ENERGY", "ENERGY_IMPORT", "ENERGY_EXPORT"})
_TIME_KINDS: Final = frozenset({"TIME", "PARKING_TIME", "RESERVATION_TIME"})
_POWER_KINDS: Final = frozenset({"POWER", "MIN_POWER", "MAX_POWER"})
_CURRENT_KINDS: Final = frozenset({"CURRENT", "MIN_CURRENT", "MAX_CURRENT"})
_DECIMAL_ONLY: Final = frozenset({Decimal})
_NUMBER_TYPES: Final = frozenset({Decimal, int})
# Every kind accepts [0, _FAST_MAX]: a period whose volumes all lie there needs no
# per-dimension check (the common case, checked with one min and one max in C).
_FAST_MAX: Final = min(MAX_HOURS, MAX_ENERGY_KWH, MAX_POWER_KW, MAX_CURRENT_A, _SOC_LIMIT)


def _bounds(kind: str) -> tuple[Decimal, Decimal, str]:
    """(lowest, highest, why) accepted for a dimension's volume."""
    if kind in _ENERGY_KINDS:
        return ZERO, MAX_ENERGY_KWH, " kWh (energy fed to the grid is ENERGY_EXPORT, ≥ 0)"
    if kind in _TIME_KINDS:
        return ZERO, MAX_HOURS, " h"
    if kind in _POWER_KINDS:
        return -MAX_POWER_KW, MAX_POWER_KW, " kW"
    if kind in _CURRENT_KINDS:
        return -MAX_CURRENT_A, MAX_CURRENT_A, " A"
    return ZERO, _SOC_LIMIT, " %"  # STATE_OF_CHARGE: above 100 only warned


_NOT_NUMBERS: Final = {
    str: "a string",
    bool: "a boolean",
    type(None): "null",
    list: "a list",
    dict: "an object",
    float: "a binary float (give an exact decimal)",
}


def _volume_problems(raw: RawPeriod, path: str, problems: list[Problem]) -> bool:
    """The exact check, dimension by dimension; True when every volume is acceptable."""
    ok = True
    for j, d in enumerate(raw.dimensions):
        where = f"{path}.dimensions[{j}].volume"
        v = d.volume
        if type(v) not in _NUMBER_TYPES:  # bool is an int subclass, but not a number here
            what = _NOT_NUMBERS.get(type(v), type(v).__name__)
            problems.append(Problem(where, f"must be a JSON number, not {what}"))
            ok = False
            continue
        if isinstance(v, Decimal) and not v.is_finite():
            problems.append(Problem(where, f"must be a finite number, got {v}"))
            ok = False
            continue
        low, high, unit = _bounds(d.type)
        if not low <= v <= high:
            text = str(v) if len(str(v)) <= 40 else f"{str(v)[:30]}…"
            problems.append(
                Problem(where, f"{d.type} must be from {low} to {high}{unit}, got {text}")
            )
            ok = False
    return ok


# Slots of the dimension kinds in `_fast_period`'s list.
_SLOT: Final = {kind: i for i, kind in enumerate(get_args(DimensionKind))}
_E, _EI, _P, _C = _SLOT["ENERGY"], _SLOT["ENERGY_IMPORT"], _SLOT["POWER"], _SLOT["CURRENT"]
_MINP, _MAXP = _SLOT["MIN_POWER"], _SLOT["MAX_POWER"]
_MINC, _MAXC = _SLOT["MIN_CURRENT"], _SLOT["MAX_CURRENT"]
_T, _PT, _RT, _SOC = (
    _SLOT["TIME"],
    _SLOT["PARKING_TIME"],
    _SLOT["RESERVATION_TIME"],
    _SLOT["STATE_OF_CHARGE"],
)


def _fast_period(raw: RawPeriod) -> ChargingPeriod | None:
    """The common period (Decimal volumes in [0, _FAST_MAX], each kind once, SoC <= 100,
    a UTC start) without building a dict; None sends it to `_period`, which checks all."""
    start = raw.start_date_time
    if start.tzinfo is not UTC:
        return None
    vals: list[Decimal | None] = [None] * len(_SLOT)
    for d in raw.dimensions:
        v = d.volume
        if type(v) is not Decimal or not ZERO <= v <= _FAST_MAX:
            return None
        k = _SLOT[d.type]
        if vals[k] is not None:
            return None
        vals[k] = v
    soc = vals[_SOC]
    if soc is not None and soc > MAX_SOC:
        return None
    return _from_slots(start, vals, raw.tariff_id)


def _from_slots(
    start: datetime, vals: list[Decimal | None], tariff_id: str | None
) -> ChargingPeriod:
    """The period from checked volumes by kind (`_SLOT`)."""
    energy = vals[_E]
    if energy is None:
        energy = vals[_EI] or ZERO
    # POWER fills a missing extreme; one extreme given alone serves for both: it is all
    # the CDR tells. The same for current.
    min_power = vals[_MINP]
    if min_power is None:
        min_power = vals[_P]
    max_power = vals[_MAXP]
    if max_power is None:
        max_power = vals[_P]
    if min_power is None:
        min_power = max_power
    elif max_power is None:
        max_power = min_power
    min_current = vals[_MINC]
    if min_current is None:
        min_current = vals[_C]
    max_current = vals[_MAXC]
    if max_current is None:
        max_current = vals[_C]
    if min_current is None:
        min_current = max_current
    elif max_current is None:
        max_current = min_current
    time_h, parking_h, reservation_h = vals[_T], vals[_PT], vals[_RT]
    return ChargingPeriod(  # positionally, in PERIOD_FIELDS order: the batch's hot path
        start,
        energy,
        None if time_h is None else seconds_from_hours(time_h),
        None if parking_h is None else seconds_from_hours(parking_h),
        None if reservation_h is None else seconds_from_hours(reservation_h),
        min_power,
        max_power,
        min_current,
        max_current,
        vals[_SOC],
        tariff_id,
    )


def _period(
    raw: RawPeriod, path: str, problems: list[Problem], warnings: list[Problem]
) -> ChargingPeriod | None:
    dims = raw.dimensions
    values = {d.type: d.volume for d in dims}
    if len(values) != len(dims):
        seen: set[str] = set()
        for j, d in enumerate(dims):
            if d.type in seen:
                problems.append(
                    Problem(f"{path}.dimensions[{j}].type", f"{d.type} appears twice in one period")
                )
                return None
            seen.add(d.type)
    kinds = set(map(type, values.values()))
    if kinds != _DECIMAL_ONLY:
        if kinds <= _NUMBER_TYPES:  # whole numbers: exact Decimals like the rest
            values = {k: Decimal(v) for k, v in values.items()}
        else:
            _volume_problems(raw, path, problems)
            return None
    try:  # NaN (possible through parse_cdr) does not compare
        fast = min(values.values()) >= ZERO and max(values.values()) <= _FAST_MAX
    except ArithmeticError:
        fast = False
    if not fast and not _volume_problems(raw, path, problems):
        return None

    soc = values.get("STATE_OF_CHARGE")
    if soc is not None and soc > MAX_SOC:
        j = next(j for j, d in enumerate(dims) if d.type == "STATE_OF_CHARGE")
        warnings.append(
            Problem(f"{path}.dimensions[{j}].volume", f"STATE_OF_CHARGE {soc} is above 100 %")
        )
    start = raw.start_date_time
    if start.tzinfo is not UTC:
        try:
            start = _utc(start)
        except OverflowError:  # 0001-01-01T00:00:00+01:00
            problems.append(Problem(f"{path}.start_date_time", "is not a real date-time"))
            return None
    slots: list[Decimal | None] = [None] * len(_SLOT)
    for kind, volume in values.items():
        slots[_SLOT[kind]] = volume
    return _from_slots(start, slots, raw.tariff_id)


def _moment(value: datetime, path: str, problems: list[Problem]) -> datetime | None:
    try:
        moment = _utc(value)
    except OverflowError:  # 0001-01-01T00:00:00+01:00
        moment = None
    if moment is None or not _EARLIEST <= moment < _LATEST:
        problems.append(Problem(path, f"must be from 1970 to 9998, got {value.isoformat()}"))
        return None
    return moment


def _seconds(delta: timedelta) -> str:
    us = microseconds(delta)
    return str(Decimal(us) / 1_000_000) if us % 1_000_000 else str(us // 1_000_000)


def _check(cdr: RawCdr | CdrBytes, tariffs: tuple[Any, ...]) -> CdrInput:
    problems: list[Problem] = []
    warnings: list[Problem] = []
    count = len(cdr.charging_periods)
    if count > MAX_PERIODS:
        raise TariffError(
            [Problem("cdr.charging_periods", f"at most {MAX_PERIODS} periods, got {count}")]
        )
    start = _moment(cdr.start_date_time, "cdr.start_date_time", problems)
    end = _moment(cdr.end_date_time, "cdr.end_date_time", problems)
    if start is not None and end is not None:
        if end < start:
            problems.append(Problem("cdr.end_date_time", "is before start_date_time"))
        elif end - start > _LONGEST:
            problems.append(Problem("cdr.end_date_time", "the session lasts more than 366 days"))
    parsed: list[ChargingPeriod | None] = []  # None where the period was refused
    for i, item in enumerate(cdr.charging_periods):
        period = _fast_period(item)
        if period is None:
            period = _period(item, f"cdr.charging_periods[{i}]", problems, warnings)
        parsed.append(period)
    if start is None or end is None:
        raise TariffError(problems)
    earliest = start - _SKEW
    previous = earliest
    periods: list[ChargingPeriod] = []
    for i, period in enumerate(parsed):
        if period is None:
            continue
        moment = period.start
        if previous <= moment <= end and moment >= start:  # in order, inside the session
            previous = moment
            periods.append(period)
            continue
        where = f"cdr.charging_periods[{i}].start_date_time"
        if moment < previous:
            problems.append(
                Problem(
                    where,
                    "is before the previous period's start"
                    if previous > earliest
                    else f"is more than {SKEW_S} s before the session start",
                )
            )
        elif moment > end:
            problems.append(Problem(where, "is after the session's end_date_time"))
        else:  # clock skew (start - SKEW_S <= moment < start): priced from the start
            warnings.append(
                Problem(
                    where,
                    f"starts {_seconds(start - moment)} s before the session start (clock skew?)",
                )
            )
            periods.append(msgspec.structs.replace(period, start=start))
            previous = moment
    if problems:
        raise TariffError(problems)
    return CdrInput(
        start, end, cdr.currency, tuple(periods), tariffs, capped(warnings, "warning(s)")
    )


def parse_cdr(raw: object) -> CdrInput:
    """The pricing-relevant part of an OCPI 2.2.1 CDR; `total_*` fields are ignored."""
    try:
        cdr = msgspec.convert(raw, type=RawCdr, strict=False)
    except msgspec.ValidationError as exc:
        raise TariffError([_problem_of(exc, "cdr")]) from None
    except RecursionError:
        raise TariffError([Problem("cdr", "nested too deeply")]) from None
    return _check(cdr, tuple(cdr.tariffs or ()))


def _text(text: bytes | str) -> bytes | str:
    """Without a UTF-8 byte order mark at the start (accepted, not warned)."""
    if isinstance(text, str):
        return text[1:] if text[:1] == "\ufeff" else text
    return text[3:] if text[:3] == jsonio.BOM else text


def decode_cdr(text: bytes | str) -> tuple[CdrInput, bytes | None]:
    """A CDR from JSON text, and its embedded tariffs as raw JSON (None when absent).

    A CDR file also passes jsonio's checks first (duplicate keys, nesting depth), which
    the batch path leaves out for speed (docs/tariffs.md §1.3).
    """
    text = _text(text)
    refused = None
    try:
        jsonio.loads(text)
    except jsonio.JsonInputError as exc:
        refused = Problem(_join_cdr(exc.path), exc.reason)
        if exc.reason.startswith(("duplicate key", "nested")):  # msgspec would not see these
            raise TariffError([refused]) from None
    try:  # msgspec names the field of anything else (a 5,000-digit number, bad syntax)
        cdr = CDR_DECODER.decode(text)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise TariffError([_problem_of(exc, "cdr")]) from None
    if refused is not None:
        raise TariffError([refused])
    return _check(cdr, ()), _raw(cdr.tariffs)


def _join_cdr(path: str) -> str:
    return "cdr" + path if path.startswith("[") or not path else f"cdr.{path}"


def decode_line(text: bytes | str) -> tuple[CdrInput, bytes | None, str | None, bytes | None]:
    """One batch line: (CDR, raw tariff JSON or None, tz, raw embedded tariffs or None)."""
    try:
        line = LINE_DECODER.decode(_text(text))
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise TariffError([_problem_of(exc, "")]) from None
    except RecursionError:  # msgspec's own guard, in a skipped unknown field
        raise TariffError([Problem("", "nested too deeply")]) from None
    return _check(line.cdr, ()), _raw(line.tariff), line.tz, _raw(line.cdr.tariffs)


def _raw(value: msgspec.Raw) -> bytes | None:
    text = bytes(value)
    return None if not text or text == b"null" else text


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
