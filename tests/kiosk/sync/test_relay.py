"""The outbox relay on a real ledger file, to a real HTTP backend behind the fault proxy."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk.store import Database, open_database
from kiosk.sync.client import BackendClient
from kiosk.sync.relay import OutboxRelay, batch_key
from tests.kiosk.sync.fake_backend import SECRET, STATION, FakeBackend, FakeClock, queue_events
from tests.kiosk.sync.fault_proxy import Fault, FaultProxy

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _retries_are_logged(expect_warnings: Any) -> None:
    expect_warnings("Retrying (_SigningRetry")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "kiosk.db"


@pytest.fixture
def db(db_path: Path, clock: FakeClock) -> Iterator[Database]:
    database = open_database(db_path, clock=clock)
    try:
        yield database
    finally:
        database.close()


def make_relay(db: Database, url: str, clock: FakeClock, *, batch: int = 10) -> OutboxRelay:
    client = BackendClient(url, STATION, SECRET, connect_timeout_s=1, read_timeout_s=1, retries=0)
    return OutboxRelay(db, client, batch=batch, clock=clock)


def applied(fake: FakeBackend) -> list[str]:
    with fake.lock:
        return list(fake.state.event_order)


def test_drains_in_order_in_batches(
    db: Database, proxy: FaultProxy, fake: FakeBackend, clock: FakeClock
) -> None:
    keys = queue_events(db, 25, aggregates=7)
    relay = make_relay(db, proxy.url, clock)
    result = relay.drain()
    assert result.delivered == 25
    assert result.pending == 0
    assert result.last_error is None
    assert applied(fake) == keys
    assert relay.delivered_total == 25
    with fake.lock:
        batches = [r for r in fake.state.requests if r.path == "/v1/events"]
    assert all(r.idempotency_key and r.idempotency_key.startswith("events:") for r in batches)
    assert relay.drain().delivered == 0  # nothing left; nothing sent
    assert proxy.count() == len(batches)


@pytest.mark.parametrize(
    "fault",
    [
        Fault("drop"),
        Fault("drop_after_forward"),  # applied at the backend, the answer lost
        Fault("truncate"),  # applied, the answer cut off
        Fault("garbage"),
        Fault("huge"),
        Fault("status", status=500),
        Fault("delay", delay_s=1.5),  # longer than the read timeout
    ],
    ids=lambda f: f.kind,
)
def test_a_fault_keeps_the_records_then_they_arrive_once_in_order(
    fault: Fault, db: Database, proxy: FaultProxy, fake: FakeBackend, clock: FakeClock
) -> None:
    keys = queue_events(db, 12)
    relay = make_relay(db, proxy.url, clock)
    proxy.script(fault)
    failed = relay.drain()
    assert failed.delivered == 0
    assert failed.failed == 10
    assert failed.pending == 12
    assert failed.last_error
    assert failed.next_due == clock() + timedelta(seconds=5)
    assert relay.drain().failed == 0  # backing off: not tried again at once
    clock.advance(seconds=5)
    done = relay.drain()
    assert done.pending == 0
    assert applied(fake) == keys  # each applied once, in order
    with fake.lock:
        received = fake.state.received_events
        assert len(received) >= 12


def test_retry_after_schedules_the_next_attempt(
    db: Database, proxy: FaultProxy, clock: FakeClock
) -> None:
    queue_events(db, 3)
    relay = make_relay(db, proxy.url, clock)
    proxy.script(Fault("status", status=503, retry_after="600"))
    result = relay.drain()
    assert result.failed == 3
    assert result.next_due == clock() + timedelta(seconds=600)
    clock.advance(seconds=599)
    assert relay.drain().delivered == 0
    clock.advance(seconds=1)
    assert relay.drain().delivered == 3


def test_a_backing_off_record_is_never_overtaken(
    db: Database, proxy: FaultProxy, fake: FakeBackend, clock: FakeClock
) -> None:
    first = queue_events(db, 2, start=0)
    relay = make_relay(db, proxy.url, clock, batch=2)
    proxy.script(Fault("drop"))
    assert relay.drain().failed == 2
    later = queue_events(db, 3, start=10)  # due now, but the older ones back off
    assert relay.drain().delivered == 0
    assert applied(fake) == []
    forced = relay.drain(ignore_backoff=True)  # the backend came back: no waiting
    assert forced.delivered == 5
    assert applied(fake) == first + later


def test_conflicts_and_rejections_are_kept_visible_and_never_block(
    db: Database, proxy: FaultProxy, fake: FakeBackend, clock: FakeClock, expect_warnings: Any
) -> None:
    expect_warnings("outbox: the backend answered")
    keys = queue_events(db, 4)
    with fake.lock:
        fake.state.reject_keys.add(keys[1])
        fake.state.events[keys[2]] = b'{"another":"payload"}'  # the same key, other content
    result = make_relay(db, proxy.url, clock).drain()
    assert result.delivered == 4
    assert result.rejected == 2
    assert result.pending == 0
    with db.unit_of_work(write=False) as uow:
        entries = [e for e in uow.audit.entries() if e.action == "outbox.rejected"]
    assert [(e.subject, e.detail["status"]) for e in entries] == [
        (keys[1], "rejected"),
        (keys[2], "conflict"),
    ]
    assert entries[0].detail["error"] == "cannot process"


def test_the_relay_survives_a_restart(
    db_path: Path, proxy: FaultProxy, fake: FakeBackend, clock: FakeClock
) -> None:
    with open_database(db_path, clock=clock) as first:
        keys = queue_events(first, 30)
        assert make_relay(first, proxy.url, clock).drain(max_batches=1).delivered == 10
    with open_database(db_path, clock=clock) as second:
        result = make_relay(second, proxy.url, clock).drain()
    assert result.delivered == 20
    assert result.pending == 0
    assert applied(fake) == keys


def test_a_kiosk_killed_between_send_and_mark_resends_and_the_backend_absorbs_it(
    db_path: Path, proxy: FaultProxy, fake: FakeBackend, clock: FakeClock, expect_warnings: Any
) -> None:
    expect_warnings("taking over the lock left by pid")
    with open_database(db_path, clock=clock) as setup:
        keys = queue_events(setup, 15)
    child = textwrap.dedent(
        f"""
        import os, sys
        from kiosk.store import open_database
        from kiosk.sync.client import BackendClient
        from kiosk.sync.relay import OutboxRelay
        db = open_database(__import__("pathlib").Path({str(db_path)!r}))
        client = BackendClient({proxy.url!r}, {STATION!r}, {SECRET!r}, retries=0)
        relay = OutboxRelay(db, client, batch=10)
        relay._record = lambda *a, **k: os._exit(9)  # dies after the backend answered
        relay.drain()
        sys.exit(0)
        """
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", child], env=env, timeout=60, check=False)
    assert done.returncode == 9
    assert applied(fake) == keys[:10]  # the backend has the first batch
    with open_database(db_path, clock=clock) as after:
        with after.unit_of_work(write=False) as uow:
            assert uow.outbox.pending_count() == 15  # the kiosk never marked it
        result = make_relay(after, proxy.url, clock, batch=15).drain()
    assert result.delivered == 15
    assert result.pending == 0
    assert applied(fake) == keys  # nothing applied twice
    with fake.lock:
        assert fake.state.received_events.count(keys[0]) == 2  # sent twice, absorbed once


def test_the_batch_key_is_a_hash_of_the_records_keys(db: Database, clock: FakeClock) -> None:
    queue_events(db, 3)
    with db.unit_of_work(write=False) as uow:
        due = uow.outbox.due(clock(), limit=10)
    assert batch_key(due) == batch_key(list(due))
    assert batch_key(due) != batch_key(due[:2])
    assert len(batch_key(due)) <= 128
