"""RFID contract customers through the backend (`kiosk.ports.PaymentGateway`), offline too.

Who may charge: `POST /v1/tokens/authorize`; when the backend does not answer (or the
sync worker says it is offline) the offline allow-list decides, and the log says so.
The hold on the account: a payment intent of kind "account" (authorize = create;
increment, capture and void = the intent's calls; `lookup` = `GET /v1/operations/{key}`).

Offline, a token the allow-list lets charge gets its hold locally: provider_ref
"offline:<idempotency key>", and its capture/void/increment answer ok locally. Nothing
is lost by that: the backend bills the account from the session it ingests through the
outbox (`session.completed`, once per session), which is the one bill of an account.

The core does not pass the contract with a hold; `contract_of(reference)` (the wiring
reads it from the session in the ledger) gives it; without it the contract of the last
card allowed on this gateway is used.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from decimal import Decimal
from typing import Final

import msgspec

from kiosk.domain.payment import DeclineCode
from kiosk.ports import ProviderResult, TokenAuthorization
from kiosk.store.repositories import Clock, utc_now
from kiosk.sync import wire
from kiosk.sync.allow_list import AllowList
from kiosk.sync.client import BackendClient, BackendError

__all__ = [
    "OFFLINE_PREFIX",
    "BackendGateway",
    "decline_code",
    "disagreement",
    "intent_result",
    "kind_of_key",
    "refuse_disagreement",
]

log = logging.getLogger(__name__)

OFFLINE_PREFIX: Final = "offline:"
_KINDS: Final = ("authorize", "increment", "capture", "void")
_REMEMBERED: Final = 64


def decline_code(code: str | None) -> DeclineCode:
    """The backend's code as a DeclineCode (its values); DECLINED for one we do not know."""
    try:
        return DeclineCode(code)
    except ValueError:
        return DeclineCode.DECLINED


def kind_of_key(idempotency_key: str) -> str | None:
    """The operation kind the core put in its key ("<payment>:<kind>:<n>"), if any."""
    parts = idempotency_key.rsplit(":", 2)
    return parts[1] if len(parts) == 3 and parts[1] in _KINDS else None


def disagreement(
    intent: wire.Intent,
    *,
    currency: str,
    intent_id: str | None = None,
    amount: Decimal | None = None,
) -> str | None:
    """Why the backend's answer is not about what the kiosk asked; None when it is.

    Another intent or another currency cannot be booked on this payment at all. Another
    amount is only a disagreement at creation (the hold the driver would see differs);
    a capture of another amount is the provider's word, which the core records.
    """
    if intent_id is not None and intent.id != intent_id:
        return f"the backend answered about intent {intent.id[:70]!r}, not {intent_id!r}"
    if intent.currency != currency:
        return f"the backend answered in {intent.currency[:8]!r}, the payment is in {currency}"
    if amount is not None and intent.amount != amount:
        return f"the backend created a hold of {intent.amount}, the kiosk asked for {amount}"
    return None


def refuse_disagreement(reason: str, provider_ref: str | None, kind: str) -> ProviderResult:
    """An answer the kiosk cannot book: the operation failed, loudly, nothing assumed."""
    log.warning("payment intent %s (%s): %s; the operation failed", provider_ref, kind, reason)
    return ProviderResult(False, provider_ref, reason, kind=kind, code=DeclineCode.DECLINED)


def intent_result(intent: wire.Intent, kind: str | None, amount: Decimal | None) -> ProviderResult:
    """An intent's answer to one operation, as the core compares it."""
    status = intent.status
    if kind == "authorize":
        ok = status == "authorized"
        applied: Decimal | None = intent.amount
    elif kind == "increment":
        ok, applied = status == "authorized", amount
    elif kind == "capture":
        ok = status == "captured" or (status == "canceled" and intent.captured_amount == 0)
        applied = intent.captured_amount if intent.captured_amount is not None else amount
    elif kind == "void":
        ok, applied = status == "canceled", amount
    else:
        ok, applied = status in ("authorized", "captured", "canceled"), None
    error = None if ok else (intent.last_error or f"the payment intent is {status}")
    return ProviderResult(
        ok,
        intent.id,
        error,
        intent.masked_ref,
        approved_amount=(
            intent.authorized_amount
            if kind == "authorize"
            else amount
            if kind == "increment" and ok
            else None
        ),
        amount=applied,
        kind=kind,
        reference=intent.reference or None,
        code=None if ok else decline_code(intent.code) if intent.code else DeclineCode.DECLINED,
    )


def refused_result(exc: BackendError, provider_ref: str | None = None) -> ProviderResult:
    """A call that got no usable answer: UNAVAILABLE, or the backend's own refusal code."""
    if exc.answered and exc.code is not None and exc.status != 401:
        return ProviderResult(False, provider_ref, str(exc), code=decline_code(exc.code))
    return ProviderResult(False, provider_ref, str(exc), code=DeclineCode.UNAVAILABLE)


def lookup_operation(client: BackendClient, idempotency_key: str) -> ProviderResult | None:
    """What the backend stored under the key (None: it never got the call). Raises BackendError."""
    found = client.operation(idempotency_key)
    if found is None:
        return None
    kind = kind_of_key(idempotency_key)
    if 200 <= found.status < 300:
        try:
            intent = wire.decode(bytes(found.body), wire.Intent, "operation lookup")
        except wire.WireError as exc:
            raise BackendError(str(exc)) from None
        return intent_result(intent, kind, None)
    try:
        error = msgspec.json.decode(bytes(found.body), type=wire.ErrorAnswer).error
    except (msgspec.DecodeError, msgspec.ValidationError):
        return ProviderResult(False, error=f"refused ({found.status})", kind=kind)
    return ProviderResult(
        False, error=error.message or error.code, kind=kind, code=decline_code(error.code)
    )


class IntentHolds:
    """Increment, capture and void of a hold that is a payment intent at the backend
    (an account hold, a QR checkout's): one answer under each operation's key."""

    _client: BackendClient

    def _cancel_disagreeing(self, intent_id: str, idempotency_key: str) -> None:
        """A hold the kiosk will not use is released at once, not left to expire."""
        try:
            self._client.cancel_intent(intent_id, idempotency_key=f"{idempotency_key}:refused")
        except BackendError as exc:
            log.warning("payment intent %s: the release did not go through (%s)", intent_id, exc)

    def _intent_call(
        self,
        kind: str,
        idempotency_key: str,
        provider_ref: str,
        amount: Decimal,
        currency: str,
        call: Callable[[], wire.Intent],
    ) -> ProviderResult:
        try:
            intent = call()
            reason = disagreement(intent, currency=currency, intent_id=provider_ref)
            if reason is not None:
                return refuse_disagreement(reason, provider_ref, kind)
            return intent_result(intent, kind, amount)
        except BackendError as exc:
            if exc.code == "idempotency_conflict":
                known = lookup_operation(self._client, idempotency_key)
                if known is not None:
                    return known
            return refused_result(exc, provider_ref)

    def increment(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult:
        return self._intent_call(
            "increment",
            idempotency_key,
            provider_ref,
            amount,
            currency,
            lambda: self._client.increment_intent(
                provider_ref, amount, idempotency_key=idempotency_key
            ),
        )

    def capture(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult:
        return self._intent_call(
            "capture",
            idempotency_key,
            provider_ref,
            amount,
            currency,
            lambda: self._client.capture_intent(
                provider_ref, amount, idempotency_key=idempotency_key
            ),
        )

    def void(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult:
        return self._intent_call(
            "void",
            idempotency_key,
            provider_ref,
            amount,
            currency,
            lambda: self._client.cancel_intent(provider_ref, idempotency_key=idempotency_key),
        )


class BackendGateway(IntentHolds):
    """Token checks and account holds at the backend; the allow-list when it is away."""

    def __init__(
        self,
        client: BackendClient,
        allow_list: AllowList,
        *,
        online: Callable[[], bool],
        clock: Clock = utc_now,
        contract_of: Callable[[str], str | None] | None = None,
        connector_of: Callable[[str], str | None] | None = None,
    ) -> None:
        self._client = client
        self._allow_list = allow_list
        self._online = online
        self._clock = clock
        self._contract_of = contract_of
        self._connector_of = connector_of
        self._lock = threading.Lock()
        self._uids: OrderedDict[str, str] = OrderedDict()  # contract -> uid of its last check
        self._last_contract: str | None = None

    # ------------------------------------------------------------ who may charge

    def authorize_token(self, uid: str, connector_id: str | None = None) -> TokenAuthorization:
        if self._online():
            try:
                answer = self._client.authorize_token(uid, connector_id)
            except BackendError as exc:
                log.warning(
                    "token check: the backend did not answer (%s); the offline list decides", exc
                )
            else:
                found = TokenAuthorization(
                    answer.allowed,
                    answer.group,
                    answer.contract_id,
                    answer.reason,
                    None if answer.allowed else decline_code(answer.code or "unknown_card"),
                )
                self._remember(uid, found)
                return found
        else:
            log.info("token check: the backend is offline; the offline list decides")
        found = self._allow_list.check(uid, self._clock())
        log.info(
            "token check offline (list v%d): %s%s",
            self._allow_list.version,
            "allowed" if found.allowed else "refused",
            "" if found.allowed else f" ({found.reason})",
        )
        self._remember(uid, found)
        return found

    def _remember(self, uid: str, found: TokenAuthorization) -> None:
        if not found.allowed or found.contract_id is None:
            return
        with self._lock:
            self._uids[found.contract_id] = uid
            self._uids.move_to_end(found.contract_id)
            while len(self._uids) > _REMEMBERED:
                self._uids.popitem(last=False)
            self._last_contract = found.contract_id

    def _offline_allowed(self, contract_id: str) -> bool:
        with self._lock:
            uid = self._uids.get(contract_id)
        return uid is not None and self._allow_list.check(uid, self._clock()).allowed

    # ------------------------------------------------------------ holds

    def authorize(
        self, *, idempotency_key: str, amount: Decimal, currency: str, reference: str
    ) -> ProviderResult:
        contract = self._contract_of(reference) if self._contract_of is not None else None
        if contract is None:
            with self._lock:
                contract = self._last_contract
        if contract is None:
            return ProviderResult(
                False, error="no contract is known for this hold", code=DeclineCode.UNKNOWN_CARD
            )
        if self._online():
            try:
                intent = self._client.create_intent(
                    idempotency_key=idempotency_key,
                    kind="account",
                    amount=amount,
                    currency=currency,
                    reference=reference,
                    contract_id=contract,
                    connector_id=None
                    if self._connector_of is None
                    else self._connector_of(reference),
                )
            except BackendError as exc:
                if exc.answered:
                    return refused_result(exc)
                log.warning("account hold: the backend did not answer (%s)", exc)
            else:
                reason = disagreement(intent, currency=currency, amount=amount)
                if reason is None:
                    return intent_result(intent, "authorize", amount)
                self._cancel_disagreeing(intent.id, idempotency_key)
                return refuse_disagreement(reason, intent.id, "authorize")
        if not self._offline_allowed(contract):
            return ProviderResult(
                False,
                error="the backend does not answer and the card is not on the offline list",
                code=DeclineCode.UNAVAILABLE,
            )
        log.info("account hold granted offline for %s (billed from the session)", reference)
        return ProviderResult(
            True,
            OFFLINE_PREFIX + idempotency_key,
            approved_amount=amount,
            amount=amount,
            kind="authorize",
            reference=reference,
        )

    def _local(self, provider_ref: str, kind: str, amount: Decimal) -> ProviderResult:
        return ProviderResult(
            True,
            provider_ref,
            approved_amount=amount if kind == "increment" else None,
            amount=amount,
            kind=kind,
        )

    def _intent_call(
        self,
        kind: str,
        idempotency_key: str,
        provider_ref: str,
        amount: Decimal,
        currency: str,
        call: Callable[[], wire.Intent],
    ) -> ProviderResult:
        if provider_ref.startswith(OFFLINE_PREFIX):
            return self._local(provider_ref, kind, amount)
        return super()._intent_call(kind, idempotency_key, provider_ref, amount, currency, call)

    def lookup(self, *, idempotency_key: str) -> ProviderResult | None:
        """The backend's stored answer under the key; None on 404. Raises BackendError."""
        return lookup_operation(self._client, idempotency_key)
