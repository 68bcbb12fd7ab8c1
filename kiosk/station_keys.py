"""The station's secret: one key file, and the keys derived from it for each use.

The audit log's hash chain is keyed with one derived key (so that re-hashing an edited
ledger without the secret is detected) and RFID UIDs and stop codes are stored as keyed
hashes with another. The file holds 32 random bytes, mode 0600; keep it off the ledger's
disk where the threat is a copied or edited ledger.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from kiosk.domain.errors import KnownError

__all__ = ["StationKeyError", "StationKeys", "load_station_keys"]

log = logging.getLogger(__name__)

_SECRET_BYTES = 32


class StationKeyError(KnownError):
    """The station's key file cannot be read or created."""


@dataclass(frozen=True, slots=True)
class StationKeys:
    audit: bytes  # HMAC-SHA256 key of the audit chain
    tokens: bytes  # HMAC-SHA256 key for RFID UIDs and stop codes

    @classmethod
    def from_secret(cls, secret: bytes) -> StationKeys:
        def derive(purpose: bytes) -> bytes:
            return hmac.new(secret, b"kiosk station key: " + purpose, hashlib.sha256).digest()

        return cls(audit=derive(b"audit chain"), tokens=derive(b"token hashes"))

    def receipt_token(self, session_id: str) -> str:
        """The e-receipt's unguessable name at the backend (128 bits, URL-safe): only
        a key holder can make one, so a session id alone never finds a receipt."""
        mac = hmac.new(self.tokens, b"e-receipt:" + session_id.encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()[:16]).decode("ascii").rstrip("=")

    def token_hash(self, value: str) -> str:
        """A keyed hash of an RFID UID or stop code: equal for the same value, not reversible."""
        return hmac.new(self.tokens, value.encode("utf-8"), hashlib.sha256).hexdigest()


def load_station_keys(path: Path, *, create: bool) -> StationKeys | None:
    """The keys from `path`; with create=True a missing file is made (0600, fsynced).

    Without create, a missing file gives None (a read-only check that has no key).
    """
    try:
        secret = path.read_bytes()
    except FileNotFoundError:
        if not create:
            return None
        secret = _create(path)
    except OSError as exc:
        raise StationKeyError(f"cannot read the station key {path}: {exc.strerror}") from None
    if len(secret) < _SECRET_BYTES:
        raise StationKeyError(
            f"the station key {path} holds {len(secret)} bytes; at least {_SECRET_BYTES} are needed"
        )
    return StationKeys.from_secret(secret)


def _create(path: Path) -> bytes:
    secret = secrets.token_bytes(_SECRET_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_bytes()
    except OSError as exc:
        raise StationKeyError(f"cannot create the station key {path}: {exc.strerror}") from None
    try:
        if os.write(fd, secret) != len(secret):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        os.fsync(fd)
    except OSError as exc:
        # No empty or short key left behind (a full disk): the next start makes a new one.
        os.close(fd)
        with contextlib.suppress(OSError):
            path.unlink()
        raise StationKeyError(f"cannot write the station key {path}: {exc.strerror}") from None
    os.close(fd)
    log.info("created the station key %s", path)
    return secret
