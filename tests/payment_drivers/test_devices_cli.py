"""`kiosk devices`: list and try the reader (real pcscd + vpcd) and the terminal (the
ZVT simulator over TCP), as an installer runs them on site."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.sim.zvt_terminal import Outcome, ZvtSimulator
from payment_drivers.devices_cli import main
from tests.conftest import ExpectedWarnings
from tests.payment_drivers.pcsc.vpcd import SLOTS, Pcscd, uid_script

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "assets" / "config" / "station.example.toml"


@pytest.fixture
def sim() -> Iterator[ZvtSimulator]:
    simulator = ZvtSimulator(no_card_timeout_s=1.0, t3_s=1.0, step_delay_s=0.005)
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.close()


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_list_shows_the_readers_a_card_and_the_terminal(pcscd: Pcscd, sim: ZvtSimulator) -> None:
    pcscd.insert(uid_script("04A1B2C3D4E5F6"), slot=1)
    deadline = time.monotonic() + 5
    while True:
        code, text = _run("list", "--zvt", f"127.0.0.1:{sim.port}")
        if "card present" in text or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert code == 0, text
    lines = text.splitlines()
    assert lines[0] == f"reader {SLOTS[0]}: no card"
    assert lines[1].startswith(f"reader {SLOTS[1]}: card present: mifare_classic_1k, ATR 3B8F")
    assert lines[2].startswith(f"terminal ZVT 127.0.0.1:{sim.port}: reachable")
    assert "04A1B2C3D4" not in text  # an ATR names the card type, never the UID


def test_list_as_json(pcscd: Pcscd, sim: ZvtSimulator) -> None:
    code, text = _run("list", "--json", "--zvt", f"127.0.0.1:{sim.port}")
    data = json.loads(text)
    assert code == 0
    assert [r["name"] for r in data["pcsc"]["readers"]] == list(SLOTS)
    assert data["terminal"]["reachable"] is True


def test_list_says_what_is_missing(pcscd: Pcscd) -> None:
    pcscd.stop()
    code, text = _run("list", "--zvt", "127.0.0.1:1", "--timeout", "1")
    assert code == 1
    assert text.splitlines() == [
        "PC/SC: pcscd is not running or not reachable: Service not available. (0x8010001D)",
        "terminal ZVT 127.0.0.1:1: NOT reachable: cannot connect to 127.0.0.1:1:"
        " connection refused",
    ]


def test_list_reads_the_terminal_from_the_configuration(
    pcscd: Pcscd, sim: ZvtSimulator, tmp_path: Path
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace('"192.168.1.50"', '"127.0.0.1"')
    config = tmp_path / "station.toml"
    config.write_text(text.replace("port = 20007", f"port = {sim.port}"), encoding="utf-8")
    code, out = _run("list", "--config", str(config), "--timeout", "1")
    assert code == 0, out
    assert f"terminal ZVT 127.0.0.1:{sim.port}: reachable" in out


def test_a_port_that_is_not_a_terminal(pcscd: Pcscd, expect_warnings: ExpectedWarnings) -> None:
    expect_warnings("protocol error")
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

        def answer() -> None:
            conn, _ = server.accept()
            with conn:
                conn.recv(64)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

        thread = threading.Thread(target=answer)
        thread.start()
        code, out = _run("list", "--zvt", f"127.0.0.1:{port}", "--timeout", "1")
        thread.join(5)
    assert code == 1
    assert f"terminal ZVT 127.0.0.1:{port}: reachable but NOT registered" in out


def test_test_reader_masks_the_uid(pcscd: Pcscd) -> None:
    timer = threading.Timer(0.3, lambda: pcscd.insert(uid_script("04A1B2C3D4E5F6")))
    timer.start()
    try:
        code, text = _run("test", "reader", "--reader", "PCD 00 00", "--timeout", "5")
    finally:
        timer.join()
    assert code == 0
    assert "UID ••••••E5F6 (7 bytes)" in text
    assert "04A1B2C3D4" not in text


def test_test_reader_times_out(pcscd: Pcscd) -> None:
    code, text = _run("test", "reader", "--timeout", "0.5")
    assert code == 1
    assert text.strip()


def test_test_terminal_approves_and_reverses(sim: ZvtSimulator) -> None:
    code, text = _run("test", "terminal", "--zvt", f"127.0.0.1:{sim.port}", "--amount", "1.00")
    assert code == 0, text
    assert sim.open_receipts() == []  # reversed: nothing stays reserved


def test_test_terminal_declined_is_exit_1(sim: ZvtSimulator) -> None:
    sim.script(Outcome.DECLINE, code=0x05)
    code, text = _run("test", "terminal", "--zvt", f"127.0.0.1:{sim.port}")
    assert code == 1
    assert text.strip()


@pytest.mark.parametrize(
    "argv",
    [
        ["test", "terminal", "--zvt", "nohost"],
        ["test", "terminal", "--zvt", "h:99999"],
        ["test", "terminal", "--zvt", "h:20007", "--amount", "1.234"],
        ["test", "terminal", "--zvt", "h:20007", "--amount", "-1"],
        ["test", "terminal", "--zvt", "h:20007", "--amount", "lots"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert "--" in capsys.readouterr().err


def test_the_kiosk_command_dispatches_to_it(pcscd: Pcscd, sim: ZvtSimulator) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ui.main", "devices", "list", "--zvt", f"127.0.0.1:{sim.port}"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reachable" in done.stdout
    assert "PySide6" not in done.stderr
