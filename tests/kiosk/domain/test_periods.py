"""CDR decoding (kiosk/domain/periods.py): what is tolerated with a warning, what is refused.

docs/tariffs.md §1.2 and §1.3. Every path is checked, so that a refusal can be found in
the CDR it names.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, get_args

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.domain import cdr_structs, jsonio
from kiosk.domain import periods as periods_module
from kiosk.domain.periods import (
    MAX_PERIODS,
    SKEW_S,
    decode_cdr,
    decode_line,
    parse_cdr,
)
from kiosk.domain.tariff import MAX_PROBLEMS, TariffError

START = "2026-03-02T10:00:00Z"
CDR: dict[str, Any] = {
    "start_date_time": START,
    "end_date_time": "2026-03-02T11:00:00Z",
    "currency": "EUR",
    "charging_periods": [
        {
            "start_date_time": START,
            "dimensions": [
                {"type": "ENERGY", "volume": Decimal("10.5")},
                {"type": "TIME", "volume": Decimal("0.75")},
            ],
        },
        {
            "start_date_time": "2026-03-02T10:45:00Z",
            "dimensions": [{"type": "PARKING_TIME", "volume": Decimal("0.25")}],
        },
    ],
}


def _cdr(**changes: Any) -> dict[str, Any]:
    cdr = copy.deepcopy(CDR)
    cdr.update(changes)
    return cdr


def _with_dims(*dims: tuple[str, Any]) -> dict[str, Any]:
    cdr = copy.deepcopy(CDR)
    cdr["charging_periods"][0]["dimensions"] = [{"type": t, "volume": v} for t, v in dims]
    return cdr


def _text(cdr: dict[str, Any]) -> bytes:
    return jsonio.dumps_numbers(cdr).encode()


def _line(cdr: dict[str, Any]) -> bytes:
    return jsonio.dumps_numbers({"tariff": None, "cdr": cdr, "tz": "Europe/Berlin"}).encode()


def _all_ways(cdr: dict[str, Any]) -> list[Any]:
    """The same CDR through the three entry points: parsed JSON, a CDR file, a batch line."""
    return [
        parse_cdr(jsonio.loads(_text(cdr))),
        decode_cdr(_text(cdr))[0],
        decode_line(_line(cdr))[0],
    ]


def _refusals(cdr: dict[str, Any] | bytes, *, line: bool = False) -> list[str]:
    text = cdr if isinstance(cdr, bytes) else (_line(cdr) if line else _text(cdr))
    with pytest.raises(TariffError) as info:
        (decode_line if line else decode_cdr)(text)
    return [str(p) for p in info.value.problems]


def test_a_plain_cdr_has_no_warnings() -> None:
    for parsed in _all_ways(CDR):
        assert parsed.warnings == ()
        assert parsed.periods[0].energy_kwh == Decimal("10.5")
        assert parsed.periods[0].time_s == 2700


# --------------------------------------------------------------------------- tolerated


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("POWER", "min_power_kw"),
        ("MIN_POWER", "min_power_kw"),
        ("MAX_POWER", "max_power_kw"),
        ("CURRENT", "min_current_a"),
        ("MIN_CURRENT", "min_current_a"),
        ("MAX_CURRENT", "max_current_a"),
    ],
)
def test_negative_power_and_current_are_energy_to_the_grid(kind: str, field: str) -> None:
    """CdrDimensionType: a negative current or power flows from the EV to the grid."""
    cdr = _with_dims(("ENERGY", Decimal(1)), (kind, Decimal("-11.5")))
    for parsed in _all_ways(cdr):
        assert getattr(parsed.periods[0], field) == Decimal("-11.5")
        assert parsed.warnings == ()


@pytest.mark.parametrize("seconds", [1, 42, SKEW_S])
def test_a_period_a_little_before_the_session_start_is_clock_skew(seconds: int) -> None:
    start = datetime(2026, 3, 2, 10, tzinfo=UTC)
    early = (start - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
    cdr = copy.deepcopy(CDR)
    cdr["charging_periods"][0]["start_date_time"] = early
    for parsed in _all_ways(cdr):
        assert [str(w) for w in parsed.warnings] == [
            f"cdr.charging_periods[0].start_date_time: starts {seconds} s before the "
            "session start (clock skew?)"
        ]
        # priced as if it started at the session start: no duration before the start
        assert parsed.periods[0].start == start == parsed.start
        assert parsed.periods[0].time_s == 2700  # the CDR's own TIME volume is kept


def test_clock_skew_with_a_fraction_of_a_second() -> None:
    cdr = copy.deepcopy(CDR)
    cdr["charging_periods"][0]["start_date_time"] = "2026-03-02T09:59:59.5Z"
    (warning,) = decode_cdr(_text(cdr))[0].warnings
    assert warning.message == "starts 0.5 s before the session start (clock skew?)"


def test_two_skewed_periods_both_start_at_the_session_start() -> None:
    cdr = copy.deepcopy(CDR)
    cdr["charging_periods"][0]["start_date_time"] = "2026-03-02T09:58:00Z"
    cdr["charging_periods"][1]["start_date_time"] = "2026-03-02T09:59:00Z"
    parsed = decode_cdr(_text(cdr))[0]
    assert [p.start for p in parsed.periods] == [parsed.start, parsed.start]
    assert [w.path for w in parsed.warnings] == [
        "cdr.charging_periods[0].start_date_time",
        "cdr.charging_periods[1].start_date_time",
    ]


def test_whole_numbers_become_exact_decimals() -> None:
    cdr = _with_dims(("ENERGY", 11), ("TIME", 1), ("MAX_POWER", 22))
    for parsed in _all_ways(cdr):
        period = parsed.periods[0]
        assert type(period.energy_kwh) is Decimal
        assert type(period.max_power_kw) is Decimal
        assert period.energy_kwh == 11
        assert period.time_s == 3600


def test_state_of_charge_above_100_is_kept_with_a_warning() -> None:
    cdr = _with_dims(("ENERGY", Decimal(1)), ("STATE_OF_CHARGE", Decimal(101)))
    parsed = decode_cdr(_text(cdr))[0]
    assert parsed.periods[0].state_of_charge == 101
    assert [w.path for w in parsed.warnings] == ["cdr.charging_periods[0].dimensions[1].volume"]


def test_a_byte_order_mark_is_dropped() -> None:
    bom = jsonio.BOM
    assert decode_cdr(bom + _text(CDR))[0].warnings == ()
    assert decode_line(bom + _line(CDR))[0].periods
    assert decode_line("\ufeff" + _line(CDR).decode())[0].periods


def test_large_but_plausible_volumes_take_the_exact_path() -> None:
    """Above the fast check's range (1000) each volume is checked against its own bound."""
    cdr = _with_dims(("ENERGY", Decimal(50_000)), ("TIME", Decimal(8000)), ("POWER", 3750))
    for parsed in _all_ways(cdr):
        assert parsed.periods[0].energy_kwh == 50_000
        assert parsed.periods[0].time_s == 8000 * 3600


# --------------------------------------------------------------------------- refused


@pytest.mark.parametrize(
    ("dims", "path", "why"),
    [
        ([("ENERGY", Decimal(-1))], "dimensions[0].volume", "ENERGY must be from 0"),
        ([("ENERGY_IMPORT", Decimal(-1))], "dimensions[0].volume", "ENERGY_IMPORT must be"),
        ([("ENERGY_EXPORT", Decimal(-1))], "dimensions[0].volume", "ENERGY_EXPORT must be"),
        ([("TIME", Decimal("-0.5"))], "dimensions[0].volume", "TIME must be from 0 to 8784 h"),
        ([("PARKING_TIME", Decimal(-1))], "dimensions[0].volume", "PARKING_TIME must be"),
        ([("RESERVATION_TIME", Decimal(-1))], "dimensions[0].volume", "RESERVATION_TIME"),
        ([("STATE_OF_CHARGE", Decimal(-1))], "dimensions[0].volume", "STATE_OF_CHARGE"),
        (
            [("TIME", Decimal("1e30"))],
            "dimensions[0].volume",
            "got 1000000000000000000000000000000",
        ),
        ([("ENERGY", Decimal("1e400"))], "dimensions[0].volume", "to 100000000 kWh"),
        ([("POWER", Decimal(-100_001))], "dimensions[0].volume", "from -100000 to 100000 kW"),
        ([("MAX_CURRENT", Decimal(100_001))], "dimensions[0].volume", "to 100000 A"),
        ([("ENERGY", "10")], "dimensions[0].volume", "must be a JSON number, not a string"),
        ([("ENERGY", "NaN")], "dimensions[0].volume", "not a string"),
        ([("ENERGY", True)], "dimensions[0].volume", "not a boolean"),
        ([("ENERGY", None)], "dimensions[0].volume", "not null"),
        ([("ENERGY", [1])], "dimensions[0].volume", "not a list"),
        ([("ENERGY", {"v": 1})], "dimensions[0].volume", "not an object"),
        ([("ENERGY", 1), ("ENERGY", 2)], "dimensions[1].type", "appears twice"),
        ([("KWH", 1)], "dimensions[0].type", "Invalid enum value 'KWH'"),
    ],
)
def test_bad_volumes_are_named_by_path(dims: list[tuple[str, Any]], path: str, why: str) -> None:
    cdr = _with_dims(*dims)
    for line in (False, True):
        problems = _refusals(cdr, line=line)
        assert any(
            p.startswith(f"cdr.charging_periods[0].{path}: ") and why in p for p in problems
        ), problems


def test_negative_energy_is_refused_not_tolerated() -> None:
    """It cannot be step-rounded or matched against min_kwh sensibly; export is ENERGY_EXPORT."""
    (problem,) = _refusals(_with_dims(("ENERGY", Decimal(-2))))
    assert "energy fed to the grid is ENERGY_EXPORT" in problem


def test_periods_out_of_order_are_refused() -> None:
    cdr = copy.deepcopy(CDR)
    cdr["charging_periods"][1]["start_date_time"] = "2026-03-02T09:59:00Z"
    assert _refusals(cdr) == [
        "cdr.charging_periods[1].start_date_time: is before the previous period's start"
    ]


def test_more_skew_than_the_bound_is_refused() -> None:
    cdr = copy.deepcopy(CDR)
    start = datetime(2026, 3, 2, 10, tzinfo=UTC) - timedelta(seconds=SKEW_S + 1)
    cdr["charging_periods"][0]["start_date_time"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _refusals(cdr) == [
        f"cdr.charging_periods[0].start_date_time: is more than {SKEW_S} s before the session start"
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"end_date_time": "2027-03-03T10:00:01Z"},  # 366 days and 1 s
            "cdr.end_date_time: the session lasts more than 366 days",
        ),
        ({"end_date_time": "2026-03-02T09:00:00Z"}, "cdr.end_date_time: is before start"),
        ({"start_date_time": "1969-12-31T23:59:59Z"}, "cdr.start_date_time: must be from 1970"),
        (
            {"start_date_time": "9999-12-31T23:59:59-23:59"},
            "cdr.start_date_time: must be from 1970 to 9998",
        ),
        ({"charging_periods": []}, "cdr.charging_periods: Expected `array` of length >= 1"),
    ],
)
def test_session_times_are_bounded(changes: dict[str, Any], expected: str) -> None:
    problems = _refusals(_cdr(**changes))
    assert any(p.startswith(expected) for p in problems), problems


def test_number_of_periods_is_bounded() -> None:
    period = {"start_date_time": START, "dimensions": [{"type": "ENERGY", "volume": 0}]}
    cdr = _cdr(charging_periods=[period] * (MAX_PERIODS + 1))
    assert _refusals(cdr, line=True) == [
        f"cdr.charging_periods: at most {MAX_PERIODS} periods, got {MAX_PERIODS + 1}"
    ]


def test_problems_are_capped() -> None:
    period = {"start_date_time": START, "dimensions": [{"type": "ENERGY", "volume": -1}]}
    problems = _refusals(_cdr(charging_periods=[period] * 500), line=True)
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1] == "… and 400 more problem(s)"


def test_batch_line_paths_have_no_leading_dot() -> None:
    cdr = _cdr(start_date_time="soon")
    (problem,) = _refusals(cdr, line=True)
    assert problem.startswith("cdr.start_date_time: "), problem
    line = json.dumps({"cdr": CDR | {"start_date_time": START}, "tz": 5}, default=str)
    (problem,) = _refusals(line.encode(), line=True)
    assert problem.startswith("tz: "), problem


def test_a_cdr_file_refuses_duplicate_keys_with_the_path() -> None:
    text = _text(CDR).replace(b'"volume":10.5', b'"volume":10.5,"volume":20')
    assert _refusals(text) == [
        "cdr.charging_periods[0].dimensions[0]: duplicate key 'volume': a key may appear "
        "only once in an object"
    ]


def test_deep_nesting_is_refused_in_a_file_and_in_a_batch_line() -> None:
    deep = b"[" * 5000 + b"]" * 5000
    text = _text(CDR).replace(b'"currency":"EUR"', b'"x":' + deep)
    assert _refusals(text) == ["cdr: nested deeper than 64 levels"]
    line = _line(CDR).replace(b'"tz":', b'"x":' + deep + b',"tz":')
    assert _refusals(line, line=True) == ["nested too deeply"]


def test_a_cdr_file_refuses_a_repeated_top_level_key() -> None:
    text = _text(CDR).replace(b'"currency":"EUR"', b'"currency":"EUR","currency":"CHF"')
    assert _refusals(text) == [
        "cdr: duplicate key 'currency': a key may appear only once in an object"
    ]


def test_a_cdr_file_refuses_a_number_too_long_even_in_an_unknown_field() -> None:
    text = _text(CDR).replace(b'"currency":"EUR"', b'"id":' + b"9" * 5000)
    assert _refusals(text) == ["cdr: a number has more digits than this application reads"]
    text = _text(CDR).replace(b'"volume":10.5', b'"volume":' + b"9" * 5000)
    assert _refusals(text) == [
        "cdr.charging_periods[0].dimensions[0].volume: Integer value out of range"
    ]


def test_a_period_start_out_of_range_is_named() -> None:
    cdr = copy.deepcopy(CDR)
    cdr["charging_periods"][0]["start_date_time"] = "0001-01-01T00:00:00+01:00"
    assert _refusals(cdr, line=True) == [
        "cdr.charging_periods[0].start_date_time: is not a real date-time"
    ]


# ------------------------------------------------------------- the fast path agrees


_KINDS = list(get_args(cdr_structs.DimensionKind))
_VOLUMES = st.one_of(
    st.decimals(min_value=-5, max_value=200, places=4),
    st.integers(-2, 120),
    st.sampled_from([Decimal("1E+6"), Decimal("0E-9"), Decimal("100.0001")]),
)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    st.lists(st.tuples(st.sampled_from(_KINDS), _VOLUMES), min_size=1, max_size=6),
    st.sampled_from(["2026-03-02T08:00:00Z", "2026-03-02T09:00:00+01:00"]),
)
def test_fast_period_equals_the_full_check(dims: list[tuple[str, Any]], start: str) -> None:
    """`_fast_period` takes only what it can; when it does, it builds what `_period` builds."""
    raw = msgspec.convert(
        {"start_date_time": start, "dimensions": [{"type": t, "volume": v} for t, v in dims]},
        type=cdr_structs.RawPeriod,
    )
    fast = periods_module._fast_period(raw)
    problems: list[Any] = []
    full = periods_module._period(raw, "p", problems, [])
    if fast is not None:
        assert full == fast
        assert not problems
