"""Signing account holders in: scrypt passwords, a signed session cookie, CSRF tokens and
a sign-in throttle kept in the database (so every instance counts the same failures).

The cookie is `<account id>.<issued unix s>.<hex HMAC-SHA256>` under the app's
`cookie_secret`; HTTP-only, SameSite=Lax. A form's CSRF token is an HMAC of the cookie,
so a page of another site cannot make one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy.orm import Session

from backend.payments.models import LoginThrottle

__all__ = [
    "COOKIE",
    "LOCK_S",
    "MAX_FAILURES",
    "csrf_ok",
    "csrf_token",
    "hash_password",
    "login_blocked_for",
    "make_cookie",
    "read_cookie",
    "record_failure",
    "record_success",
    "verify_password",
]

COOKIE: Final = "kiosk_app"
SESSION_S: Final = 12 * 3600
MAX_FAILURES: Final = 5  # within WINDOW_S, then locked for LOCK_S
WINDOW_S: Final = 15 * 60
LOCK_S: Final = 15 * 60


def _b64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_") if text else b""


def verify_password(password: str, stored: str) -> bool:
    """Check `password` against an scrypt hash `scrypt$<n>$<r>$<p>$<salt>$<hash>`.

    Salt and hash are base64 (standard or URL-safe, padding optional) or hex. A hash of
    another format never matches. Constant time in the comparison.
    """
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return False
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, expected = _decode(parts[4]), _decode(parts[5])
    except ValueError:
        return False
    if not expected or n < 2 or n > 2**20 or r > 32 or p > 16:
        return False
    got = hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=len(expected)
    )
    return hmac.compare_digest(got, expected)


def hash_password(password: str, *, n: int = 2**14, r: int = 8, p: int = 1) -> str:
    """`scrypt$n$r$p$<salt>$<hash>`, salt and hash URL-safe base64 without padding."""
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32)

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return f"scrypt${n}${r}${p}${b64(salt)}${b64(key)}"


def _decode(text: str) -> bytes:
    if len(text) % 2 == 0 and all(c in "0123456789abcdef" for c in text):
        return bytes.fromhex(text)
    try:
        return _b64(text.replace("+", "-").replace("/", "_"))
    except (ValueError, TypeError) as exc:
        raise ValueError(str(exc)) from None


def _sign(secret: bytes, message: str) -> str:
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def make_cookie(secret: bytes, account_id: str, now: datetime) -> str:
    body = f"{account_id}.{int(now.timestamp())}"
    return f"{body}.{_sign(secret, 'session:' + body)}"


def read_cookie(secret: bytes, value: str | None, now: datetime) -> str | None:
    """The signed-in account id, or None (no cookie, forged, or older than 12 h)."""
    if not value or value.count(".") < 2:
        return None
    body, _, signature = value.rpartition(".")
    account_id, _, issued = body.rpartition(".")
    if not hmac.compare_digest(_sign(secret, "session:" + body), signature):
        return None
    try:
        age = now.timestamp() - int(issued)
    except ValueError:
        return None
    return account_id if 0 <= age <= SESSION_S else None


def csrf_token(secret: bytes, bound_to: str) -> str:
    """A form token bound to the session cookie (or, before sign-in, a random cookie)."""
    return _sign(secret, "csrf:" + bound_to)


def csrf_ok(secret: bytes, bound_to: str | None, token: str | None) -> bool:
    if not bound_to or not token:
        return False
    return hmac.compare_digest(csrf_token(secret, bound_to), token)


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def login_blocked_for(session: Session, email: str, now: datetime) -> int:
    """Seconds this address must wait before the next try (0: may try)."""
    row = session.get(LoginThrottle, email)
    if row is None or row.locked_until is None or row.locked_until <= now:
        return 0
    return int((row.locked_until - now).total_seconds()) + 1


def record_failure(session: Session, email: str, now: datetime) -> bool:
    """Count a failed sign-in; True when the address is now locked."""
    row = session.get(LoginThrottle, email, with_for_update=True)
    if row is None:
        row = LoginThrottle(email=email, failures=0, window_start=now, locked_until=None)
        session.add(row)
    if now - row.window_start > timedelta(seconds=WINDOW_S):
        row.failures, row.window_start = 0, now
    row.failures += 1
    if row.failures >= MAX_FAILURES:
        row.locked_until = now + timedelta(seconds=LOCK_S)
        row.failures, row.window_start = 0, now
        return True
    return False


def record_success(session: Session, email: str) -> None:
    row = session.get(LoginThrottle, email)
    if row is not None:
        session.delete(row)
