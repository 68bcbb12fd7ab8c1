"""Tariff restrictions exactly at their boundaries, priced through the CLI.

Rules under test (OCPI 2.2.1 as the engine implements it):
- each charging period is priced on its own; restrictions are evaluated at the period's
  start: local time of day / date / weekday of the start in the given IANA zone, kWh
  consumed in all earlier periods, seconds since the CDR's start_date_time, and the
  period's power/current dimensions;
- start_time, start_date, min_* inclusive; end_time, end_date, max_* exclusive; a time
  window whose end_time is before its start_time wraps past midnight;
- min_power/min_current are checked against the period's minimum, max_* against its
  maximum; one given value serves for both; without a power dimension the average
  power (energy / charging time) is used; a current restriction with no current
  dimension does not match;
- min_price / max_price clamp total_cost excl. and incl. VAT independently;
- the tariff is valid from start_date_time (inclusive) to end_date_time (exclusive) at
  the CDR's start, else exit 3 {"error": "no_active_tariff"}; invalid input exits 2.

Every local time below is Europe/Amsterdam. 2024 transitions: spring forward on
Sun 31 March at 01:00 UTC (02:00 CET -> 03:00 CEST), fall back on Sun 27 October at
01:00 UTC (03:00 CEST -> 02:00 CET, so 02:00-03:00 local happens twice).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk.cli import main

TZ = "Europe/Amsterdam"
ZERO = {"excl_vat": "0.00", "incl_vat": "0.00"}

# --------------------------------------------------------------------------- builders


def tariff(*elements: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A complete OCPI 2.2.1 tariff of our own."""
    return {
        "country_code": "NL",
        "party_id": "KIO",
        "id": "BOUNDARY-1",
        "currency": "EUR",
        **fields,
        "elements": list(elements),
        "last_updated": "2024-01-01T00:00:00Z",
    }


def component(
    kind: str, price: float, step_size: int = 1, vat: float | None = 10.0
) -> dict[str, Any]:
    pc: dict[str, Any] = {"type": kind, "price": price, "step_size": step_size}
    if vat is not None:
        pc["vat"] = vat
    return pc


def element(*components: dict[str, Any], **restrictions: Any) -> dict[str, Any]:
    el: dict[str, Any] = {"price_components": list(components)}
    if restrictions:
        el["restrictions"] = restrictions
    return el


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cdr(
    start: str,
    periods: list[tuple[int, list[tuple[str, float]]]],
    end_after: int,
    tariff_id: str = "BOUNDARY-1",
) -> dict[str, Any]:
    """A complete OCPI CDR; periods are (seconds after start, [(dimension, volume), ...])."""
    t0 = at(start)
    return {
        "country_code": "NL",
        "party_id": "KIO",
        "id": "CDR-BOUNDARY-1",
        "start_date_time": iso(t0),
        "end_date_time": iso(t0 + timedelta(seconds=end_after)),
        "cdr_token": {
            "country_code": "NL",
            "party_id": "KIO",
            "uid": "KIOSK-TOKEN-0002",
            "type": "RFID",
            "contract_id": "NL-KIO-C00000002-Y",
        },
        "auth_method": "WHITELIST",
        "cdr_location": {
            "id": "KIO-LOC-0001",
            "address": "Stationsplein 1",
            "city": "Utrecht",
            "postal_code": "3511 AA",
            "country": "NLD",
            "coordinates": {"latitude": "52.089444", "longitude": "5.110278"},
            "evse_uid": "KIO-EVSE-0001",
            "evse_id": "NL*KIO*E0001",
            "connector_id": "1",
            "connector_standard": "IEC_62196_T2",
            "connector_format": "SOCKET",
            "connector_power_type": "AC_3_PHASE",
        },
        "currency": "EUR",
        "charging_periods": [
            {
                "start_date_time": iso(t0 + timedelta(seconds=offset)),
                "dimensions": [{"type": kind, "volume": volume} for kind, volume in dims],
                "tariff_id": tariff_id,
            }
            for offset, dims in periods
        ],
        "total_cost": {"excl_vat": 0.0, "incl_vat": 0.0},  # ignored by the engine
        "total_energy": 0.0,
        "total_time": end_after / 3600,
        "last_updated": iso(t0 + timedelta(seconds=end_after + 60)),
    }


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    capsys.readouterr()
    try:
        rc = main(args)
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr().out
    try:
        return rc, json.loads(out)
    except json.JSONDecodeError:
        pytest.fail(f"exit {rc}: stdout is not one JSON object: {out!r}")


def price(
    tariff_obj: dict[str, Any] | str,
    cdr_obj: dict[str, Any] | str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    tz: str = TZ,
) -> tuple[int, Any]:
    """Write tariff and CDR (objects, or raw text) to files and run `tariff price`."""
    tariff_path = tmp_path / "tariff.json"
    cdr_path = tmp_path / "cdr.json"
    for path, obj in ((tariff_path, tariff_obj), (cdr_path, cdr_obj)):
        path.write_text(obj if isinstance(obj, str) else json.dumps(obj), encoding="utf-8")
    args = ["tariff", "price", "--tariff", str(tariff_path), "--cdr", str(cdr_path)]
    return run_cli([*args, "--tz", tz, "--json"], capsys)


def priced_ok(*args: Any, **kwargs: Any) -> dict[str, Any]:
    rc, out = price(*args, **kwargs)
    assert rc == 0, out
    result: dict[str, Any] = out
    return result


# --------------------------------------------------------------------------- time of day,
# date and weekday: one period of 1 kWh starting at the instant under test; the restricted
# element prices ENERGY at 1.00/kWh and nothing else does, so the energy cost is 1.00 when
# the element matched and 0.00 when it did not.

NIGHT = {"start_time": "22:00", "end_time": "06:00"}
OFFICE = {"start_time": "09:00", "end_time": "18:00"}

LOCAL_TIME_CASES = [
    # (id, restrictions, period start UTC, matches)  -- local time in the id
    ("night 21:59:59 CEST", NIGHT, "2024-06-12T19:59:59Z", False),
    ("night 22:00:00 CEST", NIGHT, "2024-06-12T20:00:00Z", True),
    ("night 00:00:00 CEST (wrapped)", NIGHT, "2024-06-12T22:00:00Z", True),
    ("night 05:59:59 CEST (wrapped)", NIGHT, "2024-06-13T03:59:59Z", True),
    ("night 06:00:00 CEST", NIGHT, "2024-06-13T04:00:00Z", False),
    ("night 12:00 CEST", NIGHT, "2024-06-13T10:00:00Z", False),
    ("office 08:59:59 CEST", OFFICE, "2024-06-12T06:59:59Z", False),
    ("office 09:00:00 CEST", OFFICE, "2024-06-12T07:00:00Z", True),
    ("office 17:59:59 CEST", OFFICE, "2024-06-12T15:59:59Z", True),
    ("office 18:00:00 CEST", OFFICE, "2024-06-12T16:00:00Z", False),
    ("office 09:00 CET (winter)", OFFICE, "2024-01-10T08:00:00Z", True),
    ("office 08:00 CET (09:00 at the summer offset)", OFFICE, "2024-01-10T07:00:00Z", False),
    ("start_time only, 08:59 CEST", {"start_time": "09:00"}, "2024-06-12T06:59:00Z", False),
    ("start_time only, 09:00 CEST", {"start_time": "09:00"}, "2024-06-12T07:00:00Z", True),
    ("start_time only, 23:59 CEST", {"start_time": "09:00"}, "2024-06-12T21:59:00Z", True),
    ("end_time only, 00:00 CEST", {"end_time": "18:00"}, "2024-06-11T22:00:00Z", True),
    ("end_time only, 17:59 CEST", {"end_time": "18:00"}, "2024-06-12T15:59:00Z", True),
    ("end_time only, 18:00 CEST", {"end_time": "18:00"}, "2024-06-12T16:00:00Z", False),
    # Spring forward, Sat 30 -> Sun 31 March 2024 (the night is one hour shorter).
    ("spring night 21:59:59 CET", NIGHT, "2024-03-30T20:59:59Z", False),
    ("spring night 22:00:00 CET", NIGHT, "2024-03-30T21:00:00Z", True),
    ("spring night 01:59:59 CET", NIGHT, "2024-03-31T00:59:59Z", True),
    ("spring night 03:00:00 CEST", NIGHT, "2024-03-31T01:00:00Z", True),
    ("spring night 05:59:59 CEST", NIGHT, "2024-03-31T03:59:59Z", True),
    ("spring night 06:00:00 CEST", NIGHT, "2024-03-31T04:00:00Z", False),
    (
        "spring 02-03 window, 01:59:59 CET",
        {"start_time": "02:00", "end_time": "03:00"},
        "2024-03-31T00:59:59Z",
        False,
    ),
    (
        "spring 02-03 window, 03:00 CEST (02:xx skipped)",
        {"start_time": "02:00", "end_time": "03:00"},
        "2024-03-31T01:00:00Z",
        False,
    ),
    (
        "spring 03-04 window, 03:00 CEST",
        {"start_time": "03:00", "end_time": "04:00"},
        "2024-03-31T01:00:00Z",
        True,
    ),
    (
        "spring 01-02 window, 01:59:59 CET",
        {"start_time": "01:00", "end_time": "02:00"},
        "2024-03-31T00:59:59Z",
        True,
    ),
    # Fall back, Sat 26 -> Sun 27 October 2024 (the night is one hour longer).
    ("fall night 21:59:59 CEST", NIGHT, "2024-10-26T19:59:59Z", False),
    ("fall night 22:00:00 CEST", NIGHT, "2024-10-26T20:00:00Z", True),
    ("fall night 05:59:59 CET", NIGHT, "2024-10-27T04:59:59Z", True),
    ("fall night 06:00:00 CET", NIGHT, "2024-10-27T05:00:00Z", False),
    (
        "fall 02-03 window, first 02:30 (CEST)",
        {"start_time": "02:00", "end_time": "03:00"},
        "2024-10-27T00:30:00Z",
        True,
    ),
    (
        "fall 02-03 window, second 02:30 (CET)",
        {"start_time": "02:00", "end_time": "03:00"},
        "2024-10-27T01:30:00Z",
        True,
    ),
    (
        "fall 02-03 window, 02:59:59 CEST",
        {"start_time": "02:00", "end_time": "03:00"},
        "2024-10-27T00:59:59Z",
        True,
    ),
    (
        "fall 02-03 window, second 02:00:00 (CET)",
        {"start_time": "02:00", "end_time": "03:00"},
        "2024-10-27T01:00:00Z",
        True,
    ),
    (
        "fall 02-03 window, 03:00:00 CET",
        {"start_time": "02:00", "end_time": "03:00"},
        "2024-10-27T02:00:00Z",
        False,
    ),
    (
        "fall 03-04 window, second 02:30 (CET)",
        {"start_time": "03:00", "end_time": "04:00"},
        "2024-10-27T01:30:00Z",
        False,
    ),
    (
        "fall 03-04 window, 03:00:00 CET",
        {"start_time": "03:00", "end_time": "04:00"},
        "2024-10-27T02:00:00Z",
        True,
    ),
    # Weekday of the local period start (UTC is still Sunday at local Monday 00:00).
    ("MONDAY, Sun 23:59:59 CEST", {"day_of_week": ["MONDAY"]}, "2024-06-09T21:59:59Z", False),
    (
        "MONDAY, Mon 00:00:00 CEST (UTC Sun)",
        {"day_of_week": ["MONDAY"]},
        "2024-06-09T22:00:00Z",
        True,
    ),
    ("SUNDAY, Sun 23:59:59 CEST", {"day_of_week": ["SUNDAY"]}, "2024-06-09T21:59:59Z", True),
    (
        "SUNDAY, Mon 00:00:00 CEST (UTC Sun)",
        {"day_of_week": ["SUNDAY"]},
        "2024-06-09T22:00:00Z",
        False,
    ),
    ("MONDAY, Sun 23:59:59 CET", {"day_of_week": ["MONDAY"]}, "2024-01-07T22:59:59Z", False),
    (
        "MONDAY, Mon 00:00:00 CET (UTC Sun)",
        {"day_of_week": ["MONDAY"]},
        "2024-01-07T23:00:00Z",
        True,
    ),
    (
        "weekend, Fri 23:59:59 CEST",
        {"day_of_week": ["SATURDAY", "SUNDAY"]},
        "2024-06-14T21:59:59Z",
        False,
    ),
    (
        "weekend, Sat 00:00:00 CEST",
        {"day_of_week": ["SATURDAY", "SUNDAY"]},
        "2024-06-14T22:00:00Z",
        True,
    ),
    (
        "FRIDAY night window, Fri 23:00",
        {**NIGHT, "day_of_week": ["FRIDAY"]},
        "2024-06-14T21:00:00Z",
        True,
    ),
    (
        "FRIDAY night window, Sat 01:00 (weekday of start is Saturday)",
        {**NIGHT, "day_of_week": ["FRIDAY"]},
        "2024-06-14T23:00:00Z",
        False,
    ),
    (
        "Saturday 10-17, Sat 16:59:59",
        {"start_time": "10:00", "end_time": "17:00", "day_of_week": ["SATURDAY"]},
        "2024-06-15T14:59:59Z",
        True,
    ),
    (
        "Saturday 10-17, Sat 17:00:00",
        {"start_time": "10:00", "end_time": "17:00", "day_of_week": ["SATURDAY"]},
        "2024-06-15T15:00:00Z",
        False,
    ),
    (
        "Saturday 10-17, Fri 12:00",
        {"start_time": "10:00", "end_time": "17:00", "day_of_week": ["SATURDAY"]},
        "2024-06-14T10:00:00Z",
        False,
    ),
    # Local dates, across the spring-forward day (31 March has 23 hours).
    (
        "date 31 Mar, 30 Mar 23:59:59 CET",
        {"start_date": "2024-03-31", "end_date": "2024-04-01"},
        "2024-03-30T22:59:59Z",
        False,
    ),
    (
        "date 31 Mar, 31 Mar 00:00:00 CET",
        {"start_date": "2024-03-31", "end_date": "2024-04-01"},
        "2024-03-30T23:00:00Z",
        True,
    ),
    (
        "date 31 Mar, 31 Mar 23:59:59 CEST",
        {"start_date": "2024-03-31", "end_date": "2024-04-01"},
        "2024-03-31T21:59:59Z",
        True,
    ),
    (
        "date 31 Mar, 1 Apr 00:00:00 CEST",
        {"start_date": "2024-03-31", "end_date": "2024-04-01"},
        "2024-03-31T22:00:00Z",
        False,
    ),
    (
        "start_date only, the day before",
        {"start_date": "2024-10-27"},
        "2024-10-26T21:59:59Z",
        False,
    ),
    ("start_date only, 00:00 CEST", {"start_date": "2024-10-27"}, "2024-10-26T22:00:00Z", True),
    (
        "end_date only, 27 Oct 23:59:59 CET",
        {"end_date": "2024-10-28"},
        "2024-10-27T22:59:59Z",
        True,
    ),
    (
        "end_date only, 28 Oct 00:00:00 CET",
        {"end_date": "2024-10-28"},
        "2024-10-27T23:00:00Z",
        False,
    ),
]


@pytest.mark.parametrize(
    ("restrictions", "start", "matches"),
    [case[1:] for case in LOCAL_TIME_CASES],
    ids=[case[0] for case in LOCAL_TIME_CASES],
)
def test_local_time_date_and_weekday(
    restrictions: dict[str, Any],
    start: str,
    matches: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    t = tariff(element(component("ENERGY", 1.00), **restrictions))
    c = cdr(start, [(0, [("ENERGY", 1), ("TIME", 0.25)])], 15 * 60)
    out = priced_ok(t, c, tmp_path, capsys)
    expected = {"excl_vat": "1.00", "incl_vat": "1.10"} if matches else ZERO
    assert out["total_energy_cost"] == expected


def test_the_zone_argument_decides_local_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """08:30 UTC is 09:30 in Amsterdam (inside 09:00-18:00 in winter) but 03:30 in New York."""
    t = tariff(element(component("ENERGY", 1.00), **OFFICE))
    c = cdr("2024-01-10T08:30:00Z", [(0, [("ENERGY", 1), ("TIME", 0.25)])], 15 * 60)
    amsterdam = priced_ok(t, c, tmp_path, capsys)
    new_york = priced_ok(t, c, tmp_path, capsys, tz="America/New_York")
    assert amsterdam["total_energy_cost"]["excl_vat"] == "1.00"
    assert new_york["total_energy_cost"]["excl_vat"] == "0.00"


# --------------------------------------------------------------------------- kWh and duration:
# a charging period (lead) followed by 1 minute of parking (probe). Only the restricted
# element prices PARKING_TIME (60.00/h, per second), so the parking cost is 1.00 exactly
# when the restriction matched at the probe's start.

SESSION = "2024-06-12T08:00:00Z"

ENERGY_DURATION_CASES = [
    # (id, restrictions, lead energy kWh, lead seconds, matches)
    ("min_kwh 5, 4.999 kWh before", {"min_kwh": 5}, 4.999, 1800, False),
    ("min_kwh 5, 5 kWh before (inclusive)", {"min_kwh": 5}, 5, 1800, True),
    ("max_kwh 5, 4.999 kWh before", {"max_kwh": 5}, 4.999, 1800, True),
    ("max_kwh 5, 5 kWh before (exclusive)", {"max_kwh": 5}, 5, 1800, False),
    ("min 5 max 10 kWh, 10 kWh before", {"min_kwh": 5, "max_kwh": 10}, 10, 1800, False),
    ("min_duration 1800, probe at 1799 s", {"min_duration": 1800}, 5, 1799, False),
    ("min_duration 1800, probe at 1800 s (inclusive)", {"min_duration": 1800}, 5, 1800, True),
    ("max_duration 1800, probe at 1799 s", {"max_duration": 1800}, 5, 1799, True),
    ("max_duration 1800, probe at 1800 s (exclusive)", {"max_duration": 1800}, 5, 1800, False),
    ("min_duration 0, probe at 60 s", {"min_duration": 0}, 1, 60, True),
]


@pytest.mark.parametrize(
    ("restrictions", "lead_kwh", "lead_seconds", "matches"),
    [case[1:] for case in ENERGY_DURATION_CASES],
    ids=[case[0] for case in ENERGY_DURATION_CASES],
)
def test_energy_and_duration(
    restrictions: dict[str, Any],
    lead_kwh: float,
    lead_seconds: int,
    matches: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    t = tariff(element(component("PARKING_TIME", 60.00, vat=20.0), **restrictions))
    c = cdr(
        SESSION,
        [(0, [("ENERGY", lead_kwh)]), (lead_seconds, [("PARKING_TIME", round(1 / 60, 6))])],
        lead_seconds + 60,
    )
    out = priced_ok(t, c, tmp_path, capsys)
    expected = {"excl_vat": "1.00", "incl_vat": "1.20"} if matches else ZERO
    assert out["total_parking_cost"] == expected


def test_duration_counts_from_the_session_start_not_from_parking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The "first hour free" element (max_duration 3600) no longer applies to parking that
    starts after one hour of charging: all 30 min of parking cost 2.00/h."""
    t = tariff(
        element(component("PARKING_TIME", 0.00, 60, vat=None), max_duration=3600),
        element(component("PARKING_TIME", 2.00, 60, vat=None), min_duration=3600),
    )
    c = cdr(SESSION, [(0, [("ENERGY", 20), ("TIME", 1.0)]), (3600, [("PARKING_TIME", 0.5)])], 5400)
    out = priced_ok(t, c, tmp_path, capsys)
    assert out["total_parking_cost"] == {"excl_vat": "1.00", "incl_vat": "1.00"}


DST_DURATION_CASES = [
    # (id, restrictions, session start UTC, probe after real seconds, matches)
    # Fall back: 02:00 CEST + 3600 s is 02:00 CET again; the duration is 3600 s, not 0.
    (
        "fall back: max_duration 3600, probe 1 h later at the same wall time",
        {"max_duration": 3600},
        "2024-10-27T00:00:00Z",
        3600,
        False,
    ),
    (
        "fall back: min_duration 3600, probe 1 h later at the same wall time",
        {"min_duration": 3600},
        "2024-10-27T00:00:00Z",
        3600,
        True,
    ),
    # Spring forward: 01:30 CET + 3600 s is 03:30 CEST; the duration is 3600 s, not 7200.
    (
        "spring forward: min_duration 7200, probe 1 h later (2 h on the wall)",
        {"min_duration": 7200},
        "2024-03-31T00:30:00Z",
        3600,
        False,
    ),
    (
        "spring forward: max_duration 7200, probe 1 h later (2 h on the wall)",
        {"max_duration": 7200},
        "2024-03-31T00:30:00Z",
        3600,
        True,
    ),
]


@pytest.mark.parametrize(
    ("restrictions", "start", "probe_after", "matches"),
    [case[1:] for case in DST_DURATION_CASES],
    ids=[case[0] for case in DST_DURATION_CASES],
)
def test_duration_is_real_seconds_across_dst(
    restrictions: dict[str, Any],
    start: str,
    probe_after: int,
    matches: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    t = tariff(element(component("PARKING_TIME", 60.00, vat=20.0), **restrictions))
    c = cdr(
        start,
        [(0, [("ENERGY", 7)]), (probe_after, [("PARKING_TIME", round(1 / 60, 6))])],
        probe_after + 60,
    )
    out = priced_ok(t, c, tmp_path, capsys)
    expected = {"excl_vat": "1.00", "incl_vat": "1.20"} if matches else ZERO
    assert out["total_parking_cost"] == expected


# --------------------------------------------------------------------------- power and current:
# one period of `kwh` kWh with the given dimensions; the restricted element prices ENERGY at
# 1.00/kWh and nothing else does.

POWER_CURRENT_CASES = [
    # (id, restrictions, extra dimensions, kWh, period seconds, matches)
    ("max_power 16, MAX_POWER 15.999", {"max_power": 16}, [("MAX_POWER", 15.999)], 1, 900, True),
    (
        "max_power 16, MAX_POWER 16 (exclusive)",
        {"max_power": 16},
        [("MAX_POWER", 16)],
        1,
        900,
        False,
    ),
    (
        "min_power 16, MIN_POWER 16 (inclusive)",
        {"min_power": 16},
        [("MIN_POWER", 16)],
        1,
        900,
        True,
    ),
    ("min_power 16, MIN_POWER 15.999", {"min_power": 16}, [("MIN_POWER", 15.999)], 1, 900, False),
    (
        "min_power 10 vs MIN 10 / MAX 20",
        {"min_power": 10},
        [("MIN_POWER", 10), ("MAX_POWER", 20)],
        1,
        900,
        True,
    ),
    (
        "min_power 10.001 vs MIN 10 / MAX 20 (checks the minimum)",
        {"min_power": 10.001},
        [("MIN_POWER", 10), ("MAX_POWER", 20)],
        1,
        900,
        False,
    ),
    (
        "max_power 20 vs MIN 10 / MAX 20 (checks the maximum)",
        {"max_power": 20},
        [("MIN_POWER", 10), ("MAX_POWER", 20)],
        1,
        900,
        False,
    ),
    (
        "max_power 20.001 vs MIN 10 / MAX 20",
        {"max_power": 20.001},
        [("MIN_POWER", 10), ("MAX_POWER", 20)],
        1,
        900,
        True,
    ),
    (
        "min 10 + max 20.001 vs MIN 10 / MAX 20",
        {"min_power": 10, "max_power": 20.001},
        [("MIN_POWER", 10), ("MAX_POWER", 20)],
        1,
        900,
        True,
    ),
    (
        "min_power 20 vs only MAX_POWER 20 (serves as minimum)",
        {"min_power": 20},
        [("MAX_POWER", 20)],
        1,
        900,
        True,
    ),
    (
        "min_power 20.001 vs only MAX_POWER 20",
        {"min_power": 20.001},
        [("MAX_POWER", 20)],
        1,
        900,
        False,
    ),
    (
        "max_power 5 vs only MIN_POWER 5 (serves as maximum)",
        {"max_power": 5},
        [("MIN_POWER", 5)],
        1,
        900,
        False,
    ),
    ("max_power 5.001 vs only MIN_POWER 5", {"max_power": 5.001}, [("MIN_POWER", 5)], 1, 900, True),
    ("min_power 16 vs POWER 16", {"min_power": 16}, [("POWER", 16)], 1, 900, True),
    ("max_power 16 vs POWER 16", {"max_power": 16}, [("POWER", 16)], 1, 900, False),
    ("max_power 16, no power dim, 8 kWh in 30 min = 16 kW", {"max_power": 16}, [], 8, 1800, False),
    ("min_power 16, no power dim, 8 kWh in 30 min = 16 kW", {"min_power": 16}, [], 8, 1800, True),
    ("max_power 16.001, no power dim, 16 kW average", {"max_power": 16.001}, [], 8, 1800, True),
    ("min_power 16.001, no power dim, 16 kW average", {"min_power": 16.001}, [], 8, 1800, False),
    (
        "max_current 32, MAX_CURRENT 31.9",
        {"max_current": 32},
        [("MAX_CURRENT", 31.9)],
        1,
        900,
        True,
    ),
    (
        "max_current 32, MAX_CURRENT 32 (exclusive)",
        {"max_current": 32},
        [("MAX_CURRENT", 32)],
        1,
        900,
        False,
    ),
    (
        "min_current 32, MIN_CURRENT 32 (inclusive)",
        {"min_current": 32},
        [("MIN_CURRENT", 32)],
        1,
        900,
        True,
    ),
    (
        "min_current 32, MIN_CURRENT 31.9",
        {"min_current": 32},
        [("MIN_CURRENT", 31.9)],
        1,
        900,
        False,
    ),
    (
        "min_current 16 vs MIN 16 / MAX 40",
        {"min_current": 16},
        [("MIN_CURRENT", 16), ("MAX_CURRENT", 40)],
        1,
        900,
        True,
    ),
    (
        "max_current 40 vs MIN 16 / MAX 40 (checks the maximum)",
        {"max_current": 40},
        [("MIN_CURRENT", 16), ("MAX_CURRENT", 40)],
        1,
        900,
        False,
    ),
    (
        "min_current 40 vs only MAX_CURRENT 40",
        {"min_current": 40},
        [("MAX_CURRENT", 40)],
        1,
        900,
        True,
    ),
    ("min_current 32 vs CURRENT 32", {"min_current": 32}, [("CURRENT", 32)], 1, 900, True),
    ("max_current 32 vs CURRENT 32", {"max_current": 32}, [("CURRENT", 32)], 1, 900, False),
    # A period without current data meets current restrictions (as the reference
    # implementation does), rather than leaving the dimension unpriced.
    ("min_current 0, no current dim (met)", {"min_current": 0}, [], 1, 900, True),
    ("max_current 1000, no current dim (met)", {"max_current": 1000}, [], 1, 900, True),
    ("min_current 1000, no current dim (met)", {"min_current": 1000}, [], 1, 900, True),
]


@pytest.mark.parametrize(
    ("restrictions", "dims", "kwh", "seconds", "matches"),
    [case[1:] for case in POWER_CURRENT_CASES],
    ids=[case[0] for case in POWER_CURRENT_CASES],
)
def test_power_and_current(
    restrictions: dict[str, Any],
    dims: list[tuple[str, float]],
    kwh: float,
    seconds: int,
    matches: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    t = tariff(element(component("ENERGY", 1.00, vat=None), **restrictions))
    c = cdr(SESSION, [(0, [("ENERGY", kwh), *dims])], seconds)
    out = priced_ok(t, c, tmp_path, capsys)
    if matches:
        assert out["total_energy_cost"] == {"excl_vat": f"{kwh}.00", "incl_vat": f"{kwh}.00"}
    else:
        assert out["total_energy_cost"] == ZERO


@pytest.mark.parametrize(
    ("restrictions", "matches"),
    [({"min_power": 16}, True), ({"max_power": 16}, False), ({"max_power": 16.001}, True)],
    ids=["min_power 16", "max_power 16", "max_power 16.001"],
)
def test_average_power_is_energy_over_charging_time(
    restrictions: dict[str, Any],
    matches: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A 1 h period that charged 8 kWh in 30 min (TIME 0.5) and parked 30 min: 16 kW, not 8."""
    t = tariff(element(component("ENERGY", 1.00, vat=None), **restrictions))
    c = cdr(SESSION, [(0, [("ENERGY", 8), ("TIME", 0.5), ("PARKING_TIME", 0.5)])], 3600)
    out = priced_ok(t, c, tmp_path, capsys)
    expected = {"excl_vat": "8.00", "incl_vat": "8.00"} if matches else ZERO
    assert out["total_energy_cost"] == expected


def test_current_steps_between_elements_within_one_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The complex example's rule, per period: below 32 A 1.00/h, from 32 A 2.00/h."""
    t = tariff(
        element(component("TIME", 1.00, vat=None), max_current=32),
        element(component("TIME", 2.00, vat=None), min_current=32),
    )
    c = cdr(
        SESSION,
        [
            (0, [("ENERGY", 5), ("MIN_CURRENT", 16), ("MAX_CURRENT", 31.5), ("TIME", 1.0)]),
            (3600, [("ENERGY", 10), ("MIN_CURRENT", 32), ("MAX_CURRENT", 48), ("TIME", 0.5)]),
        ],
        5400,
    )
    out = priced_ok(t, c, tmp_path, capsys)
    assert out["total_time_cost"] == {"excl_vat": "2.00", "incl_vat": "2.00"}


# --------------------------------------------------------------------------- element choice


def test_first_matching_element_per_dimension(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ENERGY from the restricted element inside its window, TIME always from the fallback."""
    t = tariff(
        element(component("ENERGY", 0.50, vat=None), **OFFICE),
        element(component("ENERGY", 0.30, vat=None), component("TIME", 1.20, vat=None)),
    )
    inside = cdr("2024-06-12T08:00:00Z", [(0, [("ENERGY", 10), ("TIME", 1.0)])], 3600)
    outside = cdr("2024-06-12T18:00:00Z", [(0, [("ENERGY", 10), ("TIME", 1.0)])], 3600)
    out_in = priced_ok(t, inside, tmp_path, capsys)
    out_out = priced_ok(t, outside, tmp_path, capsys)
    assert out_in["total_energy_cost"]["excl_vat"] == "5.00"
    assert out_in["total_time_cost"]["excl_vat"] == "1.20"
    assert out_out["total_energy_cost"]["excl_vat"] == "3.00"
    assert out_out["total_time_cost"]["excl_vat"] == "1.20"


def test_no_matching_element_leaves_the_dimension_free(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t = tariff(element(component("ENERGY", 0.50), **OFFICE))
    c = cdr("2024-06-12T18:00:00Z", [(0, [("ENERGY", 10), ("TIME", 1.0)])], 3600)
    out = priced_ok(t, c, tmp_path, capsys)
    assert out["total_cost"] == ZERO


def test_periods_without_time_dimensions_count_as_time_or_parking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No TIME/PARKING_TIME given: energy > 0 makes the whole period TIME, else PARKING_TIME."""
    t = tariff(
        element(component("TIME", 6.00, vat=None), component("PARKING_TIME", 60.00, vat=None))
    )
    c = cdr(SESSION, [(0, [("ENERGY", 5)]), (1800, [("ENERGY", 0)])], 2400)
    out = priced_ok(t, c, tmp_path, capsys)
    assert out["total_time_cost"]["excl_vat"] == "3.00"  # 30 min at 6.00/h
    assert out["total_parking_cost"]["excl_vat"] == "10.00"  # 10 min at 60.00/h


@pytest.mark.parametrize(
    ("hours", "billed"),
    [(0.00125, "5.00"), (0.00124, "4.00"), (0.001389, "5.00")],
    ids=["4.5 s -> 5 s (half-up)", "4.464 s -> 4 s", "5.0004 s -> 5 s"],
)
def test_time_volume_becomes_whole_seconds_half_up(
    hours: float, billed: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """TIME at 3600.00/h (1.00 a second), per second: the cost counts the billed seconds."""
    t = tariff(element(component("TIME", 3600.00, vat=None)))
    c = cdr(SESSION, [(0, [("ENERGY", 0.01), ("TIME", hours)])], 5)
    out = priced_ok(t, c, tmp_path, capsys)
    assert out["total_time_cost"] == {"excl_vat": billed, "incl_vat": billed}


def before_and_after_17(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """TIME priced by `before` until 17:00 local and by `after` from 17:00 to midnight."""
    return [
        element(before, start_time="00:00", end_time="17:00"),
        element(after, start_time="17:00", end_time="00:00"),
    ]


STEP_ACROSS_ELEMENTS = [
    # (id, session start UTC, seconds before / after 17:00 local, elements, total_time_cost)
    (
        "rounding at the last element's price and VAT",
        "2024-06-12T14:55:00Z",  # 16:55 CEST
        (300, 300),
        before_and_after_17(
            component("TIME", 1.20, 1800, vat=10.0), component("TIME", 2.40, 900, vat=20.0)
        ),
        # 5 min x 1.20/h = 0.10 (0.11 incl.); (5 min + 5 min rounding) x 2.40/h = 0.40 (0.48)
        {"excl_vat": "0.50", "incl_vat": "0.59"},
    ),
    (
        "a free element's volume still counts toward the step",
        "2024-06-12T14:30:00Z",  # 16:30 CEST
        (1800, 420),
        before_and_after_17(
            component("TIME", 0.00, 1, vat=20.0), component("TIME", 2.00, 900, vat=20.0)
        ),
        # 30 min free + 7 min = 37 min, rounded to 45: 15 min billed at 2.00/h
        {"excl_vat": "0.50", "incl_vat": "0.60"},
    ),
    (
        "a free last element makes the rounding free",
        "2024-06-12T14:30:00Z",  # 16:30 CEST
        (1800, 420),
        before_and_after_17(
            component("TIME", 2.00, 1, vat=20.0), component("TIME", 0.00, 3600, vat=20.0)
        ),
        # 30 min x 2.00/h = 1.00; 7 min free, rounded to 60 min at 0.00
        {"excl_vat": "1.00", "incl_vat": "1.20"},
    ),
]


@pytest.mark.parametrize(
    ("start", "seconds", "elements", "expected"),
    [case[1:] for case in STEP_ACROSS_ELEMENTS],
    ids=[case[0] for case in STEP_ACROSS_ELEMENTS],
)
def test_step_size_across_elements(
    start: str,
    seconds: tuple[int, int],
    elements: list[dict[str, Any]],
    expected: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before, after = seconds
    c = cdr(
        start,
        [
            (0, [("ENERGY", 2), ("TIME", round(before / 3600, 6))]),
            (before, [("ENERGY", 1), ("TIME", round(after / 3600, 6))]),
        ],
        before + after,
    )
    out = priced_ok(tariff(*elements), c, tmp_path, capsys)
    assert out["total_time_cost"] == expected


@pytest.mark.parametrize(
    ("start", "fee"),
    [("2024-06-12T14:30:00Z", "2.00"), ("2024-06-12T15:00:00Z", "3.00")],
    ids=["starts 16:30 (crosses 17:00)", "starts 17:00"],
)
def test_flat_fee_once_from_the_first_matching_period(
    start: str, fee: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t = tariff(
        element(component("FLAT", 2.00, vat=None), start_time="00:00", end_time="17:00"),
        element(component("FLAT", 3.00, vat=None), start_time="17:00", end_time="00:00"),
    )
    c = cdr(
        start,
        [(0, [("ENERGY", 5), ("TIME", 0.5)]), (1800, [("ENERGY", 5), ("TIME", 0.5)])],
        3600,
    )
    out = priced_ok(t, c, tmp_path, capsys)
    assert out["total_fixed_cost"] == {"excl_vat": fee, "incl_vat": fee}


# --------------------------------------------------------------------------- min/max price:
# one period of `kwh` kWh; the components below; total_cost excl. and incl. VAT.

ENERGY_10 = [component("ENERGY", 0.25, vat=10.0)]
ENERGY_21 = [component("ENERGY", 0.25, vat=21.0)]
ENERGY_NO_VAT = [component("ENERGY", 0.25, vat=None)]
START_AND_ENERGY = [component("FLAT", 0.50, vat=20.0), component("ENERGY", 0.25, vat=10.0)]

MIN_MAX_CASES = [
    # (id, tariff fields, components, kWh, expected total_cost)
    (
        "min 0.50/0.55, 1.5 kWh: both lifted",
        {"min_price": {"excl_vat": 0.50, "incl_vat": 0.55}},
        ENERGY_10,
        1.5,
        ("0.50", "0.55"),
    ),
    (
        "min 0.50/0.55, exactly 2 kWh",
        {"min_price": {"excl_vat": 0.50, "incl_vat": 0.55}},
        ENERGY_10,
        2,
        ("0.50", "0.55"),
    ),
    (
        "min 0.50/0.55, 3 kWh: above",
        {"min_price": {"excl_vat": 0.50, "incl_vat": 0.55}},
        ENERGY_10,
        3,
        ("0.75", "0.83"),
    ),
    (
        "min 1.00/1.30, 4.2 kWh: only incl lifted",
        {"min_price": {"excl_vat": 1.00, "incl_vat": 1.30}},
        ENERGY_21,
        4.2,
        ("1.05", "1.30"),
    ),
    (
        "min 1.00/1.10, 3.9 kWh: only excl lifted",
        {"min_price": {"excl_vat": 1.00, "incl_vat": 1.10}},
        ENERGY_21,
        3.9,
        ("1.00", "1.18"),
    ),
    (
        "min 0.50/0.55, no VAT given: each side clamped to its bound",
        {"min_price": {"excl_vat": 0.50, "incl_vat": 0.55}},
        ENERGY_NO_VAT,
        1.5,
        ("0.50", "0.55"),
    ),
    (
        "max 10/11, 50 kWh: both capped",
        {"max_price": {"excl_vat": 10.00, "incl_vat": 11.00}},
        START_AND_ENERGY,
        50,
        ("10.00", "11.00"),
    ),
    (
        "max 10/11, 38 kWh: excl exactly at max",
        {"max_price": {"excl_vat": 10.00, "incl_vat": 11.00}},
        START_AND_ENERGY,
        38,
        ("10.00", "11.00"),
    ),
    (
        "max 10/10.80, 37.5 kWh: only incl capped",
        {"max_price": {"excl_vat": 10.00, "incl_vat": 10.80}},
        START_AND_ENERGY,
        37.5,
        ("9.88", "10.80"),
    ),
    (
        "max 10/11.50, 39 kWh: only excl capped",
        {"max_price": {"excl_vat": 10.00, "incl_vat": 11.50}},
        START_AND_ENERGY,
        39,
        ("10.00", "11.33"),
    ),
    (
        "max 5/6, no VAT given: each side clamped to its bound",
        {"max_price": {"excl_vat": 5.00, "incl_vat": 6.00}},
        ENERGY_NO_VAT,
        30,
        ("5.00", "6.00"),
    ),
    (
        "min 1/1.10 + max 2/2.20, 2 kWh: min",
        {
            "min_price": {"excl_vat": 1.00, "incl_vat": 1.10},
            "max_price": {"excl_vat": 2.00, "incl_vat": 2.20},
        },
        ENERGY_10,
        2,
        ("1.00", "1.10"),
    ),
    (
        "min 1/1.10 + max 2/2.20, 6 kWh: between",
        {
            "min_price": {"excl_vat": 1.00, "incl_vat": 1.10},
            "max_price": {"excl_vat": 2.00, "incl_vat": 2.20},
        },
        ENERGY_10,
        6,
        ("1.50", "1.65"),
    ),
    (
        "min 1/1.10 + max 2/2.20, 10 kWh: max",
        {
            "min_price": {"excl_vat": 1.00, "incl_vat": 1.10},
            "max_price": {"excl_vat": 2.00, "incl_vat": 2.20},
        },
        ENERGY_10,
        10,
        ("2.00", "2.20"),
    ),
]


@pytest.mark.parametrize(
    ("fields", "components", "kwh", "expected"),
    [case[1:] for case in MIN_MAX_CASES],
    ids=[case[0] for case in MIN_MAX_CASES],
)
def test_min_and_max_price(
    fields: dict[str, Any],
    components: list[dict[str, Any]],
    kwh: float,
    expected: tuple[str, str | None],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    t = tariff(element(*components), **fields)
    c = cdr(SESSION, [(0, [("ENERGY", kwh), ("TIME", 1.0)])], 3600)
    out = priced_ok(t, c, tmp_path, capsys)
    assert out["total_cost"] == {"excl_vat": expected[0], "incl_vat": expected[1]}


# --------------------------------------------------------------------------- tariff validity

VALID_JUNE = {"start_date_time": "2024-06-01T00:00:00Z", "end_date_time": "2024-07-01T00:00:00Z"}

VALIDITY_CASES = [
    # (id, tariff fields, CDR start, exit code)
    ("1 s before start_date_time", VALID_JUNE, "2024-05-31T23:59:59Z", 3),
    ("at start_date_time (inclusive)", VALID_JUNE, "2024-06-01T00:00:00Z", 0),
    ("1 s before end_date_time", VALID_JUNE, "2024-06-30T23:59:59Z", 0),
    ("at end_date_time (exclusive)", VALID_JUNE, "2024-07-01T00:00:00Z", 3),
    ("after end_date_time", VALID_JUNE, "2024-07-15T12:00:00Z", 3),
    (
        "only start_date_time, long after",
        {"start_date_time": "2024-06-01T00:00:00Z"},
        "2030-01-01T00:00:00Z",
        0,
    ),
    (
        "only end_date_time, long before",
        {"end_date_time": "2024-07-01T00:00:00Z"},
        "2001-01-01T00:00:00Z",
        0,
    ),
]


@pytest.mark.parametrize(
    ("fields", "start", "exit_code"),
    [case[1:] for case in VALIDITY_CASES],
    ids=[case[0] for case in VALIDITY_CASES],
)
def test_tariff_validity(
    fields: dict[str, Any],
    start: str,
    exit_code: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    t = tariff(element(component("TIME", 2.00, vat=None)), **fields)
    c = cdr(start, [(0, [("ENERGY", 10), ("TIME", 1.0)])], 3600)
    rc, out = price(t, c, tmp_path, capsys)
    assert rc == exit_code, out
    if exit_code == 3:
        assert out == {"error": "no_active_tariff", "warnings": []}
    else:
        assert out["total_cost"] == {"excl_vat": "2.00", "incl_vat": "2.00"}


def test_validity_is_judged_at_the_session_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A session that starts before end_date_time and runs past it is priced in full."""
    t = tariff(element(component("TIME", 2.00, vat=None)), **VALID_JUNE)
    c = cdr(
        "2024-06-30T23:30:00Z",
        [(0, [("ENERGY", 5), ("TIME", 0.5)]), (1800, [("ENERGY", 5), ("TIME", 0.5)])],
        3600,
    )
    out = priced_ok(t, c, tmp_path, capsys)
    assert out["total_cost"] == {"excl_vat": "2.00", "incl_vat": "2.00"}


# --------------------------------------------------------------------------- invalid input


def base_tariff() -> dict[str, Any]:
    return tariff(element(component("ENERGY", 0.25), component("TIME", 1.00, 60)))


def base_cdr() -> dict[str, Any]:
    return cdr(SESSION, [(0, [("ENERGY", 10), ("TIME", 1.0)])], 3600)


def drop(key: str) -> Any:
    return lambda obj: obj.pop(key)


def set_top(key: str, value: Any) -> Any:
    return lambda obj: obj.__setitem__(key, value)


def set_component(key: str, value: Any) -> Any:
    return lambda obj: obj["elements"][0]["price_components"][0].__setitem__(key, value)


def drop_component(key: str) -> Any:
    return lambda obj: obj["elements"][0]["price_components"][0].pop(key)


def set_restrictions(**restrictions: Any) -> Any:
    return lambda obj: obj["elements"][0].__setitem__("restrictions", restrictions)


def set_period(key: str, value: Any) -> Any:
    return lambda obj: obj["charging_periods"][0].__setitem__(key, value)


# country_code, party_id and last_updated may be missing from a tariff that is only
# priced (a warning each): tests/kiosk/test_tariff_cli.py.
INVALID_TARIFFS = [
    ("country_code of 3 chars", set_top("country_code", "NLD")),
    ("party_id of 2 chars", set_top("party_id", "KI")),
    ("party_id of 4 chars", set_top("party_id", "KIOS")),
    ("no id", drop("id")),
    ("no currency", drop("currency")),
    ("currency not ISO 4217", set_top("currency", "EURO")),
    ("no elements", drop("elements")),
    ("empty elements", set_top("elements", [])),
    ("last_updated not a date-time", set_top("last_updated", "yesterday")),
    ("component without type", drop_component("type")),
    ("component of unknown type", set_component("type", "KWH")),
    ("component without price", drop_component("price")),
    ("price as a string", set_component("price", "0.25")),
    ("component without step_size", drop_component("step_size")),
    ("step_size negative", set_component("step_size", -60)),
    ("step_size not whole", set_component("step_size", 1.5)),
    ("start_time 24:00", set_restrictions(start_time="24:00", end_time="06:00")),
    ("start_time without leading zero", set_restrictions(start_time="9:00", end_time="18:00")),
    ("day_of_week abbreviated", set_restrictions(day_of_week=["MON"])),
    ("start_date not a date", set_restrictions(start_date="2024-02-30")),
    ("reservation of unknown kind", set_restrictions(reservation="MAYBE")),
]


@pytest.mark.parametrize(
    "mutate", [case[1] for case in INVALID_TARIFFS], ids=[case[0] for case in INVALID_TARIFFS]
)
def test_invalid_tariff_exits_2(
    mutate: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t = base_tariff()
    mutate(t)
    rc, out = price(t, base_cdr(), tmp_path, capsys)
    assert rc == 2, out
    assert set(out) == {"error", "warnings"}
    assert isinstance(out["error"], str)
    assert out["error"]


INVALID_CDRS = [
    ("no charging_periods", drop("charging_periods")),
    ("empty charging_periods", set_top("charging_periods", [])),
    ("no start_date_time", drop("start_date_time")),
    ("start_date_time not a date-time", set_top("start_date_time", "2024-06-12 08:00")),
    ("period start not a date-time", set_period("start_date_time", "soon")),
    ("period without dimensions", set_period("dimensions", [])),
    ("volume not a number", set_period("dimensions", [{"type": "ENERGY", "volume": "ten"}])),
]


@pytest.mark.parametrize(
    "mutate", [case[1] for case in INVALID_CDRS], ids=[case[0] for case in INVALID_CDRS]
)
def test_invalid_cdr_exits_2(
    mutate: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = base_cdr()
    mutate(c)
    rc, out = price(base_tariff(), c, tmp_path, capsys)
    assert rc == 2, out
    assert set(out) == {"error", "warnings"}
    assert out["error"]


INVALID_TEXT = [
    # (id, tariff text or None for the base tariff, CDR text or None for the base CDR)
    ("tariff file is not JSON", '{"country_code": ', None),
    ("tariff holds NaN", json.dumps(base_tariff()).replace("0.25", "NaN"), None),
    ("tariff holds Infinity", json.dumps(base_tariff()).replace("0.25", "Infinity"), None),
    ("tariff is a string", '"SPEC-8"', None),
    ("CDR file is not JSON", None, "not json at all"),
    ("CDR is a list", None, "[]"),
]


@pytest.mark.parametrize(
    ("tariff_text", "cdr_text"),
    [case[1:] for case in INVALID_TEXT],
    ids=[case[0] for case in INVALID_TEXT],
)
def test_unparsable_input_exits_2(
    tariff_text: str | None,
    cdr_text: str | None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, out = price(
        tariff_text if tariff_text is not None else base_tariff(),
        cdr_text if cdr_text is not None else base_cdr(),
        tmp_path,
        capsys,
    )
    assert rc == 2, out
    assert set(out) == {"error", "warnings"}
    assert out["error"]


def test_unknown_time_zone_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out = price(base_tariff(), base_cdr(), tmp_path, capsys, tz="Mars/Olympus_Mons")
    assert rc == 2, out
    assert set(out) == {"error", "warnings"}
    assert out["error"]


def test_missing_tariff_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cdr_path = tmp_path / "cdr.json"
    cdr_path.write_text(json.dumps(base_cdr()), encoding="utf-8")
    missing = tmp_path / "no-such-tariff.json"
    args = ["tariff", "price", "--tariff", str(missing), "--cdr", str(cdr_path)]
    rc, out = run_cli([*args, "--tz", TZ, "--json"], capsys)
    assert rc == 2, out
    assert set(out) == {"error", "warnings"}
    assert out["error"]


def test_no_tariff_given_or_embedded_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cdr_path = tmp_path / "cdr.json"
    cdr_path.write_text(json.dumps(base_cdr()), encoding="utf-8")  # no "tariffs" in it
    rc, out = run_cli(["tariff", "price", "--cdr", str(cdr_path), "--tz", TZ, "--json"], capsys)
    assert rc == 2, out
    assert set(out) == {"error", "warnings"}
    assert out["error"]
