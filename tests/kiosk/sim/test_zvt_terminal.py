"""The ZVT terminal simulator on the wire, with a bare-bytes ECR (no driver in between).

So the simulator's reading of ZVT is checked on its own, byte for byte; the driver's
tests (tests/payment_drivers/zvt) then check the two readings against each other.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.sim.zvt_terminal import ZVT_TEST_CARDS, Command, Outcome, ZvtSimulator, main

Frame = tuple[int, int, bytes]
ACK: Frame = (0x80, 0x00, b"")
REGISTER = bytes.fromhex("000000" + "be" + "0978" + "0301")
PRE_AUTH_50 = bytes.fromhex("04" + "000000005000" + "49" + "0978")
EUR = bytes.fromhex("490978")
ROOT = Path(__file__).resolve().parents[3]


class Ecr:
    """A cash register reduced to bytes: send a command, read frames, acknowledge them."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=2.0)
        self.buf = b""

    def close(self) -> None:
        self.sock.close()

    def send(self, cls: int, instr: int, data: bytes = b"") -> None:
        self.sock.sendall(bytes((cls, instr, len(data))) + data)

    def frame(self) -> Frame:
        while True:
            if len(self.buf) >= 3:
                size, header = self.buf[2], 3
                if size == 0xFF and len(self.buf) >= 5:
                    size, header = int.from_bytes(self.buf[3:5], "little"), 5
                if len(self.buf) >= header + size and not (header == 3 and size == 0xFF):
                    frame = (self.buf[0], self.buf[1], self.buf[header : header + size])
                    self.buf = self.buf[header + size :]
                    return frame
            chunk = self.sock.recv(4096)
            assert chunk, "the simulator closed the connection"
            self.buf += chunk

    def run(self, cls: int, instr: int, data: bytes = b"") -> list[Frame]:
        """Send a command; every frame until its completion or abort, each ACKed."""
        self.send(cls, instr, data)
        frames = []
        while True:
            frame = self.frame()
            frames.append(frame)
            if frame[:2] == (0x80, 0x00) or frame[0] == 0x84:
                if frame[0] == 0x84:
                    return frames
                continue
            self.sock.sendall(b"\x80\x00\x00")
            if frame[:2] in ((0x06, 0x0F), (0x06, 0x1E)):
                return frames


@pytest.fixture
def sim() -> Iterator[ZvtSimulator]:
    simulator = ZvtSimulator(no_card_timeout_s=0.3, t3_s=0.3, step_delay_s=0.0)
    simulator.start()
    yield simulator
    simulator.close()


@pytest.fixture
def ecr(sim: ZvtSimulator) -> Iterator[Ecr]:
    client = Ecr(sim.port)
    yield client
    client.close()


def registered(ecr: Ecr) -> Ecr:
    frames = ecr.run(0x06, 0x00, REGISTER)
    assert frames[-1][:2] == (0x06, 0x0F)
    return ecr


def status_of(frames: list[Frame]) -> bytes:
    [status] = [f[2] for f in frames if f[:2] == (0x04, 0x0F)]
    return status


def test_registration_checks_the_password(sim: ZvtSimulator, ecr: Ecr) -> None:
    wrong = ecr.run(0x06, 0x00, bytes.fromhex("123456be0978"))
    assert wrong == [ACK, (0x06, 0x1E, b"\x83")]
    assert not sim.registered
    right = ecr.run(0x06, 0x00, REGISTER)
    assert right == [ACK, (0x06, 0x0F, bytes.fromhex("1900" + "2952500001" + "490978"))]
    assert sim.registered


def test_a_pre_authorisation_needs_a_registration(ecr: Ecr) -> None:
    assert ecr.run(0x06, 0x22, PRE_AUTH_50) == [ACK, (0x06, 0x1E, b"\x6b")]


def test_an_approved_pre_authorisation_on_the_wire(sim: ZvtSimulator, ecr: Ecr) -> None:
    frames = registered(ecr).run(0x06, 0x22, PRE_AUTH_50)
    kinds = [f[:2] for f in frames]
    assert kinds == [
        (0x80, 0x00),
        (0x04, 0xFF),
        (0x04, 0xFF),
        (0x04, 0x0F),
        (0x06, 0xD3),
        (0x06, 0x0F),
    ]
    assert frames[1][2][0] == 0x0A  # insert card, with its text in a TLV container
    assert b"Karte bitte" in frames[1][2]
    assert frames[2][2][:1] == b"\x04"  # waiting for the host
    status = status_of(frames)
    assert status.startswith(b"\x27\x00\x04" + bytes.fromhex("000000005000") + b"\x0b\x00\x00\x01")
    assert b"\x87\x00\x01" in status
    assert b"\x22\xf0\xf8" + bytes.fromhex("eeeeeeeeeeee4242") in status  # masked PAN
    assert b"\x8a\x0a\x8b\xf0\xf4VISA" in status
    assert sim.open_receipts() == [1]
    receipt = frames[4][2]
    assert b"XXXX XXXX XXXX 4242" in receipt


def test_a_decline_reports_then_aborts(sim: ZvtSimulator, ecr: Ecr) -> None:
    sim.script(Outcome.DECLINE, code=0x33)
    frames = registered(ecr).run(0x06, 0x22, PRE_AUTH_50)
    assert status_of(frames)[:2] == b"\x27\x33"
    assert frames[-1] == (0x06, 0x1E, b"\x33")
    assert sim.preauths == {}


def test_booking_more_than_reserved_is_refused(sim: ZvtSimulator, ecr: Ecr) -> None:
    registered(ecr).run(0x06, 0x22, PRE_AUTH_50)
    too_much = bytes.fromhex("870001" + "04000000005001") + EUR
    assert ecr.run(0x06, 0x24, too_much)[-1] == (0x06, 0x1E, b"\xb7")
    booked = ecr.run(0x06, 0x24, bytes.fromhex("870001" + "04000000001000") + EUR)
    assert booked[-1] == (0x06, 0x0F, b"")
    assert status_of(booked)[:9] == b"\x27\x00\x04" + bytes.fromhex("000000001000")
    assert sim.preauths[1].state == "booked"
    assert sim.totals == {"count": 1, "amount": 1000}
    again = ecr.run(0x06, 0x24, bytes.fromhex("870001" + "04000000001000") + EUR)
    assert again[-1] == (0x06, 0x1E, b"\xb8")


def test_a_partial_reversal_books_the_rest(sim: ZvtSimulator, ecr: Ecr) -> None:
    registered(ecr).run(0x06, 0x22, PRE_AUTH_50)
    frames = ecr.run(0x06, 0x23, bytes.fromhex("870001" + "04000000003000") + EUR)
    assert frames[-1][:2] == (0x06, 0x0F)
    assert sim.preauths[1].booked == 2000


def test_reversing_twice_is_already_reversed(sim: ZvtSimulator, ecr: Ecr) -> None:
    registered(ecr).run(0x06, 0x22, PRE_AUTH_50)
    assert ecr.run(0x06, 0x25, bytes.fromhex("870001") + EUR)[-1][:2] == (0x06, 0x0F)
    assert ecr.run(0x06, 0x25, bytes.fromhex("870001") + EUR)[-1] == (0x06, 0x1E, b"\xb4")
    assert ecr.run(0x06, 0x30, bytes.fromhex("000000870001"))[-1] == (0x06, 0x1E, b"\xb4")
    assert ecr.run(0x06, 0x25, bytes.fromhex("870099") + EUR)[-1] == (0x06, 0x1E, b"\xb8")


def test_the_open_pre_authorisations_are_listed(sim: ZvtSimulator, ecr: Ecr) -> None:
    query = bytes.fromhex("87ffff")
    assert registered(ecr).run(0x06, 0x23, query)[-1] == (0x06, 0x1E, b"\xb8\x87\xff\xff")
    ecr.run(0x06, 0x22, PRE_AUTH_50)
    ecr.run(0x06, 0x22, PRE_AUTH_50)
    answer = ecr.run(0x06, 0x23, query)[-1]
    assert answer[:2] == (0x06, 0x1E)
    # B8, the first open receipt in BMP 87, then all of them: TLV 23 holding 08 <receipt>
    assert answer[2] == bytes.fromhex("b8870001" + "060a" + "2308" + "08020001" + "08020002")


def test_an_unacknowledged_status_is_reversed_by_the_terminal(sim: ZvtSimulator, ecr: Ecr) -> None:
    registered(ecr).send(0x06, 0x22, PRE_AUTH_50)
    while True:
        frame = ecr.frame()
        if frame[:2] == (0x04, 0x0F):
            break  # and this one is never acknowledged
        if frame[:2] != (0x80, 0x00):
            ecr.sock.sendall(b"\x80\x00\x00")
    deadline = time.monotonic() + 3
    while sim.preauths[1].state != "reversed" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sim.preauths[1].state == "reversed"
    assert sim.open_receipts() == []


def test_an_abort_during_the_card_wait(sim: ZvtSimulator, ecr: Ecr) -> None:
    sim.no_card_timeout_s = 10.0
    sim.script(Outcome.TIMEOUT)
    registered(ecr).send(0x06, 0x22, PRE_AUTH_50)
    assert ecr.frame() == ACK
    assert ecr.frame()[:2] == (0x04, 0xFF)
    ecr.sock.sendall(b"\x80\x00\x00")
    started = time.monotonic()
    ecr.send(0x06, 0xB0)
    assert ecr.frame() == ACK  # the abort acknowledged
    assert ecr.frame() == (0x06, 0x1E, b"\x6c")
    assert time.monotonic() - started < 1.0
    assert sim.saw(Command.ABORT)


def test_no_card_until_the_deadline(sim: ZvtSimulator, ecr: Ecr) -> None:
    sim.card = "visa-no-card"
    assert registered(ecr).run(0x06, 0x22, PRE_AUTH_50)[-1] == (0x06, 0x1E, b"\x6c")


def test_a_second_ecr_finds_the_terminal_busy(sim: ZvtSimulator, ecr: Ecr) -> None:
    sim.no_card_timeout_s = 10.0
    sim.script(Outcome.TIMEOUT)
    registered(ecr).send(0x06, 0x22, PRE_AUTH_50)
    assert ecr.frame() == ACK
    other = Ecr(sim.port)
    try:
        assert other.run(0x06, 0x22, PRE_AUTH_50) == [ACK, (0x06, 0x1E, b"\xa0")]
    finally:
        other.close()


def test_repeat_receipt_status_enquiry_and_end_of_day(sim: ZvtSimulator, ecr: Ecr) -> None:
    assert registered(ecr).run(0x06, 0x20, bytes.fromhex("000000"))[-1] == (0x06, 0x1E, b"\x83")
    ecr.run(0x06, 0x22, PRE_AUTH_50)
    repeat = ecr.run(0x06, 0x20, bytes.fromhex("000000"))
    assert b"\x87\x00\x01" in status_of(repeat)
    assert ecr.run(0x05, 0x01) == [ACK, (0x06, 0x0F, b"\xf0\xf1\xf1ZVT-SIM 1.0\x00")]
    ecr.run(0x06, 0x24, bytes.fromhex("870001" + "04000000001234") + EUR)
    day = ecr.run(0x06, 0x50, bytes.fromhex("000000"))
    status = status_of(day)
    assert status[:9] == b"\x27\x00\x04" + bytes.fromhex("000000001234")
    single = status[status.index(b"\x60\xf0\xf5\xf3") + 4 :]
    assert single[4 + 4 * 7] == 1  # one Visa transaction (the fifth group)
    assert day[-1][:2] == (0x06, 0x0F)
    assert sim.totals == {"count": 0, "amount": 0}


def test_unknown_and_malformed_commands(ecr: Ecr) -> None:
    assert ecr.run(0x06, 0xD8) == [(0x84, 0x83, b"")]
    assert ecr.run(0x06, 0x22, b"\x42\x00") == [(0x84, 0x9A, b"")]


def test_the_state_outlives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "terminal.json"
    first = ZvtSimulator(state_path=path, step_delay_s=0.0)
    client = Ecr(first.start())
    registered(client).run(0x06, 0x22, PRE_AUTH_50)
    client.close()
    first.close()
    second = ZvtSimulator(state_path=path, step_delay_s=0.0)
    client = Ecr(second.start())
    try:
        assert second.registered
        assert second.open_receipts() == [1]
        frames = client.run(0x06, 0x22, PRE_AUTH_50)
        assert b"\x87\x00\x02" in status_of(frames)  # the counters went on
    finally:
        client.close()
        second.close()


def test_the_test_cards_follow_the_psps() -> None:
    assert ZVT_TEST_CARDS["mc-funds"].code == 0x33
    assert ZVT_TEST_CARDS["visa-partial"].outcome == "partial"
    assert ZVT_TEST_CARDS["girocard-ok"].pin


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    assert "--port" in capsys.readouterr().out


def test_it_runs_standalone() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.sim.zvt_terminal", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("ZVT terminal simulator on 127.0.0.1:")
        port = int(line.split(":")[1].split()[0])
        client = Ecr(port)
        try:
            assert client.run(0x05, 0x01)[-1][:2] == (0x06, 0x0F)
        finally:
            client.close()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
        assert process.returncode == 0
        assert "<- 05 01 status_enquiry" in err
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
