"""The receipt number printed on a session's receipt, derived, never stored or sent.

The kiosk prints it and the backend's e-receipt shows the same one from the same
session: both compute it here. It is not in the outbox: its digits next to the date
could read as a card number to the outbox's card-data guard.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

__all__ = ["receipt_id_for"]

_CROCKFORD: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ID_CHARS: Final = 8


def receipt_id_for(session_id: str, ended_at: datetime, tz: str) -> str:
    """ "R-20261124-7F3K9QXA": the local end date and 40 bits of SHA-256(session id)."""
    day = ended_at.astimezone(ZoneInfo(tz)).date()
    bits = int.from_bytes(hashlib.sha256(session_id.encode("utf-8")).digest()[:5], "big")
    chars = "".join(_CROCKFORD[(bits >> (5 * i)) & 31] for i in reversed(range(_ID_CHARS)))
    return f"R-{day:%Y%m%d}-{chars}"
