"""Who is calling: stations sign every request (HMAC), operators carry a bearer token.

Everything a check needs lives in the database (stations, nonces, operator token
hashes), so any instance behind a load balancer verifies any request.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from backend.api.common import raw_path
from backend.errors import ApiError
from backend.jsonbody import read_body
from backend.models import Nonce, Operator, Station
from backend.settings import BackendSettings
from kiosk.domain.request_signature import sign

__all__ = [
    "ROLES",
    "OperatorPrincipal",
    "StationPrincipal",
    "hash_token",
    "require_operator",
    "require_station",
    "sign",
]

log = logging.getLogger(__name__)

ROLES = {"viewer": 0, "admin": 1}  # each role may do what the ones below it may
_NONCE = re.compile(r"[0-9a-f]{32}")
_TIMESTAMP = re.compile(r"-?[0-9]{1,12}")
_SIGNATURE = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class StationPrincipal:
    station_id: str


@dataclass(frozen=True)
class OperatorPrincipal:
    name: str
    role: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _shown(station: str) -> str:
    """A header value fit for a log line (it is the caller's, not ours)."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in station[:64])
    return cleaned or "-"


def _refuse(station: str, reason: str, code: str, message: str) -> ApiError:
    log.warning("auth: %s %s", _shown(station), reason)
    return ApiError(401, code, message)


def _check_station(
    sessions: sessionmaker[Session],
    settings: BackendSettings,
    station_id: str,
    timestamp: int,
    nonce: str,
    signature: str,
    method: str,
    path: str,
    body: bytes,
) -> StationPrincipal:
    now: datetime = settings.clock()
    with sessions() as session:
        secret = session.scalar(select(Station.secret).where(Station.id == station_id))
        if secret is None:
            raise _refuse(station_id, "unknown station", "unknown_station", "unknown station")
        expected = sign(secret, method, path, timestamp, nonce, body)
        if not hmac.compare_digest(expected, signature):
            raise _refuse(station_id, "bad signature", "bad_signature", "bad signature")
        skew = now.timestamp() - timestamp
        if abs(skew) > settings.skew_s:
            raise _refuse(
                station_id,
                f"clock skew {skew:+.0f} s",
                "clock_skew",
                f"the timestamp is {skew:+.0f} s from the server's time (at most "
                f"{settings.skew_s} s)",
            )
        window = timedelta(seconds=2 * settings.skew_s)
        session.execute(
            delete(Nonce).where(Nonce.station_id == station_id, Nonce.seen_at < now - window)
        )
        session.add(Nonce(station_id=station_id, nonce=nonce, seen_at=now))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            raise _refuse(station_id, "replayed nonce", "replay", "nonce already used") from None
    return StationPrincipal(station_id)


async def require_station(request: Request) -> StationPrincipal:
    """FastAPI dependency: the station whose valid HMAC signature the request carries."""
    headers = request.headers
    station_id = headers.get("x-station-id", "")
    timestamp_text = headers.get("x-timestamp", "")
    nonce = headers.get("x-nonce", "")
    signature = headers.get("x-signature", "")
    if not station_id or len(station_id) > 64:
        raise _refuse(station_id, "no station id", "unauthenticated", "X-Station-Id is missing")
    if not _TIMESTAMP.fullmatch(timestamp_text):
        raise _refuse(station_id, "bad timestamp", "unauthenticated", "X-Timestamp is invalid")
    if not _NONCE.fullmatch(nonce):
        raise _refuse(station_id, "bad nonce", "unauthenticated", "X-Nonce is invalid")
    if not _SIGNATURE.fullmatch(signature):
        raise _refuse(station_id, "bad signature", "bad_signature", "X-Signature is invalid")
    body = await read_body(request)
    principal = await run_in_threadpool(
        _check_station,
        request.app.state.sessions,
        request.app.state.settings,
        station_id,
        int(timestamp_text),
        nonce,
        signature,
        request.method,
        raw_path(request),
        body,
    )
    request.state.principal = f"station:{principal.station_id}"
    return principal


def _find_operator(sessions: sessionmaker[Session], token: str) -> OperatorPrincipal | None:
    with sessions() as session:
        row = session.execute(
            select(Operator.name, Operator.role).where(Operator.token_sha256 == hash_token(token))
        ).first()
    return None if row is None else OperatorPrincipal(row.name, row.role)


def require_operator(role: str) -> Callable[[Request], Awaitable[OperatorPrincipal]]:
    """A FastAPI dependency: an operator with at least `role` (admin ⊇ viewer)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    async def dependency(request: Request) -> OperatorPrincipal:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            log.warning("auth: operator no bearer token")
            raise ApiError(401, "unauthenticated", "a bearer token is required")
        operator = await run_in_threadpool(_find_operator, request.app.state.sessions, token)
        if operator is None:
            log.warning("auth: operator unknown token")
            raise ApiError(401, "unauthenticated", "unknown token")
        if ROLES.get(operator.role, -1) < ROLES[role]:
            log.warning("auth: operator %s role %s, %s needed", operator.name, operator.role, role)
            raise ApiError(403, "forbidden", f"the {role} role is needed")
        request.state.principal = f"operator:{operator.name}"
        return operator

    return dependency
