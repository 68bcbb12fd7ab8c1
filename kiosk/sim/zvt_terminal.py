"""A ZVT bank-card terminal simulator: a real TCP server speaking the terminal's side.

It stands for the payment terminal of a charging station (Feig, Ingenico, CCV...),
as an ECR meets it on port 20007: it acknowledges every command, reports intermediate
statuses (present card, enter PIN, processing), answers with a status information
(04 0F: result code, amount, receipt and trace numbers, a masked PAN), prints its
receipts (06 D3) and completes (06 0F), or aborts (06 1E) with a result code. Its
pre-authorisations stay open until booked (06 24, 06 23) or reversed (06 25, 06 30);
a status information the ECR does not acknowledge within T3 is reversed, as real
terminals do ("auto-reversal").

It is written without the kiosk's ZVT driver (payment_drivers/zvt): the two meet on
the wire, and a mistake in one reading of the format shows in the other.

Each test scripts what the next command does:

    sim = ZvtSimulator(no_card_timeout_s=0.5)
    port = sim.start()
    sim.script(Outcome.DECLINE, code=0x05)                   # the next pre-authorisation
    sim.script(Outcome.DROP, step=DropAt.AFTER_ACK, command=Command.BOOK_TOTAL)
    sim.card = "mc-funds"                                    # the card "presented" by default
    ...
    sim.close()

Run standalone: ``python -m kiosk.sim.zvt_terminal --port 20007`` (logs each command).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import select
import socket
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Final

from iso4217 import Currency

from kiosk.sim.psp import TEST_CARDS

__all__ = [
    "ZVT_TEST_CARDS",
    "Command",
    "DropAt",
    "Outcome",
    "PreAuth",
    "Script",
    "SimCard",
    "ZvtSimulator",
    "main",
]

log = logging.getLogger(__name__)

ACK: Final = b"\x80\x00\x00"
_POLL_S: Final = 0.02


class Command(Enum):
    """The ECR commands the simulator implements, by their control field."""

    REGISTRATION = (0x06, 0x00)
    PRE_AUTH = (0x06, 0x22)
    PARTIAL_REVERSAL = (0x06, 0x23)
    BOOK_TOTAL = (0x06, 0x24)
    PREAUTH_REVERSAL = (0x06, 0x25)
    REVERSAL = (0x06, 0x30)
    REPEAT_RECEIPT = (0x06, 0x20)
    END_OF_DAY = (0x06, 0x50)
    ABORT = (0x06, 0xB0)
    STATUS_ENQUIRY = (0x05, 0x01)


class Outcome(Enum):
    APPROVE = "approve"
    DECLINE = "decline"  # 04 0F and 06 1E with `code`
    PARTIAL = "partial"  # approved for `amount` (half, when not given)
    TIMEOUT = "timeout"  # no card is presented: 06 1E 6C at the deadline or on 06 B0
    BUSY = "busy"  # 06 1E A0, receiver not ready
    CARD_REMOVED = "card_removed"  # the card is pulled during the PIN: 06 1E 64
    DROP = "drop"  # the connection is closed at `step`
    SLOW_ACK = "slow_ack"  # the ACK comes `delay_s` late
    GARBAGE = "garbage"  # `garbage` bytes instead of the ACK


class DropAt(Enum):
    BEFORE_ACK = "before_ack"  # the command is read and nothing happens
    AFTER_ACK = "after_ack"  # acknowledged, then the line goes
    AFTER_STATUS = "after_status"  # the status information is sent, its ACK never read
    BEFORE_COMPLETION = "before_completion"  # the status was acknowledged: the result stands


@dataclass(frozen=True, slots=True)
class Script:
    outcome: Outcome
    command: Command = Command.PRE_AUTH
    code: int = 0x05
    amount: Decimal | None = None
    step: DropAt = DropAt.AFTER_ACK
    delay_s: float = 0.0
    garbage: bytes = b"\x99\x99\x03abc"


@dataclass(frozen=True, slots=True)
class SimCard:
    label: str
    card_type: int  # ZVT card type, BMP 8A
    card_name: str  # BMP 8B
    last4: str  # the only digits of its number the terminal ever sends
    outcome: str  # "approve", "decline", "partial", "timeout"
    code: int = 0  # the result code of a decline
    pin: bool = False  # a chip card that asks for the PIN


_BRANDS: Final = {"VISA": (10, "VISA"), "MC": (6, "Mastercard"), "GIRO": (5, "girocard")}


def _from_psp_cards() -> dict[str, SimCard]:
    """The PSP simulator's test cards, as a terminal sees them."""
    cards = {}
    for name, card in TEST_CARDS.items():
        brand = card.masked.split()[0]
        card_type, card_name = _BRANDS.get(brand, (10, brand))
        code = 0x33 if "funds" in card.reason else 0x05  # ISO 8583 51 / 05, as a number
        cards[name] = SimCard(
            card.label, card_type, card_name, card.masked[-4:], card.outcome, code, brand == "GIRO"
        )
    return cards


ZVT_TEST_CARDS: Final[dict[str, SimCard]] = {
    **_from_psp_cards(),
    "girocard-pin-wrong": SimCard(
        "girocard, PIN wrong three times", 5, "girocard", "3005", "decline", 0x37, True
    ),
    "visa-expired": SimCard("Visa, expired", 10, "VISA", "0069", "decline", 0x78),
    "amex-unsupported": SimCard(
        "Amex, not accepted", 8, "American Express", "0005", "decline", 0xC5
    ),
    "visa-no-card": SimCard("nobody presents a card", 10, "VISA", "4242", "timeout"),
}


@dataclass
class PreAuth:
    receipt: int
    trace: int
    amount: int  # reserved, minor units
    card: str
    state: str = "pending"  # pending (status not acknowledged), open, booked, reversed
    booked: int = 0


@dataclass
class _Txn:
    """The last transaction, for the repeat-receipt command."""

    kind: str
    result: int
    amount: int
    trace: int
    receipt: int | None
    card: str | None


# ------------------------------------------------------------------- wire format


class _Closed(Exception):
    """The ECR hung up (or the simulator closes the line)."""


class _Drop(Exception):
    """Close the connection now, as scripted."""


class _Done(Exception):
    """The command is over (answered with an abort)."""


def _apdu(cls: int, instr: int, data: bytes = b"") -> bytes:
    if len(data) < 0xFF:
        return bytes((cls, instr, len(data))) + data
    return bytes((cls, instr, 0xFF)) + len(data).to_bytes(2, "little") + data


def _bcd(value: int, size: int) -> bytes:
    text = f"{value:0{2 * size}d}"
    if len(text) != 2 * size:
        raise ValueError(f"{value} is too long for {size} BCD bytes")
    return bytes.fromhex(text)


def _unbcd(raw: bytes) -> int:
    text = raw.hex()
    if not raw or not text.isdigit():
        raise ValueError(f"not BCD: {text}")
    return int(text)


def _ll(raw: bytes, digits: int = 2) -> bytes:
    return bytes(0xF0 | int(d) for d in f"{len(raw):0{digits}d}") + raw


def _tlv_len(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    if n < 0x100:
        return bytes((0x81, n))
    return bytes((0x82,)) + n.to_bytes(2, "big")


def _tlv(tag: bytes, value: bytes) -> bytes:
    return tag + _tlv_len(len(value)) + value


def _text_lines(lines: Sequence[str]) -> bytes:
    return b"".join(_tlv(b"\x07", line.encode("cp437", "replace")) for line in lines)


def _container(tlv: bytes) -> bytes:
    return b"\x06" + _tlv_len(len(tlv)) + tlv


# The BMPs an ECR sends in the commands simulated: fixed lengths, "LL"/"LLL", "TLV".
_ECR_BMPS: Final[dict[int, int | str]] = {
    0x01: 1,
    0x02: 1,
    0x03: 1,
    0x04: 6,
    0x05: 1,
    0x06: "TLV",
    0x0B: 3,
    0x0E: 2,
    0x19: 1,
    0x22: "LL",
    0x23: "LL",
    0x3B: 8,
    0x3C: "LLL",
    0x49: 2,
    0x87: 2,
    0x8A: 1,
}


def _parse_bmps(data: bytes) -> dict[int, bytes]:
    fields: dict[int, bytes] = {}
    pos = 0
    while pos < len(data):
        tag = data[pos]
        pos += 1
        kind = _ECR_BMPS.get(tag)
        if kind is None:
            raise ValueError(f"unexpected BMP {tag:02X}")
        if kind == "TLV":
            first = data[pos]
            if first < 0x80:
                size, pos = first, pos + 1
            elif first == 0x81:
                size, pos = data[pos + 1], pos + 2
            elif first == 0x82:
                size, pos = int.from_bytes(data[pos + 1 : pos + 3], "big"), pos + 3
            else:
                raise ValueError("bad TLV length")
        elif isinstance(kind, str):
            digits = len(kind)
            size = int("".join(str(b & 0x0F) for b in data[pos : pos + digits]))
            pos += digits
        else:
            size = kind
        if pos + size > len(data):
            raise ValueError(f"BMP {tag:02X} is cut short")
        fields[tag] = data[pos : pos + size]
        pos += size
    return fields


class _Conn:
    """One ECR connection; every read has a deadline."""

    def __init__(self, sock: socket.socket, peer: str) -> None:
        self.sock = sock
        self.peer = peer
        self.buf = bytearray()
        self.closed = False
        sock.settimeout(_POLL_S)
        with contextlib.suppress(OSError):  # small frames, sent at once (no Nagle delay)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send(self, data: bytes) -> None:
        if self.closed:
            raise _Closed
        try:
            self.sock.sendall(data)
        except OSError:
            raise _Closed from None

    def read(self, timeout_s: float) -> tuple[int, int, bytes] | None:
        """The next frame, or None when none came in `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while True:
            if len(self.buf) >= 3:
                header, size = 3, self.buf[2]
                if size == 0xFF and len(self.buf) >= 5:
                    header, size = 5, int.from_bytes(self.buf[3:5], "little")
                if (size != 0xFF or header == 5) and len(self.buf) >= header + size:
                    frame = bytes(self.buf[: header + size])
                    del self.buf[: header + size]
                    return frame[0], frame[1], frame[header:]
            if self.closed:
                raise _Closed
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                readable, _, _ = select.select([self.sock], [], [], min(left, _POLL_S))
                if not readable:
                    continue
                chunk = self.sock.recv(4096)
            except TimeoutError:
                continue
            except (OSError, ValueError):
                raise _Closed from None
            if not chunk:
                raise _Closed
            self.buf += chunk

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


@dataclass
class _Ctx:
    conn: _Conn
    command: Command
    script: Script
    aborted: bool = False

    def drops_at(self, step: DropAt) -> bool:
        return self.script.outcome is Outcome.DROP and self.script.step is step


# ------------------------------------------------------------------------ the terminal


class ZvtSimulator:
    """A threaded TCP server on `host`; `start()` returns the port, `close()` stops it."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        password: str = "000000",  # noqa: S107 - the factory default of ZVT terminals
        currency: str = "EUR",
        terminal_id: str = "52500001",
        card: str = "visa-ok",
        state_path: Path | None = None,
        t3_s: float = 5.0,
        no_card_timeout_s: float = 30.0,
        step_delay_s: float = 0.01,
    ) -> None:
        self.host = host
        self._port = port
        self.password = password
        self.currency_number = int(Currency(currency).number)
        exponent = Currency(currency).exponent
        self.exponent = 2 if exponent is None else int(exponent)
        self.terminal_id = terminal_id
        self.card = card
        self.state_path = state_path
        self.t3_s = t3_s
        self.no_card_timeout_s = no_card_timeout_s
        # the demo: each pre-authorisation waits until `present(card)` names the card
        self.wait_for_card = False
        self._presented = threading.Event()
        self._awaiting = threading.Event()
        self.step_delay_s = step_delay_s
        self.terminal_status = 0x00  # what a status enquiry reports (00: ready)
        self.software = "ZVT-SIM 1.0"
        self.display_text = "Karte bitte / card please"  # the text of "present card" (04 FF)
        self.ignore_abort = False  # True: an Abort (06 B0) is acknowledged, and ignored
        self.lists_open_preauths = True  # False: 06 23 FFFF names only the first open one
        self._lock = threading.RLock()
        self._busy = threading.Lock()  # one transaction at a time, as on a real terminal
        self._stop = threading.Event()
        self._scripts: deque[Script] = deque()
        self._commands: list[tuple[int, int]] = []
        self._server: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._threads: list[threading.Thread] = []
        self._conns: list[_Conn] = []
        # the terminal's state
        self.registered = False
        self._receipt = 0
        self._trace = 0
        self.preauths: dict[int, PreAuth] = {}
        self._last: _Txn | None = None
        self._totals: dict[str, int] = {}
        self._load()

    # ------------------------------------------------------------- lifecycle

    @property
    def port(self) -> int:
        return self._port

    def start(self) -> int:
        server = socket.create_server((self.host, self._port))
        server.settimeout(0.1)
        self._server = server
        self._port = server.getsockname()[1]
        self._accept_thread = threading.Thread(
            target=self._accept, name=f"zvt-sim-{self._port}", daemon=True
        )
        self._accept_thread.start()
        log.info("ZVT simulator listening on %s:%d", self.host, self._port)
        return self._port

    def close(self) -> None:
        self._stop.set()
        if self._server is not None:
            with contextlib.suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)  # wakes a blocked accept()
            self._server.close()
        if self._accept_thread is not None:
            self._accept_thread.join(5)
        with self._lock:
            conns, threads = list(self._conns), list(self._threads)
        for conn in conns:
            conn.close()
        for thread in threads:
            thread.join(5)

    def __enter__(self) -> ZvtSimulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept(self) -> None:
        assert self._server is not None
        while not self._stop.is_set():
            try:
                sock, addr = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn = _Conn(sock, f"{addr[0]}:{addr[1]}")
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            with self._lock:
                if self._stop.is_set():
                    conn.close()
                    return
                self._conns.append(conn)
                self._threads.append(thread)
            thread.start()

    # -------------------------------------------------------------- scripting

    def script(
        self,
        outcome: Outcome,
        *,
        command: Command = Command.PRE_AUTH,
        code: int = 0x05,
        amount: Decimal | None = None,
        step: DropAt = DropAt.AFTER_ACK,
        delay_s: float = 0.0,
        garbage: bytes = b"\x99\x99\x03abc",
        times: int = 1,
    ) -> None:
        """What the next `command` (by default the next pre-authorisation) does."""
        entry = Script(outcome, command, code, amount, step, delay_s, garbage)
        with self._lock:
            self._scripts.extend([entry] * times)

    def _next_script(self, command: Command) -> Script | None:
        with self._lock:
            for i, entry in enumerate(self._scripts):
                if entry.command is command:
                    del self._scripts[i]
                    return entry
        return None

    @property
    def commands(self) -> list[tuple[int, int]]:
        """The control fields of every ECR command received, in order (ACKs left out)."""
        with self._lock:
            return list(self._commands)

    def saw(self, command: Command) -> bool:
        return command.value in self.commands

    def open_receipts(self) -> list[int]:
        with self._lock:
            return [r for r, a in self.preauths.items() if a.state == "open"]

    def unregister(self) -> None:
        """Forget the registration (as after a terminal restart): 06 1E 6B until 06 00."""
        with self._lock:
            self.registered = False
            self._save()

    @property
    def totals(self) -> dict[str, int]:
        """Booked since the last end-of-day, minor units: {"count": n, "amount": m}."""
        with self._lock:
            return {"count": self._totals.get("count", 0), "amount": self._totals.get("amount", 0)}

    # -------------------------------------------------------------- persistence

    def _load(self) -> None:
        if self.state_path is None or not self.state_path.exists():
            return
        state = json.loads(self.state_path.read_text(encoding="utf-8"))
        self.registered = bool(state["registered"])
        self._receipt, self._trace = int(state["receipt"]), int(state["trace"])
        self.preauths = {int(k): PreAuth(**v) for k, v in state["preauths"].items()}
        self._last = None if state["last"] is None else _Txn(**state["last"])
        self._totals = {k: int(v) for k, v in state["totals"].items()}

    def _save(self) -> None:
        if self.state_path is None:
            return
        state: dict[str, Any] = {
            "registered": self.registered,
            "receipt": self._receipt,
            "trace": self._trace,
            "preauths": {str(k): asdict(v) for k, v in self.preauths.items()},
            "last": None if self._last is None else asdict(self._last),
            "totals": self._totals,
        }
        tmp = self.state_path.with_name(self.state_path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            json.dump(state, f)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(self.state_path)

    def _next_numbers(self, receipt: bool = True) -> tuple[int | None, int]:
        with self._lock:
            self._trace = self._trace % 999999 + 1
            number = None
            if receipt:
                self._receipt = self._receipt % 9999 + 1
                number = self._receipt
            self._save()
            return number, self._trace

    # ---------------------------------------------------------------- serving

    def _serve(self, conn: _Conn) -> None:
        log.info("ZVT simulator: ECR %s connected", conn.peer)
        try:
            while not self._stop.is_set():
                frame = conn.read(0.2)
                if frame is not None:
                    self._dispatch(conn, *frame)
        except (_Closed, _Drop):
            pass
        except Exception:  # a simulator bug must not kill the test run from a thread
            log.exception("ZVT simulator: the connection handler failed")
        finally:
            conn.close()
            log.info("ZVT simulator: ECR %s disconnected", conn.peer)

    def _dispatch(self, conn: _Conn, cls: int, instr: int, data: bytes) -> None:
        if (cls, instr) == (0x80, 0x00) or cls == 0x84:
            return  # a late ACK: nothing waits for it
        with self._lock:
            self._commands.append((cls, instr))
        try:
            command = Command((cls, instr))
        except ValueError:
            log.info("ZVT simulator: <- %02X %02X (not implemented)", cls, instr)
            conn.send(b"\x84\x83\x00")
            return
        log.info("ZVT simulator: <- %02X %02X %s", cls, instr, command.name.lower())
        if command is Command.ABORT:
            conn.send(ACK)  # nothing runs that it could abort
            return
        try:
            fields = self._fields(command, data)
        except (ValueError, IndexError) as exc:
            log.info("ZVT simulator: malformed %s: %s", command.name.lower(), exc)
            conn.send(b"\x84\x9a\x00")  # ZVT protocol error
            return
        script = self._next_script(command) or Script(Outcome.APPROVE, command)
        ctx = _Ctx(conn, command, script)
        handler = {
            Command.REGISTRATION: self._registration,
            Command.PRE_AUTH: self._pre_auth,
            Command.PARTIAL_REVERSAL: self._partial_reversal,
            Command.BOOK_TOTAL: self._book_total,
            Command.PREAUTH_REVERSAL: self._reversal,
            Command.REVERSAL: self._reversal,
            Command.REPEAT_RECEIPT: self._repeat_receipt,
            Command.END_OF_DAY: self._end_of_day,
            Command.STATUS_ENQUIRY: self._status_enquiry,
        }[command]
        money = command in (
            Command.PRE_AUTH,
            Command.PARTIAL_REVERSAL,
            Command.BOOK_TOTAL,
            Command.PREAUTH_REVERSAL,
            Command.REVERSAL,
            Command.END_OF_DAY,
        )
        if money and not self._busy.acquire(blocking=False):
            conn.send(ACK)
            with contextlib.suppress(_Done):
                self._abort(ctx, 0xA0)  # another ECR connection has a transaction running
            return
        try:
            handler(ctx, fields)
        except _Done:
            pass
        except (KeyError, ValueError) as exc:  # a field missing or out of range
            log.info("ZVT simulator: cannot do %s: %s", command.name.lower(), exc)
            with contextlib.suppress(_Closed, _Done):
                self._abort(ctx, 0x9A)  # ZVT protocol error
        finally:
            if money:
                self._busy.release()

    def _fields(self, command: Command, data: bytes) -> dict[int | str, bytes]:
        """The command's data: untagged leading fields by name, then its BMPs."""
        out: dict[int | str, bytes] = {}
        if command is Command.REGISTRATION:
            if len(data) < 6:
                raise ValueError("registration too short")
            out["password"], out["config"], out["currency"] = data[:3], data[3:4], data[4:6]
            data = data[6:]
        elif command in (Command.REPEAT_RECEIPT, Command.END_OF_DAY, Command.REVERSAL):
            if len(data) < 3:
                raise ValueError("the password is missing")
            out["password"], data = data[:3], data[3:]
        elif command is Command.STATUS_ENQUIRY and len(data) >= 3 and data[0] not in _ECR_BMPS:
            out["password"], data = data[:3], data[3:]
        for tag, value in _parse_bmps(data).items():
            out[tag] = value
        return out

    # ------------------------------------------------------------- primitives

    def _send(self, ctx: _Ctx, cls: int, instr: int, data: bytes = b"") -> None:
        ctx.conn.send(_apdu(cls, instr, data))

    def _await_ack(self, ctx: _Ctx) -> bool:
        """Wait T3 for the ECR's ACK; an Abort (06 B0) on the way is noted and ACKed."""
        deadline = time.monotonic() + self.t3_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            frame = ctx.conn.read(left)
            if frame is None:
                return False
            cls, instr, _ = frame
            if (cls, instr) == (0x80, 0x00):
                return True
            self._interrupt(ctx, cls, instr)

    def _interrupt(self, ctx: _Ctx, cls: int, instr: int) -> None:
        """A command that came while another runs: only an abort is taken."""
        with self._lock:
            self._commands.append((cls, instr))
        if (cls, instr) == Command.ABORT.value:
            log.info("ZVT simulator: <- 06 B0 abort (during %s)", ctx.command.name.lower())
            ctx.aborted = not self.ignore_abort
            ctx.conn.send(ACK)
        else:
            log.info("ZVT simulator: <- %02X %02X while busy", cls, instr)
            ctx.conn.send(b"\x84\xa0\x00")

    def present(self, card: str) -> None:
        """A card is held to the terminal (the demo's developer panel; `wait_for_card`)."""
        with self._lock:
            self.card = card
        self._presented.set()

    @property
    def awaiting_card(self) -> bool:
        """Whether a pre-authorisation waits for `present` now."""
        return self._awaiting.is_set()

    def _wait_card(self, ctx: _Ctx) -> bool:
        """Until a card is presented (True), or the ECR aborts or time runs out."""
        self._awaiting.set()  # a card presented just before counts (a quick hand)
        try:
            deadline = time.monotonic() + self.no_card_timeout_s
            while not self._presented.is_set():
                left = deadline - time.monotonic()
                if left <= 0 or self._pause(ctx, min(left, 0.1)) or self._stop.is_set():
                    return False
            self._presented.clear()  # one card, one payment
            return True
        finally:
            self._awaiting.clear()

    def _pause(self, ctx: _Ctx, seconds: float) -> bool:
        """Let `seconds` pass (the customer at work); True when the ECR aborted meanwhile."""
        deadline = time.monotonic() + seconds
        while not ctx.aborted and not self._stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            frame = ctx.conn.read(min(left, 0.1))
            if frame is not None:
                cls, instr, _ = frame
                if (cls, instr) != (0x80, 0x00):
                    self._interrupt(ctx, cls, instr)
        return ctx.aborted

    def _abort(self, ctx: _Ctx, code: int, extra: bytes = b"") -> None:
        log.info("ZVT simulator: -> 06 1E %02X", code)
        self._send(ctx, 0x06, 0x1E, bytes((code,)) + extra)
        self._await_ack(ctx)
        raise _Done

    def _begin(self, ctx: _Ctx) -> None:
        """Acknowledge the command, or misbehave before/at the ACK as scripted."""
        s = ctx.script
        if ctx.drops_at(DropAt.BEFORE_ACK):
            raise _Drop
        if s.outcome is Outcome.GARBAGE:
            ctx.conn.send(s.garbage)
            raise _Done
        if s.outcome is Outcome.SLOW_ACK:
            self._stop.wait(s.delay_s)
        ctx.conn.send(ACK)
        if ctx.drops_at(DropAt.AFTER_ACK):
            raise _Drop
        if s.outcome is Outcome.BUSY:
            self._abort(ctx, 0xA0)
        if s.outcome is Outcome.DECLINE and ctx.command is not Command.PRE_AUTH:
            self._abort(ctx, s.code)

    def _intermediate(self, ctx: _Ctx, code: int, text: str | None = None) -> None:
        data = bytes((code, 0x00))
        if text:
            data += _container(_tlv(b"\x24", _text_lines([text])))
        self._send(ctx, 0x04, 0xFF, data)
        if not self._await_ack(ctx):
            raise _Drop

    def _confirmed_status(self, ctx: _Ctx, data: bytes) -> bool:
        """Send a status information; True once the ECR acknowledged it within T3."""
        self._send(ctx, 0x04, 0x0F, data)
        if ctx.drops_at(DropAt.AFTER_STATUS):
            ctx.conn.close()
            return False
        return self._await_ack(ctx)

    def _finish(self, ctx: _Ctx, receipt_lines: Sequence[str]) -> None:
        """The receipt, then the completion, each acknowledged."""
        if ctx.drops_at(DropAt.BEFORE_COMPLETION):
            raise _Drop
        if receipt_lines:
            tlv = _tlv(b"\x25", _text_lines(receipt_lines)) + _tlv(b"\x1f\x07", b"\x01")
            self._send(ctx, 0x06, 0xD3, _container(tlv))
            if not self._await_ack(ctx):
                raise _Drop
        self._send(ctx, 0x06, 0x0F)
        self._await_ack(ctx)

    def _money(self, minor: int) -> str:
        return f"{Decimal(minor).scaleb(-self.exponent):.{self.exponent}f}"

    def _card_fields(self, card: SimCard) -> bytes:
        pan = "E" * 12 + card.last4  # the terminal masks all but the last four digits
        name = card.card_name.encode("cp437", "replace")
        return (
            b"\x22"
            + _ll(bytes.fromhex(pan.replace("E", "e")))
            + b"\x8a"
            + bytes((card.card_type,))
            + b"\x8b"
            + _ll(name)
        )

    def _status_data(
        self,
        result: int,
        amount: int,
        trace: int,
        receipt: int | None,
        card: SimCard | None = None,
    ) -> bytes:
        now = datetime.now(UTC)
        data = (
            b"\x27"
            + bytes((result,))
            + b"\x04"
            + _bcd(amount, 6)
            + b"\x0b"
            + _bcd(trace, 3)
            + b"\x0c"
            + _bcd(int(now.strftime("%H%M%S")), 3)
            + b"\x0d"
            + _bcd(int(now.strftime("%m%d")), 2)
            + b"\x29"
            + _bcd(int(self.terminal_id), 4)
            + b"\x49"
            + _bcd(self.currency_number, 2)
        )
        if receipt is not None:
            data += b"\x87" + _bcd(receipt, 2)
        if card is not None:
            data += self._card_fields(card)
        return data

    def _check_password(self, ctx: _Ctx, fields: dict[int | str, bytes]) -> None:
        if fields.get("password") != _bcd(int(self.password), 3):
            log.info("ZVT simulator: wrong password")
            self._abort(ctx, 0x83)

    def _check_currency(self, ctx: _Ctx, fields: dict[int | str, bytes]) -> None:
        raw = fields.get(0x49)
        if raw is not None and raw != _bcd(self.currency_number, 2):
            self._abort(ctx, 0x6F)

    # --------------------------------------------------------------- commands

    def _registration(self, ctx: _Ctx, fields: dict[int | str, bytes]) -> None:
        self._begin(ctx)
        self._check_password(ctx, fields)
        if fields["currency"] != _bcd(self.currency_number, 2):
            self._abort(ctx, 0x6F)
        with self._lock:
            self.registered = True
            self._save()
        data = (
            b"\x19"
            + bytes((self.terminal_status,))
            + b"\x29"
            + _bcd(int(self.terminal_id), 4)
            + b"\x49"
            + _bcd(self.currency_number, 2)
        )
        self._send(ctx, 0x06, 0x0F, data)
        self._await_ack(ctx)

    def _pre_auth(self, ctx: _Ctx, fields: dict[int | str, bytes]) -> None:
        self._begin(ctx)
        if not self.registered:
            self._abort(ctx, 0x6B)
        self._check_currency(ctx, fields)
        asked = _unbcd(fields[0x04])
        self._intermediate(ctx, 0x0A, self.display_text)
        # the demo: a person presents a card (`present`)
        if self.wait_for_card and not self._wait_card(ctx):
            self._abort(ctx, 0x6C)
        card = ZVT_TEST_CARDS.get(self.card, ZVT_TEST_CARDS["visa-ok"])
        s = ctx.script
        outcome = s.outcome
        if outcome is Outcome.APPROVE:  # not scripted otherwise: the card decides
            outcome = {
                "decline": Outcome.DECLINE,
                "partial": Outcome.PARTIAL,
                "timeout": Outcome.TIMEOUT,
            }.get(card.outcome, Outcome.APPROVE)
            if outcome is Outcome.DECLINE:
                s = replace(s, code=card.code)
        if outcome is Outcome.TIMEOUT:
            self._pause(ctx, self.no_card_timeout_s)
            self._abort(ctx, 0x6C)
        if self._pause(ctx, self.step_delay_s):
            self._abort(ctx, 0x6C)
        if card.pin or outcome is Outcome.CARD_REMOVED:
            self._intermediate(ctx, 0x01)
            if self._pause(ctx, self.step_delay_s):
                self._abort(ctx, 0x6C)
        if outcome is Outcome.CARD_REMOVED:
            self._abort(ctx, 0x64)
        if outcome is Outcome.DECLINE and card.pin and s.code == 0x37:
            self._intermediate(ctx, 0x15)  # incorrect PIN
        self._intermediate(ctx, 0x04)  # waiting for the host
        if self._pause(ctx, self.step_delay_s):
            self._abort(ctx, 0x6C)
        if outcome is Outcome.DECLINE:
            _, trace = self._next_numbers(receipt=False)
            with self._lock:
                self._last = _Txn("pre_auth", s.code, asked, trace, None, self.card)
                self._save()
            if self._confirmed_status(ctx, self._status_data(s.code, asked, trace, None, card)):
                self._abort(ctx, s.code)
            raise _Drop
        approved = asked
        if outcome is Outcome.PARTIAL:
            approved = asked // 2 if s.amount is None else self._minor(s.amount)
        receipt, trace = self._next_numbers()
        assert receipt is not None
        auth = PreAuth(receipt, trace, approved, self.card)
        with self._lock:
            self.preauths[receipt] = auth
            self._save()
        if card.pin:
            self._intermediate(ctx, 0x0B)  # please remove card
        if not self._confirmed_status(ctx, self._status_data(0x00, approved, trace, receipt, card)):
            with self._lock:
                auth.state = "reversed"  # not acknowledged: the terminal reverses it itself
                self._save()
            log.info("ZVT simulator: status not acknowledged; receipt %04d auto-reversed", receipt)
            raise _Drop
        with self._lock:
            auth.state = "open"
            self._last = _Txn("pre_auth", 0x00, approved, trace, receipt, self.card)
            self._save()
        lines = [
            "PRE-AUTHORISATION",
            f"{card.card_name}  XXXX XXXX XXXX {card.last4}",
            f"AMOUNT EUR {self._money(approved)}",
            f"RECEIPT {receipt:04d}  TRACE {trace:06d}",
            f"TID {self.terminal_id}",
        ]
        self._finish(ctx, lines)

    def _minor(self, amount: Decimal) -> int:
        return int(amount.scaleb(self.exponent))

    def _open_preauth(self, ctx: _Ctx, receipt: int, *, reversing: bool) -> PreAuth:
        with self._lock:
            auth = self.preauths.get(receipt)
        if auth is None:
            self._abort(ctx, 0xB8)  # no such pre-authorisation
        assert auth is not None
        if auth.state == "reversed":
            self._abort(ctx, 0xB4 if reversing else 0xB8)
        if auth.state == "booked":
            self._abort(ctx, 0xB5 if reversing else 0xB8)
        return auth

    def _book(self, ctx: _Ctx, auth: PreAuth, booked: int, kind: str, lines: Sequence[str]) -> None:
        """Book (or, with kind "reversal", release) a pre-authorisation and report it."""
        receipt, trace = self._next_numbers()
        reported = auth.amount if kind == "reversal" else booked
        data = self._status_data(0x00, reported, trace, receipt)
        if not self._confirmed_status(ctx, data):
            log.info(
                "ZVT simulator: status not acknowledged; %s of %04d undone", kind, auth.receipt
            )
            raise _Drop
        with self._lock:
            if kind == "reversal":
                auth.state = "reversed"
            else:
                auth.state, auth.booked = "booked", booked
                self._totals["count"] = self._totals.get("count", 0) + 1
                self._totals["amount"] = self._totals.get("amount", 0) + booked
                key = f"type{ZVT_TEST_CARDS.get(auth.card, ZVT_TEST_CARDS['visa-ok']).card_type}"
                self._totals[key] = self._totals.get(key, 0) + 1
                self._totals[key + "_amount"] = self._totals.get(key + "_amount", 0) + booked
            self._last = _Txn(kind, 0x00, reported, trace, receipt, auth.card)
            self._save()
        self._finish(ctx, [*lines, f"RECEIPT {receipt:04d}  TRACE {trace:06d}"])

    def _book_total(self, ctx: _Ctx, fields: dict[int | str, bytes]) -> None:
        self._begin(ctx)
        self._check_currency(ctx, fields)
        receipt = _unbcd(fields[0x87])
        amount = _unbcd(fields[0x04]) if 0x04 in fields else None
        auth = self._open_preauth(ctx, receipt, reversing=False)
        booked = auth.amount if amount is None else amount
        if booked > auth.amount:
            self._abort(ctx, 0xB7)  # more than reserved
        if 0x0B in fields and _unbcd(fields[0x0B]) != auth.trace:
            self._abort(ctx, 0xB8)
        self._intermediate(ctx, 0x04)
        self._book(ctx, auth, booked, "book_total", ["BOOK TOTAL", f"EUR {self._money(booked)}"])

    def _partial_reversal(self, ctx: _Ctx, fields: dict[int | str, bytes]) -> None:
        self._begin(ctx)
        if fields.get(0x87) == b"\xff\xff":  # which pre-authorisations are open?
            receipts = self.open_receipts()
            first = b"\xff\xff" if not receipts else _bcd(receipts[0], 2)
            listing = b"".join(_tlv(b"\x08", _bcd(r, 2)) for r in receipts)
            listed = receipts and self.lists_open_preauths
            extra = b"\x87" + first + (_container(_tlv(b"\x23", listing)) if listed else b"")
            self._abort(ctx, 0xB8, extra)
        self._check_currency(ctx, fields)
        auth = self._open_preauth(ctx, _unbcd(fields[0x87]), reversing=False)
        released = _unbcd(fields[0x04])
        if released > auth.amount:
            self._abort(ctx, 0xB7)
        booked = auth.amount - released
        lines = ["PARTIAL REVERSAL", f"EUR {self._money(released)}"]
        self._book(ctx, auth, booked, "partial_reversal", lines)

    def _reversal(self, ctx: _Ctx, fields: dict[int | str, bytes]) -> None:
        self._begin(ctx)
        if ctx.command is Command.REVERSAL:
            self._check_password(ctx, fields)
        self._check_currency(ctx, fields)
        auth = self._open_preauth(ctx, _unbcd(fields[0x87]), reversing=True)
        self._book(ctx, auth, 0, "reversal", ["REVERSAL", f"EUR {self._money(auth.amount)}"])

    def _repeat_receipt(self, ctx: _Ctx, fields: dict[int | str, bytes]) -> None:
        self._begin(ctx)
        self._check_password(ctx, fields)
        with self._lock:
            last = self._last
        if last is None:
            self._abort(ctx, 0x83)  # nothing to repeat
        assert last is not None
        card = None if last.card is None else ZVT_TEST_CARDS.get(last.card)
        data = self._status_data(last.result, last.amount, last.trace, last.receipt, card)
        if not self._confirmed_status(ctx, data):
            raise _Drop
        receipt = "-" if last.receipt is None else f"{last.receipt:04d}"
        self._finish(
            ctx,
            [
                "COPY",
                last.kind.replace("_", " ").upper(),
                f"EUR {self._money(last.amount)}",
                f"RECEIPT {receipt}  TRACE {last.trace:06d}",
            ],
        )

    def _end_of_day(self, ctx: _Ctx, fields: dict[int | str, bytes]) -> None:
        self._begin(ctx)
        self._check_password(ctx, fields)
        with self._lock:
            totals = dict(self._totals)
            first = min((a.receipt for a in self.preauths.values()), default=0)
        _, trace = self._next_numbers(receipt=False)
        # individual totals: receipt range, then count and total of girocard, JCB,
        # Eurocard/Mastercard, Amex, Visa, Diners, others
        groups = [5, 14, 6, 8, 10, 12]
        single = _bcd(first, 2) + _bcd(self._receipt, 2)
        other_count = totals.get("count", 0)
        other_amount = totals.get("amount", 0)
        for card_type in groups:
            count = totals.get(f"type{card_type}", 0)
            amount = totals.get(f"type{card_type}_amount", 0)
            other_count -= count
            other_amount -= amount
            single += bytes((min(count, 255),)) + _bcd(amount, 6)
        single += bytes((min(other_count, 255),)) + _bcd(other_amount, 6)
        data = (
            b"\x27\x00\x04"
            + _bcd(totals.get("amount", 0), 6)
            + b"\x0b"
            + _bcd(trace, 3)
            + b"\x60"
            + _ll(single, 3)
        )
        if not self._confirmed_status(ctx, data):
            raise _Drop
        with self._lock:
            self._totals = {}
            self._save()
        lines = [
            "END OF DAY",
            f"TRANSACTIONS {totals.get('count', 0)}",
            f"TOTAL EUR {self._money(totals.get('amount', 0))}",
        ]
        self._finish(ctx, lines)

    def _status_enquiry(self, ctx: _Ctx, fields: dict[int | str, bytes]) -> None:
        self._begin(ctx)
        software = self.software.encode("ascii")
        self._send(ctx, 0x06, 0x0F, _ll(software, 3) + bytes((self.terminal_status,)))
        self._await_ack(ctx)


# ----------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk.sim.zvt_terminal",
        description="A ZVT bank-card terminal simulator (TCP, the terminal's side).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=20007, help="TCP port (0: any free one)")
    parser.add_argument(
        "--card", default="visa-ok", choices=sorted(ZVT_TEST_CARDS), help="the card presented"
    )
    parser.add_argument("--password", default="000000", help="the terminal password")
    parser.add_argument("--state", type=Path, help="keep the terminal's state in this file")
    parser.add_argument(
        "--no-card-timeout", type=float, default=60.0, help="seconds to wait for a card"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    sim = ZvtSimulator(
        host=args.host,
        port=args.port,
        password=args.password,
        card=args.card,
        state_path=args.state,
        no_card_timeout_s=args.no_card_timeout,
        step_delay_s=0.5,
    )
    port = sim.start()
    print(f"ZVT terminal simulator on {args.host}:{port} (card {args.card}); Ctrl-C stops it")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sim.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
