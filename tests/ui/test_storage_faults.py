"""The kiosk UI on storage faults: out of service with the reason on screen, then back.

The disk under a charging session fills up (a real tmpfs, tests/kiosk/storage_media.py):
the station goes out of service with the reason in the driver's language, the charging
stops, taps do nothing, and once space is freed the station opens its ledger again by
itself, recovery settles the session and the overview is back. A damaged ledger at start
shows why as well (no mount needed). A second kiosk on a ledger another process holds
exits 2 with one line naming the holder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import shiboken6
from PySide6.QtQuick import QQuickWindow
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.cli import main as kiosk_main
from kiosk.config import Settings, demo_settings
from kiosk.services.station_service import StationService
from tests.conftest import ExpectedWarnings
from tests.kiosk.crash_harness import psp_problems, read_holds, read_snapshot
from tests.kiosk.storage_media import damage_pages, filling, mounted_tmpfs
from ui.app import Kiosk, Screens, build_station, load_screens
from ui.autoplay import find_item
from ui.bridge import Bridge

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def _station(qapp: QApplication, settings: Settings, *, speed: float) -> Iterator[Screens]:
    """The kiosk as `kiosk demo` wires it: a fault closes the station, a retry reopens it."""
    opened: list[Kiosk] = []
    lock = threading.Lock()

    made: list[Screens] = []

    def open_station() -> StationService:
        screens = made[0]
        kiosk = build_station(settings, speed=speed, runner=screens.worker.loop.runner)
        screens.bridge.present_card = kiosk.present_card
        if kiosk.terminal_simulator is not None:
            kiosk.terminal_simulator.step_delay_s = 0.0
        with lock:
            opened.append(kiosk)
        return kiosk.service

    def close_station(service: StationService) -> None:
        with lock:
            for kiosk in [k for k in opened if k.service is service]:
                opened.remove(kiosk)
                kiosk.close()

    screens = load_screens(
        qapp, settings, open_station, demo=True, close_station=close_station, retry_s=0.2
    )
    assert isinstance(screens.window, QQuickWindow)
    made.append(screens)
    try:
        screens.worker.start()
        yield screens
    finally:
        screens.retranslate("en")
        screens.worker.stop()
        shiboken6.delete(screens.engine)
        for kiosk in opened:
            kiosk.close()
    assert screens.warnings == [], screens.warnings


def _text(s: Screens, name: str) -> str:
    item = find_item(s.window, name)
    return "" if item is None else str(item.property("text"))


def _charged_kwh(bridge: Bridge) -> float:
    session = bridge.property("session")
    energy = session.get("energy", "0") if isinstance(session, dict) else "0"
    return float(str(energy).replace(",", "") or 0)


def _on(qtbot: QtBot, s: Screens, screen: str, timeout: int = 15_000) -> None:
    qtbot.waitUntil(
        lambda: (
            s.bridge.property("screen") == screen and s.window.property("shownScreen") == screen
        ),
        timeout=timeout,
    )


def test_a_disk_that_fills_while_charging_takes_the_station_out_of_service_and_back(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("the ledger's disk is full", "recovered")
    with mounted_tmpfs(tmp_path / "disk", "32m") as disk:
        db = disk / "k.sqlite"
        with _station(qapp, demo_settings(db), speed=60.0) as s:
            b = s.bridge
            qtbot.waitUntil(lambda: bool(b.property("live")), timeout=15_000)
            b.selectConnector("1")
            b.toPayment()
            # an account card: its simulated PSP's holds are compared with the ledger below
            b.choosePayment("rfid")
            _on(qtbot, s, "waitCard")
            b.tapCard("04A1B2C3D4")
            _on(qtbot, s, "plugIn")
            b.devPlugIn("1")
            _on(qtbot, s, "charging")
            # three simulated minutes of charging, checkpointed every 10 s
            qtbot.waitUntil(lambda: _charged_kwh(b) > 0.5, timeout=15_000)

            with filling(disk):  # the next checkpoint cannot be written, nor anything else
                _on(qtbot, s, "outOfService")
                assert b.property("stationFault") == "disk_full"
                assert b.property("stationFaultLine").startswith(
                    f"kiosk: the ledger's disk is full ({db}): free space on it; the station is"
                    " out of service and tries again every 0.2 s"
                )
                assert not b.property("live")
                assert [c["state"] for c in b.property("connectors")] == ["out_of_service"] * 3
                assert _text(s, "screenTitle") == "This charging station is out of service"
                assert _text(s, "screenSubtitle") == (
                    "Its storage is full, so it cannot record charging sessions and payments."
                )
                assert "tries again by itself" in _text(s, "outOfServiceRetry")
                b.setLanguage("de")
                qtbot.waitUntil(
                    lambda: _text(s, "screenTitle") == "Diese Ladestation ist außer Betrieb"
                )
                assert _text(s, "screenSubtitle").startswith("Ihr Speicher ist voll")
                b.setLanguage("en")
                b.selectConnector("2")  # a tap does nothing while out of service
                assert b.property("screen") == "outOfService"
                qtbot.wait(600)  # a few retries, still full
                assert b.property("screen") == "outOfService"

            # the space came free (the filler stopped and went): the station comes back
            qtbot.waitUntil(lambda: bool(b.property("live")), timeout=15_000)
            _on(qtbot, s, "overview")
            assert b.property("stationFault") == ""
            states = [c["state"] for c in b.property("connectors")]
            assert states == ["idle"] * 3, states

            # the session that was charging was settled by the recovery, to the cent
            snap = read_snapshot(db)
            assert [x.state for x in snap.sessions.values()] == ["completed"]
            assert [p.state for p in snap.payments.values()] == ["captured"]
            assert all(p.captured > 0 for p in snap.payments.values())
            assert psp_problems(snap, read_holds(db), final=True) == []
            assert kiosk_main(["db", "check", "--db", str(db)]) == 0  # read-only, beside it


def test_a_damaged_ledger_at_start_shows_why(
    qtbot: QtBot,
    qapp: QApplication,
    tmp_path: Path,
    expect_warnings: ExpectedWarnings,
) -> None:
    expect_warnings("the ledger is damaged")
    db = tmp_path / "k.sqlite"
    assert kiosk_main(["simulate", "--sessions", "4", "--db", str(db)]) == 0
    damage_pages(db)
    with _station(qapp, demo_settings(db), speed=1.0) as s:
        _on(qtbot, s, "outOfService")
        assert s.bridge.property("stationFault") == "damaged"
        assert _text(s, "screenSubtitle") == (
            "Its records are damaged, so it cannot record charging sessions and payments."
        )
        home = find_item(s.window, "homeButton")
        assert home is None or not home.isVisible()  # no way "back": nothing works
        qtbot.wait(500)  # it keeps trying, and says so once
        assert s.bridge.property("screen") == "outOfService"


def test_a_second_kiosk_on_a_held_ledger_exits_2_naming_the_holder(tmp_path: Path) -> None:
    db = tmp_path / "k.sqlite"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "QT_QPA_PLATFORM": "offscreen"}
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from kiosk.store import open_database;"
            " db = open_database(Path(sys.argv[1])); print('held', flush=True); time.sleep(120)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        done = subprocess.run(
            [sys.executable, "-m", "ui.main", "demo", "--quit-after-ready", "--db", str(db)],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            cwd=ROOT,
            env=env,
        )
    finally:
        holder.kill()
        holder.communicate(timeout=30)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"kiosk: ledger {db} is in use by pid {holder.pid} on host "), lines
    assert lines[0].endswith("; stop it first, or use another database."), lines
