"""The kiosk's HTTP client of the backend API (docs/backend-api.md).

One `requests.Session` with urllib3's `Retry` doing the backoff: connection errors, read
errors (timeouts, dropped connections) and 429/5xx answers are retried, POSTs included
(every POST carries an Idempotency-Key, so a repeat is absorbed). Each new attempt is
signed again with a fresh nonce: the backend refuses a nonce it has seen (`_SigningRetry`).
A Retry-After longer than `RETRY_AFTER_MAX_S` is not slept on the caller's thread: the
answer comes back as a `BackendError` with `retry_after_s`, for the outbox to schedule.

Every call has a (connect, read) timeout; long polls a read timeout of their wait + 10 s.
Bodies are read as a stream under a hard size cap and decoded strictly (kiosk.sync.wire);
whatever goes wrong becomes a `BackendError` with a message for the log, never a crash.
"""

from __future__ import annotations

import contextvars
import logging
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any, Final, Self, TypeVar
from urllib.parse import quote, urlencode, urlsplit

import msgspec
import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from kiosk.domain.errors import KnownError
from kiosk.domain.redaction import redact
from kiosk.store.repositories import OutboxMessage
from kiosk.sync import wire
from kiosk.sync.signing import StationAuth

__all__ = [
    "EVENTS_BODY_MAX",
    "MAX_BODY",
    "BackendClient",
    "BackendError",
    "Heartbeat",
    "Tariffs",
]

log = logging.getLogger(__name__)

MAX_BODY: Final = 1 << 20  # 1 MiB: the biggest answer read, except events
EVENTS_BODY_MAX: Final = 2 << 20  # /v1/events answers: up to 500 results
LONG_POLL_MAX_S: Final = 30.0
_CHUNK: Final = 64 * 1024
_STATUS_FORCELIST: Final = (429, 500, 502, 503, 504)

T = TypeVar("T")

# The current request's re-signing, for the retry (the adapter's Retry is shared).
_RESIGN: Final[contextvars.ContextVar[Callable[[], None] | None]] = contextvars.ContextVar(
    "kiosk_sync_resign", default=None
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def rfc3339(value: datetime) -> str:
    """An aware time as RFC 3339 UTC with a Z (microseconds only when there are some)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a naive datetime cannot be sent to the backend")
    utc = value.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds" if utc.microsecond else "seconds") + "Z"


class BackendError(KnownError):
    """The backend did not give a usable answer: unreachable, timed out, refused, garbage.

    `status` is the HTTP status when there was an answer (None: no answer at all),
    `code` the contract's error code, `retry_after_s` what its Retry-After asked for.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(redact(message))
        self.status = status
        self.code = code
        self.retry_after_s = retry_after_s

    @property
    def answered(self) -> bool:
        """Whether the backend itself answered (a 4xx says so; a 5xx or none does not)."""
        return self.status is not None and 400 <= self.status < 500 and self.status != 429


class _SignedHeaders(CaseInsensitiveDict[str]):
    """A request's headers whose copies follow a re-signing.

    urllib3 copies the headers at each attempt; a retry re-signs the request's own
    headers, and every copy taken of them (the one the next attempt sends) follows.
    """

    def __init__(self, data: Any = None, *, family: list[_SignedHeaders] | None = None) -> None:
        self._family = family if family is not None else []
        self._family.append(self)
        super().__init__(data)

    def __setitem__(self, key: str, value: str) -> None:
        for headers in getattr(self, "_family", ()):
            CaseInsensitiveDict.__setitem__(headers, key, value)
        if self not in getattr(self, "_family", ()):
            CaseInsensitiveDict.__setitem__(self, key, value)

    def copy(self) -> _SignedHeaders:
        return _SignedHeaders(list(self.items()), family=self._family)


class _SigningRetry(Retry):
    """urllib3's backoff; signs the request again before each new attempt."""

    RETRY_AFTER_MAX_S: float = 30.0

    def sleep(self, response: urllib3.BaseHTTPResponse | None = None) -> None:
        super().sleep(response)
        resign = _RESIGN.get()
        if resign is not None:
            resign()

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: urllib3.BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Self:
        if response is not None and self.respect_retry_after_header:
            wait = self.get_retry_after(response)
            if wait is not None and wait > self.RETRY_AFTER_MAX_S:
                # not slept here: the caller gets the answer and schedules the retry
                raise MaxRetryError(_pool, url, ResponseError(f"Retry-After {wait:.0f} s"))
        return super().increment(method, url, response, error, _pool, _stacktrace)


def make_retry(retries: int) -> Retry:
    return _SigningRetry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=retries,
        backoff_factor=0.5,
        backoff_max=30,
        backoff_jitter=0.5,
        status_forcelist=_STATUS_FORCELIST,
        allowed_methods=None,  # POST too: every POST carries an Idempotency-Key
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=False,
        redirect=0,
    )


@dataclass(frozen=True, slots=True)
class Heartbeat:
    server_time: datetime
    tariff_version: int
    allow_list_version: int
    commands: int
    offset_s: float  # server - station, at the midpoint of the request


@dataclass(frozen=True, slots=True)
class Tariffs:
    version: int
    connectors: dict[str, str]  # connector id -> the JSON text of its tariff list, as received


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _transport_failure(exc: BaseException) -> str:
    """What went wrong on the way, in words (requests reports exhausted timeouts as errors)."""
    text = str(exc)
    if isinstance(exc, requests.exceptions.Timeout) or "timed out" in text.lower():
        return f"the backend did not answer in time ({text})"
    return f"the backend cannot be reached ({text})"


def _fresh_key(prefix: str) -> str:
    return f"{prefix}:{secrets.token_hex(12)}"


class BackendClient:
    """Signed calls to the backend, one method per endpoint; thread-safe for its callers."""

    def __init__(
        self,
        base_url: str,
        station_id: str,
        secret: str,
        *,
        connect_timeout_s: float = 3.05,
        read_timeout_s: float = 10.0,
        retries: int = 4,
        clock: Callable[[], datetime] = _utc_now,
        session: requests.Session | None = None,
        verify: bool | str = True,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"the backend URL must be http(s)://host[:port], not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.station_id = station_id
        self.connect_timeout_s = connect_timeout_s
        self.read_timeout_s = read_timeout_s
        self._clock = clock
        self._verify = verify
        self._auth = StationAuth(station_id, secret, clock=clock)
        self._session = session if session is not None else requests.Session()
        adapter = HTTPAdapter(max_retries=make_retry(retries))
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.auth = self._auth

    def close(self) -> None:
        self._session.close()

    # ------------------------------------------------------------ transport

    def _request(
        self,
        method: str,
        path: str,
        what: str,
        *,
        body: bytes | None = None,
        query: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        read_timeout_s: float | None = None,
        cap: int = MAX_BODY,
        not_found_ok: bool = False,
    ) -> tuple[int, bytes]:
        url = self.base_url + path
        if query:
            url += "?" + urlencode(query)
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if idempotency_key is not None:
            if not (1 <= len(idempotency_key) <= 128) or not idempotency_key.isascii():
                raise ValueError(f"{what}: an idempotency key must be 1-128 ASCII characters")
            headers["Idempotency-Key"] = idempotency_key
        prepared = self._session.prepare_request(
            requests.Request(method, url, headers=headers, data=body)
        )
        prepared.headers = _SignedHeaders(prepared.headers)
        settings = self._session.merge_environment_settings(
            prepared.url, {}, True, self._verify, None
        )
        timeout = (self.connect_timeout_s, read_timeout_s or self.read_timeout_s)
        token = _RESIGN.set(partial(self._auth.resign, prepared))
        try:
            response = self._session.send(
                prepared,
                stream=True,
                timeout=timeout,
                verify=settings["verify"],
                proxies=settings["proxies"],
                cert=settings["cert"],
            )
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise BackendError(f"{what}: {_transport_failure(exc)}") from None
        finally:
            _RESIGN.reset(token)
        with response:
            status = response.status_code
            data = self._read(response, cap, what, timeout[0] + timeout[1])
            if 200 <= status < 300:
                return status, data
            if status == 404 and not_found_ok:
                return status, data
            raise self._refusal(what, status, data, response.headers)

    def _read(self, response: requests.Response, cap: int, what: str, budget_s: float) -> bytes:
        """The body, never more than `cap` bytes of it in memory, within a time budget."""
        length = response.headers.get("Content-Length")
        if length is not None and length.strip().isdigit() and int(length) > cap:
            raise BackendError(
                f"{what}: the answer is {int(length)} bytes, more than the {cap} accepted",
                status=response.status_code,
            )
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + budget_s
        try:
            for chunk in response.iter_content(_CHUNK):
                size += len(chunk)
                if size > cap:
                    raise BackendError(
                        f"{what}: the answer is longer than the {cap} bytes accepted",
                        status=response.status_code,
                    )
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise BackendError(f"{what}: the answer came too slowly; given up")
        except requests.exceptions.Timeout as exc:
            raise BackendError(f"{what}: the answer stopped half-way ({exc})") from None
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise BackendError(f"{what}: the answer was cut off ({exc})") from None
        return b"".join(chunks)

    def _refusal(
        self, what: str, status: int, data: bytes, headers: Mapping[str, str]
    ) -> BackendError:
        code: str | None = None
        message = ""
        try:
            error = msgspec.json.decode(data, type=wire.ErrorAnswer)
            code, message = error.error.code, error.error.message
        except (msgspec.ValidationError, msgspec.DecodeError):
            message = data[:200].decode("utf-8", "replace") if data else ""
        detail = f"{code}: {message}" if code else message or "no detail"
        return BackendError(
            f"{what}: the backend answered {status} ({detail[:300]})",
            status=status,
            code=code,
            retry_after_s=_retry_after(headers),
        )

    def _decoded(self, data: bytes, kind: type[T], what: str) -> T:
        try:
            return wire.decode(data, kind, what)
        except wire.WireError as exc:
            raise BackendError(str(exc)) from None

    def _call(self, method: str, path: str, kind: type[T], what: str, **options: Any) -> T:
        _status, data = self._request(method, path, what, **options)
        return self._decoded(data, kind, what)

    @staticmethod
    def _json(value: Mapping[str, Any]) -> bytes:
        return msgspec.json.encode(value)

    # ------------------------------------------------------------ station endpoints

    def heartbeat(
        self,
        *,
        outbox_pending: int,
        sessions: Sequence[Mapping[str, Any]] = (),
        software: str = "0.1.0",
        idempotency_key: str | None = None,
    ) -> Heartbeat:
        """POST /v1/heartbeat; the clock offset is server time minus the request's midpoint."""
        sent = self._clock()
        body = self._json(
            {
                "station_time": rfc3339(sent),
                "outbox_pending": outbox_pending,
                "software": software,
                "sessions": list(sessions),
            }
        )
        started = time.monotonic()
        answer = self._call(
            "POST",
            "/v1/heartbeat",
            wire.HeartbeatAnswer,
            "heartbeat",
            body=body,
            idempotency_key=idempotency_key or _fresh_key("heartbeat"),
        )
        midpoint = sent + timedelta(seconds=(time.monotonic() - started) / 2)
        return Heartbeat(
            server_time=answer.server_time,
            tariff_version=answer.tariff_version,
            allow_list_version=answer.allow_list_version,
            commands=answer.commands,
            offset_s=(answer.server_time - midpoint).total_seconds(),
        )

    def tariffs(self) -> Tariffs:
        answer = self._call("GET", "/v1/tariffs", wire.TariffsAnswer, "tariffs")
        try:
            texts = {cid: bytes(raw).decode("utf-8") for cid, raw in answer.connectors.items()}
        except UnicodeDecodeError:
            raise BackendError("tariffs: a tariff list is not UTF-8") from None
        return Tariffs(answer.version, texts)

    def allow_list(self) -> wire.AllowListAnswer:
        return self._call("GET", "/v1/allow-list", wire.AllowListAnswer, "allow-list")

    def authorize_token(
        self, uid: str, connector_id: str | None, *, idempotency_key: str | None = None
    ) -> wire.TokenAnswer:
        body: dict[str, Any] = {"uid": uid, "connector_id": connector_id}
        return self._call(
            "POST",
            "/v1/tokens/authorize",
            wire.TokenAnswer,
            "token check",
            body=self._json(body),
            idempotency_key=idempotency_key or _fresh_key("token"),
        )

    def create_intent(
        self,
        *,
        idempotency_key: str,
        kind: str,
        amount: Decimal,
        currency: str,
        reference: str,
        connector_id: str | None = None,
        contract_id: str | None = None,
        expires_in_s: int | None = None,
    ) -> wire.Intent:
        body: dict[str, Any] = {
            "kind": kind,
            "amount": str(amount),
            "currency": currency,
            "reference": reference,
        }
        if connector_id is not None:
            body["connector_id"] = connector_id
        if contract_id is not None:
            body["contract_id"] = contract_id
        if expires_in_s is not None:
            body["expires_in_s"] = expires_in_s
        return self._call(
            "POST",
            "/v1/payment-intents",
            wire.Intent,
            "payment intent",
            body=self._json(body),
            idempotency_key=idempotency_key,
        )

    def get_intent(
        self, intent_id: str, *, wait_s: float = 0, status_not: str | None = None
    ) -> wire.Intent:
        """GET an intent; with `wait_s` a long poll answered when the status is not `status_not`."""
        query: dict[str, str] = {}
        wait = max(0, min(int(wait_s), int(LONG_POLL_MAX_S)))
        if wait:
            query["wait"] = str(wait)
        if status_not is not None:
            query["status_not"] = status_not
        return self._call(
            "GET",
            f"/v1/payment-intents/{quote(intent_id, safe='')}",
            wire.Intent,
            "payment intent",
            query=query,
            read_timeout_s=(wait + 10.0) if wait else None,
        )

    def _intent_action(
        self, intent_id: str, action: str, idempotency_key: str, amount: Decimal | None
    ) -> wire.Intent:
        body: dict[str, Any] = {} if amount is None else {"amount": str(amount)}
        return self._call(
            "POST",
            f"/v1/payment-intents/{quote(intent_id, safe='')}/{action}",
            wire.Intent,
            f"payment intent {action}",
            body=self._json(body),
            idempotency_key=idempotency_key,
        )

    def capture_intent(
        self, intent_id: str, amount: Decimal, *, idempotency_key: str
    ) -> wire.Intent:
        return self._intent_action(intent_id, "capture", idempotency_key, amount)

    def increment_intent(
        self, intent_id: str, amount: Decimal, *, idempotency_key: str
    ) -> wire.Intent:
        return self._intent_action(intent_id, "increment", idempotency_key, amount)

    def cancel_intent(self, intent_id: str, *, idempotency_key: str) -> wire.Intent:
        return self._intent_action(intent_id, "cancel", idempotency_key, None)

    def refund_intent(
        self, intent_id: str, amount: Decimal, *, idempotency_key: str
    ) -> wire.Intent:
        return self._intent_action(intent_id, "refund", idempotency_key, amount)

    def operation(self, idempotency_key: str) -> wire.OperationAnswer | None:
        """The stored answer of an earlier call under this key; None when the backend has none."""
        status, data = self._request(
            "GET",
            f"/v1/operations/{quote(idempotency_key, safe='')}",
            "operation lookup",
            not_found_ok=True,
        )
        if status == 404:
            return None
        return self._decoded(data, wire.OperationAnswer, "operation lookup")

    def post_events(
        self, events: Sequence[OutboxMessage], *, idempotency_key: str
    ) -> list[wire.EventResult]:
        """POST /v1/events; the results in the events' order, one per event (else BackendError)."""
        if not events:
            return []
        body = self._json(
            {
                "events": [
                    {
                        "idempotency_key": e.idempotency_key,
                        "topic": e.topic,
                        "aggregate_id": e.aggregate_id,
                        "created_at": rfc3339(e.created_at),
                        "payload": msgspec.Raw(e.payload.encode("utf-8")),
                    }
                    for e in events
                ]
            }
        )
        answer = self._call(
            "POST",
            "/v1/events",
            wire.EventsAnswer,
            "events",
            body=body,
            idempotency_key=idempotency_key,
            cap=EVENTS_BODY_MAX,
        )
        keys = [r.idempotency_key for r in answer.results]
        if keys != [e.idempotency_key for e in events]:
            raise BackendError(
                f"events: the backend answered {len(keys)} results that do not match the"
                f" {len(events)} events sent, in order"
            )
        return answer.results

    def commands(self, wait_s: float = 0) -> list[wire.RemoteCommandWire]:
        wait = max(0, min(int(wait_s), int(LONG_POLL_MAX_S)))
        answer = self._call(
            "GET",
            "/v1/commands",
            wire.CommandsAnswer,
            "commands",
            query={"wait": str(wait)} if wait else None,
            read_timeout_s=(wait + 10.0) if wait else None,
        )
        return answer.commands

    def command_result(
        self,
        command_id: str,
        *,
        status: str,
        reason: str = "",
        session_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> None:
        if status not in ("accepted", "rejected"):
            raise ValueError(f"a command result is accepted or rejected, not {status!r}")
        self._request(
            "POST",
            f"/v1/commands/{quote(command_id, safe='')}/result",
            "command result",
            body=self._json({"status": status, "reason": reason, "session_id": session_id}),
            idempotency_key=idempotency_key or f"{command_id}:result",
        )
