"""Refunds through `POST /v1/admin/payment-intents/{id}/refund` (and the station's own
route): at most what was captured, idempotent, kept as rows, and an account hold's refund
taken off that session's account charge, on SQLite and PostgreSQL."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from backend.models import AccountCharge
from backend.payments.models import PspPaymentRow, Refund
from backend.stations import add_account
from tests.backend.conftest import Backend, Station, completed_event

BASE = "/v1/payment-intents"
CONTRACT = "DE-KIO-C00001-7"


def _admin(backend: Backend) -> str:
    return backend.add_operator("ada", "admin")


def _refund_path(intent_id: str) -> str:
    return f"/v1/admin/payment-intents/{intent_id}/refund"


def _captured_qr(backend: Backend, station: Station, amount: str = "12.34") -> dict[str, Any]:
    body = {"kind": "qr", "connector_id": "1", "amount": "30.00", "currency": "EUR"}
    intent = backend.call(station, "POST", BASE, body).json()
    paid = backend.http.post(
        f"{backend.base}/checkout/{intent['id']}/pay",
        data={"method": "visa-ok", "attempt": secrets.token_urlsafe(16)},
        allow_redirects=False,
        timeout=15,
    )
    assert paid.status_code == 303
    captured = backend.call(station, "POST", f"{BASE}/{intent['id']}/capture", {"amount": amount})
    assert captured.json()["status"] == "captured", captured.text
    answer: dict[str, Any] = captured.json()
    return answer


def _refund(
    backend: Backend, token: str, intent_id: str, amount: str, *, key: str = "auto", **extra: Any
) -> Any:
    body = {"amount": amount, "currency": "EUR", "reason": "charger fault", **extra}
    return backend.admin(token, "POST", _refund_path(intent_id), body, key=key)


def test_qr_refunds_up_to_the_capture_idempotent_and_kept(backend: Backend) -> None:
    station, admin = backend.add_station(), _admin(backend)
    intent = _captured_qr(backend, station)
    first = _refund(backend, admin, intent["id"], "2.34", key="refund-1")
    assert first.status_code == 200, first.text
    assert (first.json()["status"], first.json()["refunded_amount"]) == ("captured", "2.34")
    replay = _refund(backend, admin, intent["id"], "2.34", key="refund-1")
    assert (replay.status_code, replay.json()) == (200, first.json())
    assert replay.headers["Idempotent-Replay"] == "true"
    other = _refund(backend, admin, intent["id"], "3.00", key="refund-1")
    assert (other.status_code, other.json()["error"]["code"]) == (409, "idempotency_conflict")
    over = _refund(backend, admin, intent["id"], "10.01")
    assert (over.status_code, over.json()["error"]["code"]) == (422, "amount_too_large")
    assert "10.00" in over.json()["error"]["message"]  # what is left
    rest = _refund(backend, admin, intent["id"], "10.00")
    assert rest.json()["refunded_amount"] == "12.34"
    none_left = _refund(backend, admin, intent["id"], "0.01")
    assert (none_left.status_code, none_left.json()["error"]["code"]) == (422, "amount_too_large")
    with backend.db() as s:
        psp = s.scalars(select(PspPaymentRow)).one()
        rows = s.scalars(select(Refund).order_by(Refund.id)).all()
    assert psp.refunded_amount == Decimal("12.34")  # the PSP gave back the same, once
    assert [(r.amount, r.currency, r.reason, r.principal) for r in rows] == [
        (Decimal("2.34"), "EUR", "charger fault", "operator:ada"),
        (Decimal("10.00"), "EUR", "charger fault", "operator:ada"),
    ]
    assert {r.account_charge_id for r in rows} == {None}
    report = backend.admin(admin, "GET", "/v1/admin/reports/daily?day=2026-12-03").json()
    assert report["refunds"] == [
        {"station_id": station.id, "kind": "qr", "currency": "EUR", "refunds": 2, "amount": "12.34"}
    ]


def test_refused_refunds_say_why_and_change_nothing(backend: Backend, expect_warnings: Any) -> None:
    expect_warnings("auth: operator vera role viewer")
    station, admin = backend.add_station(), _admin(backend)
    viewer = backend.add_operator("vera", "viewer")
    intent = _captured_qr(backend, station)
    refused = [
        (backend.admin(viewer, "POST", _refund_path(intent["id"]), {"amount": "1.00"}), 403),
        (backend.admin(admin, "POST", _refund_path(intent["id"]), {}, key=None), 400),
        (_refund(backend, admin, "pi_nope", "1.00"), 404),
        (_refund(backend, admin, intent["id"], "1.001"), 422),
        (_refund(backend, admin, intent["id"], "0"), 422),
        (_refund(backend, admin, intent["id"], "1.00", currency="CHF"), 422),
        (_refund(backend, admin, intent["id"], "1.00", reason=""), 422),
        (backend.admin(admin, "POST", _refund_path(intent["id"]), {"amount": "1.00"}), 422),
    ]
    assert [r.status_code for r, _ in refused] == [status for _, status in refused]
    codes = [r.json()["error"]["code"] for r, _ in refused]
    assert codes[2:] == [
        "not_found",
        "invalid_amount",
        "invalid_amount",
        "currency_mismatch",
        "invalid_reason",
        "invalid_reason",
    ]
    body = {"kind": "qr", "connector_id": "1", "amount": "30.00", "currency": "EUR"}
    unpaid = backend.call(station, "POST", BASE, body).json()
    early = _refund(backend, admin, unpaid["id"], "1.00")
    assert (early.status_code, early.json()["error"]["code"]) == (409, "invalid_state")
    got = backend.call(station, "GET", f"{BASE}/{intent['id']}").json()
    assert got["refunded_amount"] == "0"
    with backend.db() as s:
        assert s.scalars(select(Refund)).all() == []


def _account_hold(backend: Backend, station: Station, session_id: str) -> dict[str, Any]:
    body = {
        "kind": "account",
        "contract_id": CONTRACT,
        "connector_id": "1",
        "amount": "50.00",
        "currency": "EUR",
        "reference": f"{station.id}:{session_id}",
    }
    intent: dict[str, Any] = backend.call(station, "POST", BASE, body).json()
    assert intent["status"] == "authorized", intent
    return intent


def _bill(backend: Backend, station: Station, session_id: str, payment_ref: str | None) -> None:
    """The session's record arrives: 3.30 billed to the account."""
    event = completed_event(session_id, 3, contract_id=CONTRACT)
    event["payload"]["session"]["payment_ref"] = payment_ref
    r = backend.call(station, "POST", "/v1/events", {"events": [event]})
    assert r.json()["results"][0]["status"] == "accepted", r.text


def test_an_account_refund_is_taken_off_the_sessions_charge(backend: Backend) -> None:
    station, admin = backend.add_station(), _admin(backend)
    with backend.db() as s:
        account = add_account(
            s,
            "ada@example.com",
            password_hash="scrypt$x",
            contract_id=CONTRACT,
            group=None,
            name=None,
            now=backend.clock(),
        )
        s.commit()
    intent = _account_hold(backend, station, "s-1")
    backend.call(station, "POST", f"{BASE}/{intent['id']}/capture", {"amount": "3.30"})
    early = _refund(backend, admin, intent["id"], "1.00")
    assert (early.status_code, early.json()["error"]["code"]) == (409, "not_billed")
    _bill(backend, station, "s-1", intent["id"])
    assert _refund(backend, admin, intent["id"], "1.10").json()["refunded_amount"] == "1.10"
    by_station = backend.call(station, "POST", f"{BASE}/{intent['id']}/refund", {"amount": "2.00"})
    assert by_station.json()["refunded_amount"] == "3.10"
    over = _refund(backend, admin, intent["id"], "0.21")
    assert (over.status_code, over.json()["error"]["code"]) == (422, "amount_too_large")
    # found by the intent's reference too ("<station>:<session id>")
    second = _account_hold(backend, station, "s-2")
    backend.call(station, "POST", f"{BASE}/{second['id']}/capture", {"amount": "3.30"})
    _bill(backend, station, "s-2", None)
    assert _refund(backend, admin, second["id"], "3.30").json()["refunded_amount"] == "3.30"
    with backend.db() as s:
        charges = {c.session_id: c for c in s.scalars(select(AccountCharge))}
        rows = s.scalars(select(Refund).order_by(Refund.id)).all()
    assert {k: (c.account_id, c.amount, c.refunded_amount) for k, c in charges.items()} == {
        "s-1": (account, Decimal("3.30"), Decimal("3.10")),
        "s-2": (account, Decimal("3.30"), Decimal("3.30")),
    }
    assert [(r.amount, r.principal, r.account_charge_id) for r in rows] == [
        (Decimal("1.10"), "operator:ada", charges["s-1"].id),
        (Decimal("2.00"), f"station:{station.id}", charges["s-1"].id),
        (Decimal("3.30"), "operator:ada", charges["s-2"].id),
    ]
    for charge in charges.values():  # the charge's figure is the sum of its refund rows
        refunded = sum((r.amount for r in rows if r.account_charge_id == charge.id), Decimal(0))
        assert charge.refunded_amount == refunded
    report = backend.admin(admin, "GET", "/v1/admin/reports/daily?day=2026-12-03").json()
    assert report["account_charges"] == [
        {"account_id": account, "currency": "EUR", "amount": "6.60"}  # billed, before refunds
    ]
    assert report["refunds"] == [
        {
            "station_id": station.id,
            "kind": "account",
            "currency": "EUR",
            "refunds": 3,
            "amount": "6.40",
        }
    ]
