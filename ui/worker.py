"""The station loop as the screens see it: its snapshots re-emitted as queued signals.

The loop itself (`kiosk.runtime.loop.StationLoop`) is the core's and knows nothing of
Qt; this adapter is its listener and turns each call into a signal. Signals emitted
on the loop's thread reach the bridge in the GUI thread queued, so the bridge only
ever reads snapshots and never blocks on the station.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from kiosk.runtime.loop import Job, StationLoop
from kiosk.runtime.snapshot import PowerHistory, Snapshot

if TYPE_CHECKING:
    from kiosk.services.station_service import StationService

__all__ = ["PowerHistory", "Snapshot", "StationWorker"]


class StationWorker(QObject):
    """Runs the station loop; emits `snapshot`, `failed`, `bug` and, while the station
    is out of service, `unavailable` (queued to the GUI)."""

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
        self.loop = StationLoop(
            open_station,
            _Signals(self),
            close_station=close_station,
            database=database,
            retry_s=retry_s,
            tick_s=tick_s,
            describe=describe,
        )

    @property
    def service(self) -> StationService:
        """The station's service, once the loop has opened it (the bridge is live)."""
        return self.loop.service

    @Slot()
    def start(self) -> None:
        """Start the loop's thread, unless it was started already (GUI thread only)."""
        self.loop.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.loop.stop(timeout)

    def submit(self, connector_id: str, job: Job) -> None:
        """Queue an event (from any thread); its errors reach the screen via `failed`."""
        self.loop.submit(connector_id, job)


class _Signals:
    """The loop's Listener: each call, on the loop's thread, becomes the worker's signal."""

    def __init__(self, worker: StationWorker) -> None:
        self._worker = worker

    def snapshot(self, snap: Snapshot) -> None:
        self._worker.snapshot.emit(snap)

    def failed(self, connector_id: str, message: str) -> None:
        self._worker.failed.emit(connector_id, message)

    def bug(self, text: str) -> None:
        self._worker.bug.emit(text)

    def unavailable(self, kind: str, line: str) -> None:
        self._worker.unavailable.emit(kind, line)
