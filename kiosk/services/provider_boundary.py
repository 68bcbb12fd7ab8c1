"""The provider boundary: every answer from a payment provider is made safe here, once.

`GuardedProvider` wraps a `PaymentProvider` and passes every `ProviderResult` (and
every listed `ProviderHold`) through `safe_result` / `safe_hold` before the core sees
it, so nothing a provider says reaches the ledger, a log, a screen, a receipt or the
backend unredacted:

- `error` (decline text) is redacted (`kiosk.domain.redaction.redact`): PAN-like
  runs, track data and CVV mentions go;
- `masked_ref` is rebuilt from at most its last four digits (`mask_reference`);
- `provider_ref`, `reference` and `kind` are identifiers the core must keep or
  compare verbatim: one that holds card data is not kept (a `provider_ref` then makes
  the answer a failure: a hold the kiosk cannot name is never used, and the start-up
  sweep of open holds releases it).

Whenever the boundary had to change something it logs a warning naming the field,
never the value: a provider that sends card data is a fault to fix at the provider.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from decimal import Decimal

from kiosk.domain.redaction import contains_card_data, mask_reference, redact_optional
from kiosk.ports import (
    CardTerminal,
    HoldListing,
    MobilePay,
    PaymentProvider,
    ProviderHold,
    ProviderResult,
    StatusSink,
    TerminalStatus,
)

__all__ = ["GuardedProvider", "safe_hold", "safe_result", "safe_status_text"]

log = logging.getLogger(__name__)

_REFUSED_REF = "the provider's reference looked like card data and was refused"


def _identifier(value: str | None) -> tuple[str | None, bool]:
    """(value or None, whether it was dropped for holding card data)."""
    if value is None or not contains_card_data(value):
        return value, False
    return None, True


def safe_result(result: ProviderResult, *, provider: str = "provider") -> ProviderResult:
    """`result` with its texts redacted, its masked reference rebuilt, card data dropped."""
    changed: list[str] = []
    error = redact_optional(result.error)
    if error != result.error:
        changed.append("error")
    masked = mask_reference(result.masked_ref)
    if masked != result.masked_ref:
        changed.append("masked_ref")
    reference, dropped = _identifier(result.reference)
    if dropped:
        changed.append("reference")
    kind, dropped = _identifier(result.kind)
    if dropped:
        changed.append("kind")
    provider_ref, dropped = _identifier(result.provider_ref)
    ok = result.ok
    if dropped:
        changed.append("provider_ref")
        ok = False
        error = _REFUSED_REF
    if changed:
        log.warning(
            "payment provider %s sent card data or an unmasked reference (%s); redacted",
            provider,
            ", ".join(changed),
        )
    if not changed:
        return result
    return dataclasses.replace(
        result,
        ok=ok,
        provider_ref=provider_ref,
        error=error,
        masked_ref=masked,
        reference=reference,
        kind=kind,
    )


def safe_status_text(status: TerminalStatus, *, provider: str = "terminal") -> TerminalStatus:
    """A terminal status with its display text redacted (and bounded: it is shown)."""
    text = redact_optional(status.text) or ""
    if text != status.text:
        log.warning("payment terminal %s showed card data in a status text; redacted", provider)
    text = " ".join(text.split())[:120]
    url = status.url
    if url and (
        not url.startswith(("https://", "http://"))
        or len(url) > 512
        or any(ch.isspace() for ch in url)
        or contains_card_data(url)
    ):
        log.warning("payment provider %s gave a checkout URL that cannot be shown", provider)
        url = ""
    if text == status.text and url == status.url:
        return status
    return dataclasses.replace(status, text=text, url=url)


def safe_hold(hold: ProviderHold, *, provider: str = "provider") -> ProviderHold | None:
    """A listed hold, or None when its identifiers hold card data (it cannot be named)."""
    if contains_card_data(hold.provider_ref) or contains_card_data(hold.reference):
        log.warning("payment provider %s listed a hold whose reference holds card data", provider)
        return None
    return hold


class GuardedProvider:
    """A `PaymentProvider` (and `HoldListing` where the wrapped one is) behind the boundary."""

    def __init__(self, inner: PaymentProvider, name: str) -> None:
        self.inner = inner
        self.name = name

    def _safe(self, result: ProviderResult) -> ProviderResult:
        return safe_result(result, provider=self.name)

    def authorize(
        self,
        *,
        idempotency_key: str,
        amount: Decimal,
        currency: str,
        reference: str,
        on_status: StatusSink | None = None,
    ) -> ProviderResult:
        """A terminal's statuses are redacted too before anyone sees their text."""
        if isinstance(self.inner, CardTerminal | MobilePay):
            sink = on_status

            def safe_status(status: TerminalStatus) -> None:
                if sink is not None:
                    sink(safe_status_text(status, provider=self.name))

            result = self.inner.authorize(
                idempotency_key=idempotency_key,
                amount=amount,
                currency=currency,
                reference=reference,
                on_status=safe_status,
            )
        else:
            result = self.inner.authorize(
                idempotency_key=idempotency_key,
                amount=amount,
                currency=currency,
                reference=reference,
            )
        return self._safe(result)

    def increment(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult:
        return self._safe(
            self.inner.increment(
                idempotency_key=idempotency_key,
                provider_ref=provider_ref,
                amount=amount,
                currency=currency,
            )
        )

    def capture(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult:
        return self._safe(
            self.inner.capture(
                idempotency_key=idempotency_key,
                provider_ref=provider_ref,
                amount=amount,
                currency=currency,
            )
        )

    def void(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult:
        return self._safe(
            self.inner.void(
                idempotency_key=idempotency_key,
                provider_ref=provider_ref,
                amount=amount,
                currency=currency,
            )
        )

    def lookup(self, *, idempotency_key: str) -> ProviderResult | None:
        found = self.inner.lookup(idempotency_key=idempotency_key)
        return None if found is None else self._safe(found)

    @property
    def lists_holds(self) -> bool:
        return isinstance(self.inner, HoldListing)

    def open_holds(self, *, reference_prefix: str) -> Sequence[ProviderHold]:
        """The wrapped provider's open holds (none when it cannot list them)."""
        if not isinstance(self.inner, HoldListing):
            return []
        holds = self.inner.open_holds(reference_prefix=reference_prefix)
        return [h for h in (safe_hold(x, provider=self.name) for x in holds) if h is not None]
