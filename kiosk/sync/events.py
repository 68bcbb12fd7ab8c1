"""What the sync worker tells the station (`SyncSink`), and the remote command it hands over.

The sink is called on the sync thread: the station's implementation only submits events
to its own loop's inbox, so nothing the worker does waits on the station or the other way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

__all__ = ["RemoteCommand", "SyncSink"]


@dataclass(frozen=True, slots=True)
class RemoteCommand:
    """A start or stop a signed-in driver asked for in the web app."""

    id: str
    type: Literal["start", "stop"]
    connector_id: str
    created_at: datetime
    expires_at: datetime
    contract_id: str | None = None
    group: str | None = None
    session_id: str | None = None


class SyncSink(Protocol):
    def backend_state(self, online: bool, detail: str) -> None:
        """The backend became reachable or not (called on each change only)."""
        ...

    def clock_offset(self, offset_s: float, server_time: datetime) -> None:
        """Server minus station, from each heartbeat."""
        ...

    def tariffs_fetched(self, version: int, connectors: dict[str, str]) -> None:
        """A new tariff version: connector id -> the JSON text of its list, as received."""
        ...

    def allow_list_fetched(self, version: int, count: int) -> None:
        """A new offline allow-list was stored."""
        ...

    def outbox_state(self, pending: int, delivered_total: int, last_error: str | None) -> None:
        """After each drain of the outbox."""
        ...

    def command(self, command: RemoteCommand) -> None:
        """A remote start/stop to carry out; answer with `SyncWorker.command_result`."""
        ...
