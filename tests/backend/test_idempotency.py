"""Idempotency keys: replay, conflict, in progress; one run for concurrent requests."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.db import make_engine, migrate
from backend.errors import ApiError
from backend.idempotency import idempotent, lookup
from backend.models import IdempotencyKey, Station
from tests.backend.conftest import Backend

HB = {"station_time": "2026-12-03T09:00:00Z", "outbox_pending": 0, "software": "0.1.0"}


def test_same_key_and_body_replays(backend: Backend) -> None:
    station = backend.add_station()
    first = backend.call(station, "POST", "/v1/heartbeat", HB, key="k-1")
    assert first.status_code == 200
    assert "Idempotent-Replay" not in first.headers
    backend.clock.advance(5)
    again = backend.call(station, "POST", "/v1/heartbeat", HB, key="k-1")
    assert again.status_code == 200
    assert again.headers["Idempotent-Replay"] == "true"
    assert again.json() == first.json()  # the stored answer, not a new server_time
    r = backend.call(station, "GET", "/v1/operations/k-1")
    assert r.json() == {"status": 200, "body": first.json()}


def test_other_body_or_path_conflicts(backend: Backend) -> None:
    station = backend.add_station()
    assert backend.call(station, "POST", "/v1/heartbeat", HB, key="k-2").status_code == 200
    r = backend.call(station, "POST", "/v1/heartbeat", {**HB, "outbox_pending": 9}, key="k-2")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "idempotency_conflict"
    r = backend.call(station, "POST", "/v1/tokens/authorize", {"uid": "01"}, key="k-2")
    assert r.status_code == 409


def test_a_key_is_required_and_checked(backend: Backend) -> None:
    station = backend.add_station()
    r = backend.call(station, "POST", "/v1/heartbeat", HB, key=None)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "idempotency_key_missing"
    r = backend.call(station, "POST", "/v1/heartbeat", HB, key="x" * 129)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "idempotency_key_invalid"


def test_keys_are_per_station(backend: Backend) -> None:
    s1, s2 = backend.add_station("S1"), backend.add_station("S2")
    assert backend.call(s1, "POST", "/v1/heartbeat", HB, key="same").status_code == 200
    r = backend.call(s2, "POST", "/v1/heartbeat", {**HB, "outbox_pending": 3}, key="same")
    assert r.status_code == 200
    assert "Idempotent-Replay" not in r.headers
    assert backend.call(s2, "GET", "/v1/operations/nope").status_code == 404


@pytest.fixture
def sessions_db(db_url: str) -> Any:
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


def test_concurrent_same_key_runs_once(sessions_db: Any) -> None:
    """Two threads, one key: the handler runs once; the other sees it running or done."""
    runs: list[int] = []
    inside = threading.Event()
    release = threading.Event()
    answers: list[tuple[int, str | None]] = []

    def handler() -> tuple[int, dict[str, Any]]:
        runs.append(1)
        inside.set()
        release.wait(10)
        return 201, {"ok": True}

    def call() -> None:
        with Session(sessions_db) as session:
            try:
                r = idempotent(
                    session,
                    principal="station:S1",
                    key="k",
                    method="POST",
                    path="/v1/x",
                    body=b"{}",
                    handler=handler,
                )
                answers.append((r.status_code, r.headers.get("idempotent-replay")))
            except ApiError as exc:
                answers.append((exc.status, exc.code))

    first = threading.Thread(target=call)
    first.start()
    assert inside.wait(10)
    second = threading.Thread(target=call)
    second.start()
    second.join(10)
    release.set()
    first.join(10)
    assert runs == [1]
    assert sorted(answers, key=str) == sorted(
        [(201, None), (409, "idempotency_in_progress")], key=str
    )
    with Session(sessions_db) as session:
        assert lookup(session, "station:S1", "k") == (201, {"ok": True})
        # a third call after the first finished: the stored answer
        r = idempotent(
            session,
            principal="station:S1",
            key="k",
            method="POST",
            path="/v1/x",
            body=b"{}",
            handler=handler,
        )
        assert (r.status_code, r.headers["idempotent-replay"]) == (201, "true")
    assert runs == [1]


def test_a_failed_handler_frees_the_key_and_keeps_no_writes(sessions_db: Any) -> None:
    now = datetime(2026, 12, 3, tzinfo=UTC)

    def broken() -> tuple[int, dict[str, Any]]:
        session.add(Station(id="S1", secret="x", name="x", time_zone="UTC", created_at=now))
        session.flush()
        raise RuntimeError("boom")

    def refused() -> tuple[int, dict[str, Any]]:
        session.add(Station(id="S2", secret="x", name="x", time_zone="UTC", created_at=now))
        session.flush()
        raise ApiError(422, "invalid", "no")

    with Session(sessions_db) as session:
        args: dict[str, Any] = {"principal": "p", "method": "POST", "path": "/", "body": b""}
        with pytest.raises(RuntimeError):
            idempotent(session, key="a", handler=broken, **args)
        assert session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
        r = idempotent(session, key="b", handler=refused, **args)
        assert r.status_code == 422
        assert lookup(session, "p", "b") == (422, {"error": {"code": "invalid", "message": "no"}})
        assert session.scalar(select(func.count()).select_from(Station)) == 0


def test_stale_in_progress_key_is_taken_over(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'b.sqlite'}")
    migrate(engine)
    old = datetime.now(UTC) - timedelta(hours=1)  # the session has no clock: real time
    with Session(engine) as session:
        from backend.idempotency import request_hash

        session.add(
            IdempotencyKey(
                principal="p",
                key="k",
                request_sha256=request_hash("POST", "/", b""),
                created_at=old,
            )
        )
        session.commit()
        r = idempotent(
            session,
            principal="p",
            key="k",
            method="POST",
            path="/",
            body=b"",
            handler=lambda: (200, {"done": 1}),
        )
        assert r.status_code == 200
        assert lookup(session, "p", "k") == (200, {"done": 1})
    engine.dispose()
