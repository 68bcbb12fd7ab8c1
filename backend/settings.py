"""What one backend instance is started with; passed down, never read from globals."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

__all__ = ["BackendSettings", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class BackendSettings:
    db_url: str
    public_url: str  # base of checkout and receipt links, e.g. "http://127.0.0.1:8765"
    skew_s: int = 300  # the HMAC timestamp window, both ways
    long_poll_max_s: float = 30.0
    cookie_secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    clock: Callable[[], datetime] = utc_now  # aware UTC now; tests pass a fake
