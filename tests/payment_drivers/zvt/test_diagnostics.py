"""`devices test` and `devices list` for a ZVT terminal: what the installer reads, exit codes."""

from __future__ import annotations

import io
from decimal import Decimal

from kiosk.sim.zvt_terminal import Command, Outcome, ZvtSimulator
from payment_drivers.zvt import diagnostics


def run(
    port: int, amount: Decimal = Decimal("1.00"), password: str = "000000"
) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = diagnostics.test_terminal(
        "127.0.0.1",
        port,
        amount=amount,
        password=password,
        out=out,
        connect_timeout_s=0.5,
        card_timeout_s=2.0,
    )
    return code, out.getvalue().splitlines()


def test_approved_and_reversed_is_0(sim: ZvtSimulator) -> None:
    code, lines = run(sim.port, amount=Decimal("1.00"))
    assert code == 0
    assert lines[0] == f"ZVT terminal at 127.0.0.1:{sim.port}"
    assert "registration: ok, terminal id 52500001" in lines
    assert "pre-authorisation of 1.00 EUR: present a card at the terminal" in lines
    assert "  terminal: Karte bitte / card please" in lines
    assert "  terminal: processing" in lines
    assert "approved: VISA •••• 4242, 1.00 EUR, receipt:trace 0001:000001" in lines
    assert lines[-2:] == [
        "reversal: done",
        "OK: the terminal approved and reversed a pre-authorisation",
    ]
    assert sim.saw(Command.PREAUTH_REVERSAL)
    assert sim.open_receipts() == []


def test_declined_is_1(sim: ZvtSimulator) -> None:
    sim.card = "mc-funds"
    code, lines = run(sim.port)
    assert code == 1
    assert lines[-1].startswith("FAILED: pre-authorisation insufficient funds: insufficient funds")
    assert not sim.saw(Command.PREAUTH_REVERSAL)


def test_a_refused_reversal_is_1_and_says_the_hold_stays(sim: ZvtSimulator) -> None:
    sim.script(Outcome.DECLINE, code=0xB5, command=Command.PREAUTH_REVERSAL)
    code, lines = run(sim.port)
    assert code == 1
    assert "the hold 0001:000001 stays open on the card" in lines[-1]


def test_nothing_listening_is_1_with_one_clear_line(closed_port: int) -> None:
    code, lines = run(closed_port)
    assert code == 1
    assert lines == [
        f"ZVT terminal at 127.0.0.1:{closed_port}",
        f"FAILED: cannot connect to 127.0.0.1:{closed_port}: connection refused",
    ]


def test_a_wrong_password_is_1(sim: ZvtSimulator) -> None:
    code, lines = run(sim.port, password="999999")
    assert code == 1
    assert lines[-1] == (
        "FAILED: the terminal refused the registration: function not possible (0x83)"
    )


def test_probe(sim: ZvtSimulator, closed_port: int) -> None:
    found = diagnostics.probe("127.0.0.1", sim.port, 0.5)
    assert found.reachable
    assert found.registered
    assert found.terminal_id == "52500001"
    assert found.status == "ready (software ZVT-SIM 1.0)"
    assert found.detail == ""
    assert found.lines == (
        f"connected to 127.0.0.1:{sim.port}",
        "registered: terminal id 52500001",
        "status: ready (software ZVT-SIM 1.0)",
    )
    sim.terminal_status = 0xDF
    assert diagnostics.probe("127.0.0.1", sim.port, 0.5).detail == (
        "the terminal is not ready: out of order (software ZVT-SIM 1.0)"
    )
    away = diagnostics.probe("127.0.0.1", closed_port, 0.5)
    assert not away.reachable
    assert away.detail == f"cannot connect to 127.0.0.1:{closed_port}: connection refused"
    refused = diagnostics.probe("127.0.0.1", sim.port, 0.5, password="111111")
    assert refused.reachable
    assert not refused.registered
    assert "refused the registration" in refused.detail
