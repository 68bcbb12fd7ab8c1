"""The Payment aggregate: one hold, captured or voided exactly once.

Every operation that leaves the process (authorize, increment, capture, void) is
first recorded with its idempotency key; the caller persists that record before it
talks to the provider, so a crash can always be resolved by asking the provider
about the key. Invariants: captured <= authorized; a zero cost voids instead of
capturing zero; every authorization ends captured or voided (or declined/failed).

The provider has the last word on what happened to money: when its answer to a key
says it did something else than what the operation asked (another amount, or a void
where a capture was asked: what a provider answers a repeated key with after the
ledger lost its tail), `complete(..., did=...)` records what the provider did, and
the caller records a `Discrepancy` for it. The operation keeps what was asked
(`amount`), and `provider_amount` what the provider says it applied.
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
    "DeclineCode",
    "Discrepancy",
    "DiscrepancyKind",
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


class DeclineCode(Enum):
    """Why a payment was refused, as the screens word it (one text per code and method).

    Providers give the code with their answer (`ProviderResult.code`): a ZVT result
    code, a PSP's decline code, an account's status, each mapped by its adapter. A
    provider's free text is kept for the log and is never a translation key.
    """

    DECLINED = "declined"  # refused without a reason we know
    INSUFFICIENT_FUNDS = "insufficient_funds"
    BLOCKED = "blocked"  # the card or account is blocked
    UNKNOWN_CARD = "unknown_card"  # an RFID card no account knows
    EXPIRED = "expired"  # the card has expired
    UNAVAILABLE = "unavailable"  # the provider could not be reached or failed
    ABORTED = "aborted"  # cancelled: by the driver on screen, or at the terminal
    PIN_WRONG = "pin_wrong"  # the PIN was wrong (too often)
    CARD_NOT_SUPPORTED = "card_not_supported"  # a card type the terminal does not take
    LIMIT_EXCEEDED = "limit_exceeded"  # the card's or the terminal's amount limit
    CARD_ERROR = "card_error"  # the card could not be read (removed too soon, chip error)
    TIMEOUT = "timeout"  # no card was presented in time
    BUSY = "busy"  # the terminal is busy with another operation


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
        {
            PaymentState.CAPTURED,
            PaymentState.FAILED,
            PaymentState.EXPIRED,
            PaymentState.VOIDED,  # the provider says it voided under the capture's key
        }
    ),
    PaymentState.VOID_PENDING: frozenset(
        {
            PaymentState.VOIDED,
            PaymentState.EXPIRED,
            PaymentState.CAPTURED,  # the provider says it captured under the void's key
        }
    ),
}


class DiscrepancyKind(Enum):
    AMOUNT_MISMATCH = "AMOUNT_MISMATCH"  # the provider applied another amount under the key
    KIND_MISMATCH = "KIND_MISMATCH"  # the key was used for another kind of operation
    REFERENCE_MISMATCH = "REFERENCE_MISMATCH"  # the answer is about another hold or session
    ORPHAN_HOLD = "ORPHAN_HOLD"  # an open hold at the provider that the ledger does not know
    UNKNOWN_OPERATION = "UNKNOWN_OPERATION"  # the provider reports an operation we never sent


@dataclass
class Discrepancy:
    """The ledger and the provider disagree about money: recorded, never overwritten.

    `expected` is what the ledger intended, `actual` what the provider reported, both
    small JSON-able dicts of text; `action` what the kiosk did about it at once (the
    ledger then records what the provider did); `resolved_at`/`resolution` are set by
    whoever reviews it (an attendant, the backend). Until then `kiosk db check` lists it.
    """

    id: str
    detected_at: datetime
    kind: DiscrepancyKind
    payment_id: str | None
    session_id: str | None
    idempotency_key: str | None
    expected: dict[str, str | None]
    actual: dict[str, str | None]
    action: str = ""
    resolved_at: datetime | None = None
    resolution: str | None = None

    @classmethod
    def new(
        cls,
        kind: DiscrepancyKind,
        *,
        now: datetime,
        payment_id: str | None,
        session_id: str | None,
        idempotency_key: str | None,
        expected: dict[str, str | None],
        actual: dict[str, str | None],
        action: str = "",
    ) -> Discrepancy:
        return cls(
            id=str(uuid.uuid4()),
            detected_at=now,
            kind=kind,
            payment_id=payment_id,
            session_id=session_id,
            idempotency_key=idempotency_key,
            expected=expected,
            actual=actual,
            action=action,
        )


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
    provider_amount: Decimal | None = None  # what the provider says it applied (if it says)


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
        provider_amount: Decimal | None = None,
        did: OperationKind | None = None,
    ) -> None:
        """Record the provider's answer to `op` and move the payment accordingly.

        `provider_amount` is the amount the provider says it applied; `did` the kind
        of operation it says it did under the key, when that is not `op.kind`. A
        successful capture records `provider_amount` as captured (what the provider
        took, not what was asked), raising `authorized` to it if the provider took
        more than the ledger knew of; a capture key the provider used for a void
        leaves the payment voided, a void key used for a capture captured. Any other
        kind the provider names fails the operation (nothing is assumed).
        """
        if op not in self.operations or op.state is not OperationState.PENDING:
            raise InvalidPaymentTransition(f"payment {self.id}: {op.kind.value} is not pending")
        op.completed_at = now
        op.provider_ref = provider_ref
        op.error = error
        op.provider_amount = provider_amount
        if masked_ref is not None:
            self.masked_ref = masked_ref
        kind = op.kind if did is None else did
        settles = {OperationKind.CAPTURE, OperationKind.VOID}
        if kind is not op.kind and not (op.kind in settles and kind in settles):
            ok = False  # the key answered for an operation we cannot map onto this one
        op.state = OperationState.SUCCEEDED if ok else OperationState.FAILED
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
        elif (
            ok
            and kind is OperationKind.CAPTURE
            and ((op.amount if provider_amount is None else provider_amount) > 0)
        ):  # asked to capture, or to void and the provider says it captured
            taken = op.amount if provider_amount is None else provider_amount
            if op.kind is OperationKind.VOID and provider_amount is None:
                taken = self.authorized  # a capture of unknown amount: the whole hold
            self.authorized = max(self.authorized, taken)
            self.captured = taken
            self._move(PaymentState.CAPTURED, f"captured {taken}")
        elif not ok and op.kind is OperationKind.CAPTURE and kind is OperationKind.CAPTURE:
            self._move(PaymentState.FAILED, f"capture refused: {error}")
        elif ok:  # VOID, or a capture the provider answered as a void
            self.captured = Decimal(0)
            self._move(PaymentState.VOIDED, "hold released")
        elif op.kind is OperationKind.CAPTURE:
            self._move(PaymentState.FAILED, f"capture not confirmed: {error}")
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
