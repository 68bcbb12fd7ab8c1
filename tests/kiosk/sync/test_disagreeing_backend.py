"""A backend whose answer disagrees with what the kiosk asked: another hold, another
intent, another currency, another amount. None of it is booked as if it agreed."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kiosk.domain.payment import DeclineCode
from kiosk.sync.allow_list import AllowList
from kiosk.sync.client import BackendClient
from kiosk.sync.gateway import BackendGateway
from tests.conftest import ExpectedWarnings
from tests.kiosk.sync.fake_backend import SECRET, STATION, FakeBackend, wait_until
from tests.kiosk.sync.fault_proxy import FaultProxy
from tests.kiosk.sync.test_qr_pay import REF, Running, checkout, intent_id

CONTRACT = "DE-KIO-C00001-7"
Rewrite = Callable[[str, Any], Any]


@pytest.fixture(autouse=True)
def _refusals_are_logged(expect_warnings: ExpectedWarnings) -> None:
    expect_warnings("the operation failed")


def _on(suffix: str, change: Callable[[dict[str, Any]], None]) -> Rewrite:
    """Rewrites the intent in answers to paths ending in `suffix`."""

    def rewrite(path: str, answer: Any) -> Any:
        if path.endswith(suffix) and isinstance(answer, dict) and "status" in answer:
            answer = dict(answer)
            change(answer)
        return answer

    return rewrite


def _gateway(fake: FakeBackend, tmp_path: Path) -> BackendGateway:
    client = BackendClient(fake.url, STATION, SECRET, read_timeout_s=1, retries=0)
    return BackendGateway(
        client,
        AllowList(tmp_path / "allow-list.json"),
        online=lambda: True,
        contract_of=lambda ref: CONTRACT,
    )


def _hold(gw: BackendGateway, key: str = "pay-1:authorize:0") -> str:
    hold = gw.authorize(idempotency_key=key, amount=Decimal("50.00"), currency="EUR", reference=REF)
    assert hold.ok
    return hold.provider_ref or ""


def test_a_checkout_created_for_another_amount_is_cancelled_before_the_driver_sees_it(
    fake: FakeBackend, proxy: FaultProxy
) -> None:
    fake.state.rewrite = _on("/v1/payment-intents", lambda i: i.update(amount="300.00"))
    running = Running(checkout(proxy))
    result = running.answer()
    assert not result.ok
    assert result.code is DeclineCode.DECLINED
    assert result.error == "the backend created a hold of 300.00, the kiosk asked for 30.00"
    assert [s.url for s in running.statuses] == [""]  # no QR: its page shows another hold
    assert fake.intents_for(REF)[0]["status"] == "canceled"


def test_a_poll_answered_about_another_checkout_is_not_taken_as_paid(
    fake: FakeBackend, proxy: FaultProxy
) -> None:
    running = Running(checkout(proxy))
    pid = intent_id(fake)
    assert wait_until(lambda: any(s.url for s in running.statuses))
    fake.state.rewrite = _on(pid, lambda i: i.update(id="pi_someone_elses"))
    fake.pay(pid)
    result = running.answer()
    assert not result.ok
    assert "pi_someone_elses" in (result.error or "")
    fake.state.rewrite = None
    assert fake.intents_for(REF)[0]["status"] == "canceled"  # the driver's money released


def test_an_account_hold_in_another_currency_is_refused_and_released(
    fake: FakeBackend, tmp_path: Path
) -> None:
    fake.state.rewrite = _on("/v1/payment-intents", lambda i: i.update(currency="USD"))
    hold = _gateway(fake, tmp_path).authorize(
        idempotency_key="pay-2:authorize:0",
        amount=Decimal("50.00"),
        currency="EUR",
        reference=REF,
    )
    assert not hold.ok
    assert hold.code is DeclineCode.DECLINED
    assert "USD" in (hold.error or "")
    assert fake.intents_for(REF)[0]["status"] == "canceled"


def test_a_capture_answered_about_another_intent_fails(fake: FakeBackend, tmp_path: Path) -> None:
    gw = _gateway(fake, tmp_path)
    ref = _hold(gw)
    fake.state.rewrite = _on("/capture", lambda i: i.update(id="pi_other"))
    captured = gw.capture(
        idempotency_key="pay-1:capture:1", provider_ref=ref, amount=Decimal("12.34"), currency="EUR"
    )
    assert not captured.ok
    assert (captured.kind, captured.provider_ref) == ("capture", ref)
    assert "pi_other" in (captured.error or "")


def test_a_capture_answered_in_another_currency_fails(fake: FakeBackend, tmp_path: Path) -> None:
    gw = _gateway(fake, tmp_path)
    ref = _hold(gw)
    fake.state.rewrite = _on("/capture", lambda i: i.update(currency="CHF"))
    captured = gw.capture(
        idempotency_key="pay-1:capture:1", provider_ref=ref, amount=Decimal("12.34"), currency="EUR"
    )
    assert not captured.ok
    assert "CHF" in (captured.error or "")


def test_a_capture_of_another_amount_reports_the_backends_amount(
    fake: FakeBackend, tmp_path: Path
) -> None:
    """The backend's word on money wins; the core compares and records the difference
    (tests/kiosk/test_money_safety.py: a capture answered with another amount)."""
    gw = _gateway(fake, tmp_path)
    ref = _hold(gw)
    fake.state.rewrite = _on("/capture", lambda i: i.update(captured_amount="9.99"))
    captured = gw.capture(
        idempotency_key="pay-1:capture:1", provider_ref=ref, amount=Decimal("12.34"), currency="EUR"
    )
    assert captured.ok
    assert (captured.kind, captured.amount) == ("capture", Decimal("9.99"))
