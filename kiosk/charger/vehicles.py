"""Vehicle profiles for the simulated charger: battery, onboard AC charger, DC charge curve.

The numbers are typical of real cars of each class (usable capacity, onboard
charger phases and current, DC peak power, the shape of a published charge
curve) without claiming to be any one model. Physics values are floats: they
never leave through the Charger port as they are.

A DC charge curve is a piecewise-linear list of (SoC %, kW) points: the power the
car's battery management asks for at that state of charge. Below the knee the
pack takes a roughly constant current (power creeps up with pack voltage); above
it (about 50-80 % depending on the car) the cell voltage reaches its limit and the
current, hence the power, tapers towards a few kW at 100 %. The same curve caps
AC charging too, which is why a car on AC slows down in the last few percent.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

__all__ = [
    "CITY_CAR",
    "MIDSIZE_400V",
    "PERFORMANCE_800V",
    "VAN",
    "VEHICLES",
    "VehicleProfile",
    "interpolate",
]

# Nominal phase-to-neutral voltage of the European low-voltage grid.
AC_PHASE_VOLTAGE_V: Final = 230.0


def interpolate(points: Sequence[tuple[float, float]], x: float) -> float:
    """Piecewise-linear y(x) through `points` (sorted by x), held flat beyond the ends."""
    if not points:
        raise ValueError("no points to interpolate")
    xs = [p[0] for p in points]
    if x <= xs[0]:
        return points[0][1]
    if x >= xs[-1]:
        return points[-1][1]
    i = bisect_right(xs, x)
    (x0, y0), (x1, y1) = points[i - 1], points[i]
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def _check_curve(name: str, what: str, points: Sequence[tuple[float, float]]) -> None:
    if len(points) < 2:
        raise ValueError(f"{name}: {what} needs at least two points")
    socs = [p[0] for p in points]
    if socs[0] != 0.0 or socs[-1] != 100.0:
        raise ValueError(f"{name}: {what} must span 0..100 % SoC")
    if any(b <= a for a, b in pairwise(socs)):
        raise ValueError(f"{name}: {what} SoC points must increase strictly")
    if any(v <= 0 for _, v in points):
        raise ValueError(f"{name}: {what} values must be positive")


@dataclass(frozen=True, slots=True)
class VehicleProfile:
    """What a car brings to the plug: battery, onboard charger and DC acceptance."""

    name: str
    battery_kwh: float  # usable capacity
    ac_phases: int  # phases the onboard charger uses: 1 or 3
    ac_max_current_a: float  # per phase
    dc_peak_kw: float
    dc_curve: tuple[tuple[float, float], ...]  # (SoC %, kW) the BMS asks for on DC
    pack_voltage: tuple[tuple[float, float], ...]  # (SoC %, V) pack voltage while charging
    dc_max_current_a: float  # the car's DC inlet/contactor limit
    # An 800 V car on a charger whose maximum voltage is below its pack voltage
    # charges through an onboard boost converter, limited to this power (None: cannot).
    dc_boost_max_kw: float | None = None
    ac_efficiency: tuple[tuple[float, float], ...] = (  # (load fraction, efficiency)
        (0.0, 0.70),
        (0.2, 0.86),
        (0.5, 0.92),
        (1.0, 0.93),
    )
    dc_efficiency: float = 0.96  # cable, contactors and battery losses on DC

    def __post_init__(self) -> None:
        if self.battery_kwh <= 0:
            raise ValueError(f"{self.name}: battery capacity must be positive")
        if self.ac_phases not in (1, 3):
            raise ValueError(f"{self.name}: onboard charger phases must be 1 or 3")
        if not 6.0 <= self.ac_max_current_a <= 63.0:
            raise ValueError(f"{self.name}: onboard charger current must be 6..63 A")
        if self.dc_peak_kw <= 0 or self.dc_max_current_a <= 0:
            raise ValueError(f"{self.name}: DC limits must be positive")
        _check_curve(self.name, "DC curve", self.dc_curve)
        _check_curve(self.name, "pack voltage", self.pack_voltage)
        if max(kw for _, kw in self.dc_curve) > self.dc_peak_kw + 1e-9:
            raise ValueError(f"{self.name}: DC curve goes above the DC peak power")
        if not 0 < self.dc_efficiency <= 1:
            raise ValueError(f"{self.name}: DC efficiency must be in (0, 1]")

    @property
    def ac_onboard_kw(self) -> float:
        """The onboard charger's rating at nominal grid voltage (7.4, 11, 22 kW)."""
        return self.ac_phases * self.ac_max_current_a * AC_PHASE_VOLTAGE_V / 1000.0

    def dc_request_kw(self, soc_percent: float) -> float:
        """The power the battery accepts at this SoC (the CC/CV taper)."""
        return interpolate(self.dc_curve, soc_percent)

    def pack_voltage_v(self, soc_percent: float) -> float:
        return interpolate(self.pack_voltage, soc_percent)

    def ac_efficiency_at(self, load_fraction: float) -> float:
        """Grid-to-battery efficiency of the onboard charger at a fraction of its rating."""
        return interpolate(self.ac_efficiency, load_fraction)


# A small city hatchback: 1-phase 32 A onboard charger, 50 kW DC, ~350 V pack.
CITY_CAR: Final = VehicleProfile(
    name="City car (37 kWh, AC 1×32 A, DC 50 kW)",
    battery_kwh=37.3,
    ac_phases=1,
    ac_max_current_a=32.0,
    dc_peak_kw=50.0,
    dc_curve=(
        (0.0, 38.0),
        (10.0, 45.0),
        (20.0, 50.0),
        (55.0, 50.0),
        (70.0, 42.0),
        (80.0, 33.0),
        (90.0, 18.0),
        (95.0, 10.0),
        (100.0, 3.0),
    ),
    pack_voltage=((0.0, 310.0), (10.0, 330.0), (50.0, 355.0), (90.0, 385.0), (100.0, 395.0)),
    dc_max_current_a=150.0,
)

# A mid-size 400 V crossover: 3-phase 16 A onboard charger, 135 kW DC peak.
MIDSIZE_400V: Final = VehicleProfile(
    name="Mid-size 400 V (77 kWh, AC 3×16 A, DC 135 kW)",
    battery_kwh=77.0,
    ac_phases=3,
    ac_max_current_a=16.0,
    dc_peak_kw=135.0,
    dc_curve=(
        (0.0, 100.0),
        (5.0, 125.0),
        (10.0, 133.0),
        (30.0, 135.0),
        (40.0, 122.0),
        (50.0, 108.0),
        (60.0, 95.0),
        (70.0, 82.0),
        (80.0, 65.0),
        (85.0, 50.0),
        (90.0, 35.0),
        (95.0, 22.0),
        (100.0, 7.0),
    ),
    pack_voltage=((0.0, 330.0), (10.0, 345.0), (50.0, 370.0), (90.0, 395.0), (100.0, 403.0)),
    dc_max_current_a=390.0,
)

# An 800 V sedan: 3-phase 32 A onboard charger, 230 kW DC peak, boosts on 500 V chargers.
PERFORMANCE_800V: Final = VehicleProfile(
    name="800 V sedan (84 kWh, AC 3×32 A, DC 230 kW)",
    battery_kwh=83.7,
    ac_phases=3,
    ac_max_current_a=32.0,
    dc_peak_kw=230.0,
    dc_curve=(
        (0.0, 180.0),
        (5.0, 215.0),
        (10.0, 225.0),
        (20.0, 230.0),
        (45.0, 230.0),
        (55.0, 200.0),
        (65.0, 175.0),
        (75.0, 150.0),
        (80.0, 120.0),
        (85.0, 85.0),
        (90.0, 60.0),
        (95.0, 35.0),
        (100.0, 10.0),
    ),
    pack_voltage=((0.0, 600.0), (10.0, 650.0), (50.0, 720.0), (80.0, 760.0), (100.0, 800.0)),
    dc_max_current_a=350.0,
    dc_boost_max_kw=50.0,
)

# A large electric panel van: 3-phase 16 A onboard charger, 115 kW DC, flat early curve.
VAN: Final = VehicleProfile(
    name="Panel van (68 kWh, AC 3×16 A, DC 115 kW)",
    battery_kwh=68.0,
    ac_phases=3,
    ac_max_current_a=16.0,
    dc_peak_kw=115.0,
    dc_curve=(
        (0.0, 90.0),
        (10.0, 110.0),
        (15.0, 115.0),
        (40.0, 115.0),
        (55.0, 100.0),
        (70.0, 80.0),
        (80.0, 60.0),
        (90.0, 30.0),
        (100.0, 5.0),
    ),
    pack_voltage=((0.0, 320.0), (10.0, 340.0), (50.0, 365.0), (90.0, 390.0), (100.0, 398.0)),
    dc_max_current_a=340.0,
)

VEHICLES: Final[tuple[VehicleProfile, ...]] = (CITY_CAR, MIDSIZE_400V, PERFORMANCE_800V, VAN)
