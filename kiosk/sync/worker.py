"""The sync worker: one daemon thread ("sync") that keeps the kiosk and its backend in step.

Every `heartbeat_s` it sends a heartbeat (live sessions, outbox size) and learns the
clock offset and the versions; a new tariff version is fetched and handed to the sink
as received (the station validates it), a new allow-list is fetched and stored. While
online it drains the outbox (at once after `wake()`, else when the oldest record is due)
and fetches remote commands when the heartbeat says some wait, and sends the station's
answers to them. A failed heartbeat or an unreachable backend on a drain makes it
offline; the next good answer online again; offline it retries after 5 s, doubling to
60 s. It holds no reference to the station, only the sink, and never dies: environment
faults are logged as warnings (a state change) or info (a repeat), bugs with a traceback.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

from kiosk.domain.errors import KnownError
from kiosk.store.repositories import Clock, utc_now
from kiosk.sync.allow_list import AllowList
from kiosk.sync.client import BackendClient, BackendError
from kiosk.sync.events import RemoteCommand, SyncSink
from kiosk.sync.relay import OutboxRelay

__all__ = ["SyncWorker"]

log = logging.getLogger(__name__)

_REMEMBERED_COMMANDS: Final = 256


@dataclass(frozen=True, slots=True)
class _Result:
    command_id: str
    status: str
    reason: str
    session_id: str | None


class SyncWorker:
    """Start with `start()`, stop with `close()`; everything else is thread-safe."""

    def __init__(
        self,
        client: BackendClient,
        relay: OutboxRelay,
        allow_list: AllowList,
        sink: SyncSink,
        *,
        live_sessions: Callable[[], list[dict[str, Any]]],
        heartbeat_s: float = 15,
        clock: Clock = utc_now,
        tariff_version: int = 0,
        offline_retry_s: tuple[float, float] = (5.0, 60.0),
        command_wait_s: float = 2.0,
        software: str = "0.1.0",
    ) -> None:
        self._client = client
        self._relay = relay
        self._allow_list = allow_list
        self._sink = sink
        self._live_sessions = live_sessions
        self._heartbeat_s = heartbeat_s
        self._clock = clock
        self._tariff_version = tariff_version
        self._retry_first, self._retry_max = offline_retry_s
        self._command_wait_s = command_wait_s
        self._software = software
        self._online: bool | None = None
        self._came_online = False
        self._retry_s = self._retry_first
        self._wakeup = threading.Event()
        self._closing = threading.Event()
        self._commands_waiting = False
        self._results: queue.Queue[_Result] = queue.Queue()
        self._delivered: deque[str] = deque(maxlen=_REMEMBERED_COMMANDS)
        self._thread: threading.Thread | None = None

    @property
    def online(self) -> bool:
        """Whether the backend answered last time (False until it has)."""
        return self._online is True

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the sync worker is already started")
        self._thread = threading.Thread(target=self._run, name="sync", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 5.0) -> bool:
        """Stop the thread; True when it ended within `timeout` (a long poll may hold it)."""
        self._closing.set()
        self._wakeup.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def wake(self) -> None:
        """Something new is in the outbox: drain soon."""
        self._wakeup.set()

    def command_result(
        self, command_id: str, status: str, reason: str = "", session_id: str | None = None
    ) -> None:
        """Queue the station's answer to a remote command; the thread sends it."""
        if status not in ("accepted", "rejected"):
            raise ValueError(f"a command result is accepted or rejected, not {status!r}")
        self._results.put(_Result(command_id, status, reason, session_id))
        self._wakeup.set()

    # ------------------------------------------------------------ the thread

    def _run(self) -> None:
        next_beat = 0.0
        while not self._closing.is_set():
            if time.monotonic() >= next_beat:
                ok = self._guarded("heartbeat", self._beat)
                next_beat = time.monotonic() + (self._heartbeat_s if ok else self._backoff())
            drain_in: float | None = None
            if self._online and not self._closing.is_set():
                self._guarded("command results", self._send_results)
                if self._commands_waiting:
                    self._guarded("commands", self._fetch_commands)
                drain_in = self._guarded("outbox", self._drain)
            wait = max(0.0, next_beat - time.monotonic())
            if drain_in is not None:
                wait = min(wait, drain_in)
            if self._results.qsize() and self._online:
                wait = min(wait, 1.0)
            self._wakeup.wait(wait)
            self._wakeup.clear()

    def _guarded(self, what: str, step: Callable[[], Any]) -> Any:
        """A step that never kills the thread: faults logged, None returned."""
        try:
            return step()
        except KnownError as exc:
            log.warning("sync: %s failed: %s", what, exc)
        except Exception:
            log.exception("sync: %s failed (a bug); the worker goes on", what)
        return None

    def _backoff(self) -> float:
        wait = self._retry_s
        self._retry_s = min(self._retry_s * 2, self._retry_max)
        return wait

    def _state(self, online: bool, detail: str) -> None:
        if online == self._online:
            if not online:
                log.info("sync: the backend still does not answer: %s", detail)
            return
        if online:
            log.info("sync: the backend answers (%s)", detail)
            self._retry_s = self._retry_first
            self._came_online = True
        else:
            log.warning("sync: the backend does not answer; offline: %s", detail)
        self._online = online
        self._tell("backend_state", lambda: self._sink.backend_state(online, detail))

    def _tell(self, what: str, call: Callable[[], None]) -> None:
        try:
            call()
        except Exception:
            log.exception("sync: the station's sink failed on %s", what)

    def _beat(self) -> bool:
        try:
            pending = self._relay.pending()
        except KnownError as exc:
            log.warning("sync: the outbox cannot be read: %s", exc)
            pending = 0
        try:
            sessions = self._live_sessions()
        except Exception:
            log.exception("sync: the live sessions could not be read")
            sessions = []
        try:
            beat = self._client.heartbeat(
                outbox_pending=pending, sessions=sessions, software=self._software
            )
        except BackendError as exc:
            self._state(False, str(exc))
            return False
        self._state(True, "heartbeat")
        self._tell("clock_offset", lambda: self._sink.clock_offset(beat.offset_s, beat.server_time))
        self._commands_waiting = beat.commands > 0
        if beat.tariff_version != self._tariff_version:
            self._guarded("tariffs", self._fetch_tariffs)
        if beat.allow_list_version != self._allow_list.version:
            self._guarded("allow-list", self._fetch_allow_list)
        return True

    def _fetch_tariffs(self) -> None:
        tariffs = self._client.tariffs()
        self._tariff_version = tariffs.version
        log.info(
            "sync: tariffs version %d fetched (%d connectors)",
            tariffs.version,
            len(tariffs.connectors),
        )
        self._tell(
            "tariffs_fetched",
            lambda: self._sink.tariffs_fetched(tariffs.version, tariffs.connectors),
        )

    def _fetch_allow_list(self) -> None:
        answer = self._client.allow_list()
        try:
            self._allow_list.replace(answer.version, answer.tokens)
        except OSError as exc:
            log.warning("sync: the allow-list could not be stored: %s", exc)
            return
        log.info(
            "sync: allow-list version %d stored (%d tokens)", answer.version, len(answer.tokens)
        )
        self._tell(
            "allow_list_fetched",
            lambda: self._sink.allow_list_fetched(answer.version, len(answer.tokens)),
        )

    def _drain(self) -> float | None:
        """Drain what is due; the seconds until the next record is due (None: nothing waits)."""
        force, self._came_online = self._came_online, False
        result = self._relay.drain(ignore_backoff=force)
        if result.delivered or result.failed or force:
            self._tell(
                "outbox_state",
                lambda: self._sink.outbox_state(
                    result.pending, self._relay.delivered_total, result.last_error
                ),
            )
        if result.unreachable:
            self._state(False, result.last_error or "the events were not delivered")
            return None
        if result.next_due is None:
            return None
        return max(0.5, (result.next_due - self._clock()).total_seconds())

    def _fetch_commands(self) -> None:
        commands = self._client.commands(wait_s=self._command_wait_s)
        self._commands_waiting = False
        for c in commands:
            if c.id in self._delivered:
                continue
            self._delivered.append(c.id)
            command = RemoteCommand(
                id=c.id,
                type=c.type,
                connector_id=c.connector_id,
                created_at=c.created_at,
                expires_at=c.expires_at,
                contract_id=c.contract_id,
                group=c.group,
                session_id=c.session_id,
            )
            self._tell("command", partial(self._sink.command, command))

    def _send_results(self) -> None:
        while True:
            try:
                result = self._results.get_nowait()
            except queue.Empty:
                return
            try:
                self._client.command_result(
                    result.command_id,
                    status=result.status,
                    reason=result.reason,
                    session_id=result.session_id,
                )
            except BackendError as exc:
                if exc.answered:  # refused (unknown or expired command): not sent again
                    log.warning("sync: the result of %s was refused: %s", result.command_id, exc)
                    continue
                self._results.put(result)  # tried again at the next pass
                raise
