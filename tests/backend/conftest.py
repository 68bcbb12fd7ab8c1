"""The backend's fixtures: a database URL per case (a SQLite file, a real PostgreSQL),
a backend served by uvicorn on loopback, and a client that signs like a station.

PostgreSQL cases skip with the reason when the server is not installed, except in CI
(the CI variable set), where they fail.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import uvicorn
from sqlalchemy.orm import Session

from backend import stations
from backend.app import create_app
from backend.auth import sign
from backend.db import make_engine, migrate
from backend.settings import BackendSettings
from tests.backend.postgres import PostgresServer, start_postgres, unavailable_reason

TIMEOUT = 15.0


class FakeClock:
    """The backend's clock in a test: aware UTC, moved by hand."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    reason = unavailable_reason()
    if reason is not None:
        yield None
        return
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer | None) -> str | None:
    """A database migrated once, copied for each test (CREATE DATABASE … TEMPLATE)."""
    if postgres_server is None:
        return None
    url = postgres_server.create_database("template")
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return postgres_server.database_name(url)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer | None, postgres_template: str | None) -> str:
    """A fresh, migrated database on the session's PostgreSQL."""
    if postgres_server is None:
        _skip_or_fail(unavailable_reason() or "PostgreSQL is not available")
        raise AssertionError("unreachable")
    return postgres_server.create_database(template=postgres_template)


@pytest.fixture
def empty_postgres_url(postgres_server: PostgresServer | None) -> str:
    """A fresh, empty database (no schema) on the session's PostgreSQL."""
    if postgres_server is None:
        _skip_or_fail(unavailable_reason() or "PostgreSQL is not available")
        raise AssertionError("unreachable")
    return postgres_server.create_database()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'backend.sqlite'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Station:
    id: str
    secret: str


@dataclass
class Backend:
    """A running backend and ways to call it as a station or an operator."""

    base: str
    app: Any
    clock: FakeClock
    http: requests.Session = field(default_factory=requests.Session)

    def db(self) -> Session:
        session: Session = self.app.state.sessions()
        return session

    def add_station(self, station_id: str = "DE-KIO-S1", time_zone: str = "UTC") -> Station:
        with self.db() as session:
            secret = stations.add_station(
                session, station_id, name=None, time_zone=time_zone, now=self.clock()
            )
            session.commit()
        return Station(station_id, secret)

    def add_operator(self, name: str, role: str) -> str:
        with self.db() as session:
            token = stations.add_operator(session, name, role, self.clock())
            session.commit()
        return token

    def signed_headers(
        self,
        station: Station,
        method: str,
        path: str,
        body: bytes,
        *,
        timestamp: int | None = None,
        nonce: str | None = None,
    ) -> dict[str, str]:
        ts = int(self.clock().timestamp()) if timestamp is None else timestamp
        nonce = nonce or secrets.token_hex(16)
        return {
            "X-Station-Id": station.id,
            "X-Timestamp": str(ts),
            "X-Nonce": nonce,
            "X-Signature": sign(station.secret, method, path, ts, nonce, body),
        }

    def call(
        self,
        station: Station,
        method: str,
        path: str,
        body: bytes | dict[str, Any] | None = None,
        *,
        key: str | None = "auto",
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """A signed request; writes get a fresh Idempotency-Key unless one is given."""
        raw = body if isinstance(body, bytes) else b"" if body is None else _json(body)
        sent = self.signed_headers(station, method, path, raw)
        if raw:
            sent["Content-Type"] = "application/json"
        if method in ("POST", "PUT", "DELETE") and key is not None:
            sent["Idempotency-Key"] = secrets.token_hex(8) if key == "auto" else key
        sent.update(headers or {})
        return self.http.request(method, self.base + path, data=raw, headers=sent, timeout=TIMEOUT)

    def admin(
        self,
        token: str,
        method: str,
        path: str,
        body: dict[str, Any] | list[Any] | None = None,
        *,
        key: str | None = "auto",
    ) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"}
        raw = b"" if body is None else _json(body)
        if raw:
            headers["Content-Type"] = "application/json"
        if method in ("POST", "PUT", "DELETE") and key is not None:
            headers["Idempotency-Key"] = secrets.token_hex(8) if key == "auto" else key
        return self.http.request(
            method, self.base + path, data=raw, headers=headers, timeout=TIMEOUT
        )


def _json(value: Any) -> bytes:
    from kiosk.domain import jsonio

    return jsonio.dumps_numbers(value).encode()  # Decimals as exact JSON numbers


class ServerThread:
    """uvicorn serving an app on a loopback port, in a thread of this process."""

    def __init__(self, app: Any, port: int) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", timeout_keep_alive=5
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + TIMEOUT
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=TIMEOUT)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def backend(db_url: str, clock: FakeClock) -> Iterator[Backend]:
    """The backend on each database, served over real HTTP on loopback."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(BackendSettings(db_url=db_url, public_url=base, clock=clock))
    with ServerThread(app, port):
        client = Backend(base, app, clock)
        try:
            yield client
        finally:
            client.http.close()
    app.state.engine.dispose()


@pytest.fixture
def sqlite_backend(tmp_path: Any, clock: FakeClock) -> Iterator[Backend]:
    """The backend on a SQLite file only (for what does not depend on the database)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    url = f"sqlite:///{tmp_path / 'backend.sqlite'}"
    app = create_app(BackendSettings(db_url=url, public_url=base, clock=clock))
    with ServerThread(app, port):
        client = Backend(base, app, clock)
        try:
            yield client
        finally:
            client.http.close()
    app.state.engine.dispose()


SPEC_DIR = os.path.join(os.path.dirname(__file__), "..", "data", "spec")


def spec_tariff() -> dict[str, Any]:
    """OCPI's simple tariff: EUR 0.25 per kWh, 10 % VAT (id SPEC-8)."""
    from kiosk.domain import jsonio

    with open(os.path.join(SPEC_DIR, "tariff_08_simple_025_kwh.json"), "rb") as f:
        tariff: dict[str, Any] = jsonio.loads(f.read())["tariff"]
    return tariff


def completed_event(
    session_id: str,
    units: int = 5,
    *,
    cost: str | None = None,
    contract_id: str | None = None,
    receipt_token: str | None = None,
    embed_tariff: bool = True,
) -> dict[str, Any]:
    """A `session.completed` event as the kiosk sends it: 4 × units kWh at SPEC-8,
    which costs exactly 1.10 × units incl. VAT (unless `cost` says otherwise)."""
    from decimal import Decimal

    kwh = Decimal(4 * units)
    price = cost if cost is not None else str(Decimal("1.10") * units)
    start, end = "2026-12-03T08:00:00Z", "2026-12-03T09:00:00Z"
    cdr = {
        "country_code": "NL",
        "party_id": "KIO",
        "id": session_id.replace("-", "")[:36],
        "start_date_time": start,
        "end_date_time": end,
        "session_id": session_id,
        "cdr_token": {"uid": "T", "type": "RFID", "contract_id": contract_id or session_id},
        "auth_method": "WHITELIST",
        "cdr_location": {"id": "LOC-1", "evse_id": "NL*KIO*E0001", "connector_id": "1"},
        "currency": "EUR",
        "tariffs": [spec_tariff()] if embed_tariff else [],
        "charging_periods": [
            {
                "start_date_time": start,
                "dimensions": [{"type": "ENERGY", "volume": kwh}],
                "tariff_id": "SPEC-8",
            }
        ],
        "total_cost": {"excl_vat": Decimal(price), "incl_vat": Decimal(price)},
        "total_energy": kwh,
        "total_time": Decimal(1),
        "last_updated": end,
    }
    token = receipt_token or secrets.token_hex(16)
    return {
        "idempotency_key": f"{session_id}:completed",
        "topic": "session.completed",
        "aggregate_id": session_id,
        "created_at": end,
        "payload": {
            "session_id": session_id,
            "cost": price,
            "receipt_token": token,
            "session": {
                "id": session_id,
                "connector_id": "1",
                "evse_id": "NL*KIO*E0001",
                "started_at": "2026-12-03T08:00:00+00:00",
                "ended_at": "2026-12-03T09:00:00+00:00",
                "energy_kwh": str(kwh),
                "cost": price,
                "currency": "EUR",
                "stop_reason": "driver",
                "token_type": "RFID" if contract_id else "AD_HOC_USER",
                "contract_id": contract_id,
                "customer_group": None,
                "payment_method": "account" if contract_id else "qr",
                "payment_ref": None,
                "receipt_token": token,
                "tz": "Europe/Amsterdam",
            },
            "cdr": cdr,
        },
    }
