"""Is the simulated physics plausible? One-session runs, sanity rules and a figures table.

`simulate_session()` charges one car on one connector from a start to a target SoC
and summarises it (minutes, kWh, mean and peak kW, the power-vs-SoC curve).
`plausibility_problems()` checks a summary against rules any real charger and car
obey. Both are deterministic (a seeded simulator, a simulated clock). Run
`python -m kiosk.charger.plausibility` for the table of figures.
"""

from __future__ import annotations

import dataclasses
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Final, TextIO

from kiosk.charger.simulator import ConnectorSpec, SimulatedCharger
from kiosk.charger.vehicles import VEHICLES, VehicleProfile
from kiosk.ports import ChargerEventKind, PowerType

__all__ = [
    "SessionProfile",
    "figures_table",
    "plausibility_problems",
    "simulate_session",
    "standard_connectors",
]

_START: Final = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class SessionProfile:
    """One simulated charging session, from start() until the car suspended."""

    connector: ConnectorSpec
    vehicle: VehicleProfile
    soc_start: Decimal
    soc_target: Decimal
    minutes: Decimal  # start() to SUSPENDED_EV, to 0.1 min
    energy_kwh: Decimal  # metered, to 0.001 kWh
    mean_power_kw: Decimal
    peak_power_kw: Decimal
    curve: tuple[tuple[Decimal, Decimal], ...]  # (SoC %, kW) at each meter sample

    def power_at(self, soc_percent: Decimal | int) -> Decimal:
        """The power of the first sample at or above `soc_percent` (0 if none)."""
        soc = Decimal(soc_percent)
        for at_soc, kw in self.curve:
            if at_soc >= soc and kw > 0:
                return kw
        return Decimal(0)


def simulate_session(
    connector: ConnectorSpec,
    vehicle: VehicleProfile,
    soc_start: Decimal | int = 10,
    soc_target: Decimal | int = 80,
    *,
    seed: int = 0,
    step_s: float = 1.0,
    meter_interval_s: float = 10.0,
    max_hours: int = 48,
) -> SessionProfile:
    """Plug `vehicle` in at `soc_start`, start, and run until it suspends at `soc_target`."""
    spec = dataclasses.replace(connector, reports_soc=True)  # we want the SoC on AC too
    sim = SimulatedCharger(
        [spec],
        start=_START,
        rng=random.Random(seed),  # noqa: S311 - physics noise, not security
        step_s=step_s,
        meter_interval_s=meter_interval_s,
    )
    cid = spec.connector_id
    sim.arrive(cid, vehicle, Decimal(soc_start), Decimal(soc_target))
    sim.start(cid)
    begin = sim.read_meter(cid)
    events = list(sim.poll(_START))
    now = _START
    chunk = timedelta(hours=1)
    while not any(e.kind is ChargerEventKind.SUSPENDED_EV for e in events):
        if now - _START >= timedelta(hours=max_hours):
            raise RuntimeError(f"{vehicle.name} on {cid} did not finish in {max_hours} h")
        now += chunk
        events.extend(sim.poll(now))
    end = next(e for e in events if e.kind is ChargerEventKind.SUSPENDED_EV)
    assert end.reading is not None
    samples = [
        e.reading
        for e in events
        if e.kind is ChargerEventKind.METER and e.reading is not None and e.at <= end.at
    ]
    seconds = Decimal((end.at - _START) / timedelta(microseconds=1)) / 1_000_000
    energy_kwh = (end.reading.energy_wh - begin.energy_wh) / 1000
    return SessionProfile(
        connector=connector,
        vehicle=vehicle,
        soc_start=Decimal(soc_start),
        soc_target=Decimal(soc_target),
        minutes=(seconds / 60).quantize(Decimal("0.1")),
        energy_kwh=energy_kwh.quantize(Decimal("0.001")),
        mean_power_kw=(energy_kwh * 3600 / seconds).quantize(Decimal("0.01")),
        peak_power_kw=max((s.power_kw for s in samples), default=Decimal(0)),
        curve=tuple((s.soc_percent or Decimal(0), s.power_kw) for s in samples),
    )


def plausibility_problems(profile: SessionProfile) -> list[str]:
    """Rules a real session obeys; an empty list means the session looks plausible."""
    problems: list[str] = []
    spec, car = profile.connector, profile.vehicle
    if profile.peak_power_kw > spec.max_power_kw:
        problems.append(f"peak {profile.peak_power_kw} kW above the station's {spec.max_power_kw}")
    if spec.power_type is PowerType.DC:
        car_max = Decimal(str(car.dc_peak_kw))
    else:  # the onboard charger limits current; the grid voltage may be 3 % high
        car_max = Decimal(str(car.ac_onboard_kw * 1.03)).quantize(Decimal("0.001"))
    if profile.peak_power_kw > car_max:
        problems.append(f"peak {profile.peak_power_kw} kW above the car's {car_max} kW")
    stored_kwh = Decimal(str(car.battery_kwh)) * (profile.soc_target - profile.soc_start) / 100
    if stored_kwh > 0:
        ratio = profile.energy_kwh / stored_kwh
        if not Decimal("1.0") <= ratio <= Decimal("1.35"):
            problems.append(f"metered/stored energy {ratio:.3f} outside 1.0..1.35 (losses)")
    if profile.minutes > 0 and profile.mean_power_kw > profile.peak_power_kw:
        problems.append("mean power above peak power")
    socs = [soc for soc, _ in profile.curve]
    if any(b < a for a, b in pairwise(socs)):
        problems.append("SoC went down while charging")
    if socs and (max(socs) > profile.soc_target or max(socs) > 100):
        problems.append("SoC above the target")
    if spec.power_type is PowerType.DC and profile.soc_target >= 95:
        # Above the knee the power must taper: at 95 % well below what it was at 80 %.
        high, knee = profile.power_at(95), profile.power_at(80)
        if knee > 0 and not high < knee * Decimal("0.8"):
            problems.append(f"no taper above 80 %: {knee} kW at 80 %, {high} kW at 95 %")
    return problems


def standard_connectors() -> tuple[ConnectorSpec, ...]:
    """The connectors the figures table uses."""
    return (
        ConnectorSpec.ac("AC22", phases=3, current_a=32, max_power_kw=22),
        ConnectorSpec.ac("AC7", phases=1, current_a=32),
        ConnectorSpec.dc("DC50", max_power_kw=50, max_voltage_v=500, max_current_a=125),
        ConnectorSpec.dc("DC150", max_power_kw=150, max_voltage_v=920, max_current_a=375),
        ConnectorSpec.dc("DC150/200A", max_power_kw=150, max_voltage_v=920, max_current_a=200),
    )


def figures_table(
    vehicles: Iterable[VehicleProfile] = VEHICLES,
    connectors: Sequence[ConnectorSpec] | None = None,
) -> list[tuple[str, str, str, str]]:
    """(car, connector, figure, problems): AC mean kW 20→80 %, DC minutes 10→80 %."""
    rows: list[tuple[str, str, str, str]] = []
    for car in vehicles:
        for spec in connectors if connectors is not None else standard_connectors():
            if spec.power_type is PowerType.DC:
                p = simulate_session(spec, car, 10, 80)
                figure = (
                    f"10→80 %: {p.minutes} min, mean {p.mean_power_kw} kW,"
                    f" peak {p.peak_power_kw} kW"
                )
            else:
                p = simulate_session(spec, car, 20, 80, meter_interval_s=60.0)
                figure = f"{p.mean_power_kw} kW (20→80 % in {p.minutes} min)"
            rows.append((car.name, spec.connector_id, figure, "; ".join(plausibility_problems(p))))
    return rows


def main(
    out: TextIO = sys.stdout,
    vehicles: Iterable[VehicleProfile] = VEHICLES,
    connectors: Sequence[ConnectorSpec] | None = None,
) -> None:
    """Print the figures table (every car on every standard connector by default)."""
    for car, connector, figure, problems in figures_table(vehicles, connectors):
        out.write(f"{car:<48} {connector:<11} {figure}{'  !! ' + problems if problems else ''}\n")


if __name__ == "__main__":
    main()
