"""The web pages in a real headless Chromium at phone size, against a real uvicorn backend.

With KIOSK_SCREENSHOTS=1 the tests also write docs/screenshots/checkout/*.png.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from backend.connectors import ConnectorSpec, put_connectors
from backend.web.app_auth import hash_password
from tests.backend.chromium import Stack, running_backend, sample_cdr
from tests.backend.test_receipts_web import SELLER

S1 = "DE-KIO-S1"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "checkout"
EMAIL, PASSWORD = "alex@example.org", "correct horse battery"
EVSE = "DE*KIO*E0001*A"


def shot(page: Any, name: str) -> None:
    if os.environ.get("KIOSK_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with running_backend(f"sqlite:///{tmp_path / 'backend.db'}") as stack:
        stack.station(S1)
        stack.tariffs(S1, "1")
        with stack.db() as s:  # as the operator provisions the station
            put_connectors(s, S1, [ConnectorSpec("1", "A", EVSE, max_power_kw=Decimal("22"))])
            s.commit()
        yield stack


def test_checkout_pay_live_cost_receipt(stack: Stack, phone: Any) -> None:
    intent = stack.create_qr()
    phone.goto(intent["checkout_url"])
    assert "Connector A" in phone.inner_text("body")  # as the kiosk names it
    assert phone.locator("#price").inner_text().count("€0.49/kWh") == 1
    hold = phone.locator("#hold")
    assert hold.is_visible()
    assert "€30.00 is reserved on your card" in hold.inner_text()
    assert "the rest is released when the session ends" in hold.inner_text()
    countdown = phone.locator("#countdown")
    first = countdown.inner_text()
    assert re.fullmatch(r"2:[45]\d", first)
    expect(countdown).not_to_have_text(first)  # it counts down (the page's script runs)
    assert phone.locator(".testmode").is_visible()
    box = phone.locator("#pay").bounding_box()
    assert box is not None
    assert box["height"] >= 48  # a thumb's target
    assert box["width"] <= 390
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    shot(phone, "1-before-paying")

    phone.locator("#pay").click()
    phone.locator("#paid").wait_for()
    assert "Paid — plug in" in phone.locator("#paid").inner_text()
    assert phone.locator("#live-wait").is_visible()

    stack.heartbeat_live(S1, "s-1", intent["id"], "7.420", "3.64")
    expect(phone.locator("#live-cost")).to_have_text("€3.64")  # polled from status.json
    assert phone.locator("#live-energy").inner_text() == "7.42 kWh"
    shot(phone, "3-paid-charging-live-cost")

    stack.call(S1, "POST", f"/v1/payment-intents/{intent['id']}/capture", {"amount": "6.13"})
    start = datetime.now(UTC) - timedelta(minutes=55)
    stack.ingest_session(
        S1,
        "s-1",
        intent["id"],
        cost="6.13",
        energy="12.5",
        cdr=sample_cdr(start),
        receipt_token="rcpt_Chromium000000001",
        evse_id=EVSE,
        session={"seller": SELLER, "tz": "Europe/Berlin"},
    )
    link = phone.locator("#receipt-link")
    link.wait_for(state="visible")
    assert phone.locator("#final-cost").inner_text() == "€6.13"
    assert phone.locator("#final-captured").inner_text() == "€6.13"
    assert not phone.locator("#live").is_visible()
    assert not phone.locator("#paid").is_visible()
    shot(phone, "4-done-receipt-link")

    link.click()
    phone.wait_for_url("**/r/rcpt_Chromium000000001*")
    assert phone.locator("#total").inner_text() == "€6.13"
    assert "VISA •••• 4242" in phone.locator("#payment").inner_text()
    assert "VAT ID DE123456789" in phone.locator("#seller").inner_text()
    shot(phone, "5-receipt")
    pdf = phone.request.get(stack.base + (phone.locator("#pdf").get_attribute("href") or ""))
    assert pdf.ok
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")


def test_declined_card_then_another(stack: Stack, phone: Any) -> None:
    intent = stack.create_qr()
    phone.goto(intent["checkout_url"] + "?lang=de")
    hold = phone.locator("#hold").inner_text().replace("\xa0", " ")
    assert "30,00 € werden auf Ihrer Karte reserviert" in hold
    phone.locator("input[value=mc-funds]").check()
    phone.locator("#pay").click()
    error = phone.locator("#error")
    error.wait_for()
    assert "Zahlung abgelehnt: nicht genügend Guthaben" in error.inner_text()
    shot(phone, "2-declined")
    phone.locator("input[value=visa-ok]").check()
    phone.locator("#pay").click()
    phone.locator("#paid").wait_for()
    assert "Bezahlt" in phone.locator("#paid").inner_text()


def test_the_page_follows_a_cancel_at_the_station(stack: Stack, phone: Any) -> None:
    intent = stack.create_qr()
    phone.goto(intent["checkout_url"])
    stack.call(S1, "POST", f"/v1/payment-intents/{intent['id']}/cancel")
    phone.locator("#canceled").wait_for(timeout=10_000)  # the page polls every 5 s
    assert "Payment canceled" in phone.locator("#canceled").inner_text()


def test_app_sign_in_and_start(stack: Stack, phone: Any) -> None:
    stack.account("acc-1", "DE-KIO-C00001-7", email=EMAIL, password_hash=hash_password(PASSWORD))
    phone.goto(f"{stack.base}/app/c/{quote(EVSE)}")  # the EVSE id printed on the station
    phone.wait_for_url(re.compile(r".*/app/login\?next="))
    phone.locator("#email").fill(EMAIL)
    phone.locator("#password").fill("wrong")
    phone.locator("#sign-in").click()
    assert "E-mail or password is wrong." in phone.locator("#error").inner_text()
    phone.locator("#email").fill(EMAIL)
    phone.locator("#password").fill(PASSWORD)
    phone.locator("#sign-in").click()
    phone.wait_for_url(re.compile(r".*/app/c/DE(\*|%2A)KIO(\*|%2A)E0001(\*|%2A)A$"))
    assert "€0.35/kWh" in phone.locator("#price").inner_text()
    phone.locator("#start").click()
    status = phone.locator("#command")
    status.wait_for()
    assert "waiting for its answer" in status.inner_text()
    assert phone.locator("#start").count() == 0
    assert phone.locator(".testmode").count() == 0  # the test PSP's note is the checkout's
    shot(phone, "6-app-connector")
    with stack.db() as s:
        from backend.models import Command

        command = s.query(Command).one()
        assert (command.type, command.account_id) == ("start", "acc-1")
