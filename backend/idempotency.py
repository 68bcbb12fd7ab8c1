"""Idempotency keys: the first answer under a key is the answer, on every instance.

The key row is inserted and committed in its own transaction before the handler runs,
so a second request under the same key, on this instance or another, sees it at once
(409 `idempotency_in_progress`). The handler's own writes commit together with the
stored answer; a handler that fails unexpectedly leaves no answer and frees the key.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from fastapi.responses import JSONResponse
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.errors import ApiError
from backend.models import IdempotencyKey

__all__ = [
    "STALE_AFTER",
    "ExactJSONResponse",
    "idempotent",
    "json_response",
    "lookup",
    "request_hash",
    "validate_key",
]

log = logging.getLogger(__name__)

_KEY: Final = re.compile(r"[\x20-\x7e]{1,128}")
# a first request still "running" after this long died with its process: taken over
STALE_AFTER: Final = timedelta(minutes=5)


def validate_key(key: str | None) -> str:
    if key is None or key == "":
        raise ApiError(400, "idempotency_key_missing", "the Idempotency-Key header is required")
    if not _KEY.fullmatch(key):
        raise ApiError(
            400, "idempotency_key_invalid", "Idempotency-Key: 1-128 printable ASCII characters"
        )
    return key


def request_hash(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _plain(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")  # money and energy: exact text, never a float
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    raise TypeError(f"not JSON: {type(value).__name__}")


def _dumps(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=_plain)


class ExactJSONResponse(JSONResponse):
    """JSON with Decimals as exact strings and datetimes as RFC 3339."""

    def render(self, content: Any) -> bytes:
        return _dumps(content).encode()


def json_response(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    return ExactJSONResponse(body, status_code=status, headers=headers)


def _now(session: Session) -> datetime:
    clock = session.info.get("clock")
    if callable(clock):
        moment = clock()
        if isinstance(moment, datetime):
            return moment
    from backend.settings import utc_now  # noqa: PLC0415 (a session built without the app)

    return utc_now()


def _replay(row: IdempotencyKey, digest: str) -> JSONResponse:
    if row.request_sha256 != digest:
        raise ApiError(
            409,
            "idempotency_conflict",
            "this Idempotency-Key was used with another method, path or body",
        )
    if row.status is None or row.body_json is None:
        raise ApiError(
            409,
            "idempotency_in_progress",
            "the first request under this key is still running",
            headers={"Retry-After": "1"},
        )
    stored = json.loads(row.body_json, parse_float=Decimal)
    return json_response(stored, row.status, {"Idempotent-Replay": "true"})


def _claim(session: Session, principal: str, key: str, digest: str) -> JSONResponse | None:
    """Insert the key row (committed), or the answer a known key gives instead."""
    now = _now(session)
    session.add(IdempotencyKey(principal=principal, key=key, request_sha256=digest, created_at=now))
    try:
        session.commit()
        return None
    except IntegrityError:
        session.rollback()
    row = session.get(IdempotencyKey, (principal, key))
    if row is None:  # freed in between: try once more
        return _claim(session, principal, key, digest)
    if row.status is None and row.request_sha256 == digest and row.created_at < now - STALE_AFTER:
        result = session.execute(
            update(IdempotencyKey)
            .where(
                IdempotencyKey.principal == principal,
                IdempotencyKey.key == key,
                IdempotencyKey.status.is_(None),
                IdempotencyKey.created_at == row.created_at,
            )
            .values(created_at=now)
        )
        taken = getattr(result, "rowcount", 0)
        session.commit()
        if taken == 1:
            log.info("idempotency: %s took over a stale key", principal)
            return None
        session.expire_all()
        row = session.get(IdempotencyKey, (principal, key))
        if row is None:
            return _claim(session, principal, key, digest)
    return _replay(row, digest)


def _free(session: Session, principal: str, key: str) -> None:
    session.rollback()
    session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.principal == principal,
            IdempotencyKey.key == key,
            IdempotencyKey.status.is_(None),
        )
    )
    session.commit()


def _store(session: Session, principal: str, key: str, status: int, body: dict[str, Any]) -> None:
    session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.principal == principal, IdempotencyKey.key == key)
        .values(status=status, body_json=_dumps(body), completed_at=_now(session))
    )
    session.commit()


def idempotent(
    session: Session,
    *,
    principal: str,
    key: str | None,
    method: str,
    path: str,
    body: bytes,
    handler: Callable[[], tuple[int, dict[str, Any]]],
) -> JSONResponse:
    """Run `handler` once per (principal, key); every later call answers what it answered.

    A handler's ApiError below 500 is an answer too (stored, its writes rolled back);
    any other failure frees the key, so the client's retry runs the handler again.
    """
    key = validate_key(key)
    digest = request_hash(method, path, body)
    known = _claim(session, principal, key, digest)
    if known is not None:
        return known
    try:
        status, answer = handler()
    except ApiError as exc:
        if exc.status >= 500:
            _free(session, principal, key)
            raise
        session.rollback()
        _store(session, principal, key, exc.status, exc.body())
        return json_response(exc.body(), exc.status, exc.headers)
    except BaseException:
        _free(session, principal, key)
        raise
    try:
        _store(session, principal, key, status, answer)
    except BaseException:
        _free(session, principal, key)
        raise
    return json_response(answer, status)


def lookup(session: Session, principal: str, key: str) -> tuple[int, dict[str, Any]] | None:
    """The stored answer under a key of this principal, or None (unknown or running)."""
    row = session.execute(
        select(IdempotencyKey.status, IdempotencyKey.body_json).where(
            IdempotencyKey.principal == principal, IdempotencyKey.key == key
        )
    ).first()
    if row is None or row.status is None or row.body_json is None:
        return None
    body = json.loads(row.body_json, parse_float=Decimal)
    return int(row.status), body if isinstance(body, dict) else {}
