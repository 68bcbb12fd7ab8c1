"""A simulated terminal on a real TCP port, and drivers on it with short timeouts."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.sim.zvt_terminal import ZvtSimulator
from payment_drivers.zvt import ZvtTerminal

# Short enough for a fast suite, long enough for a loaded CI machine.
ACK_S = 0.5
CARD_S = 2.0

Make = Callable[..., ZvtTerminal]


@pytest.fixture
def sim() -> Iterator[ZvtSimulator]:
    simulator = ZvtSimulator(no_card_timeout_s=0.3, t3_s=1.0, step_delay_s=0.005)
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.close()
    leftover = [t.name for t in threading.enumerate() if t.name.startswith("zvt-sim")]
    assert leftover == []


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return tmp_path / "zvt-journal.sqlite"


@pytest.fixture
def make(sim: ZvtSimulator, journal: Path) -> Iterator[Make]:
    """ZvtTerminal(...) on the simulator, closed after the test."""
    made: list[ZvtTerminal] = []

    def factory(**kwargs: Any) -> ZvtTerminal:
        options: dict[str, Any] = {
            "journal": journal,
            "connect_timeout_s": ACK_S,
            "ack_timeout_s": ACK_S,
            "card_timeout_s": CARD_S,
        }
        options.update(kwargs)
        port = options.pop("port", sim.port)
        terminal = ZvtTerminal("127.0.0.1", port, **options)
        made.append(terminal)
        return terminal

    yield factory
    for terminal in made:
        terminal.close()


@pytest.fixture
def terminal(make: Make) -> ZvtTerminal:
    return make()


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port
