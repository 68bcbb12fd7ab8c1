"""Whatever a script of cars, starts, stops and faults does, the port's invariants hold."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.charger import VEHICLES, ChargerError, SimulatedCharger
from kiosk.ports import ChargerEvent, ChargerEventKind

from .helpers import AC22, DC50, T0

SPECS = {s.connector_id: s for s in (AC22, DC50)}


@dataclass(frozen=True)
class Op:
    name: str
    connector_id: str
    arg: int = 0
    arg2: int = 0


# Weighted so that most scripts plug cars in, start them and let time pass.
NAMES = (
    *("arrive",) * 3,
    *("start",) * 4,
    *("wait",) * 6,
    "depart",
    "stop",
    "fault",
    "clear",
    "pause",
    "resume",
    "limit",
    "leave_after_full",
)
ops = st.builds(
    Op,
    st.sampled_from(NAMES),
    st.sampled_from(list(SPECS)),
    st.integers(0, 100),
    st.integers(0, 100),
)


def apply(sim: SimulatedCharger, op: Op, rng: random.Random) -> None:
    cid = op.connector_id
    try:
        if op.name == "arrive":
            car = VEHICLES[rng.randrange(len(VEHICLES))]
            sim.arrive(cid, car, min(op.arg, op.arg2), max(op.arg, op.arg2))
        elif op.name == "depart":
            sim.depart(cid)
        elif op.name == "start":
            sim.start(cid)
        elif op.name == "limit":
            sim.start(cid, Decimal(op.arg // 2 + 1))
        elif op.name == "stop":
            sim.stop(cid)
        elif op.name == "fault":
            sim.inject_fault(cid, "test fault")
        elif op.name == "clear":
            sim.clear_fault(cid)
        elif op.name == "pause":
            sim.ev_pause(cid)
        elif op.name == "resume":
            sim.ev_resume(cid)
        elif op.name == "leave_after_full":
            sim.schedule_departure(cid, op.arg * 10)
    except ChargerError:
        pass  # refused in this state: fine, that is the port's contract


@settings(max_examples=80, deadline=None)
@given(st.lists(ops, min_size=3, max_size=30), st.integers(0, 2**32 - 1))
def test_invariants_hold_under_any_script(script: list[Op], seed: int) -> None:
    sim = SimulatedCharger(
        SPECS.values(), start=T0, rng=random.Random(seed), step_s=5, meter_interval_s=60
    )
    script_rng = random.Random(seed)
    now = T0
    events: list[ChargerEvent] = []
    opening = [Op("arrive", cid, 10, 90) for cid in SPECS] + [Op("start", cid) for cid in SPECS]
    for op in [*opening, *script]:
        if op.name == "wait":
            now += timedelta(seconds=op.arg * 24 + 1)
            events += sim.poll(now)
        else:
            apply(sim, op, script_rng)
        for cid in SPECS:
            state = sim.state(cid)
            if state.soc_percent is not None:
                assert state.soc_target_percent is not None
                assert 0 <= state.soc_percent <= state.soc_target_percent <= 100
    events += sim.poll(now + timedelta(seconds=1))

    assert all(b.at >= a.at for a, b in itertools.pairwise(events))
    last_wh: dict[str, Decimal] = {}
    plugged: dict[str, bool] = dict.fromkeys(SPECS, False)
    faulted: dict[str, bool] = dict.fromkeys(SPECS, False)
    for e in events:
        r = e.reading
        assert r is not None
        assert r.at == e.at
        spec = SPECS[e.connector_id]
        assert r.energy_wh >= last_wh.get(e.connector_id, Decimal(0))
        last_wh[e.connector_id] = r.energy_wh
        assert 0 <= r.power_kw <= spec.max_power_kw
        if e.kind is ChargerEventKind.PLUGGED_IN:
            assert not plugged[e.connector_id]
            plugged[e.connector_id] = True
        elif e.kind is ChargerEventKind.UNPLUGGED:
            assert plugged[e.connector_id]
            plugged[e.connector_id] = False
            assert r.power_kw == 0
        elif e.kind is ChargerEventKind.FAULT:
            faulted[e.connector_id] = True
            assert r.power_kw == 0
        elif e.kind is ChargerEventKind.FAULT_CLEARED:
            assert faulted[e.connector_id]
            faulted[e.connector_id] = False
        elif e.kind is ChargerEventKind.METER:
            assert plugged[e.connector_id]  # samples only while a car is plugged in
            if faulted[e.connector_id]:
                assert r.power_kw == 0
        elif e.kind is ChargerEventKind.SUSPENDED_EV:
            assert r.power_kw == 0
        if r.soc_percent is not None:
            assert 0 <= r.soc_percent <= 100
