"""What the screens read: an immutable picture of the station after each event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.services.station_service import ConnectorView

__all__ = ["PowerHistory", "Snapshot"]


@dataclass(frozen=True)
class Snapshot:
    at: datetime
    views: dict[str, ConnectorView]
    # the chart: [seconds since the car was plugged in, kW], the whole session in <= 600 points
    power_history: dict[str, list[list[float]]] = field(default_factory=dict)
    breakdowns: dict[str, Any] = field(default_factory=dict)  # connector -> CostBreakdown
    # connector -> (session, payment, final breakdown) of the receipt on its screen
    receipts: dict[str, tuple[Any, Any, Any]] = field(default_factory=dict)
    # "reader", "terminal", "accounts", "qr" -> "ok", "missing" or "none" (not configured)
    devices: dict[str, str] = field(default_factory=dict)
    # the backend link: online (None: not yet known), offset_s, pending, versions
    backend: dict[str, Any] = field(default_factory=dict)
    settings: Any = None  # the station's settings now (the tariffs change with the backend)


class PowerHistory:
    """A session's power over time for the chart: all of it, in at most `limit` points.

    When full, every other point goes and new points come half as often, so a
    twelve-hour session is drawn from start to now, as a ten-minute one is.
    """

    def __init__(self, limit: int = 600) -> None:
        self._limit = limit
        self._gap = 0.0  # seconds between kept points
        self._points: list[list[float]] = []
        self._latest: list[float] | None = None  # newer than the gap allows: drawn, not kept

    def add(self, seconds: float, kw: float) -> None:
        if self._points and seconds - self._points[-1][0] < self._gap:
            self._latest = [seconds, kw]
            return
        self._latest = None
        self._points.append([seconds, kw])
        if len(self._points) > self._limit:
            self._points = self._points[::2]
            span = self._points[-1][0] - self._points[0][0]
            self._gap = span / (len(self._points) - 1)  # the kept points' spacing

    def points(self) -> list[list[float]]:
        latest = [] if self._latest is None else [list(self._latest)]
        return [list(p) for p in self._points] + latest
