"""The sync worker's thread against the fake backend behind the fault proxy."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.store import Database, open_database
from kiosk.sync.allow_list import AllowList
from kiosk.sync.client import BackendClient
from kiosk.sync.events import RemoteCommand, SyncSink
from kiosk.sync.relay import OutboxRelay
from kiosk.sync.worker import SyncWorker
from tests.kiosk.sync.fake_backend import SECRET, STATION, FakeBackend, queue_events, wait_until
from tests.kiosk.sync.fault_proxy import Fault, FaultProxy

TARIFFS = (
    '[{"id":"AC","currency":"EUR","elements":'
    '[{"price_components":[{"type":"ENERGY","price":0.30,"step_size":1}]}]}]'
)


@pytest.fixture(autouse=True)
def _retries_are_logged(expect_warnings: Any) -> None:
    expect_warnings("Retrying (_SigningRetry")


class Sink:
    """What the station would hear, recorded (called on the sync thread)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.states: list[tuple[bool, str]] = []
        self.offsets: list[float] = []
        self.tariffs: list[tuple[int, dict[str, str]]] = []
        self.allow_lists: list[tuple[int, int]] = []
        self.outbox: list[tuple[int, int, str | None]] = []
        self.commands: list[RemoteCommand] = []
        self.fail_tariffs = False

    def backend_state(self, online: bool, detail: str) -> None:
        with self.lock:
            self.states.append((online, detail))

    def clock_offset(self, offset_s: float, server_time: datetime) -> None:
        with self.lock:
            self.offsets.append(offset_s)

    def tariffs_fetched(self, version: int, connectors: dict[str, str]) -> None:
        with self.lock:
            self.tariffs.append((version, connectors))
        if self.fail_tariffs:
            raise RuntimeError("a bug in the station's sink")

    def allow_list_fetched(self, version: int, count: int) -> None:
        with self.lock:
            self.allow_lists.append((version, count))

    def outbox_state(self, pending: int, delivered_total: int, last_error: str | None) -> None:
        with self.lock:
            self.outbox.append((pending, delivered_total, last_error))

    def command(self, command: RemoteCommand) -> None:
        with self.lock:
            self.commands.append(command)


@pytest.fixture
def fake() -> Iterator[FakeBackend]:
    with FakeBackend() as backend:
        backend.state.tariffs = {"1": TARIFFS, "2": "[]"}
        backend.state.allow_list_version = 2
        backend.state.tokens = [
            {
                "uid": "04A1B2C3D4",
                "whitelist": "ALLOWED_OFFLINE",
                "valid": True,
                "contract_id": "DE-KIO-C00001-7",
                "group": "member",
                "expires_at": None,
            }
        ]
        yield backend


@pytest.fixture
def proxy(fake: FakeBackend) -> Iterator[FaultProxy]:
    with FaultProxy(fake.port) as p:
        yield p


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "kiosk.db")
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def sink() -> Sink:
    return Sink()


def make_worker(
    proxy: FaultProxy, db: Database, sink: Sink, tmp_path: Path, **options: Any
) -> SyncWorker:
    client = BackendClient(
        proxy.url,
        STATION,
        SECRET,
        connect_timeout_s=0.5,
        read_timeout_s=options.pop("read_s", 1.0),
        retries=0,
    )
    sink_port: SyncSink = sink  # checked by mypy
    return SyncWorker(
        client,
        OutboxRelay(db, client, batch=50),
        AllowList(tmp_path / "allow-list.json"),
        sink_port,
        live_sessions=lambda: [{"session_id": "s1", "connector_id": "1", "state": "charging"}],
        heartbeat_s=options.pop("heartbeat_s", 0.1),
        offline_retry_s=(0.1, 0.2),
        command_wait_s=options.pop("command_wait_s", 1),
        **options,
    )


@pytest.fixture
def worker(proxy: FaultProxy, db: Database, sink: Sink, tmp_path: Path) -> Iterator[SyncWorker]:
    w = make_worker(proxy, db, sink, tmp_path)
    w.start()
    try:
        yield w
    finally:
        assert w.close(5)


def test_online_offline_online_is_reported_once_each(
    worker: SyncWorker, proxy: FaultProxy, sink: Sink, fake: FakeBackend, expect_warnings: Any
) -> None:
    expect_warnings("the backend does not answer; offline")
    assert wait_until(lambda: worker.online)
    with fake.lock:
        beats = len(fake.state.heartbeats)
    assert wait_until(lambda: len(fake.state.heartbeats) >= beats + 3)  # several heartbeats
    proxy.set_default(Fault("drop"))
    assert wait_until(lambda: not worker.online)
    time.sleep(0.5)  # retries while offline: no new report
    proxy.set_default(Fault("pass"))
    assert wait_until(lambda: worker.online)
    time.sleep(0.3)
    with sink.lock:
        assert [online for online, _ in sink.states] == [True, False, True]
    with fake.lock:
        sent = fake.state.heartbeats[-1]
    assert sent["sessions"][0]["session_id"] == "s1"


def test_tariffs_are_fetched_on_a_new_version_only_and_passed_as_received(
    worker: SyncWorker, sink: Sink, fake: FakeBackend
) -> None:
    assert wait_until(lambda: len(sink.tariffs) == 1)
    assert sink.tariffs[0] == (1, {"1": TARIFFS, "2": "[]"})
    with fake.lock:
        beats = len(fake.state.heartbeats)
    assert wait_until(lambda: len(fake.state.heartbeats) >= beats + 3)
    assert len(sink.tariffs) == 1
    with fake.lock:
        fake.state.tariff_version = 2
    assert wait_until(lambda: len(sink.tariffs) == 2)
    assert sink.tariffs[1][0] == 2


def test_the_allow_list_is_fetched_and_stored(
    worker: SyncWorker, sink: Sink, tmp_path: Path
) -> None:
    assert wait_until(lambda: sink.allow_lists == [(2, 1)])
    stored = AllowList(tmp_path / "allow-list.json")
    assert stored.version == 2
    assert stored.check("04A1B2C3D4", datetime.now().astimezone()).allowed


def test_the_clock_offset_is_reported(
    proxy: FaultProxy, db: Database, sink: Sink, fake: FakeBackend, tmp_path: Path
) -> None:
    fake.state.skew_s = 60
    w = make_worker(proxy, db, sink, tmp_path)
    w.start()
    try:
        assert wait_until(lambda: bool(sink.offsets))
    finally:
        w.close()
    assert 58.5 < sink.offsets[0] < 61


def test_the_outbox_is_drained_on_wake(
    worker: SyncWorker, db: Database, sink: Sink, fake: FakeBackend
) -> None:
    assert wait_until(lambda: worker.online)
    keys = queue_events(db, 7)
    worker.wake()
    assert wait_until(lambda: fake.state.event_order == keys)
    assert wait_until(lambda: any(o[0] == 0 and o[1] == 7 for o in sink.outbox))


def test_remote_commands_are_delivered_once_and_answered(
    worker: SyncWorker, sink: Sink, fake: FakeBackend
) -> None:
    command_id = fake.add_command(type="start", connector_id="2")
    assert wait_until(lambda: len(sink.commands) == 1)
    command = sink.commands[0]
    assert (command.id, command.type, command.connector_id) == (command_id, "start", "2")
    time.sleep(0.3)  # still pending at the backend: not handed over again
    assert len(sink.commands) == 1
    worker.command_result(command_id, "accepted", "started", "session-9")
    assert wait_until(lambda: command_id in fake.state.command_results)
    assert fake.state.command_results[command_id] == {
        "status": "accepted",
        "reason": "started",
        "session_id": "session-9",
    }


def test_close_returns_within_its_timeout_even_mid_long_poll(
    proxy: FaultProxy, db: Database, sink: Sink, fake: FakeBackend, tmp_path: Path
) -> None:
    fake.state.commands_said = 1  # the heartbeat says one waits; the poll finds none
    w = make_worker(proxy, db, sink, tmp_path, command_wait_s=25, heartbeat_s=30, read_s=1)
    w.start()
    assert wait_until(lambda: any(r.path == "/v1/commands" for r in list(fake.state.requests)))
    started = time.monotonic()
    stopped = w.close(timeout=0.5)
    assert time.monotonic() - started < 1.0
    assert not stopped  # still in the 25 s long poll; a daemon thread, the caller goes on
    fake.release_waits()
    assert w.close(5)


def test_a_fault_in_the_sink_never_kills_the_worker(
    proxy: FaultProxy,
    db: Database,
    sink: Sink,
    fake: FakeBackend,
    tmp_path: Path,
    expect_warnings: Any,
) -> None:
    expect_warnings("the station's sink failed")
    sink.fail_tariffs = True
    w = make_worker(proxy, db, sink, tmp_path)
    w.start()
    try:
        assert wait_until(lambda: len(sink.tariffs) == 1)
        with fake.lock:
            fake.state.tariff_version = 5
        assert wait_until(lambda: len(sink.tariffs) == 2)  # it went on
    finally:
        assert w.close()
