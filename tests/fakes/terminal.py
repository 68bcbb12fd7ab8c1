"""A card terminal that waits for a card as a real one does: for the runtime's tests.

`SlowTerminal` implements the `CardTerminal` port over a `SimulatedPsp` (the far side's
money), but `authorize` blocks on its caller's thread, reports "present card", and
waits until the test presents a card (`present`) or someone calls `abort` (from any
thread), as a terminal waits for the driver.
"""

from __future__ import annotations

import threading
from decimal import Decimal

from kiosk.domain.payment import DeclineCode
from kiosk.ports import (
    EndOfDay,
    ProviderResult,
    StatusSink,
    TerminalDiagnosis,
    TerminalPrompt,
    TerminalStatus,
)
from kiosk.sim.psp import SimulatedPsp

__all__ = ["SlowTerminal"]


class SlowTerminal:
    def __init__(self, psp: SimulatedPsp, *, wait_s: float = 30.0) -> None:
        self.psp = psp
        self.wait_s = wait_s
        self._card: str | None = None
        self._event = threading.Event()
        self._aborted = False
        self.waiting = threading.Event()  # set while authorize waits for a card
        self.aborts = 0
        self.approve_despite_abort = False  # the card was read as Cancel was pressed
        self.ignore_abort = False  # a terminal that hangs: the abort never arrives

    def present(self, card: str = "visa-ok") -> None:
        self._card = card
        self._event.set()

    def abort(self) -> None:
        self.aborts += 1
        if self.ignore_abort:
            return
        self._aborted = True
        self._event.set()

    def authorize(
        self,
        *,
        idempotency_key: str,
        amount: Decimal,
        currency: str,
        reference: str,
        on_status: StatusSink | None = None,
    ) -> ProviderResult:
        if on_status is not None:
            on_status(TerminalStatus(TerminalPrompt.PRESENT_CARD, "Karte bitte"))
        self.waiting.set()
        try:
            arrived = self._event.wait(self.wait_s)
        finally:
            self.waiting.clear()
            self._event.clear()
        if self._aborted and not self.approve_despite_abort:
            self._aborted = False
            return ProviderResult(False, error="aborted by the ECR", code=DeclineCode.ABORTED)
        self._aborted = False
        if not arrived:
            return ProviderResult(False, error="no card", code=DeclineCode.TIMEOUT)
        if on_status is not None:
            on_status(TerminalStatus(TerminalPrompt.ENTER_PIN, "PIN eingeben"))
        self.psp.next_card = self._card or "visa-ok"
        return self.psp.authorize(
            idempotency_key=idempotency_key, amount=amount, currency=currency, reference=reference
        )

    def increment(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult:
        return ProviderResult(
            False, provider_ref, "this terminal cannot increase a hold", code=DeclineCode.DECLINED
        )

    def capture(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult:
        return self.psp.capture(
            idempotency_key=idempotency_key,
            provider_ref=provider_ref,
            amount=amount,
            currency=currency,
        )

    def void(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult:
        return self.psp.void(
            idempotency_key=idempotency_key,
            provider_ref=provider_ref,
            amount=amount,
            currency=currency,
        )

    def lookup(self, *, idempotency_key: str) -> ProviderResult | None:
        return self.psp.lookup(idempotency_key=idempotency_key)

    def end_of_day(self) -> EndOfDay:
        return EndOfDay(ok=True)

    def diagnose(self) -> TerminalDiagnosis:
        return TerminalDiagnosis(reachable=True, registered=True)

    def close(self) -> None:
        self.abort()
