"""The backend client against a real HTTP server behind a fault proxy on loopback."""

from __future__ import annotations

import time
import tracemalloc
from decimal import Decimal
from typing import Any

import pytest

from kiosk.sync.client import BackendClient, BackendError
from tests.kiosk.sync.fake_backend import SECRET, STATION, FakeBackend
from tests.kiosk.sync.fault_proxy import Fault, FaultProxy


@pytest.fixture(autouse=True)
def _retries_are_logged(expect_warnings: Any) -> None:
    expect_warnings("Retrying (_SigningRetry")  # urllib3 logs each retry at WARNING


def client(proxy: FaultProxy, *, retries: int = 2, read_s: float = 1.0) -> BackendClient:
    return BackendClient(
        proxy.url, STATION, SECRET, connect_timeout_s=1.0, read_timeout_s=read_s, retries=retries
    )


def heartbeats(fake: FakeBackend) -> int:
    with fake.lock:
        return len(fake.state.heartbeats)


def test_an_answer_held_past_the_read_timeout_fails_within_about_the_timeout(
    proxy: FaultProxy, fake: FakeBackend
) -> None:
    proxy.script(Fault("hold", delay_s=60))  # the proxy holds up to a minute
    started = time.monotonic()
    with pytest.raises(BackendError, match="did not answer in time"):
        client(proxy, retries=0, read_s=0.4).tariffs()
    assert time.monotonic() - started < 1.5
    with pytest.raises(ValueError, match="0-60 s"):
        Fault("delay", delay_s=61)


def test_a_read_timeout_is_retried_once_with_a_fresh_signature_and_applied_once(
    proxy: FaultProxy, fake: FakeBackend
) -> None:
    proxy.script(Fault("delay", delay_s=1.0))  # the backend applied it; the answer is late
    beat = client(proxy, read_s=0.4).heartbeat(outbox_pending=3, idempotency_key="hb-1")
    assert beat.tariff_version == 1
    assert proxy.count() == 2
    assert fake.state.auth_failures == []  # the retry was signed again: no "replay"
    assert heartbeats(fake) == 1  # applied once; the retry got the stored answer
    assert fake.state.replays == 1


def test_retry_after_is_honoured_by_the_library(proxy: FaultProxy, fake: FakeBackend) -> None:
    proxy.script(Fault("status", status=503, retry_after="1"))
    started = time.monotonic()
    client(proxy).heartbeat(outbox_pending=0)
    assert time.monotonic() - started >= 0.95
    assert proxy.count("status") == 1
    assert heartbeats(fake) == 1


def test_a_long_retry_after_is_not_slept_but_handed_back(proxy: FaultProxy) -> None:
    proxy.script(Fault("status", status=429, retry_after="3600"))
    started = time.monotonic()
    with pytest.raises(BackendError) as caught:
        client(proxy).heartbeat(outbox_pending=0)
    assert time.monotonic() - started < 1.0
    assert caught.value.status == 429
    assert caught.value.retry_after_s == 3600
    assert not caught.value.answered  # a 429 says "not now", not "no"


def test_a_5xx_storm_is_ridden_out_then_given_up(proxy: FaultProxy, fake: FakeBackend) -> None:
    proxy.script(*[Fault("status", status=502)] * 2)
    assert client(proxy, retries=2).allow_list().version == 1
    proxy.script(*[Fault("status", status=503)] * 3)
    with pytest.raises(BackendError, match="answered 503") as caught:
        client(proxy, retries=2).heartbeat(outbox_pending=0)
    assert caught.value.status == 503
    assert heartbeats(fake) == 0


def test_dropped_connections_are_retried(proxy: FaultProxy, fake: FakeBackend) -> None:
    proxy.script(Fault("drop"), Fault("drop_after_forward"))
    client(proxy, retries=2).heartbeat(outbox_pending=0, idempotency_key="hb-drop")
    assert heartbeats(fake) == 1  # the forwarded one was applied once, then replayed
    proxy.script(*[Fault("drop")] * 3)
    with pytest.raises(BackendError, match="cannot be reached"):
        client(proxy, retries=2).heartbeat(outbox_pending=0)


def test_truncated_and_garbage_answers_are_clear_errors(proxy: FaultProxy) -> None:
    proxy.script(Fault("truncate"))
    with pytest.raises(BackendError, match="cut off"):
        client(proxy).allow_list()
    proxy.script(Fault("garbage"))
    with pytest.raises(BackendError, match="not valid"):
        client(proxy).allow_list()


def test_a_10_mb_answer_is_refused_without_being_read_whole(proxy: FaultProxy) -> None:
    proxy.script(Fault("huge", size=10 * 1024 * 1024))
    tracemalloc.start()
    try:
        with pytest.raises(BackendError, match="longer than the 2097152 bytes"):
            client(proxy).post_events(_one_event(), idempotency_key="batch-1")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024  # the 2 MiB cap and a chunk, never 10 MB


def _one_event() -> list:  # type: ignore[type-arg]
    from datetime import UTC, datetime

    from kiosk.store.repositories import OutboxMessage

    now = datetime(2026, 12, 1, tzinfo=UTC)
    return [OutboxMessage(1, "t", "a", '{"x":1}', "a:1", now, 0, now, None, None)]


def test_the_clock_offset_is_server_minus_station(proxy: FaultProxy, fake: FakeBackend) -> None:
    fake.state.skew_s = 120.0
    beat = client(proxy).heartbeat(outbox_pending=0)
    assert 118.5 < beat.offset_s < 121.0


def test_money_must_be_a_decimal_string(proxy: FaultProxy, fake: FakeBackend) -> None:
    c = client(proxy)
    intent = c.create_intent(
        idempotency_key="pi-1",
        kind="qr",
        amount=Decimal("30.00"),
        currency="EUR",
        reference=f"{STATION}:s1",
        connector_id="1",
    )
    assert intent.amount == Decimal("30.00")
    assert isinstance(intent.amount, Decimal)
    with fake.lock:
        fake.state.intents[intent.id]["amount"] = 30.0
    with pytest.raises(BackendError, match="money must be a string"):
        c.get_intent(intent.id)
    with fake.lock:
        fake.state.intents[intent.id]["amount"] = "NaN"
    with pytest.raises(BackendError, match="money must be a string"):
        c.get_intent(intent.id)


def test_operations_answer_the_stored_call_or_none(proxy: FaultProxy) -> None:
    c = client(proxy)
    assert c.operation("never-sent") is None
    c.create_intent(
        idempotency_key="pi-op",
        kind="account",
        amount=Decimal("20"),
        currency="EUR",
        reference=f"{STATION}:s2",
        contract_id="DE-KIO-C00001-7",
    )
    found = c.operation("pi-op")
    assert found is not None
    assert found.status == 201


def test_an_idempotency_conflict_is_the_backends_code(proxy: FaultProxy) -> None:
    c = client(proxy)
    c.create_intent(
        idempotency_key="same",
        kind="qr",
        amount=Decimal("30"),
        currency="EUR",
        reference=f"{STATION}:s3",
        connector_id="1",
    )
    with pytest.raises(BackendError) as caught:
        c.create_intent(
            idempotency_key="same",
            kind="qr",
            amount=Decimal("31"),
            currency="EUR",
            reference=f"{STATION}:s3",
            connector_id="1",
        )
    assert caught.value.status == 409
    assert caught.value.code == "idempotency_conflict"
    assert caught.value.answered


def test_a_backend_that_is_not_there_is_a_backend_error() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(BackendError, match="cannot be reached"):
        BackendClient(f"http://127.0.0.1:{port}", STATION, SECRET, retries=1).heartbeat(
            outbox_pending=0
        )
    assert time.monotonic() - started < 3
