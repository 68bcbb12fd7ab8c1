"""The station's HMAC signature on every backend request (docs/backend-api.md).

The signature itself is `kiosk.domain.request_signature` (the backend checks with the
same code); here it is put on each prepared request. The backend recomputes it from
what it received, so nothing may be re-encoded after signing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final
from urllib.parse import urlsplit

import requests
from requests.auth import AuthBase

from kiosk.domain.request_signature import sign, string_to_sign

__all__ = ["StationAuth", "sign", "string_to_sign", "wire_path"]

HEADER_STATION: Final = "X-Station-Id"
HEADER_TIMESTAMP: Final = "X-Timestamp"
HEADER_NONCE: Final = "X-Nonce"
HEADER_SIGNATURE: Final = "X-Signature"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def wire_path(url: str) -> str:
    """The raw path and query of a prepared URL, as the request line carries them."""
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


class StationAuth(AuthBase):
    """Signs a prepared request; `resign` signs it again (fresh nonce) for a retry."""

    def __init__(
        self, station_id: str, secret: str, *, clock: Callable[[], datetime] = _utc_now
    ) -> None:
        if not station_id or not secret:
            raise ValueError("a station id and its secret are needed to sign requests")
        self.station_id = station_id
        self._secret = secret
        self._clock = clock

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        self.resign(r)
        return r

    def resign(self, r: requests.PreparedRequest) -> None:
        method = (r.method or "GET").upper()
        body = r.body
        data = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        if not isinstance(data, bytes):
            raise TypeError("a signed request needs its body as bytes, not a stream")
        timestamp = int(self._clock().timestamp())
        nonce = secrets.token_hex(16)
        r.headers[HEADER_STATION] = self.station_id
        r.headers[HEADER_TIMESTAMP] = str(timestamp)
        r.headers[HEADER_NONCE] = nonce
        r.headers[HEADER_SIGNATURE] = sign(
            self._secret, method, wire_path(r.url or "/"), timestamp, nonce, data
        )

    def __repr__(self) -> str:  # never the secret
        return f"StationAuth({self.station_id!r})"
