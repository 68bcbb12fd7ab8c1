"""The station thread: owns the StationService; the GUI thread never blocks on it.

The thread first opens the station (importing the store, opening and migrating the
ledger, recovering unfinished sessions), so the screens can show their first frame
meanwhile; then every call into the core (driver actions, the one-second tick,
hardware events) runs here, one at a time, so the service needs no locks. After each
job the worker takes a snapshot of everything the screens show and emits it through a
queued signal; the bridge (in the GUI thread) only ever reads snapshots.

A storage fault (full disk, read-only medium, damaged ledger: a `StorageError`, or an
SQLite error of the simulated provider's files beside the ledger) takes the whole
station out of service instead of leaving it running on a ledger that no longer
records what it does: the worker stops the charging on every connector (energy it
cannot record is energy it cannot bill), closes the station (`close_station`), emits
`unavailable(kind, line)` (the kind names the reason on the screen, kiosk/faults.py)
and opens the station again every `retry_s` seconds: a fresh open of the ledger, whose
recovery settles what was open, as after a restart. Taps meanwhile do nothing. A
station that cannot be opened at start goes the same way. A failure that is not a
storage fault but follows from a damaged page (a row that does not decode) is told
apart from a bug by a quick_check of the ledger (`kiosk.faults.ledger_damage`).
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
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
    `bug` and, while the station is out of service, `unavailable` (queued to the GUI)."""

    snapshot = Signal(object)
    failed = Signal(str, str)  # connector id (or ""), message for the screen
    bug = Signal(str)
    # the station is out of service: the fault's kind (kiosk.faults.FaultKind), one line
    unavailable = Signal(str, str)

    def __init__(
        self,
        open_station: Callable[[], StationService],
        *,
        close_station: Callable[[StationService], None] | None = None,
        database: Path | None = None,
        retry_s: float | None = 30.0,
        tick_s: float = 1.0,
        describe: Callable[[StationService, Snapshot], Snapshot] | None = None,
    ) -> None:
        super().__init__()
        self._open_station = open_station
        self._close_station = close_station
        self._database = database  # the ledger, to tell what a fault is (kiosk/faults.py)
        self._retry_s = retry_s  # None: no retry (the autoplay, --quit-after-ready)
        self._started = False
        self._service: StationService | None = None
        self._fault: str | None = None  # the line of the fault that stopped the station
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

    # ------------------------------------------------------------ faults

    def _storage_fault(self, exc: BaseException) -> BaseException | None:
        """`exc` as the storage fault it is or follows from, None for anything else."""
        from kiosk.store.errors import StorageCorrupt, StorageError  # noqa: PLC0415

        if isinstance(exc, (StorageError, sqlite3.Error)):
            return exc
        if isinstance(exc, (KnownError, UserFacingError)):
            return None
        database = self._ledger()
        if database is None:
            return None
        from kiosk.faults import ledger_damage  # noqa: PLC0415 - station thread

        damage = ledger_damage(database)
        return None if damage is None else StorageCorrupt(damage)

    def _ledger(self) -> Path | None:
        if self._database is not None:
            return self._database
        return None if self._service is None else self._service.db.path

    def _report(self, exc: BaseException) -> None:
        """Log the fault's one line (an error once per fault, then info); tell the screens.

        The line is the whole log message: with no logging configured (the demo, a
        terminal) Python prints it, alone, on stderr.
        """
        from kiosk.faults import fault_kind, stop_line  # noqa: PLC0415 - station thread

        database = self._ledger()
        kind = fault_kind(exc, database)
        line = stop_line(exc, database or Path("ledger"), retry_s=self._retry_s)
        if line == self._fault:
            log.info("still out of service: %s", line)
        else:
            log.error("%s", line)
        self._fault = line
        self.unavailable.emit(kind, line)

    def _out_of_service(self, fault: BaseException) -> None:
        """Stop charging, close the station, say why; `_run` opens it again later."""
        service, self._service = self._service, None
        self._report(fault)
        self._receipts.clear()
        if service is None:
            return
        for cid, c in service.connectors.items():
            if c.session is not None and c.session.state.is_running:
                try:
                    service.charger.stop(cid)  # what is not recorded cannot be billed
                except Exception as exc:  # the station is going down anyway
                    log.info("connector %s: the charger did not confirm the stop: %s", cid, exc)
        if self._close_station is not None:
            try:
                self._close_station(service)
            except Exception as exc:  # a broken ledger may not close cleanly
                log.info("closing the station after the fault: %s", exc)

    def _open(self) -> bool:
        try:
            self._service = self._open_station()
        except KnownError as exc:  # a full disk, a broken ledger, a bad configuration
            self._report(exc)
            return False
        except sqlite3.Error as exc:  # the simulated provider's files beside the ledger
            self._report(exc)
            return False
        except Exception as exc:
            fault = self._storage_fault(exc)
            if fault is None:
                if self._fault is None:
                    log.exception("the station could not be opened")
                self._fault = f"{type(exc).__name__}: {exc}"
                self.unavailable.emit("other", self._fault)
            else:
                self._report(fault)
            return False
        if self._fault is not None:
            log.info("the station is back in service (it was: %s)", self._fault)
            self._fault = None
        return True

    def _wait_to_retry(self) -> bool:
        """Out of service: wait `retry_s` (taps are dropped); False when stopped."""
        if self._retry_s is None:
            self._stop.wait()
            return False
        deadline = time.monotonic() + self._retry_s
        while not self._stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            try:
                item = self._jobs.get(timeout=left)
            except queue.Empty:
                return True
            if item is None:
                return False
        return False

    # ------------------------------------------------------------ the thread

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._service is None:
                if not self._open():
                    if not self._wait_to_retry():
                        return
                    continue
                self._publish()
                continue
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
            except Exception as exc:
                fault = self._storage_fault(exc)
                if fault is not None:
                    self._out_of_service(fault)
                    continue
                if isinstance(exc, KnownError):
                    log.warning("station: %s", exc)
                    self.failed.emit(connector_id, str(exc))
                else:  # a bug: report it, keep the station alive
                    log.exception("station job failed")
                    self.bug.emit(f"{type(exc).__name__}: {exc}")
            self._publish()

    def _publish(self) -> None:
        """The snapshot after a job; reading a receipt can meet the storage fault too."""
        if self._service is None:
            return
        try:
            self._emit()
        except Exception as exc:
            fault = self._storage_fault(exc)
            if fault is None:
                raise
            self._out_of_service(fault)

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
