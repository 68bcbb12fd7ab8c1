"""`kiosk run` on real device drivers: a PC/SC reader on the real pcscd (vpcd and a
scripted virtual card) and the ZVT driver talking to a terminal at host:port (the ZVT
simulator), composed from the configuration's `[devices]` exactly as `kiosk run` does.
An RFID card and a bank card, end to end, through the screens."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtQuick import QQuickItem, QQuickWindow
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.config import Settings, demo_config_text, load_settings_text
from kiosk.paths import assets_dir
from kiosk.services.station_service import StationService
from kiosk.sim.zvt_terminal import ZvtSimulator
from tests.conftest import ExpectedWarnings
from tests.payment_drivers.pcsc.vpcd import (
    BANK_CARD_ATR,
    SLOTS,
    Pcscd,
    bank_card_script,
    pcscd,  # noqa: F401 - the fixture
    pcscd_service,  # noqa: F401 - the fixture
    uid_script,
)
from ui.app import Kiosk, Screens, load_screens
from ui.autoplay import click, find_item
from ui.wiring import build_station

MEMBER_7_BYTES = "04A1B2C3D4E5F6"  # kiosk.sim.psp.TEST_TOKENS: a member's card


def _settings(tmp_path: Path, zvt_port: int) -> Settings:
    text = demo_config_text(f"""
[devices]
charger = "simulated"
accounts = "simulated"
qr = "none"
reader = {{ driver = "pcsc", pattern = "{SLOTS[0]}" }}
terminal = {{ driver = "zvt", host = "127.0.0.1", port = {zvt_port} }}
""")
    return load_settings_text(text, assets_dir(), tmp_path / "run.sqlite")


@dataclass
class Run:
    qtbot: QtBot
    screens: Screens
    pcscd: Pcscd
    sim: ZvtSimulator

    def screen(self) -> str:
        return str(self.screens.bridge.property("screen"))

    def on(self, screen: str, timeout_ms: int = 15_000) -> None:
        self.qtbot.waitUntil(
            lambda: (
                self.screen() == screen and self.screens.window.property("shownScreen") == screen
            ),
            timeout=timeout_ms,
        )

    def click(self, name: str) -> None:
        found: list[QQuickItem] = []

        def present() -> bool:
            item = find_item(self.screens.window, name)
            found[:] = [] if item is None else [item]
            return bool(found)

        self.qtbot.waitUntil(present, timeout=5_000)
        click(self.screens.window, found[0])

    def devices(self) -> dict[str, str]:
        value = self.screens.bridge.property("devices")
        return value if isinstance(value, dict) else {}


@pytest.fixture
def run(qtbot: QtBot, qapp: QApplication, tmp_path: Path, pcscd: Pcscd) -> Iterator[Run]:  # noqa: F811
    sim = ZvtSimulator(no_card_timeout_s=5.0, step_delay_s=0.01)
    sim.start()
    settings = _settings(tmp_path, sim.port)
    opened: list[Kiosk] = []
    made: list[Screens] = []
    lock = threading.Lock()

    def open_station() -> StationService:
        screens = made[0]
        kiosk = build_station(settings, speed=1.0, runner=screens.worker.loop.runner)
        assert kiosk.present_card is None  # nothing simulated but the charger and accounts
        assert kiosk.reader is not None
        kiosk.reader.start(screens.bridge.reader_event)
        with lock:
            opened.append(kiosk)
        return kiosk.service

    screens = load_screens(qapp, settings, open_station, demo=True, retry_s=None)
    assert isinstance(screens.window, QQuickWindow)
    made.append(screens)
    screens.worker.start()
    try:
        qtbot.waitUntil(lambda: bool(screens.bridge.property("live")), timeout=15_000)
        yield Run(qtbot, screens, pcscd, sim)
    finally:
        screens.retranslate("en")
        screens.worker.stop()
        shiboken6.delete(screens.engine)
        for kiosk in opened:
            kiosk.close()
        sim.close()
    assert screens.warnings == [], screens.warnings


def test_an_rfid_card_on_the_real_reader_pays_and_stops(run: Run) -> None:
    run.qtbot.waitUntil(lambda: run.devices().get("reader") == "ok", timeout=10_000)
    run.on("overview")
    run.click("connector_1")
    run.on("price")
    run.click("toPayment")
    run.on("payment")
    run.click("pay_rfid")
    run.on("waitCard")
    card = run.pcscd.insert(uid_script(MEMBER_7_BYTES))
    run.on("plugIn")
    card.remove()
    run.screens.bridge.devPlugIn("1")
    run.on("charging")
    again = run.pcscd.insert(uid_script(MEMBER_7_BYTES))  # the same card stops it
    run.on("finishing")
    again.remove()


def test_a_bank_card_through_the_zvt_driver(run: Run) -> None:
    run.on("overview")
    run.click("connector_2")
    run.on("price")
    run.click("toPayment")
    run.on("payment")
    run.click("pay_card")
    run.on("plugIn")  # the terminal asked for and read the card, then approved the hold
    assert len(run.sim.open_receipts()) == 1
    run.click("cancelPlugIn")  # cancelled before plugging in: the hold is reversed
    run.on("overview")
    run.qtbot.waitUntil(lambda: run.sim.open_receipts() == [], timeout=10_000)


def test_a_bank_card_on_the_rfid_reader_gets_a_hint(run: Run) -> None:
    run.qtbot.waitUntil(lambda: run.devices().get("reader") == "ok", timeout=10_000)
    card = run.pcscd.insert(bank_card_script(), atr=BANK_CARD_ATR)
    run.qtbot.waitUntil(lambda: run.screens.bridge.property("hint") == "bank_card", timeout=5_000)
    hint = find_item(run.screens.window, "hintText")
    assert hint is not None
    assert "card terminal" in str(hint.property("text"))
    card.remove()


def test_the_reader_unplugged_and_back(run: Run, expect_warnings: ExpectedWarnings) -> None:
    expect_warnings("detached", "reader_detached", "not running or not reachable")
    run.qtbot.waitUntil(lambda: run.devices().get("reader") == "ok", timeout=10_000)
    run.pcscd.stop()
    run.qtbot.waitUntil(lambda: run.devices().get("reader") == "missing", timeout=10_000)
    run.on("overview")
    run.click("connector_1")
    run.click("toPayment")
    run.on("payment")
    rfid = find_item(run.screens.window, "pay_rfid")
    assert rfid is not None
    assert rfid.property("enabled") is False  # the others still work
    card = find_item(run.screens.window, "pay_card")
    assert card is not None
    assert card.property("enabled") is True
    run.pcscd.start()
    run.qtbot.waitUntil(lambda: run.devices().get("reader") == "ok", timeout=10_000)
    run.qtbot.waitUntil(lambda: rfid.property("enabled") is True, timeout=5_000)


def _run_config(tmp_path: Path, devices: str) -> Path:
    text = demo_config_text(devices).replace(
        'tariff_file = "tariffs/', f'tariff_file = "{assets_dir()}/tariffs/'
    )
    path = tmp_path / "station.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _kiosk(*argv: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui.main", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )


def test_kiosk_run_builds_the_configured_devices(
    tmp_path: Path,
    pcscd: Pcscd,  # noqa: F811
) -> None:
    with ZvtSimulator() as sim:  # started: a terminal at host:port
        config = _run_config(
            tmp_path,
            f"""
[devices]
charger = "simulated"
reader = {{ driver = "pcsc" }}
terminal = {{ driver = "zvt", host = "127.0.0.1", port = {sim.port} }}
""",
        )
        done = _kiosk("run", "--config", str(config), "--quit-after-ready")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "station live after" in done.stdout
    assert "simulator" not in done.stderr.lower()


def test_kiosk_run_refuses_a_configuration_without_devices(tmp_path: Path) -> None:
    config = _run_config(tmp_path, "")
    done = _kiosk("run", "--config", str(config), "--quit-after-ready")
    assert done.returncode == 2
    assert "names no [devices]" in done.stderr
