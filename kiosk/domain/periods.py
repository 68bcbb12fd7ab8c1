"""OCPI charging periods: what the pricing engine prices, parsed from and written to JSON.

A period holds the volumes of one stretch of a session in which no tariff condition
changed. Times are whole seconds (the OCPI step_size unit for time), energy is exact kWh.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Final, Literal

import msgspec

from kiosk.domain.tariff import Problem, TariffError

__all__ = [
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


class ChargingPeriod(msgspec.Struct, frozen=True, kw_only=True):
    """One OCPI ChargingPeriod, reduced to what pricing needs.

    time_s / parking_s / reservation_s are None when the CDR did not give that
    dimension; the engine then derives it from the period's duration.
    """

    start: datetime  # aware, UTC
    energy_kwh: Decimal = Decimal(0)
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


class _Dimension(msgspec.Struct):
    type: Literal[
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
    ]
    volume: Decimal


class _Period(msgspec.Struct):
    start_date_time: datetime
    dimensions: Annotated[list[_Dimension], msgspec.Meta(min_length=1)]
    tariff_id: str | None = None


class _Cdr(msgspec.Struct):
    start_date_time: datetime
    end_date_time: datetime
    charging_periods: Annotated[list[_Period], msgspec.Meta(min_length=1)]
    currency: str | None = None
    tariffs: list[Any] | None = None


class CdrBytes(msgspec.Struct):
    """A CDR decoded from JSON text, with its embedded tariffs kept as raw JSON."""

    start_date_time: datetime
    end_date_time: datetime
    charging_periods: Annotated[list[_Period], msgspec.Meta(min_length=1)]
    currency: str | None = None
    tariffs: msgspec.Raw = msgspec.Raw()


class CdrLine(msgspec.Struct):
    """One line of `kiosk tariff price --batch` input; tariffs stay raw JSON text."""

    cdr: CdrBytes
    tz: str | None = None
    tariff: msgspec.Raw = msgspec.Raw()


_line_decoder: Final = msgspec.json.Decoder(CdrLine)
_cdr_decoder: Final = msgspec.json.Decoder(CdrBytes)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _problem_of(exc: msgspec.ValidationError | msgspec.DecodeError, root: str) -> Problem:
    text = str(exc)
    message, _, where = text.partition(" - at `$")
    path = root + where.rstrip("`") if where else root
    return Problem(path, message)


def _period(raw: _Period, path: str, problems: list[Problem]) -> ChargingPeriod | None:
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
    try:  # JSON numbers are finite; a decimal *string* could say NaN or Infinity
        bad = min(values.values()) < 0 or not sum(values.values(), ZERO).is_finite()
    except ArithmeticError:  # NaN does not compare
        bad = True
    if bad:
        for j, d in enumerate(dims):
            if not d.volume.is_finite() or d.volume < 0:
                problems.append(
                    Problem(
                        f"{path}.dimensions[{j}].volume", f"must be a number ≥ 0, got {d.volume}"
                    )
                )
                return None
    get = values.get
    energy = get("ENERGY")
    if energy is None:
        energy = get("ENERGY_IMPORT", ZERO)
    power = get("POWER")
    current = get("CURRENT")
    min_power = get("MIN_POWER", power)
    max_power = get("MAX_POWER", power)
    min_current = get("MIN_CURRENT", current)
    max_current = get("MAX_CURRENT", current)
    # One extreme given alone serves for both: it is all the CDR tells.
    if min_power is None:
        min_power = max_power
    elif max_power is None:
        max_power = min_power
    if min_current is None:
        min_current = max_current
    elif max_current is None:
        max_current = min_current
    time_h = get("TIME")
    parking_h = get("PARKING_TIME")
    reservation_h = get("RESERVATION_TIME")
    start = raw.start_date_time
    return ChargingPeriod(
        start=start if start.tzinfo is UTC else _utc(start),
        energy_kwh=energy,
        time_s=None if time_h is None else seconds_from_hours(time_h),
        parking_s=None if parking_h is None else seconds_from_hours(parking_h),
        reservation_s=None if reservation_h is None else seconds_from_hours(reservation_h),
        min_power_kw=min_power,
        max_power_kw=max_power,
        min_current_a=min_current,
        max_current_a=max_current,
        state_of_charge=get("STATE_OF_CHARGE"),
        tariff_id=raw.tariff_id,
    )


def _check(cdr: _Cdr | CdrBytes, tariffs: tuple[Any, ...]) -> CdrInput:
    problems: list[Problem] = []
    start, end = _utc(cdr.start_date_time), _utc(cdr.end_date_time)
    numbered: list[tuple[int, ChargingPeriod]] = []
    for i, item in enumerate(cdr.charging_periods):
        period = _period(item, f"cdr.charging_periods[{i}]", problems)
        if period is not None:
            numbered.append((i, period))
    if end < start:
        problems.append(Problem("cdr.end_date_time", "is before start_date_time"))
    previous = start
    periods = [p for _, p in numbered]
    for i, period in numbered:
        where = f"cdr.charging_periods[{i}].start_date_time"
        if period.start < previous:
            problems.append(
                Problem(where, "is before the session start or the previous period's start")
            )
        elif period.start > end:
            problems.append(Problem(where, "is after the session's end_date_time"))
        previous = max(previous, period.start)
    if problems:
        raise TariffError(problems)
    return CdrInput(start, end, cdr.currency, tuple(periods), tariffs)


def parse_cdr(raw: object) -> CdrInput:
    """The pricing-relevant part of an OCPI 2.2.1 CDR; `total_*` fields are ignored."""
    try:
        cdr = msgspec.convert(raw, type=_Cdr, strict=False)
    except msgspec.ValidationError as exc:
        raise TariffError([_problem_of(exc, "cdr")]) from None
    return _check(cdr, tuple(cdr.tariffs or ()))


def decode_cdr(text: bytes | str) -> tuple[CdrInput, bytes | None]:
    """A CDR from JSON text, and its embedded tariffs as raw JSON (None when absent)."""
    try:
        cdr = _cdr_decoder.decode(text)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise TariffError([_problem_of(exc, "cdr")]) from None
    return _check(cdr, ()), _raw(cdr.tariffs)


def decode_line(text: bytes | str) -> tuple[CdrInput, bytes | None, str | None, bytes | None]:
    """One batch line: (CDR, raw tariff JSON or None, tz, raw embedded tariffs or None)."""
    try:
        line = _line_decoder.decode(text)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise TariffError([_problem_of(exc, "")]) from None
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
