"""How the service reaches a payment device: a call sent off, its answer coming back.

The service never waits on a provider itself: it hands each call to a
`PaymentRunner` with what to do with the answer. The station loop's runner
(`kiosk.runtime.devices.DeviceRunner`) runs the call on the device's own thread and
brings the answer (and every terminal status before it) back through the loop's
inbox, so a pre-authorisation that waits two minutes for a card stalls nothing. The
`InlineRunner` answers at once on the caller's thread: what the headless simulation and
most service tests use, where every provider is in-process and quick.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from kiosk.domain.payment import PaymentMethod
from kiosk.ports import StatusSink, TerminalStatus

__all__ = ["InlineRunner", "PaymentRunner"]

T = TypeVar("T")


class PaymentRunner(Protocol):
    def run(
        self,
        method: PaymentMethod,
        call: Callable[[StatusSink], T],
        done: Callable[[T], None],
        status: Callable[[TerminalStatus], None],
    ) -> None:
        """Run `call` (given a sink for the device's statuses); then `done(answer)`.

        `status` and `done` run where the service runs (the loop's thread), never on
        the device's. `call` handles the provider's known errors itself.
        """
        ...


class InlineRunner:
    """Runs every call at once on the caller's thread (in-process providers)."""

    def run(
        self,
        method: PaymentMethod,
        call: Callable[[StatusSink], T],
        done: Callable[[T], None],
        status: Callable[[TerminalStatus], None],
    ) -> None:
        done(call(status))
