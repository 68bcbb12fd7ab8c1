"""The price screen's worked example: priced by the billing engine, in local time."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from kiosk.domain.estimate import ExampleCharge, example_charge, price_example
from tests.kiosk.domain.test_pricing import el, pc, tariff


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
