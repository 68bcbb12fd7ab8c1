"""The price screen's worked example: priced by the billing engine, in local time."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from kiosk.domain.estimate import (
    ExampleCharge,
    current_lines,
    estimate_example,
    example_charge,
    price_example,
    rate_changes,
)
from kiosk.domain.tariff import Tariff
from kiosk.domain.tariff_text import TariffDescription, describe
from tests.kiosk.domain.test_pricing import el, pc, tariff
from tests.kiosk.receipts.sessions import load_tariff


def test_the_example_follows_the_connector() -> None:
    assert example_charge("AC_3_PHASE", Decimal(22)) == ExampleCharge(Decimal(20), Decimal(11))
    assert example_charge("AC_1_PHASE", Decimal("7.4")) == ExampleCharge(
        Decimal(20), Decimal("7.4")
    )
    assert example_charge("DC", Decimal(150)) == ExampleCharge(Decimal(40), Decimal(100))
    assert example_charge("DC", Decimal(50)) == ExampleCharge(Decimal(40), Decimal(50))


@pytest.mark.parametrize(
    ("kwh", "kw", "minutes"), [("20", "11", 110), ("40", "100", 24), ("20", "7.4", 163)]
)
def test_minutes_are_rounded_up(kwh: str, kw: str, minutes: int) -> None:
    assert ExampleCharge(Decimal(kwh), Decimal(kw)).minutes == minutes


def test_energy_and_session_fee() -> None:
    t = tariff(el(pc("ENERGY", "0.40"), pc("FLAT", "1.00")))
    cost = price_example(
        t,
        ExampleCharge(Decimal(20), Decimal(11)),
        start=datetime(2026, 3, 2, 8, tzinfo=UTC),
        tz="Europe/Berlin",
    )
    assert cost.excl_vat == Decimal("9.00")
    assert cost.incl_vat == Decimal("10.71")  # 9.00 + 19 %


def test_time_of_use_is_read_in_the_stations_zone() -> None:
    """Night energy from 22:00 Berlin time; 20 kWh at 10 kW from 21:00 local: half each."""
    t = tariff(
        el(pc("ENERGY", "0.20", vat=None), start_time="22:00", end_time="06:00"),
        el(pc("ENERGY", "0.50", vat=None)),
    )
    cost = price_example(
        t,
        ExampleCharge(Decimal(20), Decimal(10)),
        start=datetime(2026, 3, 2, 20, tzinfo=UTC),  # 21:00 in Berlin (CET)
        tz="Europe/Berlin",
    )
    assert cost.excl_vat == Decimal("7.00")  # 10 kWh x 0.50 + 10 kWh x 0.20


def test_a_max_price_caps_the_example() -> None:
    t = tariff(el(pc("ENERGY", "0.60")), max_price={"excl_vat": Decimal("10.00")})
    cost = price_example(
        t,
        ExampleCharge(Decimal(40), Decimal(100)),
        start=datetime(2026, 3, 2, 8, tzinfo=UTC),
        tz="Europe/Berlin",
    )
    assert cost.excl_vat == Decimal("10.00")


# --- the rate that applies now, and when it changes (assets/tariffs, Europe/Berlin)

BERLIN = "Europe/Berlin"
AC = ExampleCharge(Decimal(20), Decimal(11))  # 110 minutes


def _tou() -> tuple[Tariff, TariffDescription]:
    t, _ = load_tariff("ac_time_of_use.json")  # 22:00-06:00 element 0, otherwise 1
    return t, describe(t, "en")


@pytest.mark.parametrize(
    ("utc", "now", "changes"),
    [
        # winter: Berlin is UTC+1, so 21:00 UTC is 22:00 at the station
        (datetime(2026, 1, 12, 19, 0, tzinfo=UTC), {1}, []),  # 20:00, ends 21:50
        (datetime(2026, 1, 12, 20, 59, tzinfo=UTC), {1}, [("21:00", "€0.29/kWh")]),
        (datetime(2026, 1, 12, 21, 0, tzinfo=UTC), {0}, []),  # 22:00 sharp: night
        (datetime(2026, 1, 12, 4, 30, tzinfo=UTC), {0}, [("05:00", "€0.45/kWh")]),
        (datetime(2026, 1, 12, 5, 0, tzinfo=UTC), {1}, []),  # 06:00 sharp: day
        # summer: UTC+2, the boundary moves with the station's clock
        (datetime(2026, 7, 13, 19, 30, tzinfo=UTC), {1}, [("20:00", "€0.29/kWh")]),
    ],
)
def test_time_of_use_now_and_changes(
    utc: datetime, now: set[int], changes: list[tuple[str, str]]
) -> None:
    t, d = _tou()
    estimate = estimate_example(t, AC, start=utc, tz=BERLIN)
    assert current_lines(d, estimate) == frozenset(now)
    shown = [(at.strftime("%H:%M"), line.amount) for at, line in rate_changes(d, estimate)]
    assert shown == changes
    assert estimate.cost == price_example(t, AC, start=utc, tz=BERLIN)


def test_a_charge_over_the_boundary_costs_less_than_one_at_day_rate() -> None:
    t, _ = _tou()
    over = estimate_example(t, AC, start=datetime(2026, 1, 12, 20, 30, tzinfo=UTC), tz=BERLIN)
    day = estimate_example(t, AC, start=datetime(2026, 1, 12, 10, 0, tzinfo=UTC), tz=BERLIN)
    assert over.cost.incl_vat < day.cost.incl_vat


@pytest.mark.parametrize(("kw", "line"), [("40", 0), ("50", 1), ("100", 1), ("150", 2)])
def test_power_tier_of_the_example_is_current(kw: str, line: int) -> None:
    t, _ = load_tariff("dc_power_tiers.json")  # < 50 kW, 50-150 kW, >= 150 kW, a start fee
    d = describe(t, "en")
    charge = ExampleCharge(Decimal(40), Decimal(kw))
    estimate = estimate_example(t, charge, start=datetime(2026, 1, 12, 10, tzinfo=UTC), tz=BERLIN)
    assert current_lines(d, estimate) == {line}  # the one start fee is never "marked"
    assert rate_changes(d, estimate) == ()


def test_a_flat_tariff_marks_nothing() -> None:
    t = tariff(el(pc("ENERGY", "0.40"), pc("FLAT", "1.00")))
    estimate = estimate_example(t, AC, start=datetime(2026, 3, 2, 8, tzinfo=UTC), tz=BERLIN)
    assert ("ENERGY", 0) in estimate.start  # priced by its one element, so nothing to choose
    assert current_lines(describe(t, "en"), estimate) == frozenset()
