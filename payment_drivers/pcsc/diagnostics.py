"""What an installer runs on site: which readers pcscd sees, and does a tap read.

`list_readers` answers at once from pcscd's view (no card is touched); `test_reader`
waits for one tap through the real driver (`PcscReader`), so it tests exactly what
the kiosk will use, and prints the UID masked: a test tap leaves no card number on
screen or in a terminal's scrollback.
"""

from __future__ import annotations

import queue
import time
from dataclasses import dataclass
from typing import TextIO

from kiosk.ports import CardKind, TokenEvent, TokenEventKind
from payment_drivers.pcsc import _scard
from payment_drivers.pcsc.atr import card_kind, card_kind_name
from payment_drivers.pcsc.reader import PcscReader, name_matcher

__all__ = ["PcscUnavailable", "ReaderInfo", "list_readers", "mask_uid_for_display", "test_reader"]

NOT_RUNNING = "pcscd is not running or not reachable"


class PcscUnavailable(RuntimeError):
    """pcscd cannot be reached (not installed, not running, or another socket)."""


@dataclass(frozen=True, slots=True)
class ReaderInfo:
    """One reader as pcscd sees it now."""

    name: str
    card_present: bool
    atr_hex: str | None  # upper-case hex, no spaces
    card_kind: CardKind | None
    error: str | None  # why the reader (or its card) cannot be used


def mask_uid_for_display(uid: str) -> str:
    """'••••••A1B2 (7 bytes)': enough to tell two cards apart, not to copy one."""
    return f"••••••{uid[-4:]} ({len(uid) // 2} bytes)"


def list_readers() -> list[ReaderInfo]:
    """Every reader pcscd knows, with its card; PcscUnavailable when pcscd is not there."""
    try:
        context = _scard.establish()
    except _scard.PcscError as exc:
        raise PcscUnavailable(f"{NOT_RUNNING}: {_scard.error_text(exc.hresult)}") from exc
    try:
        try:
            names = _scard.list_readers(context)
        except _scard.PcscError as exc:
            raise PcscUnavailable(f"{NOT_RUNNING}: {_scard.error_text(exc.hresult)}") from exc
        return [_info(context, name) for name in names]
    finally:
        _scard.release(context)


def _info(context: int, name: str) -> ReaderInfo:
    hresult, states = _scard.get_status_change(context, 0, [(name, _scard.STATE_UNAWARE)])
    if hresult != _scard.SUCCESS or not states:
        return ReaderInfo(name, False, None, None, _scard.error_text(hresult))
    state = states[0]
    if state.flags & (_scard.STATE_UNKNOWN | _scard.STATE_UNAVAILABLE):
        return ReaderInfo(name, False, None, None, "the reader is unavailable")
    if not state.flags & _scard.STATE_PRESENT:
        return ReaderInfo(name, False, None, None, None)
    if state.flags & _scard.STATE_MUTE or not state.atr:
        return ReaderInfo(name, True, None, None, "the card does not answer (mute)")
    return ReaderInfo(name, True, state.atr.hex().upper(), card_kind(state.atr), None)


def test_reader(pattern: str | None, timeout_s: float, out: TextIO) -> int:
    """Wait for one tap on a matching reader and print what was read: 0 read, 1 not."""
    try:
        names = [info.name for info in list_readers()]
    except PcscUnavailable as exc:
        print(exc, file=out)
        return 1
    match = name_matcher(pattern)
    chosen = [name for name in names if match(name)]
    if not chosen:
        if not names:
            print("no PC/SC reader found (is the reader plugged in?)", file=out)
        else:
            print(f"no reader matches {pattern!r}; readers: {', '.join(names)}", file=out)
        return 1
    print(f"waiting {timeout_s:g} s for a card on {', '.join(chosen)}", file=out)
    events: queue.Queue[TokenEvent] = queue.Queue()
    reader = PcscReader(pattern)
    reader.start(events.put)
    deadline = time.monotonic() + timeout_s
    try:
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = events.get(timeout=left)
            except queue.Empty:
                break
            if event.kind is TokenEventKind.PRESENTED and event.uid:
                kind = card_kind_name(event.card)
                print(f"{event.reader}: {kind}, UID {mask_uid_for_display(event.uid)}", file=out)
                return 0
            if event.kind is TokenEventKind.BANK_CARD:
                print(f"{event.reader}: a bank card was presented: use the card terminal", file=out)
                return 0
            if event.kind is TokenEventKind.UNREADABLE:
                print(f"{event.reader}: a card could not be read ({event.detail})", file=out)
            elif event.kind is TokenEventKind.READER_FAULT:
                print(f"{event.reader}: reader fault ({event.detail})", file=out)
            elif event.kind is TokenEventKind.READER_DETACHED:
                print(f"{event.reader}: reader detached ({event.detail})", file=out)
    finally:
        reader.close()
    print(f"no card was read within {timeout_s:g} s", file=out)
    return 1


test_reader.__test__ = False  # type: ignore[attr-defined]  # not a test when pytest imports it
