"""PC/SC RFID readers as a `TokenReader`: one thread per reader, plus one that finds them.

Each reader's thread blocks in SCardGetStatusChange (with a timeout, and woken by
SCardCancel on close), so a tap is seen as soon as pcscd sees it and an idle reader
costs nothing. A card that arrives is read once: exactly one PRESENTED (or BANK_CARD,
or UNREADABLE) however long it is held, then REMOVED when it leaves. The discovery
thread lists the readers, starts a thread for each new one that matches and keeps
retrying while pcscd is away (a restart makes every reader DETACHED, then ATTACHED).

A bank card held to the RFID reader is recognised by its payment directory (SELECT
PPSE) before anything else is read: one BANK_CARD event, nothing of the card kept.
Logs never carry a full UID, only its last four hex digits ("…A1B2").
"""

from __future__ import annotations

import logging
import re
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from kiosk.ports import CardKind, TokenEvent, TokenEventKind, TokenSink
from payment_drivers.pcsc import _scard
from payment_drivers.pcsc.apdu import (
    ApduError,
    ApduTransport,
    CardRemoved,
    PcscChannel,
    is_payment_card,
    read_uid,
)
from payment_drivers.pcsc.atr import card_kind, card_kind_name, has_iso7816_apps

__all__ = ["THREAD_PREFIX", "PcscReader", "mask_uid", "name_matcher"]

log = logging.getLogger(__name__)

THREAD_PREFIX: Final = "pcsc-"  # every thread of this driver is named so
_JOIN_S: Final = 2.0  # how long close() waits for a thread stuck in a slow card
_BACKOFF_S: Final = (0.1, 0.2, 0.4, 0.8, 1.0)  # retry delays while pcscd or a reader is away
# hresults that mean the context is dead: pcscd stopped or restarted
_SERVICE_LOST: Final = frozenset(
    {_scard.NO_SERVICE, _scard.SERVICE_STOPPED, _scard.INVALID_HANDLE, _scard.COMM_ERROR}
)
_NOT_RUNNING: Final = "pcscd is not running or not reachable"


def mask_uid(uid: str) -> str:
    """The only form of a UID that goes to a log: its last four hex digits."""
    return "…" + uid[-4:]


def name_matcher(pattern: str | None) -> Callable[[str], bool]:
    """Reader names to use: a case-insensitive substring or regular expression."""
    if pattern is None:
        return lambda _name: True
    needle = pattern.casefold()
    try:
        rx: re.Pattern[str] | None = re.compile(pattern, re.IGNORECASE)
    except re.error:
        rx = None
    return lambda name: needle in name.casefold() or (rx is not None and bool(rx.search(name)))


class _Backoff:
    """Short, growing waits between retries; back to the shortest once things work."""

    def __init__(self) -> None:
        self._step = 0

    def next(self) -> float:
        delay = _BACKOFF_S[min(self._step, len(_BACKOFF_S) - 1)]
        self._step += 1
        return delay

    def reset(self) -> None:
        self._step = 0


@dataclass
class _Discovery:
    """The discovery thread's own state between two rounds."""

    context: int | None = None
    pnp: int = _scard.STATE_UNAWARE  # the PnP pseudo reader's last state
    outage: str | None = None  # why pcscd cannot be reached (logged once per outage)
    backoff: _Backoff = field(default_factory=_Backoff)


class PcscReader:
    """Every PC/SC reader whose name matches `pattern` (None: all of them)."""

    def __init__(self, pattern: str | None = None, *, poll_s: float = 0.2) -> None:
        if poll_s <= 0:
            raise ValueError("poll_s must be positive")
        self._match = name_matcher(pattern)
        self._poll_s = poll_s
        self._poll_ms = max(1, round(poll_s * 1000))
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sink: TokenSink | None = None
        self._discovery: threading.Thread | None = None
        self._discovery_ctx: int | None = None
        self._workers: dict[str, _ReaderWorker] = {}

    def start(self, sink: TokenSink) -> None:
        """Start the discovery thread; it starts a thread for each reader."""
        with self._lock:
            if self._discovery is not None or self._stop.is_set():
                raise RuntimeError("PcscReader.start() called twice (or after close)")
            self._sink = sink
            self._discovery = threading.Thread(
                target=self._discover, name=f"{THREAD_PREFIX}discovery", daemon=True
            )
            self._discovery.start()

    def close(self) -> None:
        """Stop every thread; returns within a fraction of a second unless a card hangs."""
        with self._lock:
            self._stop.set()
            workers = list(self._workers.values())
            discovery = self._discovery
        # SCardCancel only wakes a wait already in progress: a thread between its stop
        # check and its next SCardGetStatusChange would sleep the whole timeout, so the
        # cancel is repeated until the thread is gone
        waits: list[tuple[threading.Thread, Callable[[], None]]] = [
            (w.thread, w.stop) for w in workers
        ]
        if discovery is not None:
            waits.append((discovery, self._cancel_discovery))
        deadline = time.monotonic() + _JOIN_S
        for thread, wake in waits:
            if thread is threading.current_thread():  # close() called from the sink
                continue
            while thread.is_alive() and time.monotonic() < deadline:
                wake()
                thread.join(0.02)
            if thread.is_alive():
                log.warning("%s did not stop within %.0f s", thread.name, _JOIN_S)

    def _cancel_discovery(self) -> None:
        with self._lock:
            if self._discovery_ctx is not None:
                _scard.cancel(self._discovery_ctx)

    # ---------------------------------------------------------------- discovery

    def _discover(self) -> None:
        state = _Discovery()
        try:
            while not self._stop.is_set():
                try:
                    self._discover_step(state)
                except Exception:  # a bug must not end reader discovery: log, retry
                    log.exception("PC/SC reader discovery failed; retrying")
                    if state.context is not None:
                        self._drop_context(state.context)
                        state.context = None
                    self._stop.wait(state.backoff.next())
        finally:
            if state.context is not None:
                self._drop_context(state.context)

    def _discover_step(self, state: _Discovery) -> None:
        """Connect to pcscd if need be, start and retire reader threads, wait for a change."""
        if state.context is None:
            try:
                context = _scard.establish()
            except _scard.PcscError as exc:
                if state.outage is None:
                    state.outage = _scard.error_text(exc.hresult)
                    log.warning("%s: %s; retrying", _NOT_RUNNING, state.outage)
                self._stop.wait(state.backoff.next())
                return
            with self._lock:
                self._discovery_ctx = context
            state.context, state.pnp = context, _scard.STATE_UNAWARE
            if state.outage is not None:
                log.info("pcscd is reachable again")
                state.outage = None
            state.backoff.reset()
        context = state.context
        try:
            names = _scard.list_readers(context)
        except _scard.PcscError as exc:
            if exc.hresult in _SERVICE_LOST:
                self._drop_context(context)
                state.context = None
            else:
                log.debug("cannot list the PC/SC readers: %s", exc)
                self._stop.wait(state.backoff.next())
            return
        self._reconcile(names)
        # wait until the list of readers changes (or the timeout: list again)
        hresult, states = _scard.get_status_change(
            context, self._poll_ms, [(_scard.PNP_NOTIFICATION, state.pnp)]
        )
        if hresult == _scard.SUCCESS and states:
            state.pnp = states[0].event
        elif hresult in _SERVICE_LOST:
            self._drop_context(context)
            state.context = None
        elif hresult not in (_scard.TIMEOUT, _scard.CANCELLED):
            self._stop.wait(self._poll_s)  # no PnP notification here: poll

    def _drop_context(self, context: int) -> None:
        with self._lock:
            self._discovery_ctx = None
        _scard.release(context)

    def _reconcile(self, names: list[str]) -> None:
        """One thread for each matching reader; retire those whose reader went away."""
        wanted = {name for name in names if self._match(name)}
        with self._lock:
            if self._stop.is_set():
                return
            for name, worker in list(self._workers.items()):
                if not worker.thread.is_alive():
                    worker.thread.join()
                    del self._workers[name]
                elif name not in wanted:
                    worker.retire()
            for name in sorted(wanted - self._workers.keys()):
                worker = _ReaderWorker(self, name)
                self._workers[name] = worker
                worker.thread.start()

    # ---------------------------------------------------------------- events

    def _emit(
        self,
        kind: TokenEventKind,
        reader: str,
        *,
        uid: str | None = None,
        card: CardKind | None = None,
        detail: str = "",
    ) -> None:
        """Hand an event to the sink on this thread; a failing sink is logged, not fatal."""
        sink = self._sink
        if sink is None:
            return
        event = TokenEvent(
            kind=kind, reader=reader, at=datetime.now(UTC), uid=uid, card=card, detail=detail
        )
        try:
            sink(event)
        except Exception as exc:
            text = "".join(traceback.format_exception(exc))
            if uid:
                text = text.replace(uid, mask_uid(uid))
            log.error("the token sink failed on a %s event from %s:\n%s", kind.value, reader, text)


class _ReaderWorker:
    """The thread of one reader: waits for cards, reads each one once."""

    def __init__(self, owner: PcscReader, name: str) -> None:
        self.owner = owner
        self.name = name
        self._stop = threading.Event()
        self._retired = False
        self._lock = threading.Lock()
        self._context: int | None = None
        self.thread = threading.Thread(
            target=self._run, name=f"{THREAD_PREFIX}reader {name}", daemon=True
        )

    def stop(self) -> None:
        """Stop without a DETACHED event (the driver is closing)."""
        self._stop.set()
        with self._lock:
            if self._context is not None:
                _scard.cancel(self._context)

    def retire(self) -> None:
        """Stop because the reader is gone from pcscd's list (a DETACHED event follows)."""
        self._retired = True
        self.stop()

    def _emit(
        self,
        kind: TokenEventKind,
        *,
        uid: str | None = None,
        card: CardKind | None = None,
        detail: str = "",
    ) -> None:
        self.owner._emit(kind, self.name, uid=uid, card=card, detail=detail)

    def _run(self) -> None:
        try:
            context = _scard.establish()
        except _scard.PcscError:
            return  # pcscd went away again: the discovery thread retries
        with self._lock:
            if self._stop.is_set():
                _scard.release(context)
                return
            self._context = context
        try:
            self._watch(context)
        except Exception as exc:  # a bug: say so, the discovery thread starts a new thread
            log.exception("the thread of reader %s failed", self.name)
            self._emit(TokenEventKind.READER_FAULT, detail=f"internal error: {exc!r}")
        finally:
            with self._lock:
                self._context = None
            _scard.release(context)

    def _watch(self, context: int) -> None:
        known = _scard.STATE_UNAWARE
        attached = False
        fault: str | None = None
        suspect = False  # the last answer was an error
        card_in = False
        counter = -1
        backoff = _Backoff()
        gone = "the reader was removed"
        while not self._stop.is_set():
            hresult, states = _scard.get_status_change(
                context, self.owner._poll_ms, [(self.name, known)]
            )
            if hresult in (_scard.TIMEOUT, _scard.CANCELLED):
                continue
            if hresult in _SERVICE_LOST:
                gone = _NOT_RUNNING
                break
            if hresult == _scard.UNKNOWN_READER:
                break
            state = states[0] if hresult == _scard.SUCCESS and states else None
            if state is not None and state.flags & _scard.STATE_UNKNOWN:
                break
            if state is None or state.flags & _scard.STATE_UNAVAILABLE:
                problem = (
                    _scard.error_text(hresult)
                    if hresult != _scard.SUCCESS
                    else "the reader is unavailable (its driver does not answer)"
                )
                # reported when it happens twice running: a pcscd that is shutting down
                # answers one odd error (SCARD_W_SECURITY_VIOLATION) before "no service"
                if fault is None and suspect:
                    fault = problem
                    log.warning("reader %s is faulty: %s", self.name, fault)
                    self._emit(TokenEventKind.READER_FAULT, detail=fault)
                suspect = True
                known = _scard.STATE_UNAWARE  # the next answer says at once if it works again
                self._stop.wait(backoff.next())
                continue
            suspect = False
            known = state.event
            if not attached or fault is not None:
                log.info("reader %s %s", self.name, "works again" if attached else "attached")
                attached, fault = True, None
                backoff.reset()
                self._emit(TokenEventKind.READER_ATTACHED)
            present = bool(state.flags & _scard.STATE_PRESENT)
            if card_in and (not present or state.counter != counter):
                card_in = False  # gone, or taken away and another one put down meanwhile
                self._emit(TokenEventKind.REMOVED)
            if present and not card_in:
                card_in, counter = True, state.counter
                self._read_card(context, state)
        if self._retired or not self._stop.is_set():
            if card_in:
                self._emit(TokenEventKind.REMOVED)
            if attached:
                log.warning("reader %s detached: %s", self.name, gone)
                self._emit(TokenEventKind.READER_DETACHED, detail=gone)

    def _read_card(self, context: int, state: _scard.ReaderState) -> None:
        """One event for the card that just arrived: PRESENTED, BANK_CARD or UNREADABLE."""
        kind = card_kind(state.atr)
        if state.flags & _scard.STATE_MUTE:
            self._unreadable("the card does not answer (mute)", kind)
            return
        try:
            card, protocol = _scard.connect(context, self.name)
        except _scard.PcscError as exc:
            if exc.hresult in (_scard.NO_SMARTCARD, _scard.REMOVED_CARD):
                self._unreadable("the card was taken away before it could be read", kind)
            else:
                self._unreadable(str(exc), kind)
            return
        uid: str | None = None
        bank = False
        problem = ""
        try:
            transport = ApduTransport(PcscChannel(card, protocol))
            if has_iso7816_apps(kind) and is_payment_card(transport):
                bank = True
            else:
                uid = read_uid(transport).hex().upper()
        except CardRemoved:
            problem = "the card was taken away while it was read"
        except ApduError as exc:
            problem = str(exc)
        finally:
            _scard.disconnect(card)
        if bank:
            log.info("a payment card was presented (reader %s)", self.name)
            self._emit(TokenEventKind.BANK_CARD)
        elif uid is not None:
            log.info("card %s (%s) presented on %s", mask_uid(uid), card_kind_name(kind), self.name)
            self._emit(TokenEventKind.PRESENTED, uid=uid, card=kind)
        else:
            self._unreadable(problem, kind)

    def _unreadable(self, detail: str, kind: CardKind | None = None) -> None:
        log.info("unreadable card on %s: %s", self.name, detail)
        self._emit(TokenEventKind.UNREADABLE, card=kind, detail=detail)
