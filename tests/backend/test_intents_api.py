"""`/v1/payment-intents` over real HTTP: uvicorn on loopback, a SQLite file, signed calls."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from backend.payments.models import PspPaymentRow
from tests.backend.chromium import Stack, running_backend

S1, S2 = "DE-KIO-S1", "DE-KIO-S2"
BASE = "/v1/payment-intents"


@pytest.fixture
def stack(db_url: str) -> Iterator[Stack]:
    """On a SQLite file and on a real PostgreSQL (tests/backend/conftest.py's db_url)."""
    with running_backend(db_url) as stack:
        stack.station(S1)
        stack.station(S2)
        yield stack


def psp_row(stack: Stack, psp_id: str) -> PspPaymentRow:
    with stack.db() as s:
        row = s.scalars(select(PspPaymentRow).where(PspPaymentRow.id == psp_id)).one()
        s.expunge(row)
        return row


def paid(stack: Stack, card: str = "visa-ok") -> dict[str, Any]:
    intent = stack.create_qr()
    assert stack.pay(intent["id"], card).status_code == 303
    r = stack.call(S1, "GET", f"{BASE}/{intent['id']}")
    answer: dict[str, Any] = r.json()
    return answer


def test_create_answers_the_contracts_intent(stack: Stack) -> None:
    intent = stack.create_qr()
    assert intent["id"].startswith("pi_")
    assert len(intent["id"]) == 25
    assert intent["status"] == "requires_payment"
    assert intent["amount"] == "30.00"
    assert intent["authorized_amount"] is None
    assert intent["captured_amount"] is None
    assert intent["refunded_amount"] == "0"
    assert intent["checkout_url"] == f"{stack.base}/checkout/{intent['id']}"
    assert intent["expires_at"].endswith("Z")
    r = stack.call(S1, "GET", f"{BASE}/{intent['id']}")
    assert r.status_code == 200
    assert r.json() == intent


def test_another_stations_intent_is_not_found(stack: Stack) -> None:
    intent = stack.create_qr()
    r = stack.call(S2, "GET", f"{BASE}/{intent['id']}")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    r = stack.call(S2, "POST", f"{BASE}/{intent['id']}/cancel")
    assert r.status_code == 404
    assert stack.call(S1, "GET", f"{BASE}/{intent['id']}").json()["status"] == "requires_payment"


def test_long_poll_wakes_when_the_phone_pays(stack: Stack) -> None:
    intent = stack.create_qr()
    answers: list[Any] = []
    path = f"{BASE}/{intent['id']}?wait=5&status_not=requires_payment"

    def poll() -> None:
        started = time.monotonic()
        answers.append((stack.call(S1, "GET", path), time.monotonic() - started))

    waiter = threading.Thread(target=poll)
    waiter.start()
    time.sleep(0.6)
    assert not answers  # still waiting
    paid_at = time.monotonic()
    assert stack.pay(intent["id"]).status_code == 303
    waiter.join(10)
    r, _ = answers[0]
    assert r.status_code == 200
    assert r.json()["status"] == "authorized"
    assert r.json()["masked_ref"] == "VISA •••• 4242"
    assert time.monotonic() - paid_at < 1.5  # woke within a few polls, not at the timeout


def test_long_poll_answers_as_is_at_the_timeout(stack: Stack) -> None:
    intent = stack.create_qr()
    started = time.monotonic()
    r = stack.call(S1, "GET", f"{BASE}/{intent['id']}?wait=1&status_not=requires_payment")
    assert 0.8 < time.monotonic() - started < 3
    assert r.json()["status"] == "requires_payment"


def test_capture_exact_and_more_than_authorized_refused(stack: Stack) -> None:
    intent = paid(stack)
    path = f"{BASE}/{intent['id']}/capture"
    r = stack.call(S1, "POST", path, {"amount": "30.01"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "amount_too_large"
    r = stack.call(S1, "POST", path, {"amount": "12.34"}, key="cap-1")
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["captured_amount"]) == ("captured", "12.34")
    row = psp_row(stack, _psp_id(stack, intent["id"]))
    assert (row.status, str(row.captured_amount)) == ("captured", "12.34")
    again = stack.call(S1, "POST", path, {"amount": "12.34"}, key="cap-1")
    assert again.status_code == 200
    assert again.headers["Idempotent-Replay"] == "true"
    assert again.json() == r.json()
    other = stack.call(S1, "POST", path, {"amount": "12.00"}, key="cap-1")
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_conflict"
    twice = stack.call(S1, "POST", path, {"amount": "1.00"})
    assert twice.status_code == 409  # captured once only


def _psp_id(stack: Stack, intent_id: str) -> str:
    from backend.payments.models import PaymentIntent

    with stack.db() as s:
        intent = s.get(PaymentIntent, intent_id)
        assert intent is not None
        assert intent.psp_payment_id is not None
        return intent.psp_payment_id


def test_capture_zero_releases_the_hold(stack: Stack) -> None:
    intent = paid(stack)
    r = stack.call(S1, "POST", f"{BASE}/{intent['id']}/capture", {"amount": "0"})
    assert r.status_code == 200
    assert r.json()["status"] == "canceled"
    assert psp_row(stack, _psp_id(stack, intent["id"])).status == "canceled"


def test_cancel_authorized_voids_at_the_psp(stack: Stack) -> None:
    intent = paid(stack)
    r = stack.call(S1, "POST", f"{BASE}/{intent['id']}/cancel")
    assert r.status_code == 200
    assert r.json()["status"] == "canceled"
    assert psp_row(stack, _psp_id(stack, intent["id"])).status == "canceled"


def test_increment_then_refund_partial_and_over_refund_refused(stack: Stack) -> None:
    intent = paid(stack)
    r = stack.call(S1, "POST", f"{BASE}/{intent['id']}/increment", {"amount": "10.00"})
    assert (r.json()["amount"], r.json()["authorized_amount"]) == ("40.00", "40.00")
    stack.call(S1, "POST", f"{BASE}/{intent['id']}/capture", {"amount": "35.00"})
    refund = f"{BASE}/{intent['id']}/refund"
    assert stack.call(S1, "POST", refund, {"amount": "5.00"}).json()["refunded_amount"] == "5.00"
    assert stack.call(S1, "POST", refund, {"amount": "20.00"}).json()["refunded_amount"] == "25.00"
    over = stack.call(S1, "POST", refund, {"amount": "10.01"})
    assert over.status_code == 422
    assert over.json()["error"]["code"] == "amount_too_large"
    assert str(psp_row(stack, _psp_id(stack, intent["id"])).refunded_amount) == "25.00"


def test_expiry_answers_expired_and_pay_refuses(stack: Stack) -> None:
    intent = stack.create_qr()
    stack.clock.offset = timedelta(seconds=171)
    r = stack.call(S1, "GET", f"{BASE}/{intent['id']}")
    assert r.json()["status"] == "expired"
    assert stack.pay(intent["id"]).status_code == 303
    assert stack.call(S1, "GET", f"{BASE}/{intent['id']}").json()["status"] == "expired"
    with stack.db() as s:
        assert s.scalars(select(PspPaymentRow)).all() == []


def test_declined_card_keeps_requires_payment_with_the_reason(stack: Stack) -> None:
    intent = stack.create_qr()
    stack.pay(intent["id"], "mc-funds")
    r = stack.call(S1, "GET", f"{BASE}/{intent['id']}").json()
    assert r["status"] == "requires_payment"
    assert (r["code"], r["last_error"]) == ("insufficient_funds", "insufficient funds")


def test_account_holds_ok_and_blocked(stack: Stack) -> None:
    stack.account("acc-1", "DE-KIO-C00001-7")
    stack.account("acc-2", "DE-KIO-C00666-1", blocked=True)
    body = {
        "kind": "account",
        "contract_id": "DE-KIO-C00001-7",
        "connector_id": "1",
        "amount": "50.00",
        "currency": "EUR",
        "reference": f"{S1}:s-9",
    }
    r = stack.call(S1, "POST", BASE, body)
    assert r.status_code == 201
    assert (r.json()["status"], r.json()["authorized_amount"]) == ("authorized", "50.00")
    assert r.json()["checkout_url"] is None
    cap = stack.call(S1, "POST", f"{BASE}/{r.json()['id']}/capture", {"amount": "7.20"})
    assert cap.json()["captured_amount"] == "7.20"
    blocked = stack.call(S1, "POST", BASE, {**body, "contract_id": "DE-KIO-C00666-1"})
    assert blocked.status_code == 422
    assert blocked.json()["error"]["code"] == "blocked"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"kind": "qr", "connector_id": "1", "amount": 30.0, "currency": "EUR"}, 422),
        ({"kind": "qr", "connector_id": "1", "amount": "30.001", "currency": "EUR"}, 422),
        ({"kind": "card", "connector_id": "1", "amount": "30", "currency": "EUR"}, 422),
        ({"kind": "qr", "connector_id": "1", "amount": "30", "currency": "XXX"}, 422),
    ],
)
def test_bad_input_is_refused_clearly(stack: Stack, body: dict[str, Any], status: int) -> None:
    r = stack.call(S1, "POST", BASE, body)
    assert r.status_code == status
    assert r.json()["error"]["code"].startswith("invalid_")


def test_a_mutating_call_needs_an_idempotency_key(stack: Stack) -> None:
    intent = stack.create_qr()
    r = stack.call(S1, "POST", f"{BASE}/{intent['id']}/cancel", key=None)
    assert r.status_code == 400
    assert stack.call(S1, "GET", f"{BASE}/{intent['id']}").json()["status"] == "requires_payment"
