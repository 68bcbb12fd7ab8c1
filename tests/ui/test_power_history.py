"""The charging screen's power chart: the whole session, in a bounded number of points."""

from __future__ import annotations

import itertools

from ui.worker import PowerHistory


def test_a_short_session_keeps_every_sample() -> None:
    history = PowerHistory(limit=600)
    for second in range(120):
        history.add(float(second), 11.0)
    points = history.points()
    assert len(points) == 120
    assert points[0] == [0.0, 11.0]
    assert points[-1] == [119.0, 11.0]


def test_twelve_hours_at_one_hertz_span_the_whole_session_in_at_most_600_points() -> None:
    history = PowerHistory(limit=600)
    seconds = 12 * 3600
    for second in range(seconds + 1):
        history.add(float(second), 50.0 if second < 3600 else 20.0)
    points = history.points()
    assert len(points) <= 601  # the kept points and the newest sample
    assert points[0][0] == 0.0
    assert points[-1] == [float(seconds), 20.0]  # now is always drawn
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(points)]
    assert max(gaps[:-1]) <= 2 * min(gaps[:-1])  # evenly spread, not the last ten minutes
    assert points[10][1] == 50.0  # the first hour is still there
