"""Clocks implementing kiosk.ports.Clock: real, simulated (stepped by hand) and sped up.

All of them return aware UTC datetimes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

__all__ = ["ScaledClock", "SimulatedClock", "SystemClock", "driver_seconds", "driver_wait"]


def _aware_utc(at: datetime, what: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime, got naive {at.isoformat()}")
    return at.astimezone(UTC)


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock:
    """A clock that only moves when told to: for tests and batch simulations."""

    def __init__(self, start: datetime) -> None:
        self._now = _aware_utc(start, "start")

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> datetime:
        """Move forward by `seconds` (>= 0) and return the new time."""
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"a clock only moves forward by a finite amount, not {seconds!r}")
        self._now += timedelta(seconds=seconds)
        return self._now

    def advance_to(self, at: datetime) -> datetime:
        """Move forward to `at` (not before the current time)."""
        at = _aware_utc(at, "at")
        if at < self._now:
            raise ValueError(f"cannot move back from {self._now.isoformat()} to {at.isoformat()}")
        self._now = at
        return self._now


class ScaledClock:
    """Real elapsed time times a speed-up factor, from a start point: for the demo.

    At speed 60 one real second is one simulated minute. Elapsed time comes from a
    monotonic source (time.monotonic unless injected), so wall-clock jumps do not
    move the simulated time. Changing the speed keeps the time continuous.
    """

    def __init__(
        self,
        start: datetime,
        speed: float = 1.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._check_speed(speed)
        self._monotonic = monotonic
        self._anchor_at = _aware_utc(start, "start")
        self._anchor_mono = monotonic()
        self._speed = speed

    @staticmethod
    def _check_speed(speed: float) -> None:
        if not math.isfinite(speed) or speed <= 0:
            raise ValueError(f"speed-up factor must be a positive number, not {speed!r}")

    @property
    def speed(self) -> float:
        return self._speed

    def _at(self, mono: float) -> datetime:
        elapsed = (mono - self._anchor_mono) * self._speed
        return self._anchor_at + timedelta(seconds=max(elapsed, 0.0))

    def now(self) -> datetime:
        return self._at(self._monotonic())

    def set_speed(self, speed: float) -> None:
        """Change the factor from now on; the simulated time does not jump."""
        self._check_speed(speed)
        mono = self._monotonic()
        self._anchor_at = self._at(mono)
        self._anchor_mono = mono
        self._speed = speed


def driver_wait(clock: object, seconds: float) -> timedelta:
    """A wait the driver lives through (a screen timeout, the QR's validity), in the
    clock's time: `seconds` of real time, whatever the demo's speed-up.

    The demo speeds up the car and the tariff clock, never the driver: at speed 10 a
    60 s screen timeout is 600 simulated seconds. Other clocks run at speed 1.
    """
    return timedelta(seconds=seconds * _speed(clock))


def driver_seconds(clock: object, delta: timedelta) -> float:
    """The real seconds a driver waits for `delta` of the clock's time (see driver_wait)."""
    return delta.total_seconds() / _speed(clock)


def _speed(clock: object) -> float:
    speed = getattr(clock, "speed", 1.0)  # a ScaledClock's factor; any other clock: 1
    return float(speed) if isinstance(speed, int | float) and speed > 0 else 1.0
