from __future__ import annotations

import dataclasses
from itertools import pairwise

import pytest

from kiosk.charger import (
    CITY_CAR,
    MIDSIZE_400V,
    PERFORMANCE_800V,
    VAN,
    VEHICLES,
    VehicleProfile,
)
from kiosk.charger.vehicles import interpolate


def test_interpolate_is_piecewise_linear_and_flat_outside() -> None:
    points = ((0.0, 10.0), (50.0, 20.0), (100.0, 0.0))
    assert interpolate(points, -5) == 10.0
    assert interpolate(points, 0) == 10.0
    assert interpolate(points, 25) == 15.0
    assert interpolate(points, 50) == 20.0
    assert interpolate(points, 75) == 10.0
    assert interpolate(points, 120) == 0.0
    with pytest.raises(ValueError, match="no points"):
        interpolate((), 1.0)


@pytest.mark.parametrize(
    ("car", "onboard_kw"),
    [(CITY_CAR, 7.36), (MIDSIZE_400V, 11.04), (PERFORMANCE_800V, 22.08), (VAN, 11.04)],
)
def test_onboard_charger_ratings(car: VehicleProfile, onboard_kw: float) -> None:
    assert car in VEHICLES
    assert car.ac_onboard_kw == pytest.approx(onboard_kw)


@pytest.mark.parametrize("car", VEHICLES, ids=lambda c: c.name)
def test_dc_curves_peak_then_taper_above_the_knee(car: VehicleProfile) -> None:
    peak = max(kw for _, kw in car.dc_curve)
    assert peak == car.dc_peak_kw
    # The CV phase: power falls monotonically from 80 % on, to a trickle at 100 %.
    socs = [80.0 + i * 0.5 for i in range(41)]
    kws = [car.dc_request_kw(s) for s in socs]
    assert all(b <= a for a, b in pairwise(kws))
    assert car.dc_request_kw(80) < 0.8 * peak
    assert car.dc_request_kw(100) < 0.1 * peak
    # Pack voltage rises with SoC.
    volts = [car.pack_voltage_v(s) for s in range(0, 101, 5)]
    assert all(b > a for a, b in pairwise(volts))


def test_800v_car_is_800v_and_400v_cars_are_400v() -> None:
    assert 550 < PERFORMANCE_800V.pack_voltage_v(50) < 850
    for car in (CITY_CAR, MIDSIZE_400V, VAN):
        assert 300 < car.pack_voltage_v(50) < 420
        assert car.dc_boost_max_kw is None
    assert PERFORMANCE_800V.dc_boost_max_kw is not None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"battery_kwh": 0.0}, "capacity"),
        ({"ac_phases": 2}, "phases"),
        ({"ac_max_current_a": 80.0}, "current"),
        ({"dc_curve": ((0.0, 10.0),)}, "two points"),
        ({"dc_curve": ((0.0, 10.0), (90.0, 5.0))}, "0..100"),
        ({"dc_curve": ((0.0, 10.0), (50.0, 5.0), (50.0, 4.0), (100.0, 1.0))}, "strictly"),
        ({"dc_curve": ((0.0, 10.0), (100.0, 0.0))}, "positive"),
        ({"dc_peak_kw": 40.0}, "above the DC peak"),
        ({"dc_efficiency": 1.2}, "efficiency"),
    ],
)
def test_profile_validation(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(CITY_CAR, **change)  # type: ignore[arg-type]
