"""Start-up: the overview comes first, the station thread opens the ledger after it.

Before the station's first snapshot every card shows its price and "Starting…" and
cannot be tapped; a station whose ledger cannot be opened shows the out-of-service
screen (and logs why) instead of dying before the screen is up.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtQuick import QQuickWindow
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.config import Settings, demo_settings
from kiosk.domain.errors import KnownError
from kiosk.services.station_service import StationService
from tests.conftest import ExpectedWarnings
from ui.app import Kiosk, Screens, build_station, load_screens
from ui.autoplay import find_item


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return demo_settings(tmp_path / "k.sqlite")


@contextmanager
def _screens(
    qapp: QApplication, settings: Settings, open_station: Callable[[], StationService]
) -> Iterator[Screens]:
    screens = load_screens(qapp, settings, open_station, demo=False)
    assert isinstance(screens.window, QQuickWindow)
    try:
        yield screens
    finally:
        screens.worker.stop()
        shiboken6.delete(screens.engine)
    assert screens.warnings == []


def test_the_overview_shows_prices_before_the_station_is_open(
    qtbot: QtBot, qapp: QApplication, settings: Settings
) -> None:
    release = threading.Event()
    opened: list[Kiosk] = []

    def open_station() -> StationService:
        release.wait(10)  # the ledger is slow to open today
        kiosk = build_station(settings, speed=1.0)
        opened.append(kiosk)
        return kiosk.service

    try:
        with _screens(qapp, settings, open_station) as s:
            s.worker.start()
            qtbot.waitUntil(lambda: bool(s.window.property("ready")), timeout=10_000)
            cards = s.bridge.property("connectors")
            assert [c["state"] for c in cards] == ["starting"] * 3
            assert all(c["priceText"] and not c["available"] for c in cards)
            assert find_item(s.window, "overviewTitle") is not None  # the overview is up
            release.set()
            qtbot.waitUntil(lambda: bool(s.bridge.property("live")), timeout=10_000)
            assert [c["state"] for c in s.bridge.property("connectors")] == ["idle"] * 3
    finally:
        release.set()
        for kiosk in opened:
            kiosk.close()


def test_a_ledger_that_cannot_be_opened_shows_out_of_service(
    qtbot: QtBot,
    qapp: QApplication,
    settings: Settings,
    expect_warnings: ExpectedWarnings,
) -> None:
    expect_warnings("the ledger's disk is full")  # the one line the station logs

    def open_station() -> StationService:
        raise KnownError("the ledger's disk is full")

    with _screens(qapp, settings, open_station) as s:
        s.worker.start()
        qtbot.waitUntil(lambda: s.bridge.property("screen") == "outOfService", timeout=10_000)
        qtbot.waitUntil(lambda: s.window.property("shownScreen") == "outOfService")
        cards = s.bridge.property("connectors")
        assert [c["state"] for c in cards] == ["out_of_service"] * 3
        s.bridge.selectConnector("1")  # a tap changes nothing: there is no station
        assert s.bridge.property("screen") == "outOfService"
