"""QR checkout: the page's URL reported, the phone pays or not, abort, a cut-off network."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any

import pytest

from kiosk.domain.payment import DeclineCode
from kiosk.ports import MobilePay, ProviderResult, TerminalPrompt, TerminalStatus
from kiosk.sync.client import BackendClient
from kiosk.sync.qr_pay import QrCheckout
from tests.kiosk.sync.fake_backend import SECRET, STATION, FakeBackend, wait_until
from tests.kiosk.sync.fault_proxy import Fault, FaultProxy

REF = f"{STATION}:session-7"
KEY = "pay-7:authorize:0"


@pytest.fixture(autouse=True)
def _retries_are_logged(expect_warnings: Any) -> None:
    expect_warnings("Retrying (_SigningRetry")


def checkout(proxy: FaultProxy, **options: Any) -> QrCheckout:
    client = BackendClient(proxy.url, STATION, SECRET, read_timeout_s=1, retries=0)
    return QrCheckout(
        client,
        station_id=STATION,
        connector_of=lambda ref: "2",
        poll_s=options.pop("poll_s", 25),
        **options,
    )


class Running:
    """`authorize` on its own thread, as the runtime runs it."""

    def __init__(self, qr: QrCheckout, key: str = KEY) -> None:
        self.statuses: list[TerminalStatus] = []
        self.result: ProviderResult | None = None
        self.done = threading.Event()

        def run() -> None:
            self.result = qr.authorize(
                idempotency_key=key,
                amount=Decimal("30.00"),
                currency="EUR",
                reference=REF,
                on_status=self.statuses.append,
            )
            self.done.set()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def answer(self, timeout: float = 5.0) -> ProviderResult:
        assert self.done.wait(timeout), "authorize did not answer"
        assert self.result is not None
        return self.result


def intent_id(fake: FakeBackend) -> str:
    assert wait_until(lambda: bool(fake.intents_for(REF)))
    return str(fake.intents_for(REF)[0]["id"])


def test_the_url_is_reported_and_a_paid_checkout_is_a_hold(
    proxy: FaultProxy, fake: FakeBackend
) -> None:
    qr = checkout(proxy)
    port: MobilePay = qr  # checked by mypy
    assert isinstance(port, MobilePay)
    running = Running(qr)
    pid = intent_id(fake)
    assert wait_until(lambda: any(s.url for s in running.statuses))
    preparing, status = running.statuses[0], running.statuses[1]
    assert (preparing.prompt, preparing.url) == (TerminalPrompt.SCAN_QR, "")  # page being made
    assert status.prompt is TerminalPrompt.SCAN_QR
    assert status.url.endswith(f"/checkout/{pid}")
    assert status.expires_at is not None
    intent = fake.intents_for(REF)[0]
    assert (intent["kind"], intent["connector_id"], intent["amount"]) == ("qr", "2", "30.00")
    fake.fail_attempt(pid, "card declined")  # the phone may try again: the wait goes on
    time.sleep(0.2)
    assert not running.done.is_set()
    fake.pay(pid)
    result = running.answer()
    assert result.ok
    assert result.provider_ref == pid
    assert result.approved_amount == Decimal("30.00")
    assert result.masked_ref == "VISA •••• 4242"
    assert (result.kind, result.reference) == ("authorize", REF)
    captured = qr.capture(
        idempotency_key="pay-7:capture:1",
        provider_ref=pid,
        amount=Decimal("12.34"),
        currency="EUR",
    )
    assert captured.ok
    assert fake.intents_for(REF)[0]["captured_amount"] == "12.34"


def test_an_expired_page_is_a_timeout(proxy: FaultProxy, fake: FakeBackend) -> None:
    running = Running(checkout(proxy))
    fake.expire(intent_id(fake))
    result = running.answer()
    assert not result.ok
    assert result.code is DeclineCode.TIMEOUT


def test_abort_from_another_thread_answers_within_a_second_and_cancels_the_intent(
    proxy: FaultProxy, fake: FakeBackend
) -> None:
    qr = checkout(proxy, poll_s=25)
    running = Running(qr)
    pid = intent_id(fake)
    time.sleep(0.3)  # in the long poll now
    started = time.monotonic()
    qr.abort()
    result = running.answer(timeout=1.0)
    assert time.monotonic() - started < 1.0
    assert result.code is DeclineCode.ABORTED
    assert fake.intents_for(REF)[0]["status"] == "canceled"
    assert pid == result.provider_ref


def test_abort_while_the_page_is_being_made_answers_at_once_and_cancels_it_when_it_comes(
    proxy: FaultProxy, fake: FakeBackend
) -> None:
    proxy.script(Fault("delay", delay_s=2.0))  # the backend made it; its answer is slow
    qr = checkout(proxy)
    running = Running(qr)
    assert wait_until(lambda: bool(running.statuses))  # "a QR code is coming"
    assert wait_until(lambda: bool(fake.intents_for(REF)))  # created, answer on its way
    started = time.monotonic()
    qr.abort()
    result = running.answer(timeout=1.0)
    assert time.monotonic() - started < 0.5
    assert (result.code, result.provider_ref) == (DeclineCode.ABORTED, None)
    assert [s.url for s in running.statuses] == [""]  # no QR code was shown
    # the page made meanwhile is cancelled as soon as its answer arrives: nobody pays it
    assert wait_until(lambda: fake.intents_for(REF)[0]["status"] == "canceled", 5)


def test_a_cut_off_network_is_unavailable_then_lookup_finds_the_payment(
    proxy: FaultProxy, fake: FakeBackend
) -> None:
    qr = checkout(proxy, poll_s=1, expires_in_s=1, grace_s=0.5)
    proxy.set_default(Fault("drop"))
    proxy.script(Fault("pass"))  # the intent is created; then the network is gone
    running = Running(qr)
    pid = intent_id(fake)
    fake.pay(pid)  # the phone paid; the kiosk cannot hear it
    result = running.answer(timeout=6)
    assert not result.ok
    assert result.code is DeclineCode.UNAVAILABLE
    proxy.set_default(Fault("pass"))
    found = qr.lookup(idempotency_key=KEY)
    assert found is not None
    assert found.ok
    assert found.provider_ref == pid


def test_lookup_of_an_unpaid_checkout_cancels_it(proxy: FaultProxy, fake: FakeBackend) -> None:
    qr = checkout(proxy, poll_s=1)
    running = Running(qr)
    pid = intent_id(fake)
    qr.close()  # the station stops while the phone has not paid
    assert running.answer().code is DeclineCode.UNAVAILABLE
    found = qr.lookup(idempotency_key=KEY)
    assert found is not None
    assert not found.ok
    assert fake.intents_for(REF)[0]["status"] == "canceled"
    assert found.provider_ref == pid
    assert qr.lookup(idempotency_key="never:authorize:0") is None
