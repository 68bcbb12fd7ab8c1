"""The request signature: the contract's string, on the wire, checked by a server."""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import requests

from kiosk.sync.client import BackendClient, BackendError
from kiosk.sync.signing import StationAuth, sign, string_to_sign, wire_path
from tests.kiosk.sync.fake_backend import SECRET, STATION, FakeBackend


@pytest.fixture
def fake() -> Iterator[FakeBackend]:
    with FakeBackend() as backend:
        yield backend


def test_the_string_to_sign_is_the_contracts() -> None:
    body = b'{"uid":"04A1B2C3D4"}'
    text = string_to_sign(
        "post", "/v1/payment-intents/abc?wait=25", 1764753167, "ab" * 16, "d" * 64
    )
    assert (
        text == "POST\n/v1/payment-intents/abc?wait=25\n1764753167\n" + "ab" * 16 + "\n" + "d" * 64
    )
    expected = hmac.new(
        SECRET.encode(),
        "\n".join(
            ["POST", "/v1/x?a=1", "1764753167", "ab" * 16, hashlib.sha256(body).hexdigest()]
        ).encode(),
        hashlib.sha256,
    ).hexdigest()
    assert sign(SECRET, "POST", "/v1/x?a=1", 1764753167, "ab" * 16, body) == expected


def test_headers_use_the_injected_clock_a_fresh_nonce_and_the_wire_path() -> None:
    auth = StationAuth(STATION, SECRET, clock=lambda: datetime(2026, 12, 3, 9, 12, 47, tzinfo=UTC))
    request = requests.Request(
        "GET", "http://127.0.0.1:1/v1/payment-intents/p%20i?status_not=requires_payment&wait=25"
    ).prepare()
    auth(request)
    first_nonce = request.headers["X-Nonce"]
    assert request.headers["X-Station-Id"] == STATION
    assert request.headers["X-Timestamp"] == "1796289167"
    assert len(first_nonce) == 32
    assert first_nonce == first_nonce.lower()
    assert wire_path(request.url or "") == (
        "/v1/payment-intents/p%20i?status_not=requires_payment&wait=25"
    )
    assert request.headers["X-Signature"] == sign(
        SECRET, "GET", wire_path(request.url or ""), 1796289167, first_nonce, b""
    )
    auth(request)
    assert request.headers["X-Nonce"] != first_nonce
    assert "s3cret" not in repr(auth)


def test_the_server_accepts_signed_requests_and_refuses_a_wrong_secret(
    fake: FakeBackend,
) -> None:
    good = BackendClient(fake.url, STATION, SECRET, retries=0)
    assert good.heartbeat(outbox_pending=0).tariff_version == 1
    intent = good.create_intent(
        idempotency_key="k1",
        kind="qr",
        amount=Decimal("30.00"),
        currency="EUR",
        reference=f"{STATION}:s1",
        connector_id="1",
        expires_in_s=170,
    )
    # a query string and an id in the path are signed as sent
    assert good.get_intent(intent.id, wait_s=1, status_not="authorized").id == intent.id
    bad = BackendClient(fake.url, STATION, "not-the-secret", retries=0)
    with pytest.raises(BackendError) as caught:
        bad.heartbeat(outbox_pending=0)
    assert caught.value.status == 401
    assert caught.value.answered
    skewed = BackendClient(
        fake.url,
        STATION,
        SECRET,
        retries=0,
        clock=lambda: datetime(2020, 1, 1, tzinfo=UTC),
    )
    with pytest.raises(BackendError):
        skewed.heartbeat(outbox_pending=0)
    assert fake.state.auth_failures == ["bad signature", "clock skew"]


@pytest.mark.skipif(
    importlib.util.find_spec("backend.auth") is None, reason="backend.auth not there yet"
)
def test_the_reference_backend_computes_the_same_signature() -> None:
    from backend import auth

    body = b'{"events":[]}'
    ours = sign(SECRET, "POST", "/v1/events", 1796289167, "0f" * 16, body)
    theirs = auth.sign(SECRET, "POST", "/v1/events", 1796289167, "0f" * 16, body)
    assert ours == theirs
