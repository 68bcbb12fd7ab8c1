"""Waiting on the GUI thread: for a condition, for the overview's first swapped frame.

Light on purpose (Qt only): `kiosk demo --quit-after-ready` loads this before the first
frame, so start-up measurements do not pay for the autoplay's imports.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QTimer
from PySide6.QtQuick import QQuickWindow

__all__ = ["Frames", "quick_window", "spin", "wait_first_frame", "wait_until"]


def spin(app: QCoreApplication, ms: int) -> None:
    """Run the event loop for `ms` milliseconds."""
    loop = QEventLoop()
    # with `loop` as the context object: PySide6 6.11 keeps ~60 bytes for every
    # singleShot(ms > 0, callable) without one, which a long autoplay adds up to MBs
    QTimer.singleShot(ms, loop, loop.quit)
    loop.exec()
    app.processEvents()


def wait_until(app: QCoreApplication, ready: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not ready():
        if time.monotonic() > deadline:
            return False
        spin(app, 15)
    return True


class Frames(QObject):
    """Counts a window's swapped frames and remembers when the last one was swapped."""

    def __init__(self, window: QQuickWindow) -> None:
        super().__init__()
        self.count = 0
        self.last_at = 0.0  # time.perf_counter()
        window.frameSwapped.connect(self._swapped)

    def _swapped(self) -> None:
        self.count += 1
        self.last_at = time.perf_counter()


def quick_window(window: QObject) -> QQuickWindow:
    if not isinstance(window, QQuickWindow):
        raise TypeError(f"Main.qml must be a Window, not {type(window).__name__}")
    return window


def wait_first_frame(app: QCoreApplication, root: QObject, started: float) -> float:
    """Process events until the overview's first frame was swapped; seconds since `started`."""
    window = quick_window(root)
    frames = Frames(window)
    seen_ready = -1
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        if seen_ready < 0 and window.property("ready"):
            seen_ready = frames.count
            window.update()
        if seen_ready >= 0 and frames.count > seen_ready:
            return frames.last_at - started
        time.sleep(0.001)
    return time.perf_counter() - started
