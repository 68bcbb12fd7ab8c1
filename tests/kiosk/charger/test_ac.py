"""AC physics: phases, the socket's current, the car's onboard charger, power limits."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest

from kiosk.charger import CITY_CAR, MIDSIZE_400V, PERFORMANCE_800V, VAN, VehicleProfile
from kiosk.charger.simulator import ConnectorSpec, SimulatedCharger
from kiosk.ports import ChargerEvent, ChargerEventKind, PowerType

from .helpers import AC7, AC11, AC22, after, charging_powers, make, readings


def charge_for(
    spec: ConnectorSpec, car: VehicleProfile, minutes: int = 5, **start: Decimal
) -> tuple[SimulatedCharger, Sequence[ChargerEvent]]:
    sim = make(spec)
    sim.arrive(spec.connector_id, car, 30, 80)
    sim.start(spec.connector_id, **start)
    return sim, sim.poll(after(minutes=minutes))


@pytest.mark.parametrize(
    ("spec", "car", "low_kw", "high_kw", "max_a"),
    [
        (AC22, MIDSIZE_400V, 10.6, 11.2, 16),  # 3 × 16 A onboard charger: ≈ 11 kW
        (AC22, VAN, 10.6, 11.2, 16),
        (AC22, PERFORMANCE_800V, 21.3, 22.0, 32),  # 22 kW socket (its rating), 22 kW car
        (AC22, CITY_CAR, 7.1, 7.5, 32),  # a 1-phase car uses one phase of the socket
        (AC11, PERFORMANCE_800V, 10.6, 11.2, 16),  # the socket's 16 A caps a 32 A car
        (AC7, MIDSIZE_400V, 3.5, 3.75, 16),  # 3-phase car on a 1-phase socket: 1 × 16 A
        (AC7, CITY_CAR, 7.1, 7.5, 32),
    ],
    ids=lambda v: v.connector_id if isinstance(v, ConnectorSpec) else str(v)[:12],
)
def test_ac_power_is_the_lowest_of_socket_and_onboard_charger(
    spec: ConnectorSpec, car: VehicleProfile, low_kw: float, high_kw: float, max_a: int
) -> None:
    _, events = charge_for(spec, car)
    samples = [r for r in readings(events) if r.power_kw > 0]
    assert len(samples) >= 290
    for r in samples:
        assert Decimal(str(low_kw)) <= r.power_kw <= Decimal(str(high_kw)), r
        assert r.current_a is not None
        assert r.current_a <= max_a
        assert r.voltage_v is not None
        assert 223 <= r.voltage_v <= 237
        phases = min(spec.phases, car.ac_phases)  # P ≤ phases × U × I, to rounding
        assert r.power_kw * 1000 <= phases * r.voltage_v * (r.current_a + Decimal("0.05")) + 1
        assert r.soc_percent is None  # basic AC (IEC 61851) does not tell the SoC


def test_ac_connector_infos() -> None:
    sim = make(AC22, AC7)
    info22, info7 = sim.connectors()
    assert info22.power_type is PowerType.AC_3_PHASE
    assert info22.max_power_kw == Decimal(22)
    assert info22.standard == "IEC_62196_T2"
    assert info7.power_type is PowerType.AC_1_PHASE
    assert info7.max_power_kw == Decimal("7.4")
    assert ConnectorSpec.ac("x", phases=3, current_a=16).max_power_kw == Decimal("11.0")
    assert AC22.phases == 3
    assert AC7.phases == 1


def test_session_power_limit_lowers_the_pilot_current() -> None:
    _, events = charge_for(AC22, PERFORMANCE_800V, max_power_kw=Decimal(7))
    kws = charging_powers(events)
    assert kws
    assert all(Decimal("6.5") < p <= 7 for p in kws)


def test_limit_below_six_amps_pauses_the_car_without_suspended_ev() -> None:
    sim, events = charge_for(AC22, PERFORMANCE_800V, max_power_kw=Decimal(3))
    assert charging_powers(events) == []
    assert not [e for e in events if e.kind is ChargerEventKind.SUSPENDED_EV]
    # raising the limit by starting again lets energy flow
    sim.start("AC22", Decimal(11))
    more = sim.poll(after(minutes=6))
    assert all(Decimal("10.5") < p <= 11 for p in charging_powers(more))


def test_ac_slows_down_in_the_last_percent() -> None:
    sim = make(AC22)
    sim.arrive("AC22", MIDSIZE_400V, 97, 100)
    sim.start("AC22")
    events = sim.poll(after(hours=1))
    kws = charging_powers(events)
    assert kws[0] > Decimal(10)
    assert kws[-1] < kws[0] * Decimal("0.75")  # the battery accepts less near full
    assert [e.kind for e in events].count(ChargerEventKind.SUSPENDED_EV) == 1


def test_ac_spec_validation() -> None:
    with pytest.raises(ValueError, match="phases"):
        ConnectorSpec.ac("x", phases=2)
    with pytest.raises(TypeError, match="Decimal"):
        ConnectorSpec.ac("x", current_a=16.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        ConnectorSpec.ac("x", current_a=0)
    with pytest.raises(ValueError, match="empty"):
        ConnectorSpec.ac("")
