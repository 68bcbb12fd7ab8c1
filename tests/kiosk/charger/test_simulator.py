"""The simulated charger's behaviour at the port: register, SoC, sessions, faults, events."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

import pytest

from kiosk.charger import (
    CITY_CAR,
    MIDSIZE_400V,
    PERFORMANCE_800V,
    VAN,
    AlreadyPluggedInError,
    ConnectorFaultedError,
    NotPluggedInError,
    SimulatedCharger,
    UnknownConnectorError,
    VehicleProfile,
    demo_connectors,
)
from kiosk.charger.simulator import ConnectorSpec
from kiosk.domain.errors import KnownError
from kiosk.ports import Charger, ChargerEvent, ChargerEventKind

from .helpers import AC22, DC150, T0, after, charging_powers, make, of_kind, readings

K = ChargerEventKind


def kinds(events: Sequence[ChargerEvent]) -> list[ChargerEventKind]:
    return [e.kind for e in events if e.kind is not K.METER]


def test_satisfies_the_charger_port() -> None:
    charger: Charger = make(AC22, DC150)
    assert [c.connector_id for c in charger.connectors()] == ["AC22", "DC150"]
    assert charger.read_meter("AC22").energy_wh == 0
    assert charger.poll(T0) == []


def test_demo_station() -> None:
    sim = SimulatedCharger(demo_connectors(), start=T0)
    assert [c.label for c in sim.connectors()] == ["A", "B", "DC 1", "DC 2"]
    assert len({c.evse_id for c in sim.connectors()}) == 4


# -- energy register ----------------------------------------------------------------------


def test_register_is_monotonic_across_sessions_and_starts_at_the_meter_value() -> None:
    spec = ConnectorSpec.ac("A", initial_energy_wh="1234567.8")
    sim = make(spec)
    events: list[ChargerEvent] = []
    sim.arrive("A", MIDSIZE_400V, 40, 50)
    sim.start("A")
    events += sim.poll(after(minutes=10))
    sim.depart("A")
    events += sim.poll(after(minutes=20))
    sim.arrive("A", CITY_CAR, 20, 90)
    sim.start("A")
    events += sim.poll(after(minutes=30))
    register = [e.reading.energy_wh for e in events if e.reading is not None]
    assert register[0] == Decimal("1234567.8")
    assert all(b >= a for a, b in pairwise(register))
    unplugged = of_kind(events, K.UNPLUGGED)[0].reading
    second = of_kind(events, K.PLUGGED_IN)[1].reading
    assert unplugged is not None
    assert second is not None
    assert second.energy_wh == unplugged.energy_wh  # nothing flows between sessions
    assert register[-1] > second.energy_wh + 1000  # the second session metered > 1 kWh
    assert sim.read_meter("A").energy_wh == register[-1]


@pytest.mark.parametrize(
    ("spec", "car", "soc_start", "soc_target"),
    [(AC22, PERFORMANCE_800V, 20, 30), (DC150, MIDSIZE_400V, 10, 85), (DC150, CITY_CAR, 70, 100)],
)
def test_register_equals_the_integral_of_power(
    spec: ConnectorSpec, car: VehicleProfile, soc_start: int, soc_target: int
) -> None:
    sim = make(spec)  # 1 s meter samples on the 1 s physics grid
    sim.arrive(spec.connector_id, car, soc_start, soc_target)
    sim.start(spec.connector_id)
    events = sim.poll(after(hours=2))
    suspended = of_kind(events, K.SUSPENDED_EV)[0]
    samples = readings(events)
    integral_wh = Decimal(0)
    for a, b in pairwise(samples):  # the power of a sample holds until the next one
        end = min(b.at, suspended.at)
        if end > a.at:
            integral_wh += a.power_kw * 1000 * Decimal((end - a.at).total_seconds()) / 3600
    assert suspended.reading is not None
    metered = suspended.reading.energy_wh - samples[0].energy_wh
    assert metered > 0
    assert abs(integral_wh - metered) <= metered * Decimal("0.005")


# -- state of charge and suspension ---------------------------------------------------------


@pytest.mark.parametrize("target", [80, 100])
@pytest.mark.parametrize("spec", [AC22, DC150], ids=lambda s: s.connector_id)
def test_soc_never_exceeds_the_target_and_ends_exactly_there(
    spec: ConnectorSpec, target: int
) -> None:
    sim = make(spec, meter_interval_s=10)
    sim.arrive(spec.connector_id, VAN, target - 15, target)
    sim.start(spec.connector_id)
    socs = []
    for minute in range(1, 200):
        sim.poll(after(minutes=minute))
        soc = sim.state(spec.connector_id).soc_percent
        assert soc is not None
        socs.append(soc)
    assert all(b >= a for a, b in pairwise(socs))
    assert max(socs) == target
    assert socs[-1] == target
    state = sim.state(spec.connector_id)
    assert state.suspended_ev
    assert state.power_kw == 0


def test_full_car_suspends_then_idles_until_it_leaves() -> None:
    sim = make(DC150)
    sim.arrive("DC150", PERFORMANCE_800V, 60, 80, depart_after_full_s=900)
    sim.start("DC150")
    events = sim.poll(after(hours=2))
    assert kinds(events) == [K.PLUGGED_IN, K.SUSPENDED_EV, K.UNPLUGGED]
    suspended, unplugged = of_kind(events, K.SUSPENDED_EV)[0], of_kind(events, K.UNPLUGGED)[0]
    assert suspended.detail == "full"
    assert unplugged.at - suspended.at == timedelta(seconds=900)
    assert suspended.reading is not None
    assert unplugged.reading is not None
    assert suspended.reading.soc_percent == 80
    assert suspended.reading.power_kw == 0
    idle = [r for r in readings(events) if suspended.at < r.at < unplugged.at]
    assert abs(len(idle) - 900) <= 1  # a meter sample every second of the idle time
    assert all(r.power_kw == 0 for r in idle)
    assert {r.energy_wh for r in idle} == {suspended.reading.energy_wh}
    assert unplugged.reading.energy_wh == suspended.reading.energy_wh
    assert not readings(sim.poll(after(hours=3)))  # no meter samples without a car


def test_schedule_departure_after_the_car_is_already_full() -> None:
    sim = make(AC22)
    sim.arrive("AC22", CITY_CAR, 79, 80)
    sim.start("AC22")
    events = list(sim.poll(after(hours=1)))
    suspended_at = of_kind(events, K.SUSPENDED_EV)[0].at
    sim.schedule_departure("AC22", after_full_s=3600 + 600)  # 10 min from "now"
    events += sim.poll(after(hours=3))
    assert of_kind(events, K.UNPLUGGED)[0].at == suspended_at + timedelta(seconds=4200)
    # and a delay that has passed already means: leave now
    sim.arrive("AC22", CITY_CAR, 80, 80)
    sim.start("AC22")  # full from the start: suspends at once
    sim.poll(after(hours=4))
    sim.schedule_departure("AC22", after_full_s=60)
    assert kinds(sim.poll(after(hours=4))) == [K.UNPLUGGED]


def test_scheduled_departure_does_not_take_a_later_car() -> None:
    sim = make(AC22)
    sim.arrive("AC22", CITY_CAR, 79, 80, depart_after_full_s=3600)
    sim.start("AC22")
    sim.poll(after(minutes=30))
    sim.depart("AC22")  # the driver left early
    sim.arrive("AC22", VAN, 10, 90, after(minutes=40))
    events = sim.poll(after(hours=3))
    assert kinds(events) == [K.UNPLUGGED, K.PLUGGED_IN]
    assert sim.state("AC22").plugged_in


def test_schedule_departure_needs_a_car() -> None:
    with pytest.raises(NotPluggedInError):
        make(AC22).schedule_departure("AC22", 60)
    with pytest.raises(ValueError, match="delay"):
        make(AC22).arrive("AC22", VAN, 10, 20, depart_after_full_s=-1)


def test_car_pause_and_resume() -> None:
    sim = make(AC22)
    sim.arrive("AC22", VAN, 10, 90)
    sim.start("AC22")
    sim.ev_pause("AC22", after(minutes=5))
    sim.ev_resume("AC22", after(minutes=15))
    events = sim.poll(after(minutes=20))
    assert kinds(events) == [K.PLUGGED_IN, K.SUSPENDED_EV, K.RESUMED_EV]
    pause, resume = of_kind(events, K.SUSPENDED_EV)[0], of_kind(events, K.RESUMED_EV)[0]
    assert pause.detail == "paused"
    assert pause.at == after(minutes=5)
    assert resume.at == after(minutes=15)
    assert all(r.power_kw == 0 for r in readings(events) if pause.at <= r.at < resume.at)
    assert all(r.power_kw > 10 for r in readings(events) if r.at > resume.at)


# -- start and stop -------------------------------------------------------------------------


def test_start_refused_without_a_car() -> None:
    sim = make(AC22)
    with pytest.raises(NotPluggedInError, match="no car"):
        sim.start("AC22")
    assert issubclass(NotPluggedInError, KnownError)
    sim.arrive("AC22", VAN, 10, 80, at=after(minutes=1))  # not yet there
    with pytest.raises(NotPluggedInError):
        sim.start("AC22")
    sim.poll(after(minutes=1))
    sim.start("AC22")
    with pytest.raises(UnknownConnectorError):
        sim.start("nope")
    with pytest.raises(AlreadyPluggedInError):
        sim.arrive("AC22", VAN, 10, 80)


def test_stop_drops_power_at_once_and_energy_stays() -> None:
    sim = make(DC150)
    sim.arrive("DC150", MIDSIZE_400V, 20, 80)
    sim.start("DC150")
    sim.poll(after(minutes=2))
    assert sim.read_meter("DC150").power_kw > 100
    sim.stop("DC150")
    stopped = sim.read_meter("DC150")
    assert stopped.power_kw == 0
    assert stopped.current_a == 0
    events = sim.poll(after(minutes=10))
    assert kinds(events) == []  # the station stopped: not the car suspending
    assert {r.power_kw for r in readings(events)} == {Decimal(0)}
    assert {r.energy_wh for r in readings(events)} == {stopped.energy_wh}
    assert sim.state("DC150").plugged_in
    sim.stop("DC150")  # idempotent
    sim.start("DC150")  # and charging can go on
    assert sim.read_meter("DC150").power_kw > 100


def test_start_refuses_a_bad_limit() -> None:
    sim = make(AC22)
    sim.arrive("AC22", VAN, 10, 80)
    with pytest.raises(ValueError, match="positive"):
        sim.start("AC22", Decimal(0))
    with pytest.raises(ValueError, match="finite"):
        sim.start("AC22", Decimal("Infinity"))


# -- faults ----------------------------------------------------------------------------


def test_fault_stops_energy_and_is_reported() -> None:
    sim = make(DC150)
    sim.arrive("DC150", VAN, 10, 90)
    sim.start("DC150")
    sim.inject_fault("DC150", "isolation fault", at=after(minutes=3))
    events = sim.poll(after(minutes=10))
    fault = of_kind(events, K.FAULT)[0]
    assert fault.at == after(minutes=3)
    assert fault.detail == "isolation fault"
    assert fault.reading is not None
    assert fault.reading.power_kw == 0
    later = [r for r in readings(events) if r.at >= fault.at]
    assert {r.energy_wh for r in later} == {fault.reading.energy_wh}
    assert {r.power_kw for r in later} == {Decimal(0)}
    state = sim.state("DC150")
    assert state.faulted
    assert not state.enabled
    assert state.fault_detail == "isolation fault"
    with pytest.raises(ConnectorFaultedError, match="isolation"):
        sim.start("DC150")
    sim.clear_fault("DC150")
    cleared = sim.poll(after(minutes=11))
    assert kinds(cleared) == [K.FAULT_CLEARED]
    assert of_kind(cleared, K.FAULT_CLEARED)[0].detail == "isolation fault"
    assert all(r.power_kw == 0 for r in readings(cleared))  # a new start() is needed
    sim.start("DC150")
    assert sim.read_meter("DC150").power_kw > 90
    sim.clear_fault("DC150")  # no fault: nothing happens
    assert kinds(sim.poll(after(minutes=12))) == []


def test_fault_on_an_empty_connector() -> None:
    sim = make(AC22)
    sim.inject_fault("AC22", "RCD tripped")
    assert kinds(sim.poll(after(seconds=1))) == [K.FAULT]
    with pytest.raises(ConnectorFaultedError):
        sim.start("AC22")


# -- time, ordering and determinism ----------------------------------------------------------


def scripted(seed: int, poll_every_s: int | None = None) -> list[ChargerEvent]:
    sim = SimulatedCharger(
        demo_connectors(), start=T0, rng=random.Random(seed), meter_interval_s=30
    )
    sim.arrive("1", MIDSIZE_400V, 30, 80, at=after(minutes=1), depart_after_full_s=600)
    sim.arrive("3", PERFORMANCE_800V, 15, 60, at=after(minutes=2))
    sim.arrive("4", CITY_CAR, 40, 90, depart_after_full_s=120)
    sim.start("4")
    sim.inject_fault("2", "contactor welded", at=after(minutes=7))
    events: list[ChargerEvent] = list(sim.poll(after(minutes=2)))
    sim.start("1")
    sim.start("3", Decimal(120))
    end = after(hours=6)
    if poll_every_s is None:
        events += sim.poll(end)
    else:
        t = after(minutes=2)
        while t < end:
            t += timedelta(seconds=poll_every_s)
            events += sim.poll(t)
    return events


def test_same_seed_same_events() -> None:
    assert scripted(7) == scripted(7)
    a, b = scripted(7), scripted(8)
    story_a = [(e.kind, e.connector_id) for e in a if e.kind is not K.METER]
    story_b = [(e.kind, e.connector_id) for e in b if e.kind is not K.METER]
    assert story_a == story_b
    assert readings(a)[:50] != readings(b)[:50]  # only the noise differs


def test_poll_granularity_does_not_change_the_story() -> None:
    coarse, fine = scripted(3), scripted(3, poll_every_s=17)
    assert [(e.kind, e.at, e.connector_id) for e in coarse] == [
        (e.kind, e.at, e.connector_id) for e in fine
    ]
    for a, b in zip(coarse, fine, strict=True):
        assert a.reading is not None
        assert b.reading is not None
        assert abs(a.reading.energy_wh - b.reading.energy_wh) <= Decimal("0.1")


def test_events_are_in_time_order_with_the_reading_of_their_moment() -> None:
    events = scripted(5)
    assert all(b.at >= a.at for a, b in pairwise(events))
    for e in events:
        assert e.reading is not None
        assert e.reading.at == e.at
    by_connector: dict[str, list[ChargerEventKind]] = {}
    for e in events:
        if e.kind is not K.METER:
            by_connector.setdefault(e.connector_id, []).append(e.kind)
    assert by_connector == {
        "4": [K.PLUGGED_IN, K.SUSPENDED_EV, K.UNPLUGGED],
        "1": [K.PLUGGED_IN, K.SUSPENDED_EV, K.UNPLUGGED],
        "3": [K.PLUGGED_IN, K.SUSPENDED_EV],
        "2": [K.FAULT],
    }
    # meter samples on the 30 s grid, only while a car is plugged in
    meters = [e for e in events if e.kind is K.METER]
    assert meters
    assert all(e.at.second % 30 == 0 and e.at.microsecond == 0 for e in meters)
    assert charging_powers(events, "3")
    assert max(charging_powers(events, "3")) <= 120


def test_time_rules() -> None:
    sim = make(AC22)
    sim.poll(after(minutes=5))
    assert sim.now == after(minutes=5)
    assert sim.poll(after(minutes=1)) == []  # a clock stepping back: nothing happens
    assert sim.now == after(minutes=5)
    with pytest.raises(ValueError, match="before"):
        sim.arrive("AC22", VAN, 10, 80, at=after(minutes=4))
    with pytest.raises(ValueError, match="aware"):
        sim.poll(after(minutes=6).replace(tzinfo=None))
    with pytest.raises(ValueError, match=r"0\.\.100"):
        sim.arrive("AC22", VAN, 10, 101)


def test_constructor_validation() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        SimulatedCharger([AC22, AC22], start=T0)
    with pytest.raises(ValueError, match="at least one"):
        SimulatedCharger([], start=T0)
    with pytest.raises(ValueError, match="step"):
        SimulatedCharger([AC22], start=T0, step_s=0)
    with pytest.raises(ValueError, match="aware"):
        SimulatedCharger([AC22], start=T0.replace(tzinfo=None))


def test_coarse_steps_for_fast_simulations() -> None:
    fine = make(DC150, seed=2)
    coarse = make(DC150, seed=2, step_s=10, meter_interval_s=30)
    for sim in (fine, coarse):
        sim.arrive("DC150", PERFORMANCE_800V, 10, 80)
        sim.start("DC150")
    a = of_kind(fine.poll(after(hours=1)), K.SUSPENDED_EV)[0]
    b = of_kind(coarse.poll(after(hours=1)), K.SUSPENDED_EV)[0]
    assert abs((a.at - b.at).total_seconds()) < 20
    assert a.reading is not None
    assert b.reading is not None
    assert abs(a.reading.energy_wh - b.reading.energy_wh) < a.reading.energy_wh * Decimal("0.005")
