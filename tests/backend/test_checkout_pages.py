"""The checkout page, its form and status.json over real HTTP (no browser)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from tests.backend.chromium import TIMEOUT, Stack, running_backend, sample_cdr

S1 = "DE-KIO-S1"


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with running_backend(f"sqlite:///{tmp_path / 'backend.db'}") as stack:
        stack.station(S1)
        stack.tariffs(S1, "1")
        yield stack


def get(stack: Stack, path: str, **headers: str) -> requests.Response:
    return requests.get(stack.base + path, headers=headers, timeout=TIMEOUT)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_before_paying_price_hold_expiry_and_test_cards(stack: Stack) -> None:
    intent = stack.create_qr()
    r = get(stack, f"/checkout/{intent['id']}")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "private, no-store"
    assert r.headers["referrer-policy"] == "no-referrer"
    body = text(r.text)
    assert "Connector 1" in body
    assert "Kiosk Hauptstraße" in body
    assert "€0.49/kWh" in body  # the kiosk price screen's words (kiosk.domain.tariff_text)
    assert "incl. 19% VAT" in body
    assert (
        "€30.00 is reserved on your card. You pay only what you charge; "
        "the rest is released when the session ends."
    ) in body
    assert re.search(r"This offer ends in 2:[45]\d", body)
    assert "Test mode" in body
    assert "VISA •••• 4242" in body
    assert 'action="/checkout/' in r.text
    assert "http://" not in r.text.replace(stack.base, "")  # nothing external


def test_german_by_accept_language_and_by_the_switch(stack: Stack) -> None:
    intent = stack.create_qr()
    de = text(get(stack, f"/checkout/{intent['id']}", **{"Accept-Language": "de-DE,de;q=0.9"}).text)
    assert "0,49 €/kWh" in de
    assert "30,00 € werden auf Ihrer Karte reserviert" in de
    switched = requests.get(
        f"{stack.base}/checkout/{intent['id']}?lang=en",
        headers={"Accept-Language": "de"},
        timeout=TIMEOUT,
    )
    assert "is reserved on your card" in switched.text
    assert switched.cookies.get("lang") == "en"


def test_pay_then_paid_live_cost_then_receipt_link(stack: Stack) -> None:
    intent = stack.create_qr()
    r = stack.pay(intent["id"])
    assert r.status_code == 303
    assert r.headers["location"].startswith(f"/checkout/{intent['id']}")
    page = text(get(stack, f"/checkout/{intent['id']}").text)
    assert "Paid — plug in" in page
    assert "Paid with VISA •••• 4242" in page
    status = get(stack, f"/checkout/{intent['id']}/status.json").json()
    assert status == {"status": "authorized", "live": None, "final": None}
    # the station reports the session waiting for the car: still "plug in", no €0.00
    stack.heartbeat_live(S1, "s-1", intent["id"], "0", "0", state="authorized")
    waiting = get(stack, f"/checkout/{intent['id']}/status.json").json()
    assert waiting == {"status": "authorized", "live": None, "final": None}
    assert "Paid — plug in" in text(get(stack, f"/checkout/{intent['id']}").text)
    stack.heartbeat_live(S1, "s-1", intent["id"], "3.210", "1.57")
    live = get(stack, f"/checkout/{intent['id']}/status.json").json()["live"]
    assert live["cost_text"] == "€1.57"
    assert live["energy_text"] == "3.21 kWh"
    stack.call(S1, "POST", f"/v1/payment-intents/{intent['id']}/capture", {"amount": "6.13"})
    start = datetime.now(UTC) - timedelta(hours=1)
    stack.ingest_session(
        S1,
        "s-1",
        intent["id"],
        cost="6.13",
        energy="12.5",
        cdr=sample_cdr(start),
        receipt_token="rcpt_AbCdEf0123456789",
    )
    final = get(stack, f"/checkout/{intent['id']}/status.json").json()["final"]
    assert final["cost_text"] == "€6.13"
    assert final["captured_text"] == "€6.13"
    assert final["receipt_url"] == "/r/rcpt_AbCdEf0123456789?lang=en"
    done = text(get(stack, f"/checkout/{intent['id']}").text)
    assert "Charging finished" in done
    assert "View receipt" in done


def test_declined_card_shows_the_reason_and_lets_try_again(stack: Stack) -> None:
    intent = stack.create_qr()
    stack.pay(intent["id"], "visa-declined")
    page = text(get(stack, f"/checkout/{intent['id']}").text)
    assert "Payment declined: the card was declined. Please try another card." in page
    assert "Pay and reserve €30.00" in page
    stack.pay(intent["id"], "mc-ok")
    assert "Paid — plug in" in text(get(stack, f"/checkout/{intent['id']}").text)


def test_partial_approval_says_what_was_approved(stack: Stack) -> None:
    intent = stack.create_qr()
    stack.pay(intent["id"], "visa-partial")
    page = text(get(stack, f"/checkout/{intent['id']}").text)
    assert "Your bank approved €15.00 of the €30.00 asked for" in page


def test_expired_and_canceled_say_so(stack: Stack) -> None:
    old = stack.create_qr()
    canceled = stack.create_qr()
    stack.call(S1, "POST", f"/v1/payment-intents/{canceled['id']}/cancel")
    stack.clock.offset = timedelta(seconds=171)
    assert "This payment link has expired" in get(stack, f"/checkout/{old['id']}").text
    assert "Payment canceled" in get(stack, f"/checkout/{canceled['id']}").text


def test_unknown_checkout_is_404_and_static_files_are_served(stack: Stack) -> None:
    assert get(stack, "/checkout/pi_doesnotexist0000000000").status_code == 404
    assert get(stack, "/checkout/pi_nope/status.json").status_code == 404
    css = get(stack, "/static/site.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert get(stack, "/static/checkout.js").headers["content-type"].startswith("text/javascript")
    assert get(stack, "/static/..%2Fpsp.py").status_code == 404
    assert get(stack, "/static/nothing.css").status_code == 404
