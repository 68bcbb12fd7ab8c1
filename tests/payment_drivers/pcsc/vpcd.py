"""A private pcscd with the vsmartcard vpcd reader, and scripted virtual cards.

`Pcscd` runs the real /usr/sbin/pcscd as an ordinary process: socket activation (a
unix socket bound here, handed over as fd 3 with LISTEN_FDS/LISTEN_PID), a private
reader.conf.d with vpcd on a free TCP port pair, so it never meets a system pcscd.
As root it runs as `nobody` (setpriv), so it cannot touch /run/pcscd either.
libpcsclite reads PCSCLITE_CSOCK_NAME once per process: the socket path is fixed
for the whole process (`SOCKET_PATH`, set in the environment when this module is
imported) and a restarted pcscd is given a new socket at the same path.

`VirtualCard` is vpcd's TCP client: connecting inserts the card, closing removes it.
Frames are a 2-byte big-endian length and a payload; a 1-byte payload is a control
code (0 off, 1 on, 2 reset, 4 "send the ATR"), a longer one a command APDU that the
card's script answers (data + SW1 SW2).

Use from another test folder (one pcscd per process, shared):

    from tests.payment_drivers.pcsc.vpcd import pcscd, pcscd_service  # in a conftest.py

    def test_tap(pcscd: Pcscd) -> None:
        with pcscd.insert(uid_script("04A1B2C3D4E5F6")):
            ...  # the reader "Virtual PCD 00 00" now holds a MIFARE Classic 1K
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

import pytest

__all__ = [
    "BANK_CARD_ATR",
    "DESFIRE_ATR",
    "ISO14443_4_ATR",
    "MIFARE_CLASSIC_1K_ATR",
    "MIFARE_CLASSIC_4K_ATR",
    "MIFARE_ULTRALIGHT_ATR",
    "PULL",
    "SLOTS",
    "SOCKET_PATH",
    "Answer",
    "Pcscd",
    "Reply",
    "Script",
    "VirtualCard",
    "bank_card_script",
    "missing_component",
    "pcscd",
    "pcscd_service",
    "require_components",
    "uid_script",
    "with_tck",
]

PCSCD: Final = Path("/usr/sbin/pcscd")
VPCD_DRIVER: Final = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
SETPRIV: Final = Path("/usr/bin/setpriv")
IPC_DIR: Final = Path("/run/pcscd")  # pcscd's own run directory (PCSCLITE_IPC_DIR)
SLOTS: Final = ("Virtual PCD 00 00", "Virtual PCD 00 01")  # vpcd's two slots: port, port + 1


def with_tck(body_hex: str) -> bytes:
    """An ATR with its check byte (XOR of T0 to the last historical byte) appended."""
    body = bytes.fromhex(body_hex)
    tck = 0
    for byte in body[1:]:
        tck ^= byte
    return body + bytes((tck,))


MIFARE_CLASSIC_1K_ATR: Final = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")
MIFARE_CLASSIC_4K_ATR: Final = with_tck("3B8F8001804F0CA00000030603000200000000")
MIFARE_ULTRALIGHT_ATR: Final = with_tck("3B8F8001804F0CA00000030603000300000000")
DESFIRE_ATR: Final = bytes.fromhex("3B8180018080")
ISO14443_4_ATR: Final = with_tck("3B8A80014A434F50333156323332")  # a JCOP-like card
BANK_CARD_ATR: Final = with_tck("3B8E800180318066B0840C016E0183009000")


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing_component() -> str | None:
    """Why the real-pcscd tests cannot run on this machine (None: they can)."""
    if not sys.platform.startswith("linux"):
        return "pcscd with vpcd is tested on Linux only"
    if not PCSCD.is_file():
        return f"{PCSCD} is missing (apt-get install pcscd)"
    if not VPCD_DRIVER.is_file():
        return f"{VPCD_DRIVER} is missing (apt-get install vsmartcard-vpcd)"
    try:
        import smartcard.scard  # noqa: F401
    except ImportError as exc:
        return f"pyscard cannot be imported ({exc}): pip install pyscard (needs libpcsclite-dev)"
    return None


def require_components() -> None:
    """Skip when pcscd or vpcd is missing, but fail in CI (CI=true), which installs them."""
    reason = missing_component()
    if reason is None:
        return
    if _ci():
        pytest.fail(f"CI is set and a component is missing: {reason}", pytrace=False)
    pytest.skip(reason)


def _reserve_socket_path() -> str:
    """One pcscd socket path per process, in the environment before any pyscard call."""
    path = str(Path(tempfile.gettempdir()) / f"kiosk-pcscd-{os.getpid()}" / "pcscd.comm")
    os.environ["PCSCLITE_CSOCK_NAME"] = path
    return path


SOCKET_PATH: Final = _reserve_socket_path()

# exec wrapper: the socket is fd 3 and inheritable, LISTEN_PID is pcscd's own pid (exec
# keeps it), then pcscd (through setpriv when dropping root) replaces this process
_EXEC_WRAPPER: Final = """\
import os, sys
fd = int(sys.argv[1])
if fd != 3:
    os.dup2(fd, 3)
    os.close(fd)
os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid())
os.execv(sys.argv[2], sys.argv[2:])
"""


def _free_port_pair() -> int:
    """A port p with p and p + 1 free on every interface (where vpcd listens)."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("0.0.0.0", 0))
            port = int(probe.getsockname()[1])
        if port >= 65535:
            continue
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("0.0.0.0", port))
                b.bind(("0.0.0.0", port + 1))
        except OSError:
            continue
        return port
    raise RuntimeError("no free TCP port pair for vpcd")


class Pcscd:
    """The private pcscd process; `insert` puts a scripted card on one of its slots."""

    def __init__(self) -> None:
        self.socket_path = Path(SOCKET_PATH)
        self.workdir = self.socket_path.parent
        self.workdir.mkdir(mode=0o755, exist_ok=True)
        self.conf_dir = self.workdir / "reader.conf.d"
        self.conf_dir.mkdir(mode=0o755, exist_ok=True)
        self.log_path = self.workdir / "pcscd.log"
        self.port = _free_port_pair()
        self.ports = (self.port, self.port + 1)
        (self.conf_dir / "vpcd").write_text(
            'FRIENDLYNAME "Virtual PCD"\n'
            f"DEVICENAME   /dev/null:{self.port}\n"
            f"LIBPATH      {VPCD_DRIVER}\n"
            f"CHANNELID    {self.port}\n",
            encoding="ascii",
        )
        for path in (self.workdir, self.conf_dir):
            path.chmod(0o755)  # readable by `nobody`
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._cards: list[VirtualCard] = []
        self.started_in_s: float | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout_s: float = 10.0) -> None:
        """Start pcscd on a fresh socket at the same path; return once it lists vpcd."""
        if self.running:
            return
        began = time.monotonic()
        self.socket_path.unlink(missing_ok=True)
        target = [str(PCSCD), "--foreground", "--debug", "--apdu", "-c", str(self.conf_dir)]
        if os.geteuid() == 0 and SETPRIV.is_file():  # drop root: hands off /run/pcscd
            # pcscd gives up when its run directory is missing (a machine just booted,
            # where no system pcscd ever ran), and carries on when it merely cannot write
            # its pid file there: the directory is made as the package's pcscd would
            IPC_DIR.mkdir(mode=0o755, exist_ok=True)
            target = [str(SETPRIV), "--reuid=65534", "--regid=65534", "--clear-groups", *target]
        self._log = self.log_path.open("ab")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
                listener.bind(str(self.socket_path))
                self.socket_path.chmod(0o666)
                listener.listen(64)
                fd = listener.fileno()
                self._proc = subprocess.Popen(
                    [sys.executable, "-c", _EXEC_WRAPPER, str(fd), *target],
                    pass_fds=(fd,),
                    stdin=subprocess.DEVNULL,
                    stdout=self._log,
                    stderr=subprocess.STDOUT,
                )
        except BaseException:
            self.stop()
            raise
        # our copy is closed: once pcscd exits, clients are refused at once (no queueing)
        try:
            self.wait_for_readers(timeout_s)
        except BaseException:
            self.stop()
            raise
        self.started_in_s = time.monotonic() - began

    def wait_for_readers(self, timeout_s: float = 10.0) -> None:
        """Until pcscd lists both vpcd slots (the socket file alone is not enough)."""
        from payment_drivers.pcsc import _scard

        deadline = time.monotonic() + timeout_s
        last = "not asked yet"
        while time.monotonic() < deadline:
            if self._proc is None or self._proc.poll() is not None:
                raise RuntimeError(f"pcscd exited at start:\n{self.log_tail()}")
            try:
                context = _scard.establish()
                try:
                    names = _scard.list_readers(context)
                finally:
                    _scard.release(context)
                if all(slot in names for slot in SLOTS):
                    return
                last = f"readers {names}"
            except _scard.PcscError as exc:
                last = str(exc)
            time.sleep(0.02)
        raise RuntimeError(f"pcscd did not list the vpcd reader ({last}):\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop pcscd (the cards in it are pulled: vpcd's sockets close)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if self._log is not None:
            self._log.close()
            self._log = None
        self.remove_all_cards()

    def restart(self) -> None:
        self.stop()
        self.start()

    def insert(
        self, script: Script, *, atr: bytes = MIFARE_CLASSIC_1K_ATR, slot: int = 0
    ) -> VirtualCard:
        """Put a card on slot 0 or 1 ("Virtual PCD 00 00" / "00 01"); `remove()` it."""
        card = VirtualCard(self.ports[slot], script, atr=atr)
        self._cards.append(card)
        return card.insert()

    def remove_all_cards(self) -> None:
        cards, self._cards = self._cards, []
        for card in cards:
            card.remove()

    def slots_empty(self) -> bool:
        from payment_drivers.pcsc import _scard

        try:
            context = _scard.establish()
        except _scard.PcscError:
            return False
        try:
            hresult, states = _scard.get_status_change(
                context, 0, [(slot, _scard.STATE_UNAWARE) for slot in SLOTS]
            )
        finally:
            _scard.release(context)
        return hresult == _scard.SUCCESS and all(
            not state.flags & _scard.STATE_PRESENT for state in states
        )

    def wait_idle(self, timeout_s: float = 5.0) -> None:
        """Running, no card inserted, and pcscd has seen the last one go."""
        self.remove_all_cards()
        if not self.running:
            self.start()
        deadline = time.monotonic() + timeout_s
        while not self.slots_empty():
            if time.monotonic() > deadline:
                raise RuntimeError("pcscd still reports a card after it was removed")
            time.sleep(0.02)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no pcscd log)"
        return "\n".join(text.splitlines()[-lines:])

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


# ---------------------------------------------------------------- virtual cards


@dataclass(frozen=True, slots=True)
class Answer:
    """A scripted answer: `data` after `delay_s`; data None pulls the card instead.

    `data=b""` sends an empty frame; vpcd then waits for the connection to end, so
    the card is pulled right after it (pcscd reports an empty answer).
    """

    data: bytes | None
    delay_s: float = 0.0


PULL: Final = Answer(None)  # the card is taken away in the middle of the APDU
Reply = bytes | Answer
Script = Mapping[bytes, Reply] | Callable[[bytes], Reply]
_NOT_SUPPORTED: Final = bytes.fromhex("6D00")


def uid_script(uid_hex: str, extra: Mapping[bytes, Reply] | None = None) -> dict[bytes, Reply]:
    """A card that answers GET UID (FF CA 00 00 00) with `uid_hex` and 90 00."""
    script: dict[bytes, Reply] = {bytes.fromhex("FFCA000000"): bytes.fromhex(uid_hex) + b"\x90\x00"}
    script.update(extra or {})
    return script


def bank_card_script(uid_hex: str = "08123456") -> dict[bytes, Reply]:
    """A contactless bank card: SELECT PPSE answers an FCI and 90 00 (and a UID, too)."""
    from payment_drivers.pcsc.apdu import SELECT_PPSE

    fci = (
        bytes.fromhex("6F23840E")
        + b"2PAY.SYS.DDF01"
        + bytes.fromhex("A511BF0C0E610C4F07A0000000041010870101")
    )
    return uid_script(uid_hex, {SELECT_PPSE: fci + b"\x90\x00"})


class VirtualCard:
    """A card in a vpcd slot: a TCP client answering vpcd from a script."""

    def __init__(self, port: int, script: Script, *, atr: bytes = MIFARE_CLASSIC_1K_ATR) -> None:
        self.port = port
        self.atr = atr
        self._script = script
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.apdus: list[bytes] = []  # every command APDU received, in order
        self.gone = threading.Event()  # set once the connection has ended

    def __enter__(self) -> VirtualCard:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.remove()

    def insert(self) -> VirtualCard:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock
        self._thread = threading.Thread(
            target=self._serve, args=(sock,), name=f"virtual-card:{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def remove(self) -> None:
        """Take the card away (idempotent)."""
        self._close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)

    def _close(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in recv
            sock.close()
        self.gone.set()

    def _answer(self, command: bytes) -> Reply:
        if callable(self._script):
            return self._script(command)
        return self._script.get(command, _NOT_SUPPORTED)

    def _serve(self, sock: socket.socket) -> None:
        try:
            for payload in _frames(sock):
                if len(payload) == 1:
                    if payload[0] == 4:
                        _send(sock, self.atr)
                    continue  # power off / on / reset: no answer
                self.apdus.append(payload)
                reply = self._answer(payload)
                answer = reply if isinstance(reply, Answer) else Answer(reply)
                if answer.delay_s:
                    time.sleep(answer.delay_s)
                if answer.data is None:
                    break
                _send(sock, answer.data)
                if not answer.data:
                    break
        except OSError:
            pass
        finally:
            self._close()


def _quickack(sock: socket.socket) -> None:
    # Debian's vpcd sends the length and the APDU in two writes: without an immediate
    # ACK, Nagle on its side holds the APDU for the 40 ms delayed-ACK timer
    quickack = getattr(socket, "TCP_QUICKACK", None)
    if quickack is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)


def _recv_exactly(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        _quickack(sock)
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    _quickack(sock)
    return data


def _frames(sock: socket.socket) -> Iterator[bytes]:
    while True:
        header = _recv_exactly(sock, 2)
        if header is None:
            return
        (size,) = struct.unpack(">H", header)
        payload = _recv_exactly(sock, size) if size else b""
        if payload is None:
            return
        yield payload


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(struct.pack(">H", len(payload)) + payload)


# ---------------------------------------------------------------- fixtures


class _Shared:
    """The process's one Pcscd, counted: each session fixture using it holds a share."""

    lock = threading.Lock()
    service: Pcscd | None = None
    users = 0

    @classmethod
    def acquire(cls) -> Pcscd:
        with cls.lock:
            if cls.service is None:
                service = Pcscd()
                try:
                    service.start()
                except BaseException:
                    service.close()
                    raise
                cls.service = service
            cls.users += 1
            return cls.service

    @classmethod
    def release(cls) -> None:
        with cls.lock:
            cls.users -= 1
            if cls.users == 0 and cls.service is not None:
                cls.service.close()
                cls.service = None


@pytest.fixture(scope="session")
def pcscd_service() -> Iterator[Pcscd]:
    """The process's one private pcscd (skips, or fails in CI, when it cannot run)."""
    require_components()
    service = _Shared.acquire()
    try:
        yield service
    finally:
        _Shared.release()


@pytest.fixture
def pcscd(pcscd_service: Pcscd) -> Iterator[Pcscd]:
    """pcscd running with both slots empty; the test's cards are removed after it."""
    pcscd_service.wait_idle()
    try:
        yield pcscd_service
    finally:
        pcscd_service.remove_all_cards()
