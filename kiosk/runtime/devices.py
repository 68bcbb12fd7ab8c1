"""One thread per payment device; their answers come back through the loop's inbox.

A `DeviceRunner` gives each payment method (the card terminal, the account gateway,
the QR checkout) its own thread and queue: a call waits there on its device, one at a
time, as the device itself can only do one thing at a time, while the station loop
goes on. Each terminal status and the final answer are queued back to the loop
(`StationLoop.call_soon`), where the service takes them in order.

A call that raises something its adapter did not turn into an answer is a bug in the
adapter: it is logged with its traceback and answered as a failure (nothing moved, as
far as the kiosk knows; start-up recovery and the provider's own lookup settle the
rest), so the connector never waits for an answer that will not come.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from kiosk.domain.payment import DeclineCode, PaymentMethod
from kiosk.ports import ProviderResult, StatusSink, TerminalStatus

__all__ = ["DeviceRunner"]

log = logging.getLogger(__name__)

T = TypeVar("T")

_Work = tuple[Callable[[StatusSink], Any], Callable[[Any], None], Callable[[TerminalStatus], None]]


class DeviceRunner:
    def __init__(self, call_soon: Callable[[Callable[[], Any]], None]) -> None:
        self._call_soon = call_soon
        self._queues: dict[PaymentMethod, queue.Queue[_Work | None]] = {}
        self._threads: dict[PaymentMethod, threading.Thread] = {}
        self._lock = threading.Lock()
        self._busy = 0
        self._idle = threading.Condition(self._lock)
        self._closed = False

    def run(
        self,
        method: PaymentMethod,
        call: Callable[[StatusSink], T],
        done: Callable[[T], None],
        status: Callable[[TerminalStatus], None],
    ) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the payment devices are closed")
            q = self._queues.get(method)
            if q is None:
                q = self._queues[method] = queue.Queue()
                thread = threading.Thread(
                    target=self._serve, args=(method, q), name=f"kiosk-pay-{method.value}"
                )
                thread.daemon = True  # a device stuck on its own timeout never blocks exit
                self._threads[method] = thread
                thread.start()
            self._busy += 1
        q.put((call, done, status))

    def _serve(self, method: PaymentMethod, q: queue.Queue[_Work | None]) -> None:
        while True:
            work = q.get()
            if work is None:
                return
            call, done, status = work

            try:
                answer = call(self._sink(status))
            except Exception:
                log.exception("payment device %s: the call failed unexpectedly", method.value)
                answer = ProviderResult(
                    False, error="the payment device failed", code=DeclineCode.UNAVAILABLE
                )
            self._call_soon(self._answer(done, answer))
            with self._lock:
                self._busy -= 1
                self._idle.notify_all()

    def _sink(self, status: Callable[[TerminalStatus], None]) -> StatusSink:
        def sink(st: TerminalStatus) -> None:
            self._call_soon(lambda: status(st))

        return sink

    @staticmethod
    def _answer(done: Callable[[Any], None], answer: Any) -> Callable[[], None]:
        return lambda: done(answer)

    def wait_idle(self, timeout: float) -> bool:
        """Until no call is on its way (tests and benchmarks); False on timeout."""
        with self._lock:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def close(self, timeout: float = 2.0) -> None:
        with self._lock:
            self._closed = True
            queues = list(self._queues.values())
            threads = list(self._threads.values())
        for q in queues:
            q.put(None)
        for t in threads:
            t.join(timeout)
