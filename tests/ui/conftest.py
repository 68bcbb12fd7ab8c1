"""The real kiosk UI, offscreen: station, station thread, bridge and Main.qml.

Only the clock is swapped: the service runs on a SimulatedClock the tests move by
hand (through the station thread), so a two-minute plug-in timeout takes no time.
Any QML warning fails the test that caused it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtQuick import QQuickItem, QQuickWindow
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.charger.clock import SimulatedClock
from kiosk.config import demo_settings
from kiosk.services.station_service import StationService
from ui.app import build_station, load_screens
from ui.autoplay import click, find_item
from ui.bridge import Bridge
from ui.worker import StationWorker


@dataclass
class KioskUi:
    qtbot: QtBot
    window: QQuickWindow
    bridge: Bridge
    service: StationService
    worker: StationWorker
    clock: SimulatedClock
    warnings: list[str]

    def screen(self) -> str:
        return str(self.bridge.property("screen"))

    def on(self, screen: str, timeout_ms: int = 10_000) -> None:
        """Wait until the bridge is on `screen` and the QML shows it; check its sizes."""
        self.qtbot.waitUntil(
            lambda: self.screen() == screen and self.window.property("shownScreen") == screen,
            timeout=timeout_ms,
        )
        assert undersized(self.window) == [], screen

    def item(self, name: str, timeout_ms: int = 5_000) -> QQuickItem:
        found: list[QQuickItem] = []

        def present() -> bool:
            item = find_item(self.window, name)
            if item is not None:
                found[:] = [item]
            return item is not None

        self.qtbot.waitUntil(present, timeout=timeout_ms)
        return found[0]

    def click(self, name: str) -> None:
        """A finger on the item's centre, through the window, as on the kiosk."""
        click(self.window, self.item(name))

    def text(self, name: str) -> str:
        return str(self.item(name).property("text"))

    def session(self) -> dict[str, Any]:
        value = self.bridge.property("session")
        return value if isinstance(value, dict) else {}

    def job(self, job: Callable[[StationService], Any]) -> Any:
        """Run a job on the station thread; wait until it and its snapshot are through."""
        result: list[Any] = []
        done = threading.Event()
        self.worker.submit("", lambda s: result.append(job(s)))
        self.worker.submit("", lambda _s: done.set())
        self.qtbot.waitUntil(done.is_set, timeout=10_000)
        self.qtbot.wait(20)  # deliver the queued snapshot
        return result[0] if result else None

    def advance(self, seconds: float, steps: int = 1) -> None:
        """Move the simulated time on, one station tick per step."""

        def step(s: StationService) -> None:
            self.clock.advance(seconds / steps)
            s.tick()

        for _ in range(steps):
            self.job(step)


MIN_TEXT_PX = 24  # body text on a 1080 x 1920 touchscreen
MIN_TOUCH_PX = 64  # the smallest touch target


def undersized(window: QQuickWindow) -> list[str]:
    """Visible texts under 24 px and touch areas under 64 x 64 px on the window."""
    problems: list[str] = []

    def walk(item: QQuickItem) -> None:
        if not item.isVisible() or item.opacity() == 0:
            return
        kind = item.metaObject().className()
        if kind.startswith("QQuickText") and not kind.startswith("QQuickTextInput"):
            size = item.property("font").pixelSize()
            if item.property("text") and size < MIN_TEXT_PX:
                problems.append(f"text {item.property('text')!r}: {size} px")
        small = item.width() < MIN_TOUCH_PX or item.height() < MIN_TOUCH_PX
        if kind == "QQuickMouseArea" and item.isEnabled() and small:
            parent = item.parentItem()
            owner = parent.objectName() if parent is not None else ""
            problems.append(f"touch area {owner!r}: {item.width():.0f}x{item.height():.0f}")
        for child in item.childItems():
            walk(child)

    walk(window.contentItem())
    return problems


@pytest.fixture
def kiosk_ui(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[KioskUi]:
    orientation = getattr(request, "param", "portrait")
    kiosk = build_station(demo_settings(tmp_path / "k.sqlite"), speed=1.0)
    clock = SimulatedClock(kiosk.service.now())
    kiosk.service.clock = clock  # before the station thread starts: no race
    screens = load_screens(
        qapp,
        kiosk.settings,
        lambda: kiosk.service,
        demo=True,
        orientation=orientation,
    )
    window, bridge, worker, warnings = (
        screens.window,
        screens.bridge,
        screens.worker,
        screens.warnings,
    )
    assert isinstance(window, QQuickWindow)
    # payments answer through the device threads and the loop's inbox, as in the kiosk
    kiosk.service.runner = worker.loop.runner
    bridge.present_card = kiosk.present_card  # the ZVT simulator behind the real driver
    bridge.receipt_token = kiosk.service.keys.receipt_token  # as ui.app sets it
    if kiosk.terminal_simulator is not None:
        kiosk.terminal_simulator.step_delay_s = 0.0  # the tests do not read its prompts
    worker.start()
    ui = KioskUi(qtbot, window, bridge, kiosk.service, worker, clock, warnings)
    try:
        qtbot.waitUntil(
            lambda: bool(window.property("ready") and bridge.property("live")), timeout=10_000
        )
        yield ui
    finally:
        screens.retranslate("en")  # the application (and its translator) outlives the test
        worker.stop()
        shiboken6.delete(screens.engine)
        kiosk.close()
    assert warnings == [], "QML warnings:\n" + "\n".join(warnings)
