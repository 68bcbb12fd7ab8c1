"""Payment intents: what a station's hold may do, and how the phone pays one.

Statuses (docs/backend-api.md): `requires_payment` → `authorized` → `captured` |
`canceled`; `requires_payment` → `expired` | `canceled`. A failed payment attempt keeps
`requires_payment` with `last_error` and `code`. Expiry is applied lazily, whenever an
intent is read, so no timer runs and every instance agrees.

The PSP keeps its own records: every call to it carries a key made of the intent id and
the operation (and the station's idempotency key where an operation may repeat), so a
call repeated after a crash does not move money twice. A payment that completes after the
intent was canceled or expired is voided at once: no hold is left behind.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from backend.payments.models import PaymentIntent
from backend.psp import Psp, PspPayment, PspRefused, PspStatus
from kiosk.domain.money import MoneyError, minor_unit

__all__ = [
    "ATTEMPT_STALE_S",
    "AccountLookup",
    "AccountStatus",
    "IntentError",
    "IntentService",
    "PayOutcome",
    "intent_json",
    "new_intent_id",
    "parse_amount",
]

log = logging.getLogger(__name__)

REQUIRES_PAYMENT: Final = "requires_payment"
AUTHORIZED: Final = "authorized"
CAPTURED: Final = "captured"
CANCELED: Final = "canceled"
EXPIRED: Final = "expired"

ATTEMPT_STALE_S: Final = 60  # a payment attempt not finished by then is taken as lost
_AMOUNT: Final = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,6})?")
_CONNECTOR: Final = re.compile(r"[A-Za-z0-9._:-]{1,36}")
_EXPIRES_MIN_S, _EXPIRES_MAX_S, _EXPIRES_DEFAULT_S = 30, 3600, 170


class IntentError(Exception):
    """A call the intent cannot take: HTTP status, machine code, message for the log."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class AccountStatus:
    account_id: str
    blocked: bool
    customer_group: str | None


# the account behind a contract id (None: no such contract), from the backend's accounts
AccountLookup = Callable[[Session, str], AccountStatus | None]


@dataclass(frozen=True, slots=True)
class PayOutcome:
    """What a payment attempt on the checkout page came to."""

    intent: PaymentIntent
    paid: bool
    message: str | None  # why not, for the page (the PSP's reason or the intent's state)


def new_intent_id() -> str:
    """`pi_` and 128 random bits, URL-safe: the checkout URL cannot be guessed."""
    return "pi_" + secrets.token_urlsafe(16)


def parse_amount(
    value: object, currency: str, *, what: str = "amount", zero: bool = False
) -> Decimal:
    """A JSON money string in `currency`'s minor unit, positive (or zero when allowed)."""
    if not isinstance(value, str) or not _AMOUNT.fullmatch(value):
        raise IntentError(422, "invalid_amount", f'{what} must be a decimal string like "12.34"')
    amount = Decimal(value)
    digits = minor_unit(currency)
    quantum = Decimal(1).scaleb(-digits)
    if amount != amount.quantize(quantum):
        raise IntentError(422, "invalid_amount", f"{what} {value} has more than {digits} decimals")
    if amount == 0 and not zero:
        raise IntentError(422, "invalid_amount", f"{what} must be more than 0")
    return amount.quantize(quantum)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def intent_json(intent: PaymentIntent, public_url: str) -> dict[str, Any]:
    """The intent as the contract answers it."""
    checkout = f"{public_url.rstrip('/')}/checkout/{intent.id}" if intent.kind == "qr" else None
    return {
        "id": intent.id,
        "kind": intent.kind,
        "status": intent.status,
        "amount": str(intent.amount),
        "authorized_amount": _money(intent.authorized_amount),
        "captured_amount": _money(intent.captured_amount),
        "refunded_amount": str(intent.refunded_amount),
        "currency": intent.currency,
        "reference": intent.reference,
        "connector_id": intent.connector_id,
        "checkout_url": checkout,
        "expires_at": intent.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "masked_ref": intent.masked_ref,
        "last_error": intent.last_error,
        "code": intent.code,
    }


class IntentService:
    """The intents of the backend over one database session; the caller commits.

    `pay` is the exception: the phone's payment commits its own steps, because the
    attempt must be visible to every instance before the PSP is asked.
    """

    def __init__(
        self,
        session: Session,
        psp: Psp,
        *,
        clock: Callable[[], datetime],
        accounts: AccountLookup,
    ) -> None:
        self._s = session
        self._psp = psp
        self._clock = clock
        self._accounts = accounts

    # ---------------------------------------------------------------- reading

    @property
    def session(self) -> Session:
        return self._s

    def now(self) -> datetime:
        return self._clock()

    def load(self, intent_id: str, station_id: str | None, *, lock: bool = False) -> PaymentIntent:
        """The intent, expired if its time is up; another station's is not found.

        `lock` reads it afresh and holds its row (PostgreSQL) until the caller commits:
        two refunds of one intent at once are then one after the other.
        """
        intent = self._s.get(PaymentIntent, intent_id, with_for_update=lock, populate_existing=lock)
        if intent is None or (station_id is not None and intent.station_id != station_id):
            raise IntentError(404, "not_found", f"no payment intent {intent_id}")
        self._expire_if_due(intent)
        return intent

    def _expire_if_due(self, intent: PaymentIntent) -> None:
        now = self._clock()
        if intent.status != REQUIRES_PAYMENT or now < intent.expires_at:
            return
        done = self._s.execute(
            update(PaymentIntent)
            .where(PaymentIntent.id == intent.id, PaymentIntent.status == REQUIRES_PAYMENT)
            .values(status=EXPIRED, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        self._s.refresh(intent)
        if done.rowcount:  # type: ignore[attr-defined]
            log.info("intent %s: requires_payment -> expired", intent.id)

    # ---------------------------------------------------------------- station calls

    def create(self, station_id: str, body: Mapping[str, Any]) -> PaymentIntent:
        kind = body.get("kind")
        if kind not in ("qr", "account"):
            raise IntentError(422, "invalid_kind", 'kind must be "qr" or "account"')
        currency = body.get("currency")
        try:
            if not isinstance(currency, str):
                raise MoneyError("currency missing")
            minor_unit(currency)
        except MoneyError:
            raise IntentError(
                422, "invalid_currency", "currency must be an ISO 4217 code"
            ) from None
        amount = parse_amount(body.get("amount"), currency)
        connector = body.get("connector_id")
        if not isinstance(connector, str) or not _CONNECTOR.fullmatch(connector):
            raise IntentError(422, "invalid_connector", "connector_id must be a connector's id")
        reference = body.get("reference", "")
        if not isinstance(reference, str) or len(reference) > 255:
            raise IntentError(422, "invalid_reference", "reference must be text of ≤ 255 chars")
        expires_in = body.get("expires_in_s", _EXPIRES_DEFAULT_S)
        if (
            not isinstance(expires_in, int)
            or isinstance(expires_in, bool)
            or not _EXPIRES_MIN_S <= expires_in <= _EXPIRES_MAX_S
        ):
            raise IntentError(
                422,
                "invalid_expiry",
                f"expires_in_s must be a whole number {_EXPIRES_MIN_S}–{_EXPIRES_MAX_S}",
            )
        now = self._clock()
        intent = PaymentIntent(
            id=new_intent_id(),
            station_id=station_id,
            kind=kind,
            status=REQUIRES_PAYMENT,
            connector_id=connector,
            amount=amount,
            authorized_amount=None,
            captured_amount=None,
            refunded_amount=Decimal(0),
            currency=currency,
            reference=reference,
            expires_at=now + timedelta(seconds=expires_in),
            created_at=now,
            updated_at=now,
        )
        if kind == "account":
            contract = body.get("contract_id")
            if not isinstance(contract, str) or not contract:
                raise IntentError(422, "invalid_contract", "an account hold needs a contract_id")
            account = self._accounts(self._s, contract)
            if account is None:
                raise IntentError(422, "unknown_card", f"no account has contract {contract}")
            if account.blocked:
                raise IntentError(422, "blocked", f"the account of contract {contract} is blocked")
            intent.contract_id = contract
            intent.account_id = account.account_id
            intent.customer_group = account.customer_group
            intent.status = AUTHORIZED
            intent.authorized_amount = amount
        self._s.add(intent)
        self._s.flush()
        log.info(
            "intent %s: created %s for %s connector %s, %s %s -> %s",
            intent.id,
            kind,
            station_id,
            connector,
            amount,
            currency,
            intent.status,
        )
        return intent

    def cancel(self, station_id: str, intent_id: str) -> PaymentIntent:
        """Release the hold; a canceled or expired intent answers as it is."""
        intent = self.load(intent_id, station_id)
        if intent.status in (CANCELED, EXPIRED):
            return intent
        if intent.status == CAPTURED:
            raise IntentError(409, "invalid_state", f"intent {intent_id} is already captured")
        if intent.status == REQUIRES_PAYMENT:
            self._transition(intent, REQUIRES_PAYMENT, status=CANCELED)
            return intent
        self._void(intent)
        self._transition(intent, AUTHORIZED, status=CANCELED)
        return intent

    def increment(
        self, station_id: str, intent_id: str, body: Mapping[str, Any], op_key: str
    ) -> PaymentIntent:
        intent = self.load(intent_id, station_id)
        amount = parse_amount(body.get("amount"), intent.currency)
        self._require(intent, AUTHORIZED, "increment")
        assert intent.authorized_amount is not None
        if intent.kind == "qr":
            assert intent.psp_payment_id is not None
            paid = self._call(
                lambda: self._psp.increment(
                    idempotency_key=f"{intent.id}:increment:{op_key}",
                    payment_id=str(intent.psp_payment_id),
                    amount=amount,
                )
            )
            authorized = paid.authorized_amount
        else:
            self._account_still_open(intent)
            authorized = intent.authorized_amount + amount
        self._transition(
            intent, AUTHORIZED, amount=intent.amount + amount, authorized_amount=authorized
        )
        return intent

    def capture(self, station_id: str, intent_id: str, body: Mapping[str, Any]) -> PaymentIntent:
        """Take the exact priced amount (≤ authorized); "0" releases the hold."""
        intent = self.load(intent_id, station_id)
        amount = parse_amount(body.get("amount"), intent.currency, zero=True)
        self._require(intent, AUTHORIZED, "capture")
        assert intent.authorized_amount is not None
        if amount > intent.authorized_amount:
            raise IntentError(
                422,
                "amount_too_large",
                f"capture {amount} exceeds the authorized {intent.authorized_amount}",
            )
        if amount == 0:
            self._void(intent)
            self._transition(intent, AUTHORIZED, status=CANCELED, captured_amount=Decimal(0))
            return intent
        if intent.kind == "qr":
            payment_id = str(intent.psp_payment_id)
            self._call(
                lambda: self._psp.capture(
                    idempotency_key=f"{intent.id}:capture", payment_id=payment_id, amount=amount
                )
            )
        self._transition(intent, AUTHORIZED, status=CAPTURED, captured_amount=amount)
        return intent

    def refund(
        self, station_id: str | None, intent_id: str, body: Mapping[str, Any], op_key: str
    ) -> PaymentIntent:
        """Give back part or all of a capture (`station_id` None: an operator's refund)."""
        intent = self.load(intent_id, station_id, lock=True)
        amount = parse_amount(body.get("amount"), intent.currency)
        self.check_refund(intent, amount)
        if intent.kind == "qr":
            payment_id = str(intent.psp_payment_id)
            self._call(
                lambda: self._psp.refund(
                    idempotency_key=f"{intent.id}:refund:{op_key}",
                    payment_id=payment_id,
                    amount=amount,
                )
            )
        self._transition(intent, CAPTURED, refunded_amount=intent.refunded_amount + amount)
        return intent

    def check_refund(self, intent: PaymentIntent, amount: Decimal) -> None:
        """409 unless captured; 422 past what is left of the capture to refund."""
        self._require(intent, CAPTURED, "refund")
        captured = intent.captured_amount or Decimal(0)
        if intent.refunded_amount + amount > captured:
            left = captured - intent.refunded_amount
            raise IntentError(
                422, "amount_too_large", f"refund {amount} exceeds what is left to refund ({left})"
            )

    # ---------------------------------------------------------------- the phone pays

    def pay(self, intent_id: str, method: str, attempt: str) -> PayOutcome:
        """One payment attempt from the checkout page; `attempt` is the form's nonce.

        The same form sent twice is one attempt (the PSP answers its key again); a second
        attempt while one is in flight is refused, so one intent never holds twice.
        """
        intent = self.load(intent_id, None)
        if intent.kind != "qr":
            raise IntentError(404, "not_found", f"no checkout for intent {intent_id}")
        if intent.status != REQUIRES_PAYMENT:
            self._s.commit()
            return PayOutcome(intent, intent.status in (AUTHORIZED, CAPTURED), None)
        now = self._clock()
        stale = now - timedelta(seconds=ATTEMPT_STALE_S)
        claimed = self._s.execute(
            update(PaymentIntent)
            .where(
                PaymentIntent.id == intent.id,
                PaymentIntent.status == REQUIRES_PAYMENT,
                or_(
                    PaymentIntent.attempt_key.is_(None),
                    PaymentIntent.attempt_key == attempt,
                    PaymentIntent.attempt_started_at < stale,
                ),
            )
            .values(attempt_key=attempt, attempt_started_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        self._s.commit()
        if not claimed.rowcount:  # type: ignore[attr-defined]
            self._s.refresh(intent)
            return PayOutcome(intent, False, "in_progress")
        key = f"{intent.id}:authorize:{attempt}"
        try:
            paid = self._psp.authorize(
                idempotency_key=key,
                amount=intent.amount,
                currency=intent.currency,
                method=method,
                reference=intent.reference or intent.id,
            )
        except PspRefused as exc:
            self._finish_attempt(intent, attempt, last_error=exc.message, code=None)
            self._s.commit()
            return PayOutcome(intent, False, exc.message)
        if paid.status is PspStatus.DECLINED:
            reason = paid.decline_reason or "declined"
            code = None if paid.decline_code is None else paid.decline_code.value
            self._finish_attempt(intent, attempt, last_error=reason, code=code)
            self._s.commit()
            log.info("intent %s: payment declined (%s)", intent.id, code or reason)
            return PayOutcome(intent, False, reason)
        done = self._s.execute(
            update(PaymentIntent)
            .where(
                PaymentIntent.id == intent.id,
                PaymentIntent.status == REQUIRES_PAYMENT,
                PaymentIntent.attempt_key == attempt,
            )
            .values(
                status=AUTHORIZED,
                authorized_amount=paid.authorized_amount,
                masked_ref=paid.masked_card,
                psp_payment_id=paid.id,
                last_error=None,
                code=None,
                attempt_key=None,
                attempt_started_at=None,
                updated_at=self._clock(),
            )
            .execution_options(synchronize_session=False)
        )
        self._s.commit()
        self._s.refresh(intent)
        if done.rowcount:  # type: ignore[attr-defined]
            log.info(
                "intent %s: requires_payment -> authorized %s of %s %s",
                intent.id,
                paid.authorized_amount,
                intent.amount,
                intent.currency,
            )
            return PayOutcome(intent, True, None)
        # canceled or expired while the PSP authorized: the hold must not stay
        log.info("intent %s: paid after it became %s; voiding the hold", intent.id, intent.status)
        self._call(lambda: self._psp.cancel(idempotency_key=f"{key}:void", payment_id=paid.id))
        return PayOutcome(intent, False, intent.status)

    # ---------------------------------------------------------------- internals

    def _finish_attempt(
        self, intent: PaymentIntent, attempt: str, *, last_error: str, code: str | None
    ) -> None:
        self._s.execute(
            update(PaymentIntent)
            .where(PaymentIntent.id == intent.id, PaymentIntent.attempt_key == attempt)
            .values(
                last_error=last_error[:255],
                code=code,
                attempt_key=None,
                attempt_started_at=None,
                updated_at=self._clock(),
            )
            .execution_options(synchronize_session=False)
        )
        self._s.flush()
        self._s.refresh(intent)

    def _require(self, intent: PaymentIntent, status: str, what: str) -> None:
        if intent.status != status:
            raise IntentError(
                409, "invalid_state", f"cannot {what} intent {intent.id}: it is {intent.status}"
            )

    def _account_still_open(self, intent: PaymentIntent) -> None:
        account = self._accounts(self._s, str(intent.contract_id))
        if account is None or account.blocked:
            raise IntentError(
                422, "blocked", f"the account of contract {intent.contract_id} is blocked"
            )

    def _void(self, intent: PaymentIntent) -> None:
        if intent.kind == "qr" and intent.psp_payment_id is not None:
            payment_id = intent.psp_payment_id
            self._call(
                lambda: self._psp.cancel(
                    idempotency_key=f"{intent.id}:cancel", payment_id=payment_id
                )
            )

    @staticmethod
    def _call(call: Callable[[], PspPayment]) -> PspPayment:
        try:
            return call()
        except PspRefused as exc:
            status = (
                409 if exc.code in ("invalid_state", "idempotency_conflict", "in_progress") else 422
            )
            raise IntentError(status, exc.code, f"psp: {exc.message}") from None

    def _transition(self, intent: PaymentIntent, expected: str, **values: Any) -> None:
        """Apply `values` when the intent is still `expected` (another call may have won)."""
        values["updated_at"] = self._clock()
        done = self._s.execute(
            update(PaymentIntent)
            .where(PaymentIntent.id == intent.id, PaymentIntent.status == expected)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        self._s.refresh(intent)
        if not done.rowcount:  # type: ignore[attr-defined]
            raise IntentError(
                409, "invalid_state", f"intent {intent.id} changed meanwhile: {intent.status}"
            )
        changes = ", ".join(f"{k}={v}" for k, v in values.items() if k != "updated_at")
        log.info("intent %s: %s -> %s (%s)", intent.id, expected, intent.status, changes)
