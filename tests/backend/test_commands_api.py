"""Remote commands: the long poll wakes when a command is enqueued; results; expiry."""

from __future__ import annotations

import threading
import time
from typing import Any

from backend import commands
from backend.models import Command
from backend.stations import add_account
from tests.backend.conftest import Backend, Station


def _enqueue(backend: Backend, station: Station, kind: str = "start") -> str:
    with backend.db() as s:
        account = add_account(
            s,
            f"{kind}-{time.monotonic_ns()}@example.com",
            password_hash="scrypt$x",
            contract_id=f"C-{time.monotonic_ns()}",
            group="member",
            name=None,
            now=backend.clock(),
        )
        command_id = commands.enqueue(
            s,
            station_id=station.id,
            type=kind,
            connector_id="1",
            account_id=account,
            contract_id="DE-KIO-C00001-7",
            customer_group="member",
            now=backend.clock(),
        )
        s.commit()
    return command_id


def test_long_poll_wakes_on_a_new_command(backend: Backend) -> None:
    station = backend.add_station()
    answers: list[Any] = []

    def poll() -> None:
        started = time.monotonic()
        r = backend.call(station, "GET", "/v1/commands?wait=5")
        answers.append((r.json(), time.monotonic() - started))

    waiter = threading.Thread(target=poll)
    waiter.start()
    time.sleep(0.7)
    command_id = _enqueue(backend, station)
    waiter.join(10)
    body, took = answers[0]
    assert 0.6 < took < 3.0
    assert [c["id"] for c in body["commands"]] == [command_id]
    command = body["commands"][0]
    assert command["type"] == "start"
    assert command["group"] == "member"
    assert command["expires_at"] == "2026-12-03T09:02:00Z"


def test_an_empty_poll_answers_after_the_wait(backend: Backend) -> None:
    station = backend.add_station()
    started = time.monotonic()
    r = backend.call(station, "GET", "/v1/commands?wait=1")
    assert r.json() == {"commands": []}
    assert 0.9 < time.monotonic() - started < 3.0
    assert backend.call(station, "GET", "/v1/commands?wait=31").status_code == 400


def test_result_and_expiry(backend: Backend) -> None:
    station, other = backend.add_station("S1"), backend.add_station("S2")
    first = _enqueue(backend, station)
    second = _enqueue(backend, station, "stop")
    polled = backend.call(station, "GET", "/v1/commands").json()["commands"]
    assert [c["id"] for c in polled] == [first, second]
    assert (
        backend.call(
            station, "POST", "/v1/heartbeat", {"station_time": "2026-12-03T09:00:00Z"}
        ).json()["commands"]
        == 2
    )
    body = {"status": "accepted", "reason": None, "session_id": "sess-1"}
    r = backend.call(station, "POST", f"/v1/commands/{first}/result", body)
    assert r.json() == {"id": first, "status": "accepted", "reason": None, "session_id": "sess-1"}
    r = backend.call(other, "POST", f"/v1/commands/{second}/result", body)
    assert r.status_code == 404
    r = backend.call(station, "POST", f"/v1/commands/{first}/result", {"status": "rejected"})
    assert r.status_code == 409
    backend.clock.advance(121)
    assert backend.call(station, "GET", "/v1/commands").json() == {"commands": []}
    with backend.db() as s:
        row = s.get(Command, second)
        assert row is not None
        assert row.status == "expired"
