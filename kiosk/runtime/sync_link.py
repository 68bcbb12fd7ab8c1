"""The sync worker's reports into the station loop, and the live figures it sends.

The worker (kiosk/sync/worker.py) runs on its own thread and holds no reference to
the station: what it learns reaches the service as events in the loop's inbox (this
sink), and what it sends with each heartbeat (the running sessions' live cost, for
the checkout page on the driver's phone) is read from the loop's latest snapshot.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from kiosk.domain.session import SessionState

if TYPE_CHECKING:
    from kiosk.runtime.loop import StationLoop

__all__ = ["LoopSyncSink"]

# paid and waiting for the car too: the app and the checkout page say "plug in" then
_LIVE = (
    SessionState.AUTHORIZED,
    SessionState.CHARGING,
    SessionState.SUSPENDED_EV,
    SessionState.FINISHING,
)


class LoopSyncSink:
    """`kiosk.sync.events.SyncSink`, each report an event on the station loop."""

    def __init__(self, loop: StationLoop) -> None:
        self._loop = loop

    def _call(self, name: str, *args: Any) -> None:
        self._loop.submit("", lambda s: getattr(s, name)(*args))

    def backend_state(self, online: bool, detail: str) -> None:
        self._call("backend_state", online, detail)

    def clock_offset(self, offset_s: float, server_time: datetime) -> None:
        self._call("clock_offset", offset_s, server_time)

    def tariffs_fetched(self, version: int, connectors: dict[str, str]) -> None:
        self._call("tariffs_fetched", version, dict(connectors))

    def allow_list_fetched(self, version: int, count: int) -> None:
        self._call("allow_list_fetched", version, count)

    def outbox_state(self, pending: int, delivered_total: int, last_error: str | None) -> None:
        self._call("outbox_state", pending, delivered_total, last_error)

    def command(self, command: Any) -> None:
        self._call("remote_command", command)

    def live_sessions(self) -> list[dict[str, Any]]:
        """The running sessions as the screens show them now (called on the sync thread)."""
        snap = self._loop.last_snapshot
        if snap is None:
            return []
        live: list[dict[str, Any]] = []
        for cid, view in snap.views.items():
            if view.session_id is None or view.session_state not in _LIVE:
                continue
            live.append(
                {
                    "session_id": view.session_id,
                    "connector_id": cid,
                    "state": view.session_state.value,
                    "energy_kwh": str(view.energy_kwh),
                    "cost": "0" if view.cost is None else str(view.cost.incl_vat),
                    "currency": _currency(snap, cid),
                    "payment_ref": view.payment_ref,
                    "updated_at": snap.at.isoformat(),
                }
            )
        return live


def _currency(snap: Any, cid: str) -> str | None:
    settings = snap.settings
    if settings is None:
        return None
    tariffs = settings.tariffs.get(cid) or ()
    return tariffs[0].currency if tariffs else None
