from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from kiosk.charger import ScaledClock, SimulatedClock, SystemClock
from kiosk.charger.clock import driver_seconds, driver_wait

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class FakeMonotonic:
    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


def test_system_clock_is_aware_utc() -> None:
    now = SystemClock().now()
    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


def test_simulated_clock_moves_only_when_told() -> None:
    clock = SimulatedClock(T0)
    assert clock.now() == T0
    assert clock.now() == T0
    assert clock.advance(90) == T0 + timedelta(seconds=90)
    assert clock.advance(0.5) == T0 + timedelta(seconds=90.5)
    assert clock.advance_to(T0 + timedelta(hours=1)) == T0 + timedelta(hours=1)
    assert clock.now() == T0 + timedelta(hours=1)


def test_simulated_clock_converts_to_utc_and_refuses_naive_and_backwards() -> None:
    cet = timezone(timedelta(hours=1))
    clock = SimulatedClock(datetime(2026, 3, 2, 10, 0, tzinfo=cet))
    assert clock.now() == T0
    assert clock.now().tzinfo is UTC
    with pytest.raises(ValueError, match="aware"):
        SimulatedClock(datetime(2026, 3, 2, 9, 0))  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="forward"):
        clock.advance(float("nan"))
    with pytest.raises(ValueError, match="back"):
        clock.advance_to(T0 - timedelta(seconds=1))


def test_scaled_clock_at_60x_advances_a_minute_per_real_second() -> None:
    mono = FakeMonotonic()
    clock = ScaledClock(T0, speed=60, monotonic=mono)
    assert clock.now() == T0
    mono.value += 1.0
    assert clock.now() == T0 + timedelta(minutes=1)
    mono.value += 0.25
    assert clock.now() == T0 + timedelta(seconds=75)
    mono.value += 60.0
    assert clock.now() == T0 + timedelta(minutes=61, seconds=15)
    assert clock.now().tzinfo is UTC


def test_scaled_clock_speed_change_keeps_time_continuous() -> None:
    mono = FakeMonotonic()
    clock = ScaledClock(T0, speed=60, monotonic=mono)
    mono.value += 2.0
    clock.set_speed(1)
    assert clock.speed == 1
    assert clock.now() == T0 + timedelta(minutes=2)
    mono.value += 2.0
    assert clock.now() == T0 + timedelta(minutes=2, seconds=2)


def test_scaled_clock_never_goes_back_and_refuses_bad_speeds() -> None:
    mono = FakeMonotonic()
    clock = ScaledClock(T0, speed=10, monotonic=mono)
    mono.value -= 5  # a broken source must not take the time before the start
    assert clock.now() == T0
    for bad in (0, -1, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="speed-up"):
            ScaledClock(T0, speed=bad, monotonic=mono)
    with pytest.raises(ValueError, match="speed-up"):
        clock.set_speed(0)


def test_driver_waits_are_real_seconds_at_any_speed() -> None:
    """The demo speeds up the car and the tariff clock, never the driver's screens."""
    real = [0.0]
    fast = ScaledClock(datetime(2026, 3, 1, tzinfo=UTC), speed=10, monotonic=lambda: real[0])
    assert driver_wait(fast, 60) == timedelta(minutes=10)  # 60 s of the driver's time
    assert driver_seconds(fast, timedelta(minutes=10)) == 60
    start = fast.now()
    deadline = start + driver_wait(fast, 60)
    real[0] = 59
    assert fast.now() < deadline
    real[0] = 60
    assert fast.now() >= deadline
    stepped = SimulatedClock(datetime(2026, 3, 1, tzinfo=UTC))  # tests: one to one
    assert driver_wait(stepped, 60) == timedelta(seconds=60)
    assert driver_seconds(stepped, timedelta(seconds=90)) == 90
