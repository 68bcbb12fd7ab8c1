"""A sink that records a reader's events, and a started PcscReader that cleans up."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from kiosk.ports import TokenEvent, TokenEventKind
from payment_drivers.pcsc.reader import THREAD_PREFIX, PcscReader

__all__ = ["EventLog", "driver_threads", "running_reader"]


class EventLog:
    """Collects events (from the reader threads) and waits for the ones a test expects."""

    def __init__(self) -> None:
        self.events: list[TokenEvent] = []
        self.threads: set[str] = set()  # names of the threads the sink was called on
        self._cond = threading.Condition()

    def __call__(self, event: TokenEvent) -> None:
        with self._cond:
            self.events.append(event)
            self.threads.add(threading.current_thread().name)
            self._cond.notify_all()

    def kinds(self, reader: str | None = None) -> list[TokenEventKind]:
        with self._cond:
            return [e.kind for e in self.events if reader is None or e.reader == reader]

    def of(self, kind: TokenEventKind) -> list[TokenEvent]:
        with self._cond:
            return [e for e in self.events if e.kind is kind]

    def wait_for(
        self, kind: TokenEventKind, *, count: int = 1, reader: str | None = None, timeout: float = 5
    ) -> TokenEvent:
        """The `count`-th event of `kind` (from `reader`), waiting for it if need be."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [e for e in self.events if e.kind is kind and reader in (None, e.reader)]
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"no {kind.value} event #{count} within {timeout} s; got "
                        f"{[(e.kind.value, e.reader, e.detail) for e in self.events]}"
                    )
                self._cond.wait(left)

    def settle(self, quiet_s: float = 0.3) -> None:
        """Wait until no event came for `quiet_s` (after the last expected one)."""
        with self._cond:
            seen = len(self.events)
            while True:
                self._cond.wait(quiet_s)
                if len(self.events) == seen:
                    return
                seen = len(self.events)


def driver_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(THREAD_PREFIX)]


@contextmanager
def running_reader(
    pattern: str | None = "Virtual PCD 00 00", *, attached: int = 1, poll_s: float = 0.2
) -> Iterator[tuple[PcscReader, EventLog]]:
    """A started PcscReader whose `attached` readers are attached; closed and checked after."""
    log = EventLog()
    reader = PcscReader(pattern, poll_s=poll_s)
    reader.start(log)
    try:
        log.wait_for(TokenEventKind.READER_ATTACHED, count=attached)
        yield reader, log
    finally:
        began = time.monotonic()
        reader.close()
        took = time.monotonic() - began
    assert took < 1.0, f"close() took {took:.2f} s"
    assert driver_threads() == [], "a driver thread outlived close()"
