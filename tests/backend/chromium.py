"""A real headless Chromium (playwright's sync API on /usr/bin/chromium) and a real uvicorn
backend on a free loopback port, for the web pages' tests, screenshots and benchmark.

`running_backend(db_url)` is the backend: migrated, under uvicorn, with a clock the test
moves and a station's signed client (`Stack.call`); it also writes what the kiosk's
heartbeat and session ingestion would (`heartbeat_live`, `ingest_session`).

Never `playwright install`: the system's Chromium is driven through `executable_path`.
Without /usr/bin/chromium the tests skip, except under CI (env `CI` set), where they fail.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
import uvicorn
from sqlalchemy.orm import Session

from backend.app import create_app
from backend.auth import sign
from backend.db import make_engine, migrate
from backend.models import Account, ChargeSession, LiveSession, Station
from backend.settings import BackendSettings

CHROMIUM = Path("/usr/bin/chromium")
ASSETS = Path(__file__).resolve().parents[2] / "assets"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serve(app: Any, port: int | None = None) -> Iterator[str]:
    """Run `app` under uvicorn on loopback in a thread; yields its base URL."""
    port = port or free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the session's tests."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install the chromium package")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def phone(chromium: Any) -> Iterator[Any]:
    """A fresh phone-size page (390×844, device scale 2), its own cookies and cache."""
    context = chromium.new_context(**PHONE, locale="en-GB")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


TIMEOUT = 15


class MovableClock:
    """Real time plus an offset the test moves (the HMAC window follows it)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class Stack:
    base: str
    app: Any
    clock: MovableClock
    secrets: dict[str, str]

    def db(self) -> Session:
        session: Session = self.app.state.sessions()
        return session

    def station(self, station_id: str, name: str = "Kiosk Hauptstraße") -> str:
        secret = secrets.token_hex(16)
        with self.db() as s:
            s.add(Station(id=station_id, secret=secret, name=name, created_at=self.clock()))
            s.commit()
        self.secrets[station_id] = secret
        return secret

    def call(
        self,
        station_id: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        key: str | None = "auto",
        timeout: float = TIMEOUT,
    ) -> requests.Response:
        raw = b"" if body is None else json.dumps(body).encode()
        stamp = int(self.clock().timestamp())
        nonce = secrets.token_hex(16)
        headers = {
            "X-Station-Id": station_id,
            "X-Timestamp": str(stamp),
            "X-Nonce": nonce,
            "X-Signature": sign(self.secrets[station_id], method, path, stamp, nonce, raw),
            "Content-Type": "application/json",
        }
        if key == "auto" and method != "GET":
            headers["Idempotency-Key"] = secrets.token_hex(8)
        elif key not in (None, "auto"):
            headers["Idempotency-Key"] = key
        return requests.request(
            method, self.base + path, data=raw, headers=headers, timeout=timeout
        )

    def tariffs(
        self, station_id: str, connector_id: str, name: str = "ac_member_groups.json"
    ) -> None:
        """The connector's tariffs, as the operator's PUTs store them (an assets file)."""
        from backend.tariffs import assign, put_tariff
        from kiosk.domain import jsonio

        found = jsonio.loads((ASSETS / "tariffs" / name).read_bytes())
        listed = found if isinstance(found, list) else [found]
        with self.db() as s:
            for tariff in listed:
                put_tariff(s, tariff["id"], tariff, self.clock())
            assign(s, station_id, connector_id, [t["id"] for t in listed])
            s.commit()

    def create_qr(self, station_id: str = "DE-KIO-S1", **extra: Any) -> dict[str, Any]:
        body = {
            "kind": "qr",
            "connector_id": "1",
            "amount": "30.00",
            "currency": "EUR",
            "reference": f"{station_id}:s-{secrets.token_hex(4)}",
            "expires_in_s": 170,
            **extra,
        }
        r = self.call(station_id, "POST", "/v1/payment-intents", body)
        assert r.status_code == 201, r.text
        answer: dict[str, Any] = r.json()
        return answer

    def pay(self, intent_id: str, card: str = "visa-ok") -> requests.Response:
        """What the checkout form posts (the phone's test card)."""
        return requests.post(
            f"{self.base}/checkout/{intent_id}/pay",
            data={"method": card, "attempt": secrets.token_urlsafe(16), "lang": "en"},
            allow_redirects=False,
            timeout=TIMEOUT,
        )

    def account(
        self,
        account_id: str,
        contract_id: str,
        *,
        email: str = "",
        password_hash: str = "",
        blocked: bool = False,
        group: str | None = "member",
        name: str = "Alex Driver",
    ) -> None:
        with self.db() as s:
            s.add(
                Account(
                    id=account_id,
                    email=email or f"{account_id}@example.org",
                    name=name,
                    password_hash=password_hash or "scrypt$16384$8$1$00$00",
                    contract_id=contract_id,
                    customer_group=group,
                    blocked=blocked,
                    created_at=self.clock(),
                )
            )
            s.commit()

    def heartbeat_live(
        self,
        station_id: str,
        session_id: str,
        payment_ref: str,
        energy: str,
        cost: str,
        connector_id: str = "1",
        state: str = "charging",
    ) -> None:
        """The running session's figures as the kiosk's heartbeat reports them."""
        with self.db() as s:
            row = s.get(LiveSession, (station_id, session_id))
            if row is None:
                row = LiveSession(station_id=station_id, session_id=session_id)
                s.add(row)
            row.connector_id = connector_id
            row.state = state
            row.energy_kwh = Decimal(energy)
            row.cost = Decimal(cost)
            row.currency = "EUR"
            row.payment_ref = payment_ref
            row.updated_at = self.clock()
            s.commit()

    def ingest_session(
        self,
        station_id: str,
        session_id: str,
        payment_ref: str,
        *,
        cost: str,
        energy: str,
        cdr: dict[str, Any],
        receipt_token: str,
        payment_method: str = "qr_web",
        evse_id: str = "DE*KIO*E0001*1",
        contract_id: str | None = None,
        session: dict[str, Any] | None = None,
    ) -> None:
        """The `session.completed` record as the ingestion stores it."""
        start = datetime.fromisoformat(cdr["start_date_time"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(cdr["end_date_time"].replace("Z", "+00:00"))
        with self.db() as s:
            s.add(
                ChargeSession(
                    station_id=station_id,
                    session_id=session_id,
                    connector_id="1",
                    evse_id=evse_id,
                    started_at=start,
                    ended_at=end,
                    energy_kwh=Decimal(energy),
                    cost=Decimal(cost),
                    currency="EUR",
                    stop_reason="ev_disconnected",
                    token_type="AD_HOC_USER",
                    contract_id=contract_id,
                    customer_group=None,
                    payment_method=payment_method,
                    payment_ref=payment_ref,
                    receipt_token=receipt_token,
                    cdr_json=json.dumps(cdr),
                    session_json=json.dumps(session or {}),
                    backend_cost=Decimal(cost),
                    received_at=self.clock(),
                )
            )
            live = s.get(LiveSession, (station_id, session_id))
            if live is not None:
                s.delete(live)
            s.commit()


@contextmanager
def running_backend(db_url: str, *, long_poll_max_s: float = 5.0) -> Iterator[Stack]:
    port = free_port()
    clock = MovableClock()
    engine = make_engine(db_url)
    migrate(engine)
    engine.dispose()
    settings = BackendSettings(
        db_url=db_url,
        public_url=f"http://127.0.0.1:{port}",
        long_poll_max_s=long_poll_max_s,
        clock=clock,
    )
    app = create_app(settings)
    with serve(app, port) as base:
        stack = Stack(base, app, clock, {})
        yield stack
    app.state.engine.dispose()


def wait_until(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


# An OCPI CDR as the kiosk sends it: 12.5 kWh in one period, the tariff embedded
# (€0.49/kWh incl. 19 % VAT: 0.4118 net).
def sample_cdr(start: datetime, minutes: int = 50) -> dict[str, Any]:
    end = start + timedelta(minutes=minutes)
    iso = "%Y-%m-%dT%H:%M:%SZ"
    return {
        "country_code": "DE",
        "party_id": "KIO",
        "id": "cdr1",
        "start_date_time": start.strftime(iso),
        "end_date_time": end.strftime(iso),
        "currency": "EUR",
        "tariffs": [
            {
                "id": "AC-ADHOC",
                "currency": "EUR",
                "type": "AD_HOC_PAYMENT",
                "elements": [
                    {
                        "price_components": [
                            {"type": "ENERGY", "price": 0.4118, "vat": 19.0, "step_size": 1}
                        ]
                    }
                ],
            }
        ],
        "charging_periods": [
            {
                "start_date_time": start.strftime(iso),
                "dimensions": [{"type": "ENERGY", "volume": 12.5}],
                "tariff_id": "AC-ADHOC",
            }
        ],
        "total_cost": {"excl_vat": "5.15", "incl_vat": "6.13"},
        "total_energy": "12.5",
        "total_time": "0.8333",
    }
