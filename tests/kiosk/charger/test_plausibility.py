"""The physics gives the figures drivers know from real cars and chargers."""

from __future__ import annotations

import dataclasses
import io
from decimal import Decimal

import pytest

from kiosk.charger import CITY_CAR, MIDSIZE_400V, PERFORMANCE_800V, VAN, VEHICLES, VehicleProfile
from kiosk.charger.plausibility import (
    figures_table,
    main,
    plausibility_problems,
    simulate_session,
    standard_connectors,
)
from kiosk.charger.simulator import ConnectorSpec

from .helpers import AC7, AC22, DC50, DC150, DC150_200A


def test_11kw_car_on_a_22kw_socket_gives_about_11kw() -> None:
    p = simulate_session(AC22, MIDSIZE_400V, 20, 80, meter_interval_s=60)
    assert Decimal("10.7") <= p.mean_power_kw <= Decimal("11.1")
    assert plausibility_problems(p) == []


def test_800v_car_10_to_80_on_150kw_takes_20_to_30_minutes_and_tapers_above_80() -> None:
    p = simulate_session(DC150, PERFORMANCE_800V, 10, 80)
    assert Decimal(20) <= p.minutes <= Decimal(30)
    assert p.peak_power_kw <= 150
    assert plausibility_problems(p) == []
    to_full = simulate_session(DC150, PERFORMANCE_800V, 10, 100)
    assert to_full.power_at(90) < to_full.power_at(80) < to_full.power_at(70)
    assert to_full.power_at(95) < to_full.power_at(80) / 2
    assert plausibility_problems(to_full) == []


@pytest.mark.parametrize(
    ("car", "spec", "low_min", "high_min"),
    [
        (CITY_CAR, DC50, 30, 45),
        (MIDSIZE_400V, DC150, 25, 40),
        (MIDSIZE_400V, DC50, 60, 85),  # a 50 kW charger gives ~45 kW at 400 V
        (VAN, DC150, 25, 40),
        (MIDSIZE_400V, DC150_200A, 40, 55),  # 200 A limits a 400 V car to ~75 kW
    ],
)
def test_dc_10_to_80_minutes(
    car: VehicleProfile, spec: ConnectorSpec, low_min: int, high_min: int
) -> None:
    p = simulate_session(spec, car, 10, 80)
    assert low_min <= p.minutes <= high_min
    assert plausibility_problems(p) == []


@pytest.mark.parametrize("car", VEHICLES, ids=lambda c: c.name[:10])
def test_every_car_on_every_connector_is_plausible(car: VehicleProfile) -> None:
    for spec in (AC22, AC7, DC50, DC150):
        soc_start = 10 if spec.power_type.name == "DC" else 50
        p = simulate_session(spec, car, soc_start, 100, meter_interval_s=30)
        assert plausibility_problems(p) == [], (car.name, spec.connector_id)


def test_the_rules_catch_implausible_sessions() -> None:
    p = simulate_session(DC150, PERFORMANCE_800V, 10, 100, meter_interval_s=30)
    flat = dataclasses.replace(p, curve=tuple((soc, Decimal(150)) for soc, _ in p.curve))
    assert any("taper" in problem for problem in plausibility_problems(flat))
    too_strong = dataclasses.replace(p, peak_power_kw=Decimal(400))
    assert len(plausibility_problems(too_strong)) == 2  # above station and car
    free_energy = dataclasses.replace(p, energy_kwh=p.energy_kwh / 2)
    assert any("losses" in problem for problem in plausibility_problems(free_energy))
    backwards = dataclasses.replace(p, curve=tuple(reversed(p.curve)))
    assert any("went down" in problem for problem in plausibility_problems(backwards))


def test_figures_table_and_main() -> None:
    rows = figures_table([PERFORMANCE_800V], [AC22, DC150])
    assert [(r[1], r[3]) for r in rows] == [("AC22", ""), ("DC150", "")]
    assert "10→80 %" in rows[1][2]
    assert len(standard_connectors()) == 5
    out = io.StringIO()
    main(out, [CITY_CAR, VAN], [AC7, DC50])
    assert out.getvalue().count("\n") == 4
    assert "!!" not in out.getvalue()
