"""A physically plausible charger and the cars that plug into it, behind the Charger port.

`SimulatedCharger` drives several connectors. Time only moves in `poll(now)`: the
physics is integrated from the last poll up to `now`, in fixed steps of simulated
time (1 s by default) while energy flows, and in one jump across stretches where
nothing changes (no car, car full, charging not started). Power is constant within
a step; the energy register and the car's state of charge integrate it exactly, so
the register equals the integral of the reported power.

AC: the station signals a current limit (its rating, or the `start()` power limit
turned into amps); the car draws that, capped by its onboard charger, on
min(station phases, car phases) phases at ~230 V. The onboard charger's efficiency
decides how much reaches the battery, and near full the battery's own acceptance
(the car's charge curve) makes it draw less.

DC: power = min(station power limit, station current limit × pack voltage, the
car's curve at its SoC (CC/CV taper), the car's current limit × pack voltage, the
`start()` limit). An 800 V car on a charger with a lower maximum voltage charges
through its boost converter at the charger's voltage, capped by the booster.

Scripted cars: `arrive()` plugs a car in (now or at a given time), `depart()` pulls
it out, `schedule_departure()` leaves some time after the car got full (so idle
time happens), `ev_pause()` / `ev_resume()` let the car stop and restart drawing.
A car that reaches its target SoC suspends (SUSPENDED_EV) and stays plugged in.
`inject_fault()` / `clear_fault()` report FAULT / FAULT_CLEARED; a fault drops the
power at once and disables the connector until `start()` is called again.

Calls that act "now" (`start`, `stop`, `at=None`) act at the simulated time of the
last poll (the construction time before the first one); their events come out with
the next poll. Everything `poll()` returns is in time order and carries the meter
reading at that moment. Randomness (grid voltage, how far under the pilot signal a
car draws, power-stage ripple) comes only from the `random.Random` passed in.
"""

from __future__ import annotations

import heapq
import logging
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from kiosk.config import ConnectorConfig

from kiosk.charger.vehicles import VehicleProfile
from kiosk.domain.errors import BugError, KnownError
from kiosk.ports import (
    ChargerEvent,
    ChargerEventKind,
    ConnectorInfo,
    MeterReading,
    PowerType,
)

__all__ = [
    "AlreadyPluggedInError",
    "ChargerError",
    "ConnectorFaultedError",
    "ConnectorSpec",
    "ConnectorState",
    "NotPluggedInError",
    "SimulatedCharger",
    "UnknownConnectorError",
    "demo_connectors",
    "spec_for",
]

log = logging.getLogger(__name__)

_US: Final = 1_000_000  # microseconds a second: simulated time is kept in integer µs
_ONE_US: Final = timedelta(microseconds=1)
_WH: Final = Decimal("0.1")
_KW: Final = Decimal("0.001")
_A: Final = Decimal("0.1")
_V: Final = Decimal("0.1")
_SOC: Final = Decimal("0.1")
_MIN_PILOT_A: Final = 6.0  # IEC 61851-1: the lowest current a PWM pilot can offer
_POWER_FACTOR: Final = 0.995  # an onboard charger with active PFC at load
_SOC_EPS: Final = 1e-9


class ChargerError(KnownError):
    """The charger refused an operation in its present state."""


class NotPluggedInError(ChargerError):
    """The operation needs a car plugged into the connector."""


class AlreadyPluggedInError(ChargerError):
    """A car is plugged into the connector already."""


class ConnectorFaultedError(ChargerError):
    """The connector is in a fault state; clear it first."""


class UnknownConnectorError(BugError, LookupError):
    """No connector with that id on this charger."""


# -- connector specs -----------------------------------------------------------------------


def _dec(value: Decimal | int | str, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise TypeError(f"{what} must be a Decimal, int or decimal string, not {value!r}")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{what} must be finite, not {value!r}")
    return result


@dataclass(frozen=True, slots=True)
class ConnectorSpec:
    """One connector's power stage. Build with `ConnectorSpec.ac(...)` or `.dc(...)`.

    AC: `max_current_a` is per phase and `voltage_v` the phase-to-neutral voltage.
    DC: `max_current_a` is the output current limit and `voltage_v` the highest
    output voltage. `max_power_kw` caps both.
    """

    connector_id: str
    power_type: PowerType
    max_power_kw: Decimal
    max_current_a: Decimal
    voltage_v: Decimal
    label: str
    evse_id: str
    standard: str
    initial_energy_wh: Decimal = Decimal(0)
    reports_soc: bool = False  # DC (and ISO 15118 AC) cars tell their SoC

    def __post_init__(self) -> None:
        if not self.connector_id:
            raise ValueError("connector id must not be empty")
        for what in ("max_power_kw", "max_current_a", "voltage_v"):
            value = getattr(self, what)
            if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
                raise ValueError(f"{self.connector_id}: {what} must be a positive Decimal")
        if (
            not isinstance(self.initial_energy_wh, Decimal)
            or not self.initial_energy_wh.is_finite()
            or self.initial_energy_wh < 0
        ):
            raise ValueError(f"{self.connector_id}: initial register must be a Decimal >= 0")

    @classmethod
    def ac(
        cls,
        connector_id: str,
        *,
        phases: int = 3,
        current_a: Decimal | int | str = 32,
        voltage_v: Decimal | int | str = 230,
        max_power_kw: Decimal | int | str | None = None,
        label: str | None = None,
        evse_id: str | None = None,
        standard: str = "IEC_62196_T2",
        initial_energy_wh: Decimal | int | str = 0,
        reports_soc: bool = False,
    ) -> ConnectorSpec:
        """An AC socket: 1 or 3 phases, current per phase (32 A × 3 × 230 V = 22 kW)."""
        if phases not in (1, 3):
            raise ValueError(f"{connector_id}: AC phases must be 1 or 3, not {phases}")
        amps = _dec(current_a, "current")
        volts = _dec(voltage_v, "voltage")
        power = (
            (phases * amps * volts / 1000).quantize(_WH)
            if max_power_kw is None
            else _dec(max_power_kw, "max power")
        )
        return cls(
            connector_id=connector_id,
            power_type=PowerType.AC_3_PHASE if phases == 3 else PowerType.AC_1_PHASE,
            max_power_kw=power,
            max_current_a=amps,
            voltage_v=volts,
            label=label if label is not None else connector_id,
            evse_id=evse_id if evse_id is not None else f"ZZ*SIM*E{connector_id}",
            standard=standard,
            initial_energy_wh=_dec(initial_energy_wh, "initial register"),
            reports_soc=reports_soc,
        )

    @classmethod
    def dc(
        cls,
        connector_id: str,
        *,
        max_power_kw: Decimal | int | str = 150,
        max_voltage_v: Decimal | int | str = 920,
        max_current_a: Decimal | int | str = 375,
        label: str | None = None,
        evse_id: str | None = None,
        standard: str = "IEC_62196_T2_COMBO",
        initial_energy_wh: Decimal | int | str = 0,
        reports_soc: bool = True,
    ) -> ConnectorSpec:
        """A DC connector with power, voltage and current limits (CCS by default)."""
        return cls(
            connector_id=connector_id,
            power_type=PowerType.DC,
            max_power_kw=_dec(max_power_kw, "max power"),
            max_current_a=_dec(max_current_a, "max current"),
            voltage_v=_dec(max_voltage_v, "max voltage"),
            label=label if label is not None else connector_id,
            evse_id=evse_id if evse_id is not None else f"ZZ*SIM*E{connector_id}",
            standard=standard,
            initial_energy_wh=_dec(initial_energy_wh, "initial register"),
            reports_soc=reports_soc,
        )

    @property
    def phases(self) -> int:
        """AC phases of the socket (0 for DC)."""
        return {PowerType.AC_1_PHASE: 1, PowerType.AC_3_PHASE: 3}.get(self.power_type, 0)

    def info(self) -> ConnectorInfo:
        return ConnectorInfo(
            connector_id=self.connector_id,
            evse_id=self.evse_id,
            power_type=self.power_type,
            max_power_kw=self.max_power_kw,
            standard=self.standard,
            label=self.label,
        )


def demo_connectors() -> tuple[ConnectorSpec, ...]:
    """A typical small hub: two 22 kW AC sockets, a 150 kW and a 50 kW DC charger."""
    return (
        ConnectorSpec.ac("1", phases=3, current_a=32, max_power_kw=22, label="A"),
        ConnectorSpec.ac("2", phases=3, current_a=32, max_power_kw=22, label="B"),
        ConnectorSpec.dc("3", max_power_kw=150, max_voltage_v=920, max_current_a=375, label="DC 1"),
        ConnectorSpec.dc("4", max_power_kw=50, max_voltage_v=500, max_current_a=125, label="DC 2"),
    )


# -- state -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConnectorState:
    """A snapshot of one connector, for diagnostics and tests (not part of the port)."""

    connector_id: str
    plugged_in: bool
    enabled: bool  # start() called and not stopped since
    suspended_ev: bool  # enabled, but the car does not take energy (full or paused)
    faulted: bool
    fault_detail: str
    vehicle: VehicleProfile | None
    soc_percent: Decimal | None  # the car's SoC, whether or not the connector reports it
    soc_target_percent: Decimal | None
    power_kw: Decimal
    energy_wh: Decimal


@dataclass(slots=True)
class _Car:
    vehicle: VehicleProfile
    soc: float
    target: float
    depart_after_full_s: float | None
    paused: bool = False
    suspended_full_at: int | None = None  # µs when it suspended because it was full
    departure_token: int = 0  # only the latest scheduled departure of this car counts

    @property
    def full(self) -> bool:
        return self.soc >= self.target - _SOC_EPS

    @property
    def unwilling(self) -> bool:
        return self.full or self.paused


@dataclass(slots=True)
class _Connector:
    spec: ConnectorSpec
    register_wh: float
    ac_voltage_v: float
    car: _Car | None = None
    enabled: bool = False
    limit_kw: float | None = None
    faulted: bool = False
    fault_detail: str = ""
    suspended: bool = False
    power_kw: float = 0.0  # metered power during the current step
    current_a: float = 0.0
    dc_voltage_v: float | None = None
    battery_kw: float = 0.0  # what reaches the battery
    full_at: int | None = None  # µs when the car reaches its target at the present power
    next_meter: int | None = None


@dataclass(order=True, slots=True)
class _Action:
    at: int
    seq: int
    run: Callable[[], None] = field(compare=False)


def _quantize(value: float, quantum: Decimal, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    return Decimal(value if value > 0 else 0.0).quantize(quantum, rounding=rounding)


def _positive_seconds(value: float, what: str) -> int:
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{what} must be a positive number of seconds, not {value!r}")
    micros = round(value * _US)
    if micros < 1:
        raise ValueError(f"{what} is below a microsecond: {value!r}")
    return micros


def _percent(value: float | Decimal, what: str) -> float:
    result = float(value)
    if not 0.0 <= result <= 100.0:
        raise ValueError(f"{what} must be within 0..100 %, not {value}")
    return result


class SimulatedCharger:
    """Implements kiosk.ports.Charger for a set of simulated connectors."""

    def __init__(
        self,
        connectors: Iterable[ConnectorSpec],
        *,
        start: datetime,
        rng: random.Random | None = None,
        step_s: float = 1.0,
        meter_interval_s: float = 1.0,
    ) -> None:
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("start must be an aware datetime")
        self._epoch = start.astimezone(UTC)
        self._t = 0  # simulated µs since the epoch
        self._rng = rng if rng is not None else random.Random(0)  # noqa: S311 - physics noise
        self._step = _positive_seconds(step_s, "step")
        self._meter_interval = _positive_seconds(meter_interval_s, "meter interval")
        self._conns: dict[str, _Connector] = {}
        for spec in connectors:
            if spec.connector_id in self._conns:
                raise ValueError(f"duplicate connector id {spec.connector_id!r}")
            self._conns[spec.connector_id] = _Connector(
                spec=spec,
                register_wh=float(spec.initial_energy_wh),
                ac_voltage_v=float(spec.voltage_v),
            )
        if not self._conns:
            raise ValueError("a charger needs at least one connector")
        self._infos = tuple(c.spec.info() for c in self._conns.values())
        self._actions: list[_Action] = []
        self._seq = 0
        self._out: list[ChargerEvent] = []

    # -- the Charger port ------------------------------------------------------------------

    def connectors(self) -> Sequence[ConnectorInfo]:
        return self._infos

    def start(self, connector_id: str, max_power_kw: Decimal | None = None) -> None:
        """Allow energy on a plugged-in connector, optionally capped; again to change the cap."""
        conn = self._get(connector_id)
        if conn.faulted:
            raise ConnectorFaultedError(
                f"connector {connector_id} is faulted ({conn.fault_detail}); clear the fault first"
            )
        if conn.car is None:
            raise NotPluggedInError(f"connector {connector_id}: no car plugged in, cannot start")
        limit: float | None = None
        if max_power_kw is not None:
            if not isinstance(max_power_kw, Decimal) or not max_power_kw.is_finite():
                raise ValueError(f"max power must be a finite Decimal, not {max_power_kw!r}")
            if max_power_kw <= 0:
                raise ValueError(f"max power must be positive, not {max_power_kw}")
            limit = float(max_power_kw)
        conn.enabled = True
        conn.limit_kw = limit
        self._changed(conn)

    def stop(self, connector_id: str) -> None:
        """Drop the power to zero now; the car stays plugged in. Idempotent."""
        conn = self._get(connector_id)
        conn.enabled = False
        conn.limit_kw = None
        self._changed(conn)

    def read_meter(self, connector_id: str) -> MeterReading:
        """The meter at the simulated time of the last poll."""
        return self._reading(self._get(connector_id))

    def poll(self, now: datetime) -> Sequence[ChargerEvent]:
        """Simulate up to `now`; return every event since the last poll, in time order.

        A `now` before the simulated time (a wall clock stepping back) simulates nothing.
        """
        target = self._to_us(now)
        while True:
            self._run_due_actions()
            self._emit_due_meters()
            if self._t >= target:
                break
            boundary = self._next_boundary(target)
            self._integrate(boundary)
            if boundary % self._step == 0:
                for conn in self._conns.values():
                    if conn.power_kw > 0:
                        self._recompute(conn)
        out, self._out = self._out, []
        return out

    # -- scripting the cars and the faults -----------------------------------------------------

    @property
    def now(self) -> datetime:
        """The simulated time: the last poll (the construction time before the first)."""
        return self._at(self._t)

    def arrive(
        self,
        connector_id: str,
        vehicle: VehicleProfile,
        soc_start: float | Decimal,
        soc_target: float | Decimal = 100.0,
        at: datetime | None = None,
        *,
        depart_after_full_s: float | None = None,
    ) -> None:
        """Plug a car in (PLUGGED_IN) now or at `at`; it charges up to `soc_target`."""
        conn = self._get(connector_id)
        soc = _percent(soc_start, "start SoC")
        target = _percent(soc_target, "target SoC")
        if depart_after_full_s is not None and (
            not math.isfinite(depart_after_full_s) or depart_after_full_s < 0
        ):
            raise ValueError(f"departure delay must be >= 0 s, not {depart_after_full_s!r}")

        def run() -> None:
            if conn.car is not None:
                raise AlreadyPluggedInError(f"connector {connector_id}: a car is plugged in")
            conn.car = _Car(vehicle, soc, target, depart_after_full_s)
            iv = self._meter_interval
            conn.next_meter = (self._t // iv + 1) * iv
            self._emit(conn, ChargerEventKind.PLUGGED_IN)
            self._changed(conn)

        self._schedule(at, run, f"arrival at {connector_id}")

    def depart(self, connector_id: str, at: datetime | None = None) -> None:
        """Unplug the car (UNPLUGGED) now or at `at`; power stops, the session ends."""
        conn = self._get(connector_id)

        def run() -> None:
            if conn.car is None:
                raise NotPluggedInError(f"connector {connector_id}: no car to unplug")
            self._unplug(conn)

        self._schedule(at, run, f"departure from {connector_id}")

    def _unplug(self, conn: _Connector) -> None:
        conn.car = None
        conn.enabled = False
        conn.limit_kw = None
        conn.next_meter = None
        self._changed(conn, event=ChargerEventKind.UNPLUGGED)

    def schedule_departure(self, connector_id: str, after_full_s: float) -> None:
        """The plugged-in car leaves `after_full_s` seconds after it suspends as full."""
        conn = self._get(connector_id)
        if not math.isfinite(after_full_s) or after_full_s < 0:
            raise ValueError(f"departure delay must be >= 0 s, not {after_full_s!r}")
        if conn.car is None:
            raise NotPluggedInError(f"connector {connector_id}: no car plugged in")
        conn.car.depart_after_full_s = after_full_s
        if conn.car.suspended_full_at is not None:
            self._schedule_full_departure(conn)

    def ev_pause(self, connector_id: str, at: datetime | None = None) -> None:
        """The car stops drawing (its own timer, preconditioning): SUSPENDED_EV if charging."""
        conn = self._get(connector_id)

        def run() -> None:
            if conn.car is not None:
                conn.car.paused = True
                self._changed(conn)

        self._schedule(at, run, f"car pause at {connector_id}")

    def ev_resume(self, connector_id: str, at: datetime | None = None) -> None:
        """The paused car wants energy again: RESUMED_EV if the connector is enabled."""
        conn = self._get(connector_id)

        def run() -> None:
            if conn.car is not None:
                conn.car.paused = False
                self._changed(conn)

        self._schedule(at, run, f"car resume at {connector_id}")

    def inject_fault(self, connector_id: str, detail: str, at: datetime | None = None) -> None:
        """A fault (FAULT with `detail`): power stops at once and start() is refused."""
        conn = self._get(connector_id)

        def run() -> None:
            conn.faulted = True
            conn.fault_detail = detail
            conn.enabled = False
            conn.limit_kw = None
            self._changed(conn, event=ChargerEventKind.FAULT, detail=detail)

        self._schedule(at, run, f"fault at {connector_id}")

    def clear_fault(self, connector_id: str, at: datetime | None = None) -> None:
        """Clear the fault (FAULT_CLEARED); charging needs a new start(). No-op if none."""
        conn = self._get(connector_id)

        def run() -> None:
            if not conn.faulted:
                return
            detail, conn.faulted, conn.fault_detail = conn.fault_detail, False, ""
            self._changed(conn, event=ChargerEventKind.FAULT_CLEARED, detail=detail)

        self._schedule(at, run, f"fault clearing at {connector_id}")

    def state(self, connector_id: str) -> ConnectorState:
        conn = self._get(connector_id)
        car = conn.car
        return ConnectorState(
            connector_id=connector_id,
            plugged_in=car is not None,
            enabled=conn.enabled,
            suspended_ev=conn.suspended,
            faulted=conn.faulted,
            fault_detail=conn.fault_detail,
            vehicle=car.vehicle if car else None,
            soc_percent=_quantize(car.soc, _SOC, ROUND_DOWN) if car else None,
            soc_target_percent=_quantize(car.target, _SOC, ROUND_DOWN) if car else None,
            power_kw=_quantize(conn.power_kw, _KW),
            energy_wh=_quantize(conn.register_wh, _WH, ROUND_DOWN),
        )

    # -- time and events -----------------------------------------------------------------

    def _get(self, connector_id: str) -> _Connector:
        try:
            return self._conns[connector_id]
        except KeyError:
            raise UnknownConnectorError(f"no connector {connector_id!r}") from None

    def _to_us(self, at: datetime) -> int:
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"times must be aware datetimes, got naive {at.isoformat()}")
        return (at - self._epoch) // _ONE_US

    def _at(self, t: int) -> datetime:
        return self._epoch + timedelta(microseconds=t)

    def _schedule(self, at: datetime | None, run: Callable[[], None], what: str) -> None:
        when = self._t if at is None else self._to_us(at)
        if when < self._t:
            raise ValueError(f"{what}: {at} is before the simulated time {self.now.isoformat()}")
        if when == self._t:
            run()  # now: errors reach the caller
            return
        self._seq += 1
        heapq.heappush(self._actions, _Action(when, self._seq, run))

    def _run_due_actions(self) -> None:
        while self._actions and self._actions[0].at <= self._t:
            action = heapq.heappop(self._actions)
            try:
                action.run()
            except ChargerError as exc:  # scripted for a state that did not come about
                log.info("scripted action skipped at %s: %s", self.now.isoformat(), exc)

    def _emit_due_meters(self) -> None:
        for conn in self._conns.values():
            if conn.next_meter is not None and conn.next_meter <= self._t:
                self._emit(conn, ChargerEventKind.METER)
                conn.next_meter += self._meter_interval

    def _emit(self, conn: _Connector, kind: ChargerEventKind, detail: str = "") -> None:
        self._out.append(
            ChargerEvent(
                connector_id=conn.spec.connector_id,
                kind=kind,
                at=self._at(self._t),
                reading=self._reading(conn),
                detail=detail,
            )
        )

    def _reading(self, conn: _Connector) -> MeterReading:
        car = conn.car
        if conn.spec.power_type is PowerType.DC:
            voltage = _quantize(conn.dc_voltage_v, _V) if conn.dc_voltage_v is not None else None
        else:
            voltage = _quantize(conn.ac_voltage_v, _V)
        return MeterReading(
            at=self._at(self._t),
            energy_wh=_quantize(conn.register_wh, _WH, ROUND_DOWN),
            power_kw=_quantize(conn.power_kw, _KW),
            current_a=_quantize(conn.current_a, _A),
            voltage_v=voltage,
            soc_percent=(
                _quantize(car.soc, _SOC, ROUND_DOWN)
                if car is not None and conn.spec.reports_soc
                else None
            ),
        )

    def _changed(
        self,
        conn: _Connector,
        *,
        event: ChargerEventKind | None = None,
        detail: str = "",
    ) -> None:
        """Recompute the power after a state change; emit `event`, then any EV transition."""
        self._recompute(conn)
        if event is not None:
            self._emit(conn, event, detail)
        car = conn.car
        suspended = conn.enabled and car is not None and car.unwilling
        if suspended and not conn.suspended:
            conn.suspended = True
            self._emit(
                conn, ChargerEventKind.SUSPENDED_EV, "full" if car and car.full else "paused"
            )
            if car is not None and car.full:
                car.suspended_full_at = self._t
                self._schedule_full_departure(conn)
        elif not suspended and conn.suspended:
            conn.suspended = False
            if conn.enabled and car is not None:  # the car, not the station, resumed
                self._emit(conn, ChargerEventKind.RESUMED_EV)

    def _schedule_full_departure(self, conn: _Connector) -> None:
        car = conn.car
        if car is None or car.suspended_full_at is None or car.depart_after_full_s is None:
            return
        when = max(self._t, car.suspended_full_at + round(car.depart_after_full_s * _US))
        self._seq += 1
        car.departure_token = token = self._seq

        def run() -> None:
            if conn.car is car and car.departure_token == token:  # not a later car
                self._unplug(conn)

        self._schedule(self._at(when), run, f"departure from {conn.spec.connector_id}")

    # -- physics -------------------------------------------------------------------------

    def _next_boundary(self, target: int) -> int:
        boundary = target
        if self._actions:
            boundary = min(boundary, self._actions[0].at)
        flowing = False
        for conn in self._conns.values():
            if conn.next_meter is not None:
                boundary = min(boundary, conn.next_meter)
            if conn.power_kw > 0:
                flowing = True
                if conn.full_at is not None:
                    boundary = min(boundary, conn.full_at)
        if flowing:
            boundary = min(boundary, (self._t // self._step + 1) * self._step)
        return boundary

    def _integrate(self, until: int) -> None:
        """Move the energy and the SoC on to `until` (power constant meanwhile)."""
        hours = (until - self._t) / (_US * 3600)
        self._t = until
        for conn in self._conns.values():
            car = conn.car
            if conn.power_kw <= 0 or car is None:
                continue
            conn.register_wh += conn.power_kw * hours * 1000.0
            car.soc += conn.battery_kw * hours / car.vehicle.battery_kwh * 100.0
            if car.full or (conn.full_at is not None and until >= conn.full_at):
                car.soc = car.target  # exactly: the car stops at its target, never above
                self._changed(conn)  # power 0, SUSPENDED_EV

    def _recompute(self, conn: _Connector) -> None:
        conn.power_kw = conn.current_a = conn.battery_kw = 0.0
        conn.dc_voltage_v = conn.full_at = None
        car = conn.car
        if car is None or not conn.enabled or conn.faulted or car.unwilling:
            return
        if conn.spec.power_type is PowerType.DC:
            self._recompute_dc(conn, car)
        else:
            self._recompute_ac(conn, car)
        if conn.battery_kw > 0:
            remaining_kwh = (car.target - car.soc) / 100.0 * car.vehicle.battery_kwh
            micros = math.ceil(remaining_kwh / conn.battery_kw * 3600 * _US)
            conn.full_at = self._t + max(micros, 1)

    def _recompute_ac(self, conn: _Connector, car: _Car) -> None:
        spec, vehicle = conn.spec, car.vehicle
        phases = min(spec.phases, vehicle.ac_phases)
        volts = float(spec.voltage_v) * (1.0 + max(-0.03, min(0.03, self._rng.gauss(0.0, 0.004))))
        conn.ac_voltage_v = volts
        # The pilot signal offers the socket's current, within its power rating at the
        # measured voltage...
        pilot_a = min(
            float(spec.max_current_a),
            float(spec.max_power_kw) * 1000.0 / (spec.phases * volts),
        )
        if conn.limit_kw is not None:  # ...and within the session's power limit
            pilot_a = min(pilot_a, conn.limit_kw * 1000.0 / (phases * volts))
        pilot_a = math.floor(pilot_a * 10) / 10  # the PWM duty cycle has 0.1 A resolution
        if pilot_a < _MIN_PILOT_A:
            return  # below what a pilot can offer: the car waits
        # Cars draw a little under the offered current.
        amps = min(pilot_a, vehicle.ac_max_current_a) - self._rng.uniform(0.0, 0.25)
        grid_kw = phases * volts * amps * _POWER_FACTOR / 1000.0
        rating_kw = vehicle.ac_onboard_kw
        efficiency = vehicle.ac_efficiency_at(grid_kw / rating_kw)
        accept_kw = vehicle.dc_request_kw(car.soc)  # the battery tapers near full
        if grid_kw * efficiency > accept_kw:
            grid_kw = accept_kw / efficiency
            efficiency = vehicle.ac_efficiency_at(grid_kw / rating_kw)
            amps = grid_kw * 1000.0 / (phases * volts * _POWER_FACTOR)
        conn.power_kw = grid_kw
        conn.current_a = amps
        conn.battery_kw = grid_kw * efficiency

    def _recompute_dc(self, conn: _Connector, car: _Car) -> None:
        spec, vehicle = conn.spec, car.vehicle
        pack_v = vehicle.pack_voltage_v(car.soc)
        station_v = float(spec.voltage_v)
        efficiency = vehicle.dc_efficiency
        if pack_v <= station_v:
            volts = pack_v
            car_kw = min(vehicle.dc_request_kw(car.soc), vehicle.dc_max_current_a * pack_v / 1000.0)
        elif vehicle.dc_boost_max_kw is not None:  # an 800 V car on a 500 V charger
            volts = station_v
            car_kw = min(vehicle.dc_request_kw(car.soc), vehicle.dc_boost_max_kw)
            efficiency *= 0.97
        else:
            return  # the charger cannot reach the pack voltage: nothing flows
        station_kw = min(float(spec.max_power_kw), float(spec.max_current_a) * volts / 1000.0)
        if conn.limit_kw is not None:
            station_kw = min(station_kw, conn.limit_kw)
        kw = min(station_kw, car_kw)
        kw *= 1.0 - self._rng.uniform(0.0, 0.004)  # regulation ripple, never above a limit
        conn.dc_voltage_v = volts
        conn.power_kw = kw
        conn.current_a = kw * 1000.0 / volts
        conn.battery_kw = kw * efficiency


def spec_for(c: ConnectorConfig, register_wh: Decimal = Decimal(0)) -> ConnectorSpec:
    """The simulated connector for a configured one (its meter register at `register_wh`)."""
    if c.power_type == "DC":
        return ConnectorSpec.dc(
            c.id,
            max_power_kw=c.max_power_kw,
            max_voltage_v=c.voltage_v,
            max_current_a=c.max_current_a,
            label=c.label,
            evse_id=c.evse_id,
            standard=c.standard,
            initial_energy_wh=register_wh,
        )
    return ConnectorSpec.ac(
        c.id,
        phases=3 if c.power_type == "AC_3_PHASE" else 1,
        current_a=c.max_current_a,
        voltage_v=c.voltage_v,
        max_power_kw=c.max_power_kw,
        label=c.label,
        evse_id=c.evse_id,
        standard=c.standard,
        initial_energy_wh=register_wh,
    )
