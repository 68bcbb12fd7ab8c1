"""The offline allow-list: the last `GET /v1/allow-list`, kept on disk for when the backend is away.

Written atomically (a temporary file, fsync, rename, fsync of the folder), so a power
cut leaves the old list or the new one, never half of one. A damaged or foreign file is
an empty list and a WARNING: the kiosk then refuses offline cards, it never crashes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Final

import msgspec

from kiosk.domain.payment import DeclineCode
from kiosk.ports import TokenAuthorization
from kiosk.sync.wire import AllowListToken

__all__ = ["AllowList"]

log = logging.getLogger(__name__)

_OFFLINE_OK: Final = frozenset({"ALWAYS", "ALLOWED_OFFLINE"})
_FORMAT: Final = 1


class _Stored(msgspec.Struct, frozen=True):
    format: int
    version: int
    tokens: list[AllowListToken]


class AllowList:
    """The tokens that may charge while the backend does not answer; thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.version = 0
        self._tokens: dict[str, AllowListToken] = {}
        self._load()

    def __len__(self) -> int:
        with self._lock:
            return len(self._tokens)

    def _load(self) -> None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            log.warning(
                "the offline allow-list %s cannot be read (%s); it is empty", self.path, exc
            )
            return
        try:
            stored = msgspec.json.decode(data, type=_Stored)
            if stored.format != _FORMAT:
                raise ValueError(f"format {stored.format}, not {_FORMAT}")
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as exc:
            log.warning(
                "the offline allow-list %s is damaged (%s); it is empty until the next fetch",
                self.path,
                exc,
            )
            return
        self.version = stored.version
        self._tokens = {t.uid.upper(): t for t in stored.tokens}

    def replace(self, version: int, tokens: Iterable[AllowListToken]) -> None:
        """Store a newly fetched list (on disk first, then in memory). Raises OSError."""
        items = list(tokens)
        data = msgspec.json.encode(_Stored(_FORMAT, version, items))
        self._write(data)
        with self._lock:
            self.version = version
            self._tokens = {t.uid.upper(): t for t in items}

    def _write(self, data: bytes) -> None:
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def check(self, uid: str, now: datetime) -> TokenAuthorization:
        """Whether this token may charge offline, decided from the stored list alone."""
        with self._lock:
            token = self._tokens.get(uid.strip().upper())
        if token is None:
            return TokenAuthorization(
                False, reason="not on the offline list", code=DeclineCode.UNKNOWN_CARD
            )
        if not token.valid:
            return TokenAuthorization(
                False, reason="the card is not valid (offline list)", code=DeclineCode.BLOCKED
            )
        if token.expires_at is not None and token.expires_at <= now:
            return TokenAuthorization(
                False, reason="the card has expired (offline list)", code=DeclineCode.EXPIRED
            )
        if token.whitelist not in _OFFLINE_OK:
            return TokenAuthorization(
                False,
                reason=f"the card needs the backend (whitelist {token.whitelist})",
                code=DeclineCode.UNAVAILABLE,
            )
        return TokenAuthorization(True, token.group, token.contract_id)
