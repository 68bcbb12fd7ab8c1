"""72 hours without a backend, on an accelerated clock: 5,000 records, none lost, in order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.store import open_database
from kiosk.sync.client import BackendClient
from kiosk.sync.relay import OutboxRelay
from tests.kiosk.sync.fake_backend import SECRET, STATION, FakeBackend, FakeClock, queue_events
from tests.kiosk.sync.fault_proxy import Fault, FaultProxy

RECORDS = 5_000
HOURS = 72
STEP_MIN = 10


@pytest.fixture
def fake() -> Iterator[FakeBackend]:
    with FakeBackend() as backend:
        yield backend


def test_a_72_hour_outage_loses_nothing_and_delivers_in_order(
    tmp_path: Path, fake: FakeBackend
) -> None:
    clock = FakeClock()
    path = tmp_path / "kiosk.db"
    steps = HOURS * 60 // STEP_MIN
    with FaultProxy(fake.port) as proxy:
        proxy.set_default(Fault("drop"))  # the backend is away
        client = BackendClient(proxy.url, STATION, SECRET, read_timeout_s=2, retries=0)
        keys: list[str] = []
        attempts = 0
        with open_database(path, clock=clock) as db:
            relay = OutboxRelay(db, client, batch=100, clock=clock)
            for step in range(steps):
                count = RECORDS * (step + 1) // steps - len(keys)
                keys += queue_events(db, count, start=len(keys), aggregates=2_500)
                result = relay.drain()
                attempts += result.failed > 0
                assert result.delivered == 0
                assert result.pending == len(keys)
                clock.advance(minutes=STEP_MIN)
            assert len(keys) == RECORDS
            # the backoff spaced the attempts out (5 s doubling to 1 h), not every 10 min
            assert 60 < attempts < steps
            # the backend comes back; its first answer is lost after it applied the batch
            proxy.set_default(Fault("pass"))
            proxy.script(Fault("drop_after_forward"))
            lost = relay.drain(ignore_backoff=True)
            assert lost.delivered == 0
        with fake.lock:
            assert len(fake.state.event_order) == 100  # applied there, unknown here
        # the kiosk restarts (other batch size: the backend sees the keys again)
        with open_database(path, clock=clock) as db:
            relay = OutboxRelay(db, client, batch=250, clock=clock)
            result = relay.drain(ignore_backoff=True)
            assert result.pending == 0
            assert result.delivered == RECORDS
            assert result.rejected == 0
    with fake.lock:
        assert fake.state.event_order == keys  # every record once, in the kiosk's order
        duplicates = len(fake.state.received_events) - len(fake.state.event_order)
    assert duplicates == 100  # the lost batch came twice, absorbed as duplicates
