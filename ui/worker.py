"""The station thread: owns the StationService; the GUI thread never blocks on it.

The thread first opens the station (importing the store, opening and migrating the
ledger, recovering unfinished sessions), so the screens can show their first frame
meanwhile; then every call into the core (driver actions, the one-second tick,
hardware events) runs here, one at a time, so the service needs no locks. After each
job the worker takes a snapshot of everything the screens show and emits it through a
queued signal; the bridge (in the GUI thread) only ever reads snapshots.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from kiosk.domain.errors import KnownError, UserFacingError

if TYPE_CHECKING:  # the store and the service load on the station thread, after the first frame
    from kiosk.services.station_service import ConnectorView, StationService

__all__ = ["Snapshot", "StationWorker"]

log = logging.getLogger(__name__)

Job = Callable[["StationService"], Any]


@dataclass(frozen=True)
class Snapshot:
    at: datetime
    views: dict[str, ConnectorView]
    # the chart: [seconds since the car was plugged in, kW], the whole session in <= 600 points
    power_history: dict[str, list[list[float]]] = field(default_factory=dict)
    breakdowns: dict[str, Any] = field(default_factory=dict)  # connector -> CostBreakdown
    # connector -> (session, payment, final breakdown) of the receipt on its screen
    receipts: dict[str, tuple[Any, Any, Any]] = field(default_factory=dict)


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


class StationWorker(QObject):
    """Opens the station, then runs jobs on one thread; emits `snapshot`, `failed`,
    `bug` and, when the station cannot be opened, `unavailable` (queued to the GUI)."""

    snapshot = Signal(object)
    failed = Signal(str, str)  # connector id (or ""), message for the screen
    bug = Signal(str)
    unavailable = Signal(str)  # why the station could not be opened

    def __init__(
        self,
        open_station: Callable[[], StationService],
        *,
        tick_s: float = 1.0,
        describe: Callable[[StationService, Snapshot], Snapshot] | None = None,
    ) -> None:
        super().__init__()
        self._open_station = open_station
        self._started = False
        self._service: StationService | None = None
        self._jobs: queue.Queue[tuple[str, Job] | None] = queue.Queue()
        self._tick_s = tick_s
        self._thread = threading.Thread(target=self._run, name="kiosk-station", daemon=True)
        self._stop = threading.Event()
        self._history: dict[str, PowerHistory] = {}
        self._last_session: dict[str, str | None] = {}
        self._describe = describe
        self._receipts: dict[str, tuple[Any, Any, Any]] = {}

    @property
    def service(self) -> StationService:
        """The station's service, once the thread has opened it (the bridge is live)."""
        if self._service is None:
            raise RuntimeError("the station is not open (yet)")
        return self._service

    @Slot()
    def start(self) -> None:
        """Start the thread, unless it was started already (GUI thread only)."""
        if not self._started:
            self._started = True
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._jobs.put(None)
        self._thread.join(timeout)

    def submit(self, connector_id: str, job: Job) -> None:
        """Queue a job (from any thread); its errors reach the screen via `failed`."""
        self._jobs.put((connector_id, job))

    def _open(self) -> bool:
        try:
            self._service = self._open_station()
        except KnownError as exc:  # a full disk, a broken ledger, a bad configuration
            log.error("the station could not be opened: %s", exc)
            self.unavailable.emit(str(exc))
            return False
        except Exception as exc:
            log.exception("the station could not be opened")
            self.unavailable.emit(f"{type(exc).__name__}: {exc}")
            return False
        return True

    def _run(self) -> None:
        if not self._open():
            return
        self._emit()
        while not self._stop.is_set():
            try:
                item = self._jobs.get(timeout=self._tick_s)
            except queue.Empty:
                item = ("", lambda s: s.tick())
            if item is None:
                break
            connector_id, job = item
            try:
                job(self.service)
            except UserFacingError as exc:
                self.failed.emit(connector_id, exc.message)
            except KnownError as exc:
                log.warning("station: %s", exc)
                self.failed.emit(connector_id, str(exc))
            except Exception as exc:  # a bug: report it, keep the station alive
                log.exception("station job failed")
                self.bug.emit(f"{type(exc).__name__}: {exc}")
            self._emit()

    def _emit(self) -> None:
        service = self.service
        views = {cid: service.view(cid) for cid in service.connectors}
        for cid, view in views.items():
            if self._last_session.get(cid) != view.session_id:
                self._history[cid] = PowerHistory()
                self._last_session[cid] = view.session_id
            if view.session_id is not None and view.started_at is not None:
                seconds = (service.now() - view.started_at).total_seconds()
                # display only: the chart's points, never a figure that is billed
                self._history.setdefault(cid, PowerHistory()).add(seconds, float(view.power_kw))
        receipts: dict[str, tuple[Any, Any, Any]] = {}
        for cid, view in views.items():
            sid = view.receipt_session_id
            if sid is None:
                continue
            cached = self._receipts.get(sid)
            if cached is None:
                with service.db.unit_of_work(write=False) as uow:
                    s = uow.sessions.get(sid)
                    p = None if s is None else uow.payments.get_by_session(sid)
                if s is None or s.totals is None:
                    continue
                cached = (s, p, s.final_breakdown())
                self._receipts[sid] = cached
                while len(self._receipts) > 8:  # only the latest ones are ever shown
                    del self._receipts[next(iter(self._receipts))]
            receipts[cid] = cached
        snap = Snapshot(
            at=service.now(),
            views=views,
            power_history={k: v.points() for k, v in self._history.items()},
            receipts=receipts,
        )
        if self._describe is not None:
            snap = self._describe(service, snap)
        self.snapshot.emit(snap)


def decimal_text(value: Decimal, places: str = "0.01") -> str:
    return str(value.quantize(Decimal(places)))
