"""The intent service and the simulated PSP on a real SQLite file, without HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from backend.db import Base
from backend.payments.models import PspOperation
from backend.payments.service import (
    AccountStatus,
    IntentError,
    IntentService,
    intent_json,
    new_intent_id,
    parse_amount,
)
from backend.psp import PspRefused, PspStatus, SimulatedPsp


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


ACCOUNTS = {
    "DE-KIO-C00001-7": AccountStatus("acc-1", False, "member"),
    "DE-KIO-C00666-1": AccountStatus("acc-2", True, None),
}


def lookup(session: Session, contract: str) -> AccountStatus | None:
    return ACCOUNTS.get(contract)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'backend.db'}")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def psp(engine: Engine, clock: Clock) -> SimulatedPsp:
    return SimulatedPsp(engine, clock=clock)


def service(engine: Engine, psp: SimulatedPsp, clock: Clock) -> tuple[Session, IntentService]:
    session = Session(engine)
    return session, IntentService(session, psp, clock=clock, accounts=lookup)


QR = {
    "kind": "qr",
    "connector_id": "1",
    "amount": "30.00",
    "currency": "EUR",
    "reference": "DE-KIO-S1:s-1",
    "expires_in_s": 170,
}


def paid_intent(engine: Engine, psp: SimulatedPsp, clock: Clock, card: str = "visa-ok") -> str:
    s, svc = service(engine, psp, clock)
    with s:
        intent = svc.create("S1", QR)
        s.commit()
        outcome = svc.pay(intent.id, card, "attempt-1")
        assert outcome.paid, outcome.message
        return intent.id


def test_ids_are_128_bit_urlsafe() -> None:
    ids = {new_intent_id() for _ in range(200)}
    assert len(ids) == 200
    for i in ids:
        assert i.startswith("pi_")
        assert len(i) == 3 + 22  # 16 bytes in unpadded base64url
        assert all(c.isalnum() or c in "-_" for c in i[3:])


@pytest.mark.parametrize(
    ("text", "zero", "expected"),
    [
        ("30", False, "30.00"),
        ("12.3", False, "12.30"),
        ("0", True, "0.00"),
        ("1.500", False, "1.50"),
    ],
)
def test_amounts_are_exact_in_the_minor_unit(text: str, zero: bool, expected: str) -> None:
    assert str(parse_amount(text, "EUR", zero=zero)) == expected


@pytest.mark.parametrize("bad", ["1.234", "-1", "1e3", "NaN", 12, 12.5, None, "", "0"])
def test_bad_amounts_are_refused(bad: object) -> None:
    with pytest.raises(IntentError) as err:
        parse_amount(bad, "EUR")
    assert err.value.status == 422


def test_lifecycle_pay_capture_less_releases_the_rest(
    engine: Engine, psp: SimulatedPsp, clock: Clock
) -> None:
    intent_id = paid_intent(engine, psp, clock)
    s, svc = service(engine, psp, clock)
    with s:
        intent = svc.load(intent_id, "S1")
        assert intent.status == "authorized"
        assert intent.authorized_amount == Decimal("30.00")
        assert intent.masked_ref == "VISA •••• 4242"
        with pytest.raises(IntentError) as err:
            svc.capture("S1", intent_id, {"amount": "30.01"})
        assert (err.value.status, err.value.code) == (422, "amount_too_large")
        svc.capture("S1", intent_id, {"amount": "12.34"})
        s.commit()
        payment = psp.get(str(intent.psp_payment_id))
        assert payment is not None
        assert payment.status is PspStatus.CAPTURED
        assert payment.captured_amount == Decimal("12.34")
        body = intent_json(intent, "http://127.0.0.1:8765/")
        assert body["status"] == "captured"
        assert body["captured_amount"] == "12.34"
        assert body["checkout_url"] == f"http://127.0.0.1:8765/checkout/{intent_id}"
        with pytest.raises(IntentError) as err:
            svc.capture("S1", intent_id, {"amount": "1.00"})
        assert err.value.status == 409


def test_capture_zero_releases_and_voids_at_the_psp(
    engine: Engine, psp: SimulatedPsp, clock: Clock
) -> None:
    intent_id = paid_intent(engine, psp, clock)
    s, svc = service(engine, psp, clock)
    with s:
        intent = svc.capture("S1", intent_id, {"amount": "0"})
        s.commit()
        assert intent.status == "canceled"
        payment = psp.get(str(intent.psp_payment_id))
        assert payment is not None
        assert payment.status is PspStatus.CANCELED


def test_refund_partial_twice_then_over_refund_refused(
    engine: Engine, psp: SimulatedPsp, clock: Clock
) -> None:
    intent_id = paid_intent(engine, psp, clock)
    s, svc = service(engine, psp, clock)
    with s:
        svc.capture("S1", intent_id, {"amount": "20.00"})
        s.commit()  # one call, one transaction: as the API commits each request
        svc.refund("S1", intent_id, {"amount": "5.00"}, "r1")
        s.commit()
        svc.refund(None, intent_id, {"amount": "10.00"}, "r2")
        s.commit()
        with pytest.raises(IntentError) as err:
            svc.refund("S1", intent_id, {"amount": "5.01"}, "r3")
        assert err.value.code == "amount_too_large"
        intent = svc.load(intent_id, "S1")
        s.commit()
        assert intent.refunded_amount == Decimal("15.00")
        payment = psp.get(str(intent.psp_payment_id))
        assert payment is not None
        assert payment.refunded_amount == Decimal("15.00")


def test_declined_card_keeps_requires_payment_with_the_reason(
    engine: Engine, psp: SimulatedPsp, clock: Clock
) -> None:
    s, svc = service(engine, psp, clock)
    with s:
        intent = svc.create("S1", QR)
        s.commit()
        outcome = svc.pay(intent.id, "mc-funds", "a1")
        assert not outcome.paid
        assert outcome.intent.status == "requires_payment"
        assert outcome.intent.code == "insufficient_funds"
        assert outcome.intent.last_error == "insufficient funds"
        again = svc.pay(intent.id, "visa-ok", "a2")
        assert again.paid
        assert again.intent.last_error is None
        assert again.intent.code is None


def test_partial_approval_authorizes_half(engine: Engine, psp: SimulatedPsp, clock: Clock) -> None:
    intent_id = paid_intent(engine, psp, clock, "visa-partial")
    s, svc = service(engine, psp, clock)
    with s:
        intent = svc.load(intent_id, "S1")
        assert intent.authorized_amount == Decimal("15.00")
        assert intent.amount == Decimal("30.00")
        with pytest.raises(IntentError) as err:  # a card with little on it: no increment
            svc.increment("S1", intent_id, {"amount": "5.00"}, "k1")
        assert err.value.code == "declined"


def test_increment_raises_the_hold(engine: Engine, psp: SimulatedPsp, clock: Clock) -> None:
    intent_id = paid_intent(engine, psp, clock)
    s, svc = service(engine, psp, clock)
    with s:
        intent = svc.increment("S1", intent_id, {"amount": "10.00"}, "k1")
        assert (intent.amount, intent.authorized_amount) == (Decimal("40.00"), Decimal("40.00"))
        s.commit()
        svc.capture("S1", intent_id, {"amount": "39.99"})
        s.commit()
        assert intent.captured_amount == Decimal("39.99")


def test_expiry_is_lazy_and_pay_refuses(engine: Engine, psp: SimulatedPsp, clock: Clock) -> None:
    s, svc = service(engine, psp, clock)
    with s:
        intent = svc.create("S1", QR)
        s.commit()
        clock.now += timedelta(seconds=169)
        assert svc.load(intent.id, "S1").status == "requires_payment"
        clock.now += timedelta(seconds=1)
        outcome = svc.pay(intent.id, "visa-ok", "a1")
        assert not outcome.paid
        assert outcome.intent.status == "expired"
    with Session(engine) as s2:
        assert s2.scalars(select(PspOperation)).all() == []  # the PSP was never asked


def test_cancel_authorized_voids_at_the_psp(
    engine: Engine, psp: SimulatedPsp, clock: Clock
) -> None:
    intent_id = paid_intent(engine, psp, clock)
    s, svc = service(engine, psp, clock)
    with s:
        intent = svc.cancel("S1", intent_id)
        s.commit()
        assert intent.status == "canceled"
        payment = psp.get(str(intent.psp_payment_id))
        assert payment is not None
        assert payment.status is PspStatus.CANCELED
        assert svc.cancel("S1", intent_id).status == "canceled"  # nothing left: as it is


def test_payment_after_cancel_is_voided(engine: Engine, psp: SimulatedPsp, clock: Clock) -> None:
    """The station canceled while the phone's payment was at the PSP."""

    class CancelDuringAuthorize(SimulatedPsp):
        def authorize(self, **kw):  # type: ignore[no-untyped-def]
            answer = super().authorize(**kw)
            with Session(engine) as other:
                IntentService(other, psp, clock=clock, accounts=lookup).cancel("S1", intent.id)
                other.commit()
            return answer

    racing = CancelDuringAuthorize(engine, clock=clock)
    s = Session(engine)
    svc = IntentService(s, racing, clock=clock, accounts=lookup)
    with s:
        intent = svc.create("S1", QR)
        s.commit()
        outcome = svc.pay(intent.id, "visa-ok", "a1")
        assert not outcome.paid
        assert outcome.intent.status == "canceled"
        assert outcome.intent.psp_payment_id is None
    with Session(engine) as s2:
        ops = {op.kind for op in s2.scalars(select(PspOperation))}
    assert ops == {"authorize", "cancel"}


def test_another_stations_intent_is_not_found(
    engine: Engine, psp: SimulatedPsp, clock: Clock
) -> None:
    intent_id = paid_intent(engine, psp, clock)
    s, svc = service(engine, psp, clock)
    with s, pytest.raises(IntentError) as err:
        svc.capture("S2", intent_id, {"amount": "1.00"})
    assert err.value.status == 404


def test_account_holds(engine: Engine, psp: SimulatedPsp, clock: Clock) -> None:
    s, svc = service(engine, psp, clock)
    body = {**QR, "kind": "account", "contract_id": "DE-KIO-C00001-7"}
    with s:
        intent = svc.create("S1", body)
        assert intent.status == "authorized"
        assert intent.authorized_amount == Decimal("30.00")
        assert intent.customer_group == "member"
        assert intent_json(intent, "http://x")["checkout_url"] is None
        svc.capture("S1", intent.id, {"amount": "7.20"})
        assert intent.captured_amount == Decimal("7.20")
        for contract, code in (("DE-KIO-C00666-1", "blocked"), ("NOPE", "unknown_card")):
            with pytest.raises(IntentError) as err:
                svc.create("S1", {**body, "contract_id": contract})
            assert (err.value.status, err.value.code) == (422, code)
    with Session(engine) as s2:
        assert s2.scalars(select(PspOperation)).all() == []  # no PSP for accounts


def test_psp_is_idempotent_by_key_and_refuses_a_reused_key(psp: SimulatedPsp) -> None:
    first = psp.authorize(
        idempotency_key="k", amount=Decimal("5.00"), currency="EUR", method="mc-ok", reference="r"
    )
    again = psp.authorize(
        idempotency_key="k", amount=Decimal("5.00"), currency="EUR", method="mc-ok", reference="r"
    )
    assert again == first
    with pytest.raises(PspRefused) as err:
        psp.authorize(
            idempotency_key="k",
            amount=Decimal("6.00"),
            currency="EUR",
            method="mc-ok",
            reference="r",
        )
    assert err.value.code == "idempotency_conflict"
    captured = psp.capture(idempotency_key="c", payment_id=first.id, amount=Decimal("4.00"))
    assert psp.capture(idempotency_key="c", payment_id=first.id, amount=Decimal("4.00")) == captured
    with pytest.raises(PspRefused) as err:  # once only
        psp.capture(idempotency_key="c2", payment_id=first.id, amount=Decimal("1.00"))
    assert err.value.code == "invalid_state"
    assert psp.find("k") == psp.get(first.id)
    assert psp.find("nope") is None
