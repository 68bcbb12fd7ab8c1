"""The pages name a provisioned connector as the kiosk does ("Connector A") and fall back to
its id when it is not; `/app/c/{evse id}` finds it by its printed EVSE id. HTML over real
HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import requests

from backend.connectors import ConnectorSpec, put_connectors
from backend.models import AccountCharge
from backend.web.app_auth import hash_password
from tests.backend.chromium import TIMEOUT, Stack, running_backend, sample_cdr

S1 = "DE-KIO-S1"
EVSE = "DE*KIO*E0001*A"
EMAIL, PASSWORD = "alex@example.org", "correct horse battery"
CONTRACT = "DE-KIO-C00001-7"


@pytest.fixture
def stack(db_url: str) -> Iterator[Stack]:
    with running_backend(db_url) as stack:
        stack.station(S1)
        stack.tariffs(S1, "1")
        with stack.db() as s:
            put_connectors(s, S1, [ConnectorSpec("1", "A", EVSE, max_power_kw=Decimal("22"))])
            s.commit()
        yield stack


def text(html: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", re.sub(r"<[^>]+>", " ", html))


def get(stack: Stack, path: str, browser: requests.Session | None = None) -> str:
    r = (browser or requests).get(stack.base + path, timeout=TIMEOUT)
    assert r.status_code == 200, (path, r.status_code)
    return text(r.text)


def test_checkout_and_receipt_say_the_label(stack: Stack) -> None:
    intent = stack.create_qr()
    assert "Connector A" in get(stack, f"/checkout/{intent['id']}")
    unprovisioned = stack.create_qr(connector_id="2")
    assert "Connector 2" in get(stack, f"/checkout/{unprovisioned['id']}")
    stack.pay(intent["id"])
    stack.call(S1, "POST", f"/v1/payment-intents/{intent['id']}/capture", {"amount": "6.13"})
    start = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    receipt = "rcpt_Label0123456789"
    stack.ingest_session(
        S1, "s-1", intent["id"], cost="6.13", energy="12.5", cdr=sample_cdr(start),
        receipt_token=receipt, evse_id=EVSE,
    )  # fmt: skip
    assert "Connector A · DE*KIO*E0001*A" in get(stack, f"/r/{receipt}")
    assert "Ladepunkt A · DE*KIO*E0001*A" in get(stack, f"/r/{receipt}?lang=de")
    with stack.db() as s:  # the operator takes the connector away: the codes remain
        put_connectors(s, S1, [])
        s.commit()
    assert "Connector DE*KIO*E0001*A" in get(stack, f"/r/{receipt}")


def _signed_in(stack: Stack) -> requests.Session:
    stack.account("acc-1", CONTRACT, email=EMAIL, password_hash=hash_password(PASSWORD))
    browser = requests.Session()
    form = browser.get(f"{stack.base}/app/login", timeout=TIMEOUT).text
    found = re.search(r'name="csrf" value="([^"]+)"', form)
    assert found is not None
    data = {"email": EMAIL, "password": PASSWORD, "csrf": found.group(1), "next": "/app/"}
    r = browser.post(f"{stack.base}/app/login", data=data, allow_redirects=False, timeout=TIMEOUT)
    assert r.status_code == 303
    return browser


def test_the_app_finds_the_printed_evse_id_and_says_the_label(stack: Stack) -> None:
    browser = _signed_in(stack)
    page = get(stack, "/app/c/DE*KIO*E0001*A", browser)
    assert "Connector A" in page
    assert "Station Kiosk Hauptstraße · DE*KIO*E0001*A · up to 22 kW" in page
    assert "€0.35/kWh" in page  # connector 1's price: the EVSE id led to it
    assert "Connector A" in get(stack, "/app/c/de*kio*e0001*a", browser)  # typed by hand
    assert "Connector A" in get(stack, f"/app/c/{S1}:1", browser)  # the old way still works
    plain = get(stack, f"/app/c/{S1}:2", browser)  # not provisioned: its id
    assert "Connector 2" in plain
    assert "up to" not in plain
    missing = browser.get(f"{stack.base}/app/c/DE*KIO*E0009*Z", timeout=TIMEOUT)
    assert missing.status_code == 404
    # the history says the label too, and a charge what a refund took off it
    start = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    stack.ingest_session(
        S1, "s-7", "pi_account", cost="3.30", energy="6", cdr=sample_cdr(start),
        receipt_token="rcpt_History01234567", payment_method="account", contract_id=CONTRACT,
    )  # fmt: skip
    with stack.db() as s:
        s.add(
            AccountCharge(
                account_id="acc-1",
                station_id=S1,
                session_id="s-7",
                amount=Decimal("3.30"),
                refunded_amount=Decimal("1.10"),
                currency="EUR",
                created_at=start,
            )
        )
        s.commit()
    home = get(stack, "/app/", browser)
    assert re.search(r"· A · 6\.00 kWh · €3\.30", home), home
    assert "s-7 · €2.20 (€3.30, €1.10 refunded)" in home
