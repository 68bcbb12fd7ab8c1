"""The payment service provider behind the QR checkout: a port, and a simulated PSP.

`Psp` is what the payment intents need of a card acquirer with manual capture, as the big
PSPs' APIs and test modes offer it: authorize a hold, raise it, capture at most the
authorized amount once (the rest is released), void an uncaptured hold, refund up to the
captured amount in one or several parts. Every call carries an idempotency key; the same
key answers the first answer again, so a call can be repeated after a crash or a timeout.

`SimulatedPsp` is durable in the backend's own database (tables `psp_payments` and
`psp_operations`), so it outlives a restart and is shared by every backend instance. Its
test cards choose the outcome (approve, decline, insufficient funds, partial approval);
it never sees or keeps a card number: only the test card's label ("VISA •••• 4242").
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Final, Protocol

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.payments.models import PspOperation, PspPaymentRow
from kiosk.domain.money import round_to_minor
from kiosk.domain.payment import DeclineCode

__all__ = [
    "TEST_CARDS",
    "Psp",
    "PspPayment",
    "PspRefused",
    "PspStatus",
    "SimulatedPsp",
    "TestCard",
]

log = logging.getLogger(__name__)


class PspStatus(Enum):
    AUTHORIZED = "authorized"
    CAPTURED = "captured"  # refunds (parts of) it later: refunded_amount says how much
    CANCELED = "canceled"  # voided before capture: nothing was taken
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class PspPayment:
    """A payment as the PSP answers it; amounts exact, in `currency`."""

    id: str
    status: PspStatus
    currency: str
    requested_amount: Decimal
    authorized_amount: Decimal
    captured_amount: Decimal
    refunded_amount: Decimal
    reference: str
    masked_card: str | None
    decline_code: DeclineCode | None
    decline_reason: str | None


@dataclass(frozen=True, slots=True)
class TestCard:
    """A payment method the test PSP offers on the checkout page."""

    id: str
    label: str
    masked: str  # what a receipt may show; the test card has no number at all
    outcome: str  # "approve", "decline", "partial"
    reason: str = ""
    code: DeclineCode | None = None


TEST_CARDS: Final[tuple[TestCard, ...]] = (
    TestCard("visa-ok", "Visa, approved", "VISA •••• 4242", "approve"),
    TestCard("mc-ok", "Mastercard, approved", "MC •••• 4444", "approve"),
    TestCard(
        "visa-declined",
        "Visa, declined",
        "VISA •••• 0002",
        "decline",
        "card declined",
        DeclineCode.DECLINED,
    ),
    TestCard(
        "mc-funds",
        "Mastercard, no funds",
        "MC •••• 9995",
        "decline",
        "insufficient funds",
        DeclineCode.INSUFFICIENT_FUNDS,
    ),
    TestCard("visa-partial", "Visa, partial approval (half)", "VISA •••• 1881", "partial"),
)


class PspRefused(Exception):
    """The PSP refused the call itself (state, amount, unknown payment, reused key)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Psp(Protocol):
    """A card acquirer with manual capture. Amounts are positive, in the minor unit."""

    @property
    def test_mode(self) -> bool:
        """True when no real money moves (the checkout page says so)."""
        ...

    def payment_methods(self) -> Sequence[TestCard]:
        """What the checkout page offers to pay with."""
        ...

    def authorize(
        self, *, idempotency_key: str, amount: Decimal, currency: str, method: str, reference: str
    ) -> PspPayment:
        """A hold of `amount` (or less: a partial approval); a decline is a DECLINED payment."""
        ...

    def increment(self, *, idempotency_key: str, payment_id: str, amount: Decimal) -> PspPayment:
        """Raise an authorized hold by `amount`; PspRefused("declined") when not approved."""
        ...

    def capture(self, *, idempotency_key: str, payment_id: str, amount: Decimal) -> PspPayment:
        """Take `amount` ≤ authorized, once; the rest of the hold is released."""
        ...

    def cancel(self, *, idempotency_key: str, payment_id: str) -> PspPayment:
        """Void an uncaptured hold."""
        ...

    def refund(self, *, idempotency_key: str, payment_id: str, amount: Decimal) -> PspPayment:
        """Give back `amount`; all refunds together at most the captured amount."""
        ...

    def get(self, payment_id: str) -> PspPayment | None: ...

    def find(self, idempotency_key: str) -> PspPayment | None:
        """The payment a key's call made or changed, if the PSP got that call."""
        ...


def _now() -> datetime:
    return datetime.now(UTC)


def _payment(row: PspPaymentRow) -> PspPayment:
    return PspPayment(
        id=row.id,
        status=PspStatus(row.status),
        currency=row.currency,
        requested_amount=row.requested_amount,
        authorized_amount=row.authorized_amount,
        captured_amount=row.captured_amount,
        refunded_amount=row.refunded_amount,
        reference=row.reference,
        masked_card=row.masked_card,
        decline_code=None if row.decline_code is None else DeclineCode(row.decline_code),
        decline_reason=row.decline_reason,
    )


def _to_json(p: PspPayment) -> dict[str, Any]:
    return {
        "id": p.id,
        "status": p.status.value,
        "currency": p.currency,
        "requested_amount": str(p.requested_amount),
        "authorized_amount": str(p.authorized_amount),
        "captured_amount": str(p.captured_amount),
        "refunded_amount": str(p.refunded_amount),
        "reference": p.reference,
        "masked_card": p.masked_card,
        "decline_code": None if p.decline_code is None else p.decline_code.value,
        "decline_reason": p.decline_reason,
    }


def _from_json(d: Mapping[str, Any]) -> PspPayment:
    return PspPayment(
        id=d["id"],
        status=PspStatus(d["status"]),
        currency=d["currency"],
        requested_amount=Decimal(d["requested_amount"]),
        authorized_amount=Decimal(d["authorized_amount"]),
        captured_amount=Decimal(d["captured_amount"]),
        refunded_amount=Decimal(d["refunded_amount"]),
        reference=d["reference"],
        masked_card=d["masked_card"],
        decline_code=None if d["decline_code"] is None else DeclineCode(d["decline_code"]),
        decline_reason=d["decline_reason"],
    )


def _positive(amount: Decimal, currency: str) -> None:
    if not amount.is_finite() or amount <= 0 or round_to_minor(amount, currency) != amount:
        raise PspRefused("amount_invalid", f"not a positive amount in {currency}: {amount}")


class SimulatedPsp:
    """A test-mode PSP in the backend database; thread-safe, shared by instances."""

    def __init__(
        self,
        engine: Engine,
        *,
        cards: Sequence[TestCard] = TEST_CARDS,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._engine = engine
        self._cards = {card.id: card for card in cards}
        self._clock = clock

    @property
    def test_mode(self) -> bool:
        return True

    def payment_methods(self) -> Sequence[TestCard]:
        return tuple(self._cards.values())

    # ------------------------------------------------------------------ the calls

    def authorize(
        self, *, idempotency_key: str, amount: Decimal, currency: str, method: str, reference: str
    ) -> PspPayment:
        request = {"amount": str(amount), "currency": currency, "method": method, "ref": reference}

        def do(s: Session) -> PspRefused | PspPaymentRow:
            card = self._cards.get(method)
            if card is None:
                return PspRefused("unknown_method", f"no such test card: {method!r}")
            try:
                _positive(amount, currency)
            except PspRefused as exc:
                return exc
            now = self._clock()
            if card.outcome == "decline":
                authorized, status = Decimal(0), PspStatus.DECLINED
            elif card.outcome == "partial":
                authorized, status = round_to_minor(amount / 2, currency), PspStatus.AUTHORIZED
            else:
                authorized, status = amount, PspStatus.AUTHORIZED
            row = PspPaymentRow(
                id="psp_" + secrets.token_hex(12),
                status=status.value,
                currency=currency,
                requested_amount=amount,
                authorized_amount=authorized,
                captured_amount=Decimal(0),
                refunded_amount=Decimal(0),
                reference=reference,
                method=card.id,
                masked_card=card.masked,
                decline_code=None if card.code is None else card.code.value,
                decline_reason=card.reason or None,
                created_at=now,
                updated_at=now,
            )
            s.add(row)
            return row

        return self._operation(idempotency_key, "authorize", None, request, do)

    def increment(self, *, idempotency_key: str, payment_id: str, amount: Decimal) -> PspPayment:
        def do(s: Session) -> PspRefused | PspPaymentRow:
            row = self._locked(s, payment_id)
            if row is None:
                return PspRefused("not_found", f"no payment {payment_id}")
            try:
                _positive(amount, row.currency)
            except PspRefused as exc:
                return exc
            if row.status != PspStatus.AUTHORIZED.value:
                return PspRefused("invalid_state", f"payment {payment_id} is {row.status}")
            if self._cards[row.method].outcome != "approve":
                return PspRefused("declined", "increment declined: insufficient funds")
            row.authorized_amount += amount
            row.requested_amount += amount
            row.updated_at = self._clock()
            return row

        return self._operation(
            idempotency_key, "increment", payment_id, {"amount": str(amount)}, do
        )

    def capture(self, *, idempotency_key: str, payment_id: str, amount: Decimal) -> PspPayment:
        def do(s: Session) -> PspRefused | PspPaymentRow:
            row = self._locked(s, payment_id)
            if row is None:
                return PspRefused("not_found", f"no payment {payment_id}")
            try:
                _positive(amount, row.currency)
            except PspRefused as exc:
                return exc
            if row.status != PspStatus.AUTHORIZED.value:
                return PspRefused("invalid_state", f"payment {payment_id} is {row.status}")
            if amount > row.authorized_amount:
                return PspRefused(
                    "amount_too_large",
                    f"capture {amount} exceeds the authorized {row.authorized_amount}",
                )
            row.captured_amount = amount
            row.status = PspStatus.CAPTURED.value
            row.updated_at = self._clock()
            return row

        return self._operation(idempotency_key, "capture", payment_id, {"amount": str(amount)}, do)

    def cancel(self, *, idempotency_key: str, payment_id: str) -> PspPayment:
        def do(s: Session) -> PspRefused | PspPaymentRow:
            row = self._locked(s, payment_id)
            if row is None:
                return PspRefused("not_found", f"no payment {payment_id}")
            if row.status != PspStatus.AUTHORIZED.value:
                return PspRefused("invalid_state", f"payment {payment_id} is {row.status}")
            row.status = PspStatus.CANCELED.value
            row.updated_at = self._clock()
            return row

        return self._operation(idempotency_key, "cancel", payment_id, {}, do)

    def refund(self, *, idempotency_key: str, payment_id: str, amount: Decimal) -> PspPayment:
        def do(s: Session) -> PspRefused | PspPaymentRow:
            row = self._locked(s, payment_id)
            if row is None:
                return PspRefused("not_found", f"no payment {payment_id}")
            try:
                _positive(amount, row.currency)
            except PspRefused as exc:
                return exc
            if row.status != PspStatus.CAPTURED.value:
                return PspRefused("invalid_state", f"payment {payment_id} is {row.status}")
            if row.refunded_amount + amount > row.captured_amount:
                left = row.captured_amount - row.refunded_amount
                return PspRefused(
                    "amount_too_large", f"refund {amount} exceeds what is left to refund ({left})"
                )
            row.refunded_amount += amount
            row.updated_at = self._clock()
            return row

        return self._operation(idempotency_key, "refund", payment_id, {"amount": str(amount)}, do)

    def get(self, payment_id: str) -> PspPayment | None:
        with Session(self._engine) as s:
            row = s.get(PspPaymentRow, payment_id)
            return None if row is None else _payment(row)

    def find(self, idempotency_key: str) -> PspPayment | None:
        with Session(self._engine) as s:
            op = s.get(PspOperation, idempotency_key)
            answer = None if op is None else json.loads(op.answer)
            if answer is None or "error" in answer:
                return None
            payment = _from_json(answer)
        return self.get(payment.id)

    # ------------------------------------------------------------------ internals

    @staticmethod
    def _locked(s: Session, payment_id: str) -> PspPaymentRow | None:
        return s.get(PspPaymentRow, payment_id, with_for_update=True)

    def _operation(
        self,
        key: str,
        kind: str,
        payment_id: str | None,
        request: dict[str, str],
        do: Callable[[Session], PspRefused | PspPaymentRow],
    ) -> PspPayment:
        """One call, one transaction: its answer is stored under its key with its effect."""
        if not key or len(key) > 160:
            raise PspRefused("bad_key", "an idempotency key of 1 to 160 characters is needed")
        asked = json.dumps({"kind": kind, "payment": payment_id, **request}, sort_keys=True)
        for _ in range(2):  # a second round only when another call took the key meanwhile
            try:
                with Session(self._engine) as s, s.begin():
                    known = s.get(PspOperation, key)
                    if known is not None:
                        return self._replay(known, asked)
                    outcome = do(s)
                    if isinstance(outcome, PspRefused):
                        answer: dict[str, Any] = {
                            "error": {"code": outcome.code, "message": outcome.message}
                        }
                        target = payment_id
                    else:
                        s.flush()
                        answer = _to_json(_payment(outcome))
                        target = outcome.id
                    s.add(
                        PspOperation(
                            key=key,
                            kind=kind,
                            payment_id=target,
                            request=asked,
                            answer=json.dumps(answer, sort_keys=True),
                            created_at=self._clock(),
                        )
                    )
            except IntegrityError:
                continue
            if isinstance(outcome, PspRefused):
                log.info("psp: %s %s refused: %s", kind, payment_id or "-", outcome.message)
                raise outcome
            log.info(
                "psp: %s %s %s %s", kind, answer["id"], answer["status"], request.get("amount", "")
            )
            return _from_json(answer)
        raise PspRefused("in_progress", f"key {key} is being used by another call")

    @staticmethod
    def _replay(known: PspOperation, asked: str) -> PspPayment:
        if known.request != asked:
            raise PspRefused("idempotency_conflict", "this key was used for another call")
        answer = json.loads(known.answer)
        if "error" in answer:
            raise PspRefused(answer["error"]["code"], answer["error"]["message"])
        return _from_json(answer)
