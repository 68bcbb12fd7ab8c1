"""Two backend processes on one PostgreSQL database: they start at the same moment
(the migrations race under the advisory lock), then a station's requests alternate
between them. Idempotency keys and nonces are shared through the database."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.auth import sign
from backend.db import make_engine
from backend.models import ChargeSession
from backend.settings import utc_now
from backend.stations import add_station
from tests.backend.conftest import _json, completed_event, free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def instances(empty_postgres_url: str, tmp_path: Path) -> Iterator[list[str]]:
    ports = [free_port(), free_port()]
    processes = []
    for i, port in enumerate(ports):
        log = (tmp_path / f"instance{i}.log").open("wb")
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "backend.cli", "serve", "--db", empty_postgres_url,
                 "--port", str(port)],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
        )  # fmt: skip
        log.close()
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + 60
        for base, process in zip(bases, processes, strict=True):
            while True:
                assert process.poll() is None, (tmp_path / "instance0.log").read_text()
                try:
                    if requests.get(base + "/health", timeout=2).status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                assert time.monotonic() < deadline, "the instances did not start"
                time.sleep(0.1)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _headers(station: str, secret: str, method: str, path: str, body: bytes) -> dict[str, str]:
    ts, nonce = int(time.time()), secrets.token_hex(16)
    return {
        "X-Station-Id": station,
        "X-Timestamp": str(ts),
        "X-Nonce": nonce,
        "X-Signature": sign(secret, method, path, ts, nonce, body),
        "Content-Type": "application/json",
    }


def test_two_instances_share_keys_and_nonces(
    instances: list[str], empty_postgres_url: str, expect_warnings: object
) -> None:
    expect_warnings("auth: ")  # type: ignore[operator]
    a, b = instances
    engine = make_engine(empty_postgres_url)
    with Session(engine) as s:
        secret = add_station(s, "DE-KIO-S1", name=None, time_zone="UTC", now=utc_now())
        s.commit()
    events = [completed_event(f"s-{i}", 1 + i % 3) for i in range(20)]
    body = _json({"events": events})
    path = "/v1/events"
    # the first call on A, its retry (same key, new signature) on B: replayed, not re-run
    first = requests.post(
        a + path, data=body, timeout=15,
        headers={**_headers("DE-KIO-S1", secret, "POST", path, body), "Idempotency-Key": "b-1"},
    )  # fmt: skip
    assert first.status_code == 200
    assert {r["status"] for r in first.json()["results"]} == {"accepted"}
    retry = requests.post(
        b + path, data=body, timeout=15,
        headers={**_headers("DE-KIO-S1", secret, "POST", path, body), "Idempotency-Key": "b-1"},
    )  # fmt: skip
    assert retry.status_code == 200
    assert retry.headers["Idempotent-Replay"] == "true"
    assert retry.json() == first.json()
    # the same events under a new key on B: absorbed as duplicates
    fresh = requests.post(
        b + path, data=body, timeout=15,
        headers={**_headers("DE-KIO-S1", secret, "POST", path, body), "Idempotency-Key": "b-2"},
    )  # fmt: skip
    assert {r["status"] for r in fresh.json()["results"]} == {"duplicate"}
    # one signed request replayed to the other instance: refused there
    hb = _json({"station_time": "2026-12-03T09:00:00Z"})
    signed = {**_headers("DE-KIO-S1", secret, "POST", "/v1/heartbeat", hb), "Idempotency-Key": "h"}
    assert requests.post(a + "/v1/heartbeat", data=hb, headers=signed, timeout=15).ok
    replay = requests.post(b + "/v1/heartbeat", data=hb, headers=signed, timeout=15)
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "replay"
    # alternating GETs: both answer the same
    for i in range(6):
        base = (a, b)[i % 2]
        r = requests.get(
            base + "/v1/operations/b-1",
            headers=_headers("DE-KIO-S1", secret, "GET", "/v1/operations/b-1", b""),
            timeout=15,
        )
        assert r.json() == {"status": 200, "body": first.json()}
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(ChargeSession)) == 20
    engine.dispose()
