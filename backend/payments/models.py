"""The tables of payment intents and their refunds, the simulated PSP and the web app's
sign-in throttle.

Money is stored as decimal text (exact on SQLite and PostgreSQL alike, no float on the
way), times as aware UTC datetimes (SQLite gives them back naive: they are UTC).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base
from backend.models import Exact, UtcDateTime

__all__ = [
    "DecimalText",
    "LoginThrottle",
    "PaymentIntent",
    "PspOperation",
    "PspPaymentRow",
    "Refund",
    "UtcDateTime",
]


class DecimalText(Exact):
    """A Decimal kept as its exact text (the payments' columns are 40 wide)."""

    impl = String(40)
    cache_ok = True


class PaymentIntent(Base):
    """One hold of one station: a QR checkout or an account hold."""

    __tablename__ = "payment_intents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    station_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # qr | account
    status: Mapped[str] = mapped_column(String(24))
    connector_id: Mapped[str] = mapped_column(String(36))
    amount: Mapped[Decimal] = mapped_column(DecimalText)  # the hold asked for (with increments)
    authorized_amount: Mapped[Decimal | None] = mapped_column(DecimalText)
    captured_amount: Mapped[Decimal | None] = mapped_column(DecimalText)
    refunded_amount: Mapped[Decimal] = mapped_column(DecimalText)
    currency: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str] = mapped_column(String(255))
    contract_id: Mapped[str | None] = mapped_column(String(64))
    account_id: Mapped[str | None] = mapped_column(String(64))
    customer_group: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    masked_ref: Mapped[str | None] = mapped_column(String(64))  # "VISA •••• 4242"
    last_error: Mapped[str | None] = mapped_column(String(255))
    code: Mapped[str | None] = mapped_column(String(32))  # a DeclineCode value
    psp_payment_id: Mapped[str | None] = mapped_column(String(64))
    # a payment attempt in flight (the checkout's form nonce): one at a time per intent
    attempt_key: Mapped[str | None] = mapped_column(String(128))
    attempt_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Refund(Base):
    """One refund of an intent, as it was asked for: who, why, how much, and the account
    charge it reduced (an account hold's). The audit trail of `refunded_amount`."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    intent_id: Mapped[str] = mapped_column(ForeignKey("payment_intents.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(DecimalText)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str | None] = mapped_column(String(200))
    principal: Mapped[str] = mapped_column(String(120))  # "operator:<name>" | "station:<id>"
    account_charge_id: Mapped[int | None] = mapped_column(
        ForeignKey("account_charges.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PspPaymentRow(Base):
    """A payment at the simulated PSP: an authorization and what became of it."""

    __tablename__ = "psp_payments"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(24))
    currency: Mapped[str] = mapped_column(String(3))
    requested_amount: Mapped[Decimal] = mapped_column(DecimalText)
    authorized_amount: Mapped[Decimal] = mapped_column(DecimalText)
    captured_amount: Mapped[Decimal] = mapped_column(DecimalText)
    refunded_amount: Mapped[Decimal] = mapped_column(DecimalText)
    reference: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(32))  # the test card's id, never a number
    masked_card: Mapped[str | None] = mapped_column(String(64))
    decline_code: Mapped[str | None] = mapped_column(String(32))
    decline_reason: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PspOperation(Base):
    """One call to the simulated PSP under its idempotency key, and its first answer."""

    __tablename__ = "psp_operations"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    payment_id: Mapped[str | None] = mapped_column(String(64))
    request: Mapped[str] = mapped_column(Text)  # what was asked, to tell a reused key
    answer: Mapped[str] = mapped_column(Text)  # the payment as answered, JSON
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LoginThrottle(Base):
    """Failed sign-ins per e-mail address: the web app's rate limit, shared by instances."""

    __tablename__ = "login_throttle"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
