"""DC physics: station power and current limits, CC/CV taper by SoC, boost for 800 V cars."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import pytest

from kiosk.charger import CITY_CAR, MIDSIZE_400V, PERFORMANCE_800V, VAN, VEHICLES, VehicleProfile
from kiosk.charger.simulator import ConnectorSpec
from kiosk.ports import ChargerEventKind, MeterReading, PowerType

from .helpers import DC50, DC150, DC150_200A, DC350, after, make, of_kind, readings


def full_session(
    spec: ConnectorSpec, car: VehicleProfile, soc_start: int = 10, soc_target: int = 100
) -> list[MeterReading]:
    sim = make(spec, meter_interval_s=5)
    sim.arrive(spec.connector_id, car, soc_start, soc_target)
    sim.start(spec.connector_id)
    events = sim.poll(after(hours=3))
    assert of_kind(events, ChargerEventKind.SUSPENDED_EV)
    return [r for r in readings(events) if r.power_kw > 0]


@pytest.mark.parametrize("spec", [DC50, DC150, DC150_200A, DC350], ids=lambda s: s.connector_id)
@pytest.mark.parametrize("car", VEHICLES, ids=lambda c: c.name[:10])
def test_dc_never_above_station_or_car_limits(spec: ConnectorSpec, car: VehicleProfile) -> None:
    samples = full_session(spec, car)
    assert samples
    for r in samples:
        assert r.current_a is not None
        assert r.voltage_v is not None
        assert r.power_kw <= spec.max_power_kw
        assert r.power_kw <= Decimal(str(car.dc_peak_kw))
        assert r.current_a <= spec.max_current_a + Decimal("0.1")
        assert r.voltage_v <= spec.voltage_v
        # P = U × I, to the rounding of the three figures
        assert (
            abs(r.power_kw * 1000 - r.voltage_v * r.current_a)
            <= (r.voltage_v + r.current_a) / 20 + 1
        )
        assert r.soc_percent is not None  # DC cars tell their SoC


@pytest.mark.parametrize("car", VEHICLES, ids=lambda c: c.name[:10])
def test_dc_power_tapers_above_the_knee(car: VehicleProfile) -> None:
    samples = full_session(DC350, car)
    high = [r for r in samples if r.soc_percent is not None and r.soc_percent >= 80]
    assert len(high) > 20
    # decreasing with SoC (allowing the 0.4 % regulation ripple between samples)
    for a, b in pairwise(high):
        assert b.power_kw <= a.power_kw * Decimal("1.005")
    assert high[-1].power_kw < high[0].power_kw / 3
    peak = max(r.power_kw for r in samples)
    assert peak > Decimal(str(car.dc_peak_kw)) * Decimal("0.9")  # a 350 kW station lets it peak


def test_current_limited_station_caps_a_400v_car() -> None:
    samples = full_session(DC150_200A, MIDSIZE_400V, 10, 50)
    # 200 A × ~350-370 V: about 70-75 kW although both sides are rated higher
    assert all(r.power_kw < 76 for r in samples)
    assert max(r.power_kw for r in samples) > 68
    assert all(r.current_a is not None and r.current_a <= 200 for r in samples)


def test_800v_car_boosts_on_a_500v_charger() -> None:
    samples = full_session(DC50, PERFORMANCE_800V, 10, 50)
    assert {r.voltage_v for r in samples} == {Decimal("500.0")}
    assert all(Decimal(49) < r.power_kw <= 50 for r in samples)


def test_400v_car_charges_at_its_pack_voltage() -> None:
    samples = full_session(DC150, CITY_CAR, 10, 90)
    volts = [r.voltage_v for r in samples]
    assert all(v is not None and 320 < v < 400 for v in volts)
    assert volts[-1] is not None
    assert volts[0] is not None
    assert volts[-1] > volts[0]


def test_car_that_cannot_reach_the_station_voltage_gets_nothing() -> None:
    low_voltage = ConnectorSpec.dc("LV", max_power_kw=50, max_voltage_v=300, max_current_a=125)
    sim = make(low_voltage)
    sim.arrive("LV", VAN, 10, 80)
    sim.start("LV")
    events = sim.poll(after(minutes=5))
    assert all(r.power_kw == 0 for r in readings(events))


def test_dc_session_power_limit() -> None:
    sim = make(DC150)
    sim.arrive("DC150", PERFORMANCE_800V, 20, 80)
    sim.start("DC150", Decimal(60))
    kws = [r.power_kw for r in readings(sim.poll(after(minutes=3))) if r.power_kw > 0]
    assert kws
    assert all(Decimal("59.5") < p <= 60 for p in kws)


def test_dc_connector_info_and_validation() -> None:
    info = make(DC150).connectors()[0]
    assert info.power_type is PowerType.DC
    assert info.max_power_kw == Decimal(150)
    assert info.standard == "IEC_62196_T2_COMBO"
    assert info.evse_id
    with pytest.raises(ValueError, match="positive"):
        ConnectorSpec.dc("x", max_current_a=-1)
    with pytest.raises(ValueError, match="finite"):
        ConnectorSpec.dc("x", max_power_kw="NaN")
