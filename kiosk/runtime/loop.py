"""The station loop: one thread owns the StationService; everything else submits to it.

Every source (the screens, the card reader's thread, the terminal's thread, the
charger, the coming backend sync) puts events in the loop's inbox from its own
thread; the loop runs them one at a time, so the service needs no locks, runs the
one-second tick when the inbox is quiet, and after each event publishes an immutable
`Snapshot` to its listener. Nothing slow runs here: a payment that waits minutes for
a card is a conversation of events (`kiosk.runtime.devices`), so meters, timeouts,
hold checks and Cancel keep moving meanwhile.

The loop first opens the station (importing the store, opening and migrating the
ledger, recovering unfinished sessions), so a screen can show its first frame meanwhile.

A storage fault (full disk, read-only medium, damaged ledger: a `StorageError`, or an
SQLite error of the simulated provider's files beside the ledger) takes the whole
station out of service instead of leaving it running on a ledger that no longer
records what it does: the loop stops the charging on every connector (energy it
cannot record is energy it cannot bill), closes the station (`close_station`), tells
the listener `unavailable(kind, line)` (the kind names the reason on the screen,
kiosk/faults.py) and opens the station again every `retry_s` seconds: a fresh open of
the ledger, whose recovery settles what was open, as after a restart. Events meanwhile
do nothing. A failure that is not a storage fault but follows from a damaged page (a
row that does not decode) is told apart from a bug by a quick_check of the ledger.

`kiosk simulate` drives the same loop on its own thread with `step()` (its clock is
simulated, so it decides when a tick happens); the kiosk runs it with `start()`.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from kiosk.domain.errors import KnownError, UserFacingError
from kiosk.runtime.devices import DeviceRunner
from kiosk.runtime.snapshot import PowerHistory, Snapshot

if TYPE_CHECKING:  # the store and the service load on the loop's thread, after the first frame
    from kiosk.services.station_service import StationService

__all__ = ["Job", "Listener", "StationLoop"]

log = logging.getLogger(__name__)

Job = Callable[["StationService"], Any]


class Listener(Protocol):
    """Who hears the loop: the screens' adapter, a test, the simulation. Called on the
    loop's thread; a listener that hands over to another thread does so itself."""

    def snapshot(self, snap: Snapshot) -> None: ...

    def failed(self, connector_id: str, message: str) -> None: ...

    def bug(self, text: str) -> None: ...

    def unavailable(self, kind: str, line: str) -> None: ...


class StationLoop:
    def __init__(
        self,
        open_station: Callable[[], StationService],
        listener: Listener,
        *,
        close_station: Callable[[StationService], None] | None = None,
        database: Path | None = None,
        retry_s: float | None = 30.0,
        tick_s: float = 1.0,
        describe: Callable[[StationService, Snapshot], Snapshot] | None = None,
        snapshots: bool = True,
        fault_level: int = logging.ERROR,
    ) -> None:
        self._open_station = open_station
        self._snapshots = snapshots  # False: nobody reads them (the headless simulation)
        self._fault_level = fault_level  # lower where the caller prints the line itself
        self._close_station = close_station
        self._listener = listener
        self._database = database  # the ledger, to tell what a fault is (kiosk/faults.py)
        self._retry_s = retry_s  # None: no retry (the autoplay, --quit-after-ready)
        self._started = False
        self._service: StationService | None = None
        self._fault: str | None = None  # the line of the fault that stopped the station
        self._inbox: queue.Queue[tuple[str, Job] | None] = queue.Queue()
        self._tick_s = tick_s
        self._thread = threading.Thread(target=self._run, name="kiosk-station", daemon=True)
        self._stop = threading.Event()
        self._history: dict[str, PowerHistory] = {}
        self._last_session: dict[str, str | None] = {}
        self._describe = describe
        self._receipts: dict[str, tuple[Any, Any, Any]] = {}
        self.longest_job_s = 0.0  # the longest event (or tick) the loop ran: a stall
        self.last_snapshot: Snapshot | None = None  # the latest, for readers on other threads
        # the payment devices' threads: give it to the service (`StationService(runner=)`)
        self.runner = DeviceRunner(self.call_soon)

    @property
    def service(self) -> StationService:
        """The station's service, once the loop has opened it."""
        if self._service is None:
            raise RuntimeError("the station is not open (yet)")
        return self._service

    @property
    def is_open(self) -> bool:
        return self._service is not None

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def start(self) -> None:
        """Start the loop's thread, unless it was started already."""
        if not self._started:
            self._started = True
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._inbox.put(None)
        if self._started:
            self._thread.join(timeout)
        self.runner.close()

    def submit(self, connector_id: str, job: Job) -> None:
        """Queue an event (from any thread); its errors reach the listener's `failed`."""
        self._inbox.put((connector_id, job))

    def call_soon(self, fn: Callable[[], Any], connector_id: str = "") -> None:
        """Queue a call that needs no service argument (a device's answer)."""
        self._inbox.put((connector_id, lambda _s: fn()))

    # ------------------------------------------------------------ manual mode

    def open(self) -> bool:
        """Open the station on the caller's thread (the simulation's `step` mode)."""
        if self._service is None and self._open():
            self.publish()
        return self._service is not None

    def step(self) -> None:
        """Run every queued event, then one tick, on the caller's thread."""
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                self._handle(*item)
        self._handle("", lambda s: s.tick())

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
        from kiosk.faults import ledger_damage  # noqa: PLC0415 - the loop's thread

        damage = ledger_damage(database)
        return None if damage is None else StorageCorrupt(damage)

    def _ledger(self) -> Path | None:
        if self._database is not None:
            return self._database
        return None if self._service is None else self._service.db.path

    def _report(self, exc: BaseException) -> None:
        """Log the fault's one line (an error once per fault, then info); tell the listener.

        The line is the whole log message: with no logging configured (the demo, a
        terminal) Python prints it, alone, on stderr.
        """
        from kiosk.faults import fault_kind, stop_line  # noqa: PLC0415 - the loop's thread

        database = self._ledger()
        kind = fault_kind(exc, database)
        line = stop_line(exc, database or Path("ledger"), retry_s=self._retry_s)
        if line == self._fault:
            log.info("still out of service: %s", line)
        else:
            log.log(self._fault_level, "%s", line)
        self._fault = line
        self._listener.unavailable(kind, line)

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
                self._listener.unavailable("other", self._fault)
            else:
                self._report(fault)
            return False
        if self._fault is not None:
            log.info("the station is back in service (it was: %s)", self._fault)
            self._fault = None
        return True

    def _wait_to_retry(self) -> bool:
        """Out of service: wait `retry_s` (events are dropped); False when stopped."""
        if self._retry_s is None:
            self._stop.wait()
            return False
        deadline = time.monotonic() + self._retry_s
        while not self._stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            try:
                item = self._inbox.get(timeout=left)
            except queue.Empty:
                return True
            if item is None:
                return False
        return False

    # ------------------------------------------------------------ the thread

    def _run(self) -> None:
        next_tick = time.monotonic() + self._tick_s
        while not self._stop.is_set():
            if self._service is None:
                if not self._open():
                    if not self._wait_to_retry():
                        return
                    continue
                self.publish()
                next_tick = time.monotonic() + self._tick_s
                continue
            # the tick runs every tick_s even while events keep arriving (a reader's
            # taps, a terminal's statuses): the meters and timeouts never starve
            try:
                item = self._inbox.get(timeout=max(0.0, next_tick - time.monotonic()))
            except queue.Empty:
                item = ("", lambda s: s.tick())
                next_tick = time.monotonic() + self._tick_s
            if item is None:
                break
            self._handle(*item)
            if time.monotonic() >= next_tick:
                next_tick = time.monotonic() + self._tick_s
                self._handle("", lambda s: s.tick())

    def _handle(self, connector_id: str, job: Job) -> None:
        if self._service is None:
            return
        began = time.perf_counter()
        try:
            job(self._service)
        except UserFacingError as exc:
            self._listener.failed(connector_id, exc.message)
        except Exception as exc:
            fault = self._storage_fault(exc)
            if fault is not None:
                self._out_of_service(fault)
                return
            if isinstance(exc, KnownError):
                log.warning("station: %s", exc)
                self._listener.failed(connector_id, str(exc))
            else:  # a bug: report it, keep the station alive
                log.exception("station event failed")
                self._listener.bug(f"{type(exc).__name__}: {exc}")
        finally:
            self.longest_job_s = max(self.longest_job_s, time.perf_counter() - began)
        self.publish()

    def publish(self) -> None:
        """Publish a snapshot now; reading a receipt can meet the storage fault too."""
        if self._service is None or not self._snapshots:
            return
        try:
            self._listener.snapshot(self._take())
        except Exception as exc:
            fault = self._storage_fault(exc)
            if fault is None:
                raise
            self._out_of_service(fault)

    def _take(self) -> Snapshot:
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
                parts = service.receipt_parts(sid)
                if parts is None:
                    continue
                cached = parts
                payment = parts[1]
                if payment is not None and not payment.state.is_final:
                    receipts[cid] = cached  # the capture is on its way: read it again
                    continue
                self._receipts[sid] = cached
                while len(self._receipts) > 8:  # only the latest ones are ever shown
                    del self._receipts[next(iter(self._receipts))]
            receipts[cid] = cached
        snap = Snapshot(
            at=service.now(),
            views=views,
            power_history={k: v.points() for k, v in self._history.items()},
            receipts=receipts,
            devices=dict(service.devices),
            backend=service.backend_figures(),
            settings=service.settings,
        )
        if self._describe is not None:
            snap = self._describe(service, snap)
        self.last_snapshot = snap  # read by other threads (the sync's live figures)
        return snap
