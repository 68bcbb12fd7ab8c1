"""A fault-injecting payment provider: a real simulated PSP behind, its answers twisted.

`FaultyProvider` implements the `PaymentProvider` port (and `HoldListing`) by passing
every call to a `SimulatedPsp` and then changing the answer as told, the way a
misbehaving or hostile provider would: another amount, kind or reference under a key
(what a real PSP's first result looks like to a kiosk whose ledger lost its tail),
card data in the masked reference or in a decline text.

    faulty = FaultyProvider(psp)
    faulty.twist_kind("capture", amount=Decimal("9.32"))    # every capture answer
    faulty.twist_key("p1:capture:1", kind="void")           # one key's answer
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from kiosk.ports import ProviderHold, ProviderResult
from kiosk.sim.psp import SimulatedPsp

__all__ = ["FaultyProvider"]


class FaultyProvider:
    def __init__(self, inner: SimulatedPsp) -> None:
        self.inner = inner
        self.by_key: dict[str, dict[str, Any]] = {}
        self.by_kind: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, str, Decimal]] = []  # (kind, key, amount asked)

    def twist_key(self, key: str, /, **changes: Any) -> None:
        """Answer `key` (now and when looked up) with these ProviderResult fields changed."""
        self.by_key[key] = changes

    def twist_kind(self, operation: str, /, **changes: Any) -> None:
        """Answer every `operation` ("authorize", "capture", ...) changed like this."""
        self.by_kind[operation] = changes

    def _twist(self, kind: str, key: str, result: ProviderResult) -> ProviderResult:
        changes = {**self.by_kind.get(kind, {}), **self.by_key.get(key, {})}
        return dataclasses.replace(result, **changes) if changes else result

    def authorize(
        self, *, idempotency_key: str, amount: Decimal, currency: str, reference: str
    ) -> ProviderResult:
        self.calls.append(("authorize", idempotency_key, amount))
        result = self.inner.authorize(
            idempotency_key=idempotency_key, amount=amount, currency=currency, reference=reference
        )
        return self._twist("authorize", idempotency_key, result)

    def increment(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult:
        self.calls.append(("increment", idempotency_key, amount))
        result = self.inner.increment(
            idempotency_key=idempotency_key,
            provider_ref=provider_ref,
            amount=amount,
            currency=currency,
        )
        return self._twist("increment", idempotency_key, result)

    def capture(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult:
        self.calls.append(("capture", idempotency_key, amount))
        result = self.inner.capture(
            idempotency_key=idempotency_key,
            provider_ref=provider_ref,
            amount=amount,
            currency=currency,
        )
        return self._twist("capture", idempotency_key, result)

    def void(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult:
        self.calls.append(("void", idempotency_key, amount))
        result = self.inner.void(
            idempotency_key=idempotency_key,
            provider_ref=provider_ref,
            amount=amount,
            currency=currency,
        )
        return self._twist("void", idempotency_key, result)

    def lookup(self, *, idempotency_key: str) -> ProviderResult | None:
        found = self.inner.lookup(idempotency_key=idempotency_key)
        if found is None:
            return None
        return self._twist(found.kind or "", idempotency_key, found)

    def open_holds(self, *, reference_prefix: str) -> Sequence[ProviderHold]:
        return self.inner.open_holds(reference_prefix=reference_prefix)
