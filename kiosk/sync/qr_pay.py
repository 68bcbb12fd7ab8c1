"""QR mobile pay over the backend's payment intents (`kiosk.ports.MobilePay`).

`authorize` reports that a QR code is coming (`TerminalPrompt.SCAN_QR` without a URL),
creates a "qr" intent, reports its checkout URL, then long-polls it until the phone
paid, the page expired, or `abort` gave it up. The create and each poll run on a helper
thread so `abort` (any thread, returns at once) and `close` end the wait within moments,
whatever the network does; the intent is then cancelled at the backend under a key
derived from the authorize key (one created after the abort as soon as it comes), so a
repeat cancels nothing twice.
A failed attempt on the phone keeps the wait going (the page shows why; the driver may
try again). Transport errors are retried until the page expires, then UNAVAILABLE: the
core then asks `lookup`, which settles an unpaid intent by cancelling it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from kiosk.domain.payment import DeclineCode
from kiosk.ports import ProviderResult, StatusSink, TerminalPrompt, TerminalStatus
from kiosk.store.repositories import Clock, utc_now
from kiosk.sync import wire
from kiosk.sync.client import BackendClient, BackendError
from kiosk.sync.gateway import (
    IntentHolds,
    disagreement,
    intent_result,
    kind_of_key,
    lookup_operation,
    refuse_disagreement,
    refused_result,
)

__all__ = ["QrCheckout", "abort_key"]

log = logging.getLogger(__name__)

_RETRY_PAUSE_S: Final = 1.0
_EXPIRY_GRACE_S: Final = 5.0


def abort_key(idempotency_key: str) -> str:
    return f"{idempotency_key}:cancel"


@dataclass
class _Wait:
    key: str
    wake: threading.Event = field(default_factory=threading.Event)
    aborted: bool = False
    gave_up: bool = False  # the waiting side left before the helper thread's answer
    intent_id: str | None = None


class QrCheckout(IntentHolds):
    """One checkout page per hold; several may wait at once (one per connector)."""

    def __init__(
        self,
        client: BackendClient,
        *,
        station_id: str,
        connector_of: Callable[[str], str],
        poll_s: float = 25,
        expires_in_s: int = 170,
        clock: Clock = utc_now,
        grace_s: float = _EXPIRY_GRACE_S,
    ) -> None:
        self._client = client
        self.station_id = station_id
        self._connector_of = connector_of
        self._poll_s = poll_s
        self._expires_in_s = expires_in_s
        self._clock = clock
        self._grace_s = grace_s
        self._lock = threading.Lock()
        self._waits: dict[str, _Wait] = {}
        self._closed = threading.Event()

    # ------------------------------------------------------------ the hold

    def authorize(
        self,
        *,
        idempotency_key: str,
        amount: Decimal,
        currency: str,
        reference: str,
        on_status: StatusSink | None = None,
    ) -> ProviderResult:
        wait = _Wait(idempotency_key)
        with self._lock:
            self._waits[idempotency_key] = wait
        try:
            return self._authorize(wait, amount, currency, reference, on_status)
        finally:
            with self._lock:
                self._waits.pop(idempotency_key, None)

    def _authorize(
        self,
        wait: _Wait,
        amount: Decimal,
        currency: str,
        reference: str,
        on_status: StatusSink | None,
    ) -> ProviderResult:
        if on_status is not None:  # the screen shows the QR's place, waiting, cancellable
            on_status(TerminalStatus(TerminalPrompt.SCAN_QR))
        connector_id = self._connector_of(reference)
        created = self._background(
            wait,
            "create",
            lambda: self._client.create_intent(
                idempotency_key=wait.key,
                kind="qr",
                amount=amount,
                currency=currency,
                reference=reference,
                connector_id=connector_id,
                expires_in_s=self._expires_in_s,
            ),
            on_late=lambda late: self._cancel_late(late, wait.key),
        )
        if created is None:  # given up while the page was being made
            return self._given_up(wait, None)
        if isinstance(created, BackendError):
            log.warning("QR checkout for %s: not created (%s)", reference, created)
            return refused_result(created)
        intent = created
        reason = disagreement(intent, currency=currency, amount=amount)
        if reason is not None:  # the page would show the driver another hold
            self._cancel_disagreeing(intent.id, wait.key)
            return refuse_disagreement(reason, intent.id, "authorize")
        wait.intent_id = intent.id
        if intent.status == "requires_payment" and intent.checkout_url and on_status is not None:
            on_status(
                TerminalStatus(
                    TerminalPrompt.SCAN_QR, url=intent.checkout_url, expires_at=intent.expires_at
                )
            )
        left_s = self._expires_in_s
        if intent.expires_at is not None:
            left_s = int((intent.expires_at - self._clock()).total_seconds())
        deadline = time.monotonic() + max(0, left_s) + self._grace_s
        last_error: str | None = None
        seen_attempt = intent.last_error
        while True:
            if wait.aborted or self._closed.is_set():
                return self._given_up(wait, intent)
            if intent.status != "requires_payment":
                return self._final(intent, amount)
            if intent.last_error is not None and intent.last_error != seen_attempt:
                seen_attempt = intent.last_error
                log.info("QR checkout %s: a payment attempt failed (%s)", intent.id, seen_attempt)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return ProviderResult(
                    False,
                    intent.id,
                    f"the checkout could not be followed: {last_error or 'no answer'}",
                    code=DeclineCode.UNAVAILABLE,
                )
            polled = self._poll(wait, intent.id, min(self._poll_s, remaining))
            if isinstance(polled, wire.Intent):
                reason = disagreement(polled, currency=currency, intent_id=intent.id)
                if reason is not None:
                    self._cancel_disagreeing(intent.id, wait.key)
                    return refuse_disagreement(reason, intent.id, "authorize")
                intent, last_error = polled, None
            elif isinstance(polled, BackendError):
                last_error = str(polled)
                log.info("QR checkout %s: the poll failed (%s); trying again", intent.id, polled)
                wait.wake.wait(_RETRY_PAUSE_S)
                wait.wake.clear()

    def _poll(
        self, wait: _Wait, intent_id: str, wait_s: float
    ) -> wire.Intent | BackendError | None:
        """One long poll; None when `abort`/`close` woke the wait first."""
        return self._background(
            wait,
            "poll",
            lambda: self._client.get_intent(
                intent_id, wait_s=max(1.0, wait_s), status_not="requires_payment"
            ),
        )

    def _background(
        self,
        wait: _Wait,
        what: str,
        call: Callable[[], wire.Intent],
        on_late: Callable[[wire.Intent | BackendError], None] | None = None,
    ) -> wire.Intent | BackendError | None:
        """`call` on a helper thread, so `abort` and `close` end the wait at once whatever
        the network does; None when they woke it first. What comes after that goes to
        `on_late` (on the helper thread)."""
        box: list[wire.Intent | BackendError] = []

        def run() -> None:
            try:
                result: wire.Intent | BackendError = call()
            except BackendError as exc:
                result = exc
            except Exception as exc:  # a bug in the call: logged here, the wait goes on
                log.exception("QR checkout %s: the %s failed unexpectedly", wait.key, what)
                result = BackendError(f"{what} failed: {exc}")
            with self._lock:
                box.append(result)
                late = wait.gave_up
            if late and on_late is not None:
                on_late(result)
            wait.wake.set()

        threading.Thread(target=run, name=f"qr-{what}-{wait.key[-6:]}", daemon=True).start()
        wait.wake.wait()
        wait.wake.clear()
        with self._lock:
            if box:
                return box[0]
            wait.gave_up = True
            return None

    def _cancel_late(self, created: wire.Intent | BackendError, key: str) -> None:
        """A page made after the driver gave up: cancelled, never left to be paid. When
        its answer was lost, the backend is asked under the key what it made."""
        try:
            if isinstance(created, BackendError):
                found = lookup_operation(self._client, key)
                if found is None or found.provider_ref is None:
                    return  # nothing was made
                intent_id = found.provider_ref
            else:
                intent_id = created.id
            self._client.cancel_intent(intent_id, idempotency_key=abort_key(key))
        except BackendError as exc:  # it expires unpaid: nobody was shown its QR code
            log.warning("QR checkout %s: the late cancel did not go through (%s)", key, exc)
        else:
            log.info("QR checkout %s: made after the driver gave up; cancelled", intent_id)

    def _final(self, intent: wire.Intent, amount: Decimal) -> ProviderResult:
        if intent.status in ("authorized", "captured"):
            return intent_result(intent, "authorize", amount)
        if intent.status == "expired":
            return ProviderResult(
                False, intent.id, "the checkout page expired unpaid", code=DeclineCode.TIMEOUT
            )
        return ProviderResult(
            False, intent.id, "the checkout was cancelled", code=DeclineCode.ABORTED
        )

    def _given_up(self, wait: _Wait, intent: wire.Intent | None) -> ProviderResult:
        ref = None if intent is None else intent.id
        if not wait.aborted:  # closed: the station stops; recovery asks `lookup` later
            return ProviderResult(
                False, ref, "closed while waiting for the phone", code=DeclineCode.UNAVAILABLE
            )
        if intent is None:  # its page, if it comes, is cancelled then (`_cancel_late`)
            return ProviderResult(False, None, "aborted", code=DeclineCode.ABORTED)
        try:
            cancelled = self._client.cancel_intent(intent.id, idempotency_key=abort_key(wait.key))
        except BackendError as exc:
            log.warning("QR checkout %s: the cancel did not go through (%s)", intent.id, exc)
        else:
            if cancelled.status == "authorized":  # paid just before the cancel: a hold
                log.info("QR checkout %s: paid before the abort arrived", intent.id)
        return ProviderResult(False, intent.id, "aborted", code=DeclineCode.ABORTED)

    def abort(self) -> None:
        """Give up every waiting checkout; returns at once."""
        with self._lock:
            waits = list(self._waits.values())
        for wait in waits:
            wait.aborted = True
            wait.wake.set()

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            waits = list(self._waits.values())
        for wait in waits:
            wait.wake.set()

    # ------------------------------------------------------------ after the hold

    def lookup(self, *, idempotency_key: str) -> ProviderResult | None:
        """What became of an operation; an authorize still unpaid is cancelled and answered so.

        Raises BackendError when the backend cannot say.
        """
        if kind_of_key(idempotency_key) not in (None, "authorize"):
            return lookup_operation(self._client, idempotency_key)
        found = lookup_operation(self._client, idempotency_key)
        if found is None or found.provider_ref is None:
            return found
        intent = self._client.get_intent(found.provider_ref)
        if intent.status == "requires_payment":
            intent = self._client.cancel_intent(
                intent.id, idempotency_key=abort_key(idempotency_key)
            )
        if intent.status in ("authorized", "captured"):
            return intent_result(intent, "authorize", intent.amount)
        return self._final(intent, intent.amount)
