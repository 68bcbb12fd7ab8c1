"""PySide6 must not lose references to True, False or None when signals are emitted.

PySide6-Essentials 6.12.0 on Python 3.11 loses one reference to True and one to None on
every `Signal.emit()`; the kiosk emits several a second per charging session, so the
interpreter aborted ("bool_dealloc: deallocating True or False") after a few thousand
emits, i.e. within hours on a station. pyproject.toml keeps PySide6 below 6.12; this
test is what must pass before that bound is raised. From Python 3.12 on the singletons
are immortal and their counts say nothing, so there the test has nothing to check.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Signal

from kiosk.services.station_service import StationService
from tests.ui.conftest import KioskUi

pytestmark = pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="True, False and None are immortal from 3.12 on"
)

_EMITS = 2_000


class _Emitter(QObject):
    bare = Signal()
    text = Signal(str)
    flag = Signal(bool)
    anything = Signal(object)


def _counts() -> tuple[int, int, int]:
    return sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)


@pytest.fixture(autouse=True)
def _quiet_heap() -> Iterator[None]:
    """No unrelated frees while counting: earlier tests' garbage would drop the counts."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_emitting_signals_keeps_the_singletons_reference_counts() -> None:
    emitter = _Emitter()
    received: list[object] = []
    for signal in (emitter.text, emitter.flag, emitter.anything):
        signal.connect(received.append)
    emitter.bare.connect(lambda: received.append(None))
    before = _counts()
    for _ in range(_EMITS):
        emitter.bare.emit()
        emitter.text.emit("x")
        emitter.flag.emit(True)
        emitter.anything.emit({"ok": False, "v": None})
    assert len(received) == 4 * _EMITS
    received.clear()
    after = _counts()
    # A few references may move with caches; thousands lost is the bug.
    assert [abs(a - b) < 50 for a, b in zip(after, before, strict=True)] == [True] * 3, (
        f"True/False/None reference counts moved from {before} to {after} over {4 * _EMITS} emits"
    )


def test_the_kiosk_snapshots_keep_the_singletons_reference_counts(kiosk_ui: KioskUi) -> None:
    """Snapshots from the station thread to the screens, as while sessions charge."""
    kiosk_ui.job(lambda s: None)
    before = _counts()

    def nothing(_service: StationService) -> None:
        return None

    for _ in range(200):
        kiosk_ui.worker.submit("", nothing)  # each job ends with a queued snapshot
    kiosk_ui.job(nothing)
    after = _counts()
    assert [abs(a - b) < 50 for a, b in zip(after, before, strict=True)] == [True] * 3, (
        f"True/False/None reference counts moved from {before} to {after}"
    )
