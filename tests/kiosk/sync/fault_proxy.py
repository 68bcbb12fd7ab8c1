"""A real TCP proxy on loopback between the kiosk's client and a server, scriptable per request.

It reads each HTTP request from the client (head and Content-Length body), then does
what the next scripted `Fault` says: pass it on, hold the answer (up to 60 s, and
`close()` ends the wait), drop the connection before or after forwarding, cut the
answer short, answer garbage, a 10 MB body or a status of its own (5xx storms,
Retry-After). One request per connection (it answers `Connection: close`), so a fault
never leaks into the next request through keep-alive.
"""

from __future__ import annotations

import socket
import threading
from collections import deque
from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "pass",  # forward, answer as the server did
    "delay",  # forward, hold the answer `delay_s` (the server has applied it)
    "hold",  # do not forward; hold the connection `delay_s`, then close it
    "drop",  # close at once, nothing forwarded
    "drop_after_forward",  # forward (the server applies it), close without an answer
    "truncate",  # forward, send half the answer, close
    "garbage",  # answer 200 with bytes that are not JSON
    "huge",  # answer 200 with `size` bytes of a JSON-looking body, without a length
    "status",  # answer `status` (with `retry_after`) without forwarding
]

MAX_DELAY_S = 60.0


@dataclass(frozen=True)
class Fault:
    kind: Kind = "pass"
    delay_s: float = 0.0
    status: int = 503
    retry_after: str | None = None
    size: int = 10 * 1024 * 1024

    def __post_init__(self) -> None:
        if not 0 <= self.delay_s <= MAX_DELAY_S:
            raise ValueError(f"delay {self.delay_s} s: the proxy holds 0-{MAX_DELAY_S:.0f} s")


PASS = Fault()


def _read_request(conn: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        rest += chunk
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + rest


def _answer(status: int, body: bytes, extra: dict[str, str] | None = None) -> bytes:
    headers = [
        f"HTTP/1.1 {status} Scripted",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]
    headers += [f"{k}: {v}" for k, v in (extra or {}).items()]
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body


class FaultProxy:
    """`with FaultProxy(upstream_port) as proxy: proxy.script(Fault("drop"), ...)`."""

    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.default = PASS
        self._script: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self.seen: list[tuple[Kind, bytes]] = []  # (fault applied, request line)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, name="fault-proxy", daemon=True)

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, *faults: Fault) -> None:
        """The next requests get these faults, in order; then `default`."""
        with self._lock:
            self._script.extend(faults)

    def set_default(self, fault: Fault) -> None:
        with self._lock:
            self.default = fault

    def count(self, kind: Kind | None = None) -> int:
        with self._lock:
            return sum(1 for k, _ in self.seen if kind is None or k == kind)

    def in_flight(self) -> int:
        """Connections it is handling now (held ones included)."""
        with self._lock:
            return sum(1 for t in self._threads if t.is_alive())

    def __enter__(self) -> FaultProxy:
        self._accept.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._closing.set()
        self._accept.join(5)
        self._listener.close()
        for thread in self._threads:
            thread.join(5)

    def _serve(self) -> None:
        while not self._closing.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._one, args=(conn,), daemon=True)
            with self._lock:
                self._threads.append(thread)
            thread.start()

    def _next(self) -> Fault:
        with self._lock:
            return self._script.popleft() if self._script else self.default

    def _one(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(MAX_DELAY_S + 5)
            try:
                request = _read_request(conn)
                if request is None:
                    return
                fault = self._next()
                with self._lock:
                    self.seen.append((fault.kind, request.split(b"\r\n", 1)[0]))
                self._apply(conn, request, fault)
            except OSError:
                return

    def _forward(self, request: bytes) -> bytes:
        with socket.create_connection(self.upstream, timeout=MAX_DELAY_S + 5) as up:
            up.sendall(request)
            chunks = []
            while True:
                chunk = up.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        head, sep, body = b"".join(chunks).partition(b"\r\n\r\n")
        lines = [
            line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")
        ]
        return b"\r\n".join([*lines, b"Connection: close"]) + sep + body

    def _apply(self, conn: socket.socket, request: bytes, fault: Fault) -> None:
        kind = fault.kind
        if kind == "drop":
            return
        if kind == "hold":
            self._closing.wait(fault.delay_s)
            return
        if kind == "status":
            body = b'{"error":{"code":"unavailable","message":"scripted"}}'
            extra = {} if fault.retry_after is None else {"Retry-After": fault.retry_after}
            conn.sendall(_answer(fault.status, body, extra))
            return
        if kind == "garbage":
            conn.sendall(_answer(200, b"\x00<html>not json at all}}"))
            return
        if kind == "huge":
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
            conn.sendall(head + b'{"results": [')
            block = b'"' + b"x" * 65530 + b'",'
            sent = 0
            while sent < fault.size and not self._closing.is_set():
                conn.sendall(block)
                sent += len(block)
            return
        answer = self._forward(request)
        if kind == "drop_after_forward":
            return
        if kind == "delay" and self._closing.wait(fault.delay_s):
            return
        if kind == "truncate":
            head, sep, body = answer.partition(b"\r\n\r\n")
            conn.sendall(head + sep + body[: len(body) // 2])
            return
        conn.sendall(answer)
