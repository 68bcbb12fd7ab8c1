"""A small real HTTP backend on loopback: just enough of docs/backend-api.md for the sync tests.

It checks every request's HMAC the contract's way (its own code, not kiosk.sync.signing),
refuses replayed nonces and skewed clocks, stores answers per Idempotency-Key (replay,
conflict), applies events once per key and counts what it received, so tests can assert
"delivered once, in order" at the far side. Not the reference backend: no database.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

STATION = "DE-KIO-S1"
SECRET = "s3cret-for-tests-only"


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


class Refused(Exception):
    def __init__(
        self, status: int, code: str, message: str = "", headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


@dataclass
class Received:
    method: str
    path: str
    station: str
    idempotency_key: str | None
    body: bytes


@dataclass
class FakeState:
    """Everything the fake knows; tests read and script it (under `lock`)."""

    secrets: dict[str, str] = field(default_factory=lambda: {STATION: SECRET})
    skew_s: float = 0.0  # added to the server's clock
    tariff_version: int = 1
    tariffs: dict[str, str] = field(default_factory=dict)  # connector -> JSON text of the list
    allow_list_version: int = 1
    tokens: list[dict[str, Any]] = field(default_factory=list)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)  # uid -> authorize answer
    declined_contracts: dict[str, str] = field(default_factory=dict)  # contract -> code
    events: dict[str, bytes] = field(default_factory=dict)  # key -> canonical payload
    event_order: list[str] = field(default_factory=list)  # keys in the order applied
    received_events: list[str] = field(default_factory=list)  # every key, every time
    reject_keys: set[str] = field(default_factory=set)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    commands: list[dict[str, Any]] = field(default_factory=list)
    command_results: dict[str, dict[str, Any]] = field(default_factory=dict)
    heartbeats: list[dict[str, Any]] = field(default_factory=list)
    commands_said: int | None = None  # what heartbeats say waits, instead of the truth
    requests: list[Received] = field(default_factory=list)
    replays: int = 0
    auth_failures: list[str] = field(default_factory=list)
    # an answer forced on the next requests of a path prefix: (status, retry_after)
    forced: list[tuple[str, int, str | None]] = field(default_factory=list)
    # a backend that answers something else than it was asked: (path, answer) -> answer
    rewrite: Callable[[str, Any], Any] | None = None


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


class FakeBackend:
    """`with FakeBackend() as fake: fake.url ...`; state in `fake.state` under `fake.lock`."""

    def __init__(self) -> None:
        self.state = FakeState()
        self.lock = threading.Condition()
        self._idem: dict[tuple[str, str], tuple[str, int, bytes]] = {}
        self._nonces: set[str] = set()
        self._closing = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-backend"
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FakeBackend:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def release_waits(self) -> None:
        """Every long poll answers now, and later ones at once."""
        self._closing.set()
        with self.lock:
            self.lock.notify_all()

    def close(self) -> None:
        self.release_waits()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    # ------------------------------------------------------------ scripting

    def force(
        self, path_prefix: str, status: int, count: int, retry_after: str | None = None
    ) -> None:
        with self.lock:
            self.state.forced.extend([(path_prefix, status, retry_after)] * count)

    def add_command(self, **fields: Any) -> str:
        command_id = f"cmd_{uuid.uuid4().hex[:12]}"
        now = _now()
        command = {
            "id": command_id,
            "type": "start",
            "connector_id": "1",
            "contract_id": "DE-KIO-C00001-7",
            "group": "member",
            "session_id": None,
            "created_at": _iso(now),
            "expires_at": _iso(now + timedelta(minutes=2)),
        } | fields
        with self.lock:
            self.state.commands.append(command)
            self.lock.notify_all()
        return command_id

    def pay(self, intent_id: str, masked: str = "VISA •••• 4242") -> None:
        with self.lock:
            intent = self.state.intents[intent_id]
            intent.update(
                status="authorized",
                authorized_amount=intent["amount"],
                masked_ref=masked,
                last_error=None,
            )
            self.lock.notify_all()

    def fail_attempt(self, intent_id: str, error: str) -> None:
        with self.lock:
            self.state.intents[intent_id]["last_error"] = error
            self.lock.notify_all()

    def expire(self, intent_id: str) -> None:
        with self.lock:
            self.state.intents[intent_id]["status"] = "expired"
            self.lock.notify_all()

    def intents_for(self, reference: str) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(i) for i in self.state.intents.values() if i["reference"] == reference]

    # ------------------------------------------------------------ transport

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        try:
            station = self._authenticate(h, method, body)
            status, answer, extra = self._route(h, method, station, body)
        except Refused as exc:
            status = exc.status
            answer = _canonical({"error": {"code": exc.code, "message": exc.message}})
            extra = exc.headers
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(answer)))
        for name, value in extra.items():
            h.send_header(name, value)
        h.end_headers()
        with contextlib.suppress(OSError):
            h.wfile.write(answer)

    def _authenticate(self, h: BaseHTTPRequestHandler, method: str, body: bytes) -> str:
        station = h.headers.get("X-Station-Id", "")
        stamp = h.headers.get("X-Timestamp", "")
        nonce = h.headers.get("X-Nonce", "")
        given = h.headers.get("X-Signature", "")
        with self.lock:
            secret = self.state.secrets.get(station)
            skew = self.state.skew_s
        reason = None
        if secret is None:
            reason = "unknown station"
        elif not stamp.isdigit() or len(nonce) != 32 or nonce != nonce.lower():
            reason = "malformed headers"
        else:
            text = "\n".join(
                [method, h.path, stamp, nonce, hashlib.sha256(body).hexdigest()]
            ).encode()
            expected = hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, given):
                reason = "bad signature"
            elif abs(time.time() + skew - int(stamp)) > 300:
                reason = "clock skew"
            else:
                with self.lock:
                    if nonce in self._nonces:
                        reason = "replay"
                    self._nonces.add(nonce)
        if reason is not None:
            with self.lock:
                self.state.auth_failures.append(reason)
            raise Refused(401, "unauthenticated", f"auth: {station} {reason}")
        return station

    def _route(
        self, h: BaseHTTPRequestHandler, method: str, station: str, body: bytes
    ) -> tuple[int, bytes, dict[str, str]]:
        parts = urlsplit(h.path)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        key = h.headers.get("Idempotency-Key")
        with self.lock:
            self.state.requests.append(Received(method, path, station, key, body))
            for i, (prefix, status, retry_after) in enumerate(self.state.forced):
                if path.startswith(prefix):
                    del self.state.forced[i]
                    headers = {} if retry_after is None else {"Retry-After": retry_after}
                    raise Refused(status, "forced", "scripted by the test", headers)
        if method == "GET":
            answer = self._get(path, query, station)
            if self.state.rewrite is not None:
                answer = _canonical(self.state.rewrite(path, json.loads(answer)))
            return 200, answer, {}
        if not key:
            raise Refused(400, "idempotency_key_missing", "Idempotency-Key is required")
        fingerprint = hashlib.sha256(f"{method}\n{path}\n".encode() + body).hexdigest()
        with self.lock:
            stored = self._idem.get((station, key))
            if stored is not None:
                if stored[0] != fingerprint:
                    raise Refused(
                        409, "idempotency_conflict", f"key {key} was used for another call"
                    )
                self.state.replays += 1
                return stored[1], stored[2], {"Idempotent-Replay": "true"}
        try:
            document = json.loads(body or b"{}", parse_float=str)
        except ValueError:
            raise Refused(400, "malformed", "the body is not JSON") from None
        status, answer = self._post(path, document, station)
        if self.state.rewrite is not None:
            answer = self.state.rewrite(path, answer)
        encoded = _canonical(answer)
        with self.lock:
            self._idem[(station, key)] = (fingerprint, status, encoded)
            self.lock.notify_all()
        return status, encoded, {}

    # ------------------------------------------------------------ endpoints

    def _get(self, path: str, query: dict[str, str], station: str) -> bytes:
        if path == "/v1/tariffs":
            with self.lock:
                inner = ",".join(
                    f"{json.dumps(cid)}:{text}" for cid, text in self.state.tariffs.items()
                )
                return (
                    f'{{"version":{self.state.tariff_version},"connectors":{{{inner}}}}}'.encode()
                )
        if path == "/v1/allow-list":
            with self.lock:
                return _canonical(
                    {"version": self.state.allow_list_version, "tokens": self.state.tokens}
                )
        if path.startswith("/v1/payment-intents/"):
            intent_id = unquote(path.removeprefix("/v1/payment-intents/"))
            wait = min(float(query.get("wait", "0")), 30.0)
            status_not = query.get("status_not")
            deadline = time.monotonic() + wait
            with self.lock:
                if intent_id not in self.state.intents:
                    raise Refused(404, "not_found", "no such intent")
                seen_error = self.state.intents[intent_id]["last_error"]
                while (
                    status_not is not None
                    and self.state.intents[intent_id]["status"] == status_not
                    and self.state.intents[intent_id]["last_error"] == seen_error
                    and not self._closing.is_set()
                ):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self.lock.wait(left)
                return _canonical(self.state.intents[intent_id])
        if path.startswith("/v1/operations/"):
            key = unquote(path.removeprefix("/v1/operations/"))
            with self.lock:
                stored = self._idem.get((station, key))
            if stored is None:
                raise Refused(404, "not_found", "no operation under this key")
            return b'{"status":%d,"body":%s}' % (stored[1], stored[2])
        if path == "/v1/commands":
            wait = min(float(query.get("wait", "0")), 30.0)
            deadline = time.monotonic() + wait
            with self.lock:
                while not self._pending_commands() and not self._closing.is_set():
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self.lock.wait(left)
                return _canonical({"commands": self._pending_commands()})
        raise Refused(404, "not_found", path)

    def _pending_commands(self) -> list[dict[str, Any]]:
        return [c for c in self.state.commands if c["id"] not in self.state.command_results]

    def _post(self, path: str, doc: Any, station: str) -> tuple[int, Any]:
        with self.lock:
            if path == "/v1/heartbeat":
                self.state.heartbeats.append(doc)
                return 200, {
                    "server_time": _iso(_now() + timedelta(seconds=self.state.skew_s)),
                    "tariff_version": self.state.tariff_version,
                    "allow_list_version": self.state.allow_list_version,
                    "commands": len(self._pending_commands())
                    if self.state.commands_said is None
                    else self.state.commands_said,
                }
            if path == "/v1/tokens/authorize":
                found = self.state.accounts.get(doc["uid"])
                if found is None:
                    return 200, {
                        "allowed": False,
                        "group": None,
                        "contract_id": None,
                        "reason": "unknown card",
                        "code": "unknown_card",
                    }
                return 200, found
            if path == "/v1/events":
                return 200, {"results": [self._event(e) for e in doc["events"]]}
            if path == "/v1/payment-intents":
                return self._create_intent(doc, station)
            if path.startswith("/v1/payment-intents/"):
                intent_id, _, action = path.removeprefix("/v1/payment-intents/").partition("/")
                return self._intent_action(unquote(intent_id), action, doc)
            if path.startswith("/v1/commands/") and path.endswith("/result"):
                command_id = unquote(path.removeprefix("/v1/commands/").removesuffix("/result"))
                self.state.command_results[command_id] = doc
                return 200, {"ok": True}
        raise Refused(404, "not_found", path)

    def _event(self, event: dict[str, Any]) -> dict[str, Any]:
        key = event["idempotency_key"]
        self.state.received_events.append(key)
        payload = _canonical(event["payload"])
        if key in self.state.events:
            same = self.state.events[key] == payload
            return {"idempotency_key": key, "status": "duplicate" if same else "conflict"}
        if key in self.state.reject_keys:
            self.state.events[key] = payload
            return {"idempotency_key": key, "status": "rejected", "error": "cannot process"}
        self.state.events[key] = payload
        self.state.event_order.append(key)
        return {"idempotency_key": key, "status": "accepted"}

    def _create_intent(self, doc: dict[str, Any], station: str) -> tuple[int, Any]:
        intent_id = f"pi_{uuid.uuid4().hex}"
        kind = doc["kind"]
        intent: dict[str, Any] = {
            "id": intent_id,
            "kind": kind,
            "status": "requires_payment",
            "amount": str(doc["amount"]),
            "authorized_amount": None,
            "captured_amount": None,
            "refunded_amount": "0",
            "currency": doc["currency"],
            "reference": doc["reference"],
            "connector_id": doc.get("connector_id"),
            "contract_id": doc.get("contract_id"),
            "checkout_url": None,
            "expires_at": _iso(_now() + timedelta(seconds=int(doc.get("expires_in_s", 170)))),
            "masked_ref": None,
            "last_error": None,
            "code": None,
        }
        if kind == "qr":
            intent["checkout_url"] = f"http://127.0.0.1:{self.port}/checkout/{intent_id}"
        elif kind == "account":
            code = self.state.declined_contracts.get(doc.get("contract_id") or "")
            if code is not None:
                raise Refused(422, code, "the account refuses the hold")
            intent["status"] = "authorized"
            intent["authorized_amount"] = str(doc["amount"])
        else:
            raise Refused(422, "invalid_kind", kind)
        self.state.intents[intent_id] = intent
        return 201, intent

    def _intent_action(self, intent_id: str, action: str, doc: dict[str, Any]) -> tuple[int, Any]:
        intent = self.state.intents.get(intent_id)
        if intent is None:
            raise Refused(404, "not_found", "no such intent")
        status = intent["status"]
        if action == "cancel":
            if status not in ("requires_payment", "authorized", "canceled"):
                raise Refused(409, "invalid_state", status)
            intent["status"] = "canceled"
        elif action == "capture":
            amount = Decimal(str(doc["amount"]))
            if status != "authorized":
                raise Refused(409, "invalid_state", status)
            if amount > Decimal(intent["authorized_amount"]):
                raise Refused(422, "amount_too_high", "more than the hold")
            intent.update(status="captured" if amount else "canceled", captured_amount=str(amount))
        elif action == "increment":
            if status != "authorized":
                raise Refused(409, "invalid_state", status)
            total = Decimal(intent["authorized_amount"]) + Decimal(str(doc["amount"]))
            intent["authorized_amount"] = str(total)
        elif action == "refund":
            intent["refunded_amount"] = str(doc["amount"])
        else:
            raise Refused(404, "not_found", action)
        self.lock.notify_all()
        return 200, dict(intent)


def wait_until(predicate: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


class FakeClock:
    """A settable UTC clock (call it for the time; `advance` moves it)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.now

    def advance(self, **delta: float) -> datetime:
        with self._lock:
            self.now += timedelta(**delta)
            return self.now


def queue_events(
    db: Any, count: int, *, start: int = 0, aggregates: int | None = None, pad: int = 0
) -> list[str]:
    """Queue `count` real outbox rows (topic session.completed); their keys, in order."""
    keys = []
    with db.unit_of_work() as uow:
        for i in range(start, start + count):
            aggregate = f"s-{i % aggregates if aggregates else i}"
            key = f"{aggregate}:event:{i}"
            payload = {"n": i, "cost": Decimal("1.23"), "pad": "x" * pad}
            uow.outbox.add("session.completed", aggregate, payload, key)
            keys.append(key)
        uow.commit()
    return keys
