"""Refunds of captured intents, by the station or the operator, each one kept as a row.

A QR intent's refund goes to the PSP; an account intent's takes the amount off the
account's charge for that session (`account_charges.refunded_amount`), in the same
transaction, so the account owes exactly `amount - refunded_amount`. An account hold whose
session is not billed yet cannot be refunded (409 `not_billed`): there is nothing to give
back until the station's record of it arrived.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from backend.models import AccountCharge, ChargeSession
from backend.payments.models import PaymentIntent, Refund
from backend.payments.service import IntentError, IntentService, parse_amount

__all__ = ["operator_key", "refund"]

log = logging.getLogger(__name__)

REASON_MAX: Final = 200


def operator_key(principal: str, key: str) -> str:
    """The PSP's operation key of an operator's refund: apart from every station's keys,
    and short enough for the PSP whatever the Idempotency-Key's length."""
    return "op-" + hashlib.sha256(f"{principal}\n{key}".encode()).hexdigest()[:40]


def _reason(body: Mapping[str, Any], *, required: bool) -> str | None:
    value = body.get("reason")
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > REASON_MAX:
        raise IntentError(422, "invalid_reason", f"reason: 1-{REASON_MAX} characters of text")
    if not value.isprintable():
        raise IntentError(422, "invalid_reason", "reason: holds a control character")
    return value.strip()


def _currency(body: Mapping[str, Any], intent: PaymentIntent, *, required: bool) -> None:
    value = body.get("currency")
    if value is None and not required:
        return
    if value != intent.currency:
        shown = value if isinstance(value, str) else "none"
        raise IntentError(
            422,
            "currency_mismatch",
            f"currency {shown[:8]} is not the intent's {intent.currency}",
        )


def _charge_of(session: Session, intent: PaymentIntent) -> AccountCharge | None:
    """The account's charge for the intent's session (held until commit)."""
    billed = select(ChargeSession.session_id).where(
        ChargeSession.station_id == intent.station_id, ChargeSession.payment_ref == intent.id
    )
    wanted: list[ColumnElement[bool]] = [AccountCharge.session_id.in_(billed)]
    prefix = f"{intent.station_id}:"
    if intent.reference.startswith(prefix):  # "<station id>:<session id>"
        wanted.append(AccountCharge.session_id == intent.reference.removeprefix(prefix))
    for where in wanted:
        charge = session.scalars(
            select(AccountCharge)
            .where(AccountCharge.station_id == intent.station_id, where)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if charge is not None and charge.account_id == intent.account_id:
            return charge
    return None


def _charge_with_room(session: Session, intent: PaymentIntent, amount: Decimal) -> AccountCharge:
    charge = _charge_of(session, intent)
    if charge is None:
        raise IntentError(
            409,
            "not_billed",
            f"intent {intent.id}: the account's charge for its session is not recorded yet",
        )
    if charge.currency != intent.currency:
        raise IntentError(
            409,
            "charge_mismatch",
            f"the account's charge is in {charge.currency}, not in {intent.currency}",
        )
    left = charge.amount - charge.refunded_amount
    if amount > left:
        raise IntentError(
            422,
            "amount_too_large",
            f"refund {amount} exceeds what is left of the account's charge ({left})",
        )
    return charge


def refund(
    service: IntentService,
    *,
    station_id: str | None,
    intent_id: str,
    body: Mapping[str, Any],
    op_key: str,
    principal: str,
    by_operator: bool,
) -> PaymentIntent:
    """Refund `body["amount"]` of the intent's capture; the caller commits.

    The operator names the currency and a reason; a station may. 409 `invalid_state`
    unless captured, 422 `amount_too_large` past what is left to refund.
    """
    session = service.session
    reason = _reason(body, required=by_operator)
    intent = service.load(intent_id, station_id, lock=True)
    _currency(body, intent, required=by_operator)
    amount = parse_amount(body.get("amount"), intent.currency)
    service.check_refund(intent, amount)
    charge = _charge_with_room(session, intent, amount) if intent.kind == "account" else None
    intent = service.refund(station_id, intent_id, body, op_key)
    if charge is not None:
        charge.refunded_amount = charge.refunded_amount + amount
    session.add(
        Refund(
            intent_id=intent.id,
            amount=amount,
            currency=intent.currency,
            reason=reason,
            principal=principal,
            account_charge_id=None if charge is None else charge.id,
            created_at=service.now(),
        )
    )
    session.flush()
    log.info(
        "intent %s: %s refunded %s %s%s (%s)",
        intent.id,
        principal,
        amount,
        intent.currency,
        "" if charge is None else f" off account {charge.account_id}'s charge {charge.id}",
        reason or "no reason given",
    )
    return intent
