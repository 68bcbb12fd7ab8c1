"""The station's request signature (docs/backend-api.md), one definition for both ends:
the kiosk signs with it (kiosk/sync/signing.py), the backend checks with it
(backend/auth.py).

The string signed is METHOD, the path with its query as sent on the wire, the Unix
timestamp, the nonce and the SHA-256 of the exact body bytes, joined by newlines.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["sign", "string_to_sign"]


def string_to_sign(method: str, path: str, timestamp: int, nonce: str, digest: str) -> str:
    """`digest`: the lower-case hex SHA-256 of the body."""
    return "\n".join((method.upper(), path, str(timestamp), nonce, digest))


def sign(secret: str, method: str, path: str, timestamp: int, nonce: str, body: bytes) -> str:
    """The X-Signature: lower-case hex HMAC-SHA256 under the secret's UTF-8 bytes."""
    text = string_to_sign(method, path, timestamp, nonce, hashlib.sha256(body).hexdigest())
    return hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()
