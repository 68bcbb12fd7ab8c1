"""The Payment aggregate: one hold, captured or voided exactly once.

Every operation that leaves the process (authorize, increment, capture, void) is
first recorded with its idempotency key; the caller persists that record before it
talks to the provider, so a crash can always be resolved by asking the provider
about the key. Invariants: captured <= authorized; a zero cost voids instead of
capturing zero; every authorization ends captured or voided (or declined/failed).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Final

from kiosk.domain.errors import BugError

__all__ = [
    "InvalidPaymentTransition",
    "OperationKind",
    "OperationState",
    "Payment",
    "PaymentMethod",
    "PaymentOperation",
    "PaymentState",
]

log = logging.getLogger(__name__)


class PaymentMethod(Enum):
    ACCOUNT_TOKEN = "account_token"  # noqa: S105 - RFID card or key fob billed to an account
    BANK_CARD = "bank_card"  # pre-authorization on a payment terminal
    QR_WEB = "qr_web"  # phone pays on the backend's checkout page


class PaymentState(Enum):
    CREATED = "created"
    AUTH_PENDING = "auth_pending"
    AUTHORIZED = "authorized"
    DECLINED = "declined"
    CAPTURE_PENDING = "capture_pending"
    CAPTURED = "captured"
    VOID_PENDING = "void_pending"
    VOIDED = "voided"
    EXPIRED = "expired"  # the provider let the hold lapse before we captured
    FAILED = "failed"  # the provider refused an operation we cannot retry

    @property
    def is_final(self) -> bool:
        return self in _FINAL


_FINAL: Final = frozenset(
    {
        PaymentState.DECLINED,
        PaymentState.CAPTURED,
        PaymentState.VOIDED,
        PaymentState.EXPIRED,
        PaymentState.FAILED,
    }
)


class OperationKind(Enum):
    AUTHORIZE = "authorize"
    INCREMENT = "increment"
    CAPTURE = "capture"
    VOID = "void"


class OperationState(Enum):
    PENDING = "pending"  # recorded, maybe sent: its outcome is unknown until resolved
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class InvalidPaymentTransition(BugError):
    """A payment was asked to do something its state does not allow."""


# state -> states it may move to
_TRANSITIONS: Final[dict[PaymentState, frozenset[PaymentState]]] = {
    PaymentState.CREATED: frozenset({PaymentState.AUTH_PENDING}),
    PaymentState.AUTH_PENDING: frozenset(
        {PaymentState.AUTHORIZED, PaymentState.DECLINED, PaymentState.FAILED}
    ),
    PaymentState.AUTHORIZED: frozenset(
        {
            PaymentState.AUTHORIZED,  # an increment
            PaymentState.CAPTURE_PENDING,
            PaymentState.VOID_PENDING,
            PaymentState.EXPIRED,
        }
    ),
    PaymentState.CAPTURE_PENDING: frozenset(
        {PaymentState.CAPTURED, PaymentState.FAILED, PaymentState.EXPIRED}
    ),
    PaymentState.VOID_PENDING: frozenset({PaymentState.VOIDED, PaymentState.EXPIRED}),
}


@dataclass
class PaymentOperation:
    id: str
    kind: OperationKind
    idempotency_key: str
    amount: Decimal
    state: OperationState
    created_at: datetime
    completed_at: datetime | None = None
    provider_ref: str | None = None
    error: str | None = None


@dataclass
class Payment:
    id: str
    session_id: str
    method: PaymentMethod
    currency: str
    created_at: datetime
    state: PaymentState = PaymentState.CREATED
    authorized: Decimal = Decimal(0)
    captured: Decimal = Decimal(0)
    masked_ref: str | None = None  # e.g. "VISA •••• 4242" or "RFID ••••89AB"; never a PAN
    provider_ref: str | None = None
    customer_group: str | None = None
    decline_reason: str | None = None
    operations: list[PaymentOperation] = field(default_factory=list)
    version: int = 0  # bumped by the store on every save (optimistic locking)

    @classmethod
    def create(
        cls, *, session_id: str, method: PaymentMethod, currency: str, now: datetime
    ) -> Payment:
        return cls(
            id=str(uuid.uuid4()),
            session_id=session_id,
            method=method,
            currency=currency,
            created_at=now,
        )

    # ---------------------------------------------------------------- transitions

    def _move(self, target: PaymentState, reason: str) -> None:
        allowed = _TRANSITIONS.get(self.state, frozenset())
        if target not in allowed:
            raise InvalidPaymentTransition(
                f"payment {self.id}: {self.state.value} -> {target.value} is not allowed ({reason})"
            )
        log.info("payment %s: %s -> %s (%s)", self.id, self.state.value, target.value, reason)
        self.state = target

    def _begin(self, kind: OperationKind, amount: Decimal, now: datetime) -> PaymentOperation:
        if self.pending_operation() is not None:
            raise InvalidPaymentTransition(
                f"payment {self.id}: {kind.value} while an operation is still pending"
            )
        op = PaymentOperation(
            id=str(uuid.uuid4()),
            kind=kind,
            idempotency_key=f"{self.id}:{kind.value}:{len(self.operations)}",
            amount=amount,
            state=OperationState.PENDING,
            created_at=now,
        )
        self.operations.append(op)
        return op

    def pending_operation(self) -> PaymentOperation | None:
        for op in self.operations:
            if op.state is OperationState.PENDING:
                return op
        return None

    def begin_authorize(self, amount: Decimal, now: datetime) -> PaymentOperation:
        if amount <= 0:
            raise InvalidPaymentTransition(f"payment {self.id}: authorize needs an amount > 0")
        self._move(PaymentState.AUTH_PENDING, f"authorize {amount} {self.currency}")
        return self._begin(OperationKind.AUTHORIZE, amount, now)

    def begin_increment(self, amount: Decimal, now: datetime) -> PaymentOperation:
        if self.state is not PaymentState.AUTHORIZED or amount <= 0:
            raise InvalidPaymentTransition(
                f"payment {self.id}: increment of {amount} in state {self.state.value}"
            )
        return self._begin(OperationKind.INCREMENT, amount, now)

    def begin_settle(self, cost: Decimal, now: datetime) -> PaymentOperation:
        """Capture the session's cost, or void the hold when the cost is zero."""
        if cost < 0:
            raise InvalidPaymentTransition(f"payment {self.id}: negative cost {cost}")
        if cost > self.authorized:
            raise InvalidPaymentTransition(
                f"payment {self.id}: cost {cost} exceeds the authorized {self.authorized}"
            )
        if cost == 0:
            return self.begin_void(now, "nothing to charge")
        self._move(PaymentState.CAPTURE_PENDING, f"capture {cost} {self.currency}")
        return self._begin(OperationKind.CAPTURE, cost, now)

    def begin_void(self, now: datetime, reason: str) -> PaymentOperation:
        self._move(PaymentState.VOID_PENDING, reason)
        return self._begin(OperationKind.VOID, self.authorized, now)

    def complete(
        self,
        op: PaymentOperation,
        *,
        ok: bool,
        now: datetime,
        provider_ref: str | None = None,
        error: str | None = None,
        masked_ref: str | None = None,
        approved_amount: Decimal | None = None,
    ) -> None:
        """Record the provider's answer to `op` and move the payment accordingly."""
        if op not in self.operations or op.state is not OperationState.PENDING:
            raise InvalidPaymentTransition(f"payment {self.id}: {op.kind.value} is not pending")
        op.state = OperationState.SUCCEEDED if ok else OperationState.FAILED
        op.completed_at = now
        op.provider_ref = provider_ref
        op.error = error
        if masked_ref is not None:
            self.masked_ref = masked_ref
        if op.kind is OperationKind.AUTHORIZE:
            if ok:
                self.authorized = op.amount if approved_amount is None else approved_amount
                self.provider_ref = provider_ref
                self._move(PaymentState.AUTHORIZED, "authorized by the provider")
            else:
                self.decline_reason = error
                self._move(PaymentState.DECLINED, f"declined: {error}")
        elif op.kind is OperationKind.INCREMENT:
            if ok:
                self.authorized += op.amount if approved_amount is None else approved_amount
                self._move(PaymentState.AUTHORIZED, f"hold increased by {op.amount}")
        elif op.kind is OperationKind.CAPTURE:
            if ok:
                self.captured = op.amount
                self._move(PaymentState.CAPTURED, "captured")
            else:
                self._move(PaymentState.FAILED, f"capture refused: {error}")
        elif ok:  # VOID
            self._move(PaymentState.VOIDED, "hold released")
        else:
            # A refused void leaves the hold to lapse at the provider: nothing more we can do.
            self._move(PaymentState.EXPIRED, f"void refused, hold will lapse: {error}")
        self.check()

    def check(self) -> None:
        """The invariants; a violation is a bug, never a state to carry on from."""
        if self.captured > self.authorized:
            raise BugError(f"payment {self.id}: captured {self.captured} > {self.authorized}")
        if self.captured < 0 or self.authorized < 0:
            raise BugError(f"payment {self.id}: negative amount")
        if self.state is PaymentState.CAPTURED and self.captured == 0:
            raise BugError(f"payment {self.id}: captured zero instead of voiding")
