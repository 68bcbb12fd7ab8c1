"""The account gateway: token checks and account holds at the backend, the allow-list offline."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kiosk.domain.payment import DeclineCode
from kiosk.ports import PaymentGateway
from kiosk.sync.allow_list import AllowList
from kiosk.sync.client import BackendClient
from kiosk.sync.gateway import BackendGateway
from kiosk.sync.wire import AllowListToken
from tests.kiosk.sync.fake_backend import SECRET, STATION, FakeBackend
from tests.kiosk.sync.fault_proxy import Fault, FaultProxy

MEMBER = "04A1B2C3D4"
CONTRACT = "DE-KIO-C00001-7"
REF = f"{STATION}:session-1"


@pytest.fixture(autouse=True)
def _retries_are_logged(expect_warnings: Any) -> None:
    expect_warnings("Retrying (_SigningRetry")


@pytest.fixture
def fake() -> Iterator[FakeBackend]:
    with FakeBackend() as backend:
        backend.state.accounts[MEMBER] = {
            "allowed": True,
            "group": "member",
            "contract_id": CONTRACT,
            "reason": None,
            "code": None,
        }
        backend.state.accounts["04B10C4ED0"] = {
            "allowed": False,
            "group": None,
            "contract_id": None,
            "reason": "blocked by the operator",
            "code": "blocked",
        }
        yield backend


@pytest.fixture
def proxy(fake: FakeBackend) -> Iterator[FaultProxy]:
    with FaultProxy(fake.port) as p:
        yield p


@pytest.fixture
def allow_list(tmp_path: Path) -> AllowList:
    allow = AllowList(tmp_path / "allow-list.json")
    allow.replace(
        1,
        [
            AllowListToken(MEMBER, "ALLOWED_OFFLINE", True, CONTRACT, "member"),
            AllowListToken("0455AFF001", "ALLOWED", True, "DE-KIO-C00100-1", "staff"),
        ],
    )
    return allow


class Online:
    def __init__(self) -> None:
        self.value = True

    def __call__(self) -> bool:
        return self.value


def gateway(proxy: FaultProxy, allow_list: AllowList, online: Online) -> BackendGateway:
    client = BackendClient(proxy.url, STATION, SECRET, read_timeout_s=1, retries=1)
    return BackendGateway(client, allow_list, online=online)


def test_it_is_a_payment_gateway(proxy: FaultProxy, allow_list: AllowList) -> None:
    port: PaymentGateway = gateway(proxy, allow_list, Online())  # checked by mypy
    assert port.authorize_token("0499999999").code is DeclineCode.UNKNOWN_CARD


def test_online_the_backend_decides(proxy: FaultProxy, allow_list: AllowList) -> None:
    gw = gateway(proxy, allow_list, Online())
    found = gw.authorize_token(MEMBER, "1")
    assert found.allowed
    assert (found.customer_group, found.contract_id) == ("member", CONTRACT)
    blocked = gw.authorize_token("04B10C4ED0")
    assert not blocked.allowed
    assert blocked.code is DeclineCode.BLOCKED
    assert blocked.reason == "blocked by the operator"
    assert gw.authorize_token("0455AFF001").code is DeclineCode.UNKNOWN_CARD  # backend says


def test_no_answer_falls_back_to_the_offline_list(
    proxy: FaultProxy, allow_list: AllowList, expect_warnings: Any
) -> None:
    expect_warnings("the offline list decides")
    proxy.set_default(Fault("drop"))
    gw = gateway(proxy, allow_list, Online())
    assert gw.authorize_token(MEMBER).allowed
    staff = gw.authorize_token("0455AFF001")  # ALLOWED: only with the backend
    assert not staff.allowed
    assert staff.code is DeclineCode.UNAVAILABLE


def test_offline_nothing_is_asked(proxy: FaultProxy, allow_list: AllowList) -> None:
    online = Online()
    online.value = False
    gw = gateway(proxy, allow_list, online)
    assert gw.authorize_token(MEMBER).allowed
    hold = gw.authorize(
        idempotency_key="pay-1:authorize:0", amount=Decimal("50.00"), currency="EUR", reference=REF
    )
    assert hold.ok
    assert hold.provider_ref == "offline:pay-1:authorize:0"
    assert (hold.amount, hold.kind, hold.reference) == (Decimal("50.00"), "authorize", REF)
    more = gw.increment(
        idempotency_key="pay-1:increment:1",
        provider_ref=hold.provider_ref,
        amount=Decimal("10"),
        currency="EUR",
    )
    assert more.ok
    assert more.approved_amount == Decimal("10")
    capture = gw.capture(
        idempotency_key="pay-1:capture:2",
        provider_ref=hold.provider_ref,
        amount=Decimal("12.34"),
        currency="EUR",
    )
    assert capture.ok
    assert capture.amount == Decimal("12.34")
    assert proxy.count() == 0


def test_offline_a_card_not_on_the_list_gets_no_hold(
    proxy: FaultProxy, allow_list: AllowList, expect_warnings: Any
) -> None:
    expect_warnings("account hold: the backend did not answer")
    gw = gateway(proxy, allow_list, Online())
    assert gw.authorize_token("0455AFF001").code is DeclineCode.UNKNOWN_CARD
    gw.authorize_token(MEMBER)
    proxy.set_default(Fault("drop"))
    hold = gw.authorize(
        idempotency_key="pay-2:authorize:0", amount=Decimal("50"), currency="EUR", reference=REF
    )
    assert hold.ok  # the member is ALLOWED_OFFLINE: granted locally
    assert (hold.provider_ref or "").startswith("offline:")
    allow_list.replace(2, [])  # no longer on the offline list
    refused = gw.authorize(
        idempotency_key="pay-3:authorize:0", amount=Decimal("50"), currency="EUR", reference=REF
    )
    assert not refused.ok
    assert refused.code is DeclineCode.UNAVAILABLE


def test_account_holds_are_payment_intents(
    proxy: FaultProxy, allow_list: AllowList, fake: FakeBackend
) -> None:
    contracts: list[str] = []

    def contract_of(reference: str) -> str:
        contracts.append(reference)
        return CONTRACT

    client = BackendClient(proxy.url, STATION, SECRET, read_timeout_s=1, retries=1)
    gw = BackendGateway(
        client,
        allow_list,
        online=Online(),
        contract_of=contract_of,
        connector_of=lambda ref: "2",
    )
    hold = gw.authorize(
        idempotency_key="pay-4:authorize:0", amount=Decimal("50.00"), currency="EUR", reference=REF
    )
    assert hold.ok
    assert contracts == [REF]
    assert (hold.provider_ref or "").startswith("pi_")
    assert (hold.amount, hold.approved_amount, hold.kind, hold.reference) == (
        Decimal("50.00"),
        Decimal("50.00"),
        "authorize",
        REF,
    )
    intent = fake.state.intents[hold.provider_ref or ""]
    assert (intent["kind"], intent["contract_id"], intent["connector_id"]) == (
        "account",
        CONTRACT,
        "2",
    )
    ref = hold.provider_ref or ""
    assert gw.increment(
        idempotency_key="pay-4:increment:1", provider_ref=ref, amount=Decimal("10"), currency="EUR"
    ).ok
    captured = gw.capture(
        idempotency_key="pay-4:capture:2", provider_ref=ref, amount=Decimal("12.34"), currency="EUR"
    )
    assert captured.ok
    assert captured.amount == Decimal("12.34")
    assert fake.state.intents[ref]["status"] == "captured"
    # what became of each key, as the core asks after a crash
    found = gw.lookup(idempotency_key="pay-4:capture:2")
    assert found is not None
    assert (found.ok, found.kind, found.amount) == (True, "capture", Decimal("12.34"))
    first = gw.lookup(idempotency_key="pay-4:authorize:0")
    assert first is not None
    assert (first.ok, first.kind, first.amount, first.reference) == (
        True,
        "authorize",
        Decimal("50.00"),
        REF,
    )
    assert gw.lookup(idempotency_key="pay-9:authorize:0") is None


def test_a_refused_hold_carries_the_backends_code(
    proxy: FaultProxy, allow_list: AllowList, fake: FakeBackend
) -> None:
    fake.state.declined_contracts[CONTRACT] = "insufficient_funds"
    gw = gateway(proxy, allow_list, Online())
    gw.authorize_token(MEMBER)
    hold = gw.authorize(
        idempotency_key="pay-5:authorize:0", amount=Decimal("50"), currency="EUR", reference=REF
    )
    assert not hold.ok
    assert hold.code is DeclineCode.INSUFFICIENT_FUNDS
    void = gw.void(
        idempotency_key="pay-5:void:1",
        provider_ref="pi_nothing",
        amount=Decimal("50"),
        currency="EUR",
    )
    assert not void.ok
    assert void.code is DeclineCode.DECLINED  # 404 not_found: not a code we know
