"""RFID tokens and the allow-list version that rises with every change to them."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import counters
from backend.errors import ApiError
from backend.models import Account, Token

__all__ = ["ALLOW_LIST", "WHITELIST", "bump_allow_list", "normalize_uid", "put_token"]

ALLOW_LIST: Final = "allow_list"
WHITELIST: Final = ("ALWAYS", "ALLOWED", "ALLOWED_OFFLINE", "NEVER")
_UID: Final = re.compile(r"[0-9A-F]{2,64}")


def normalize_uid(uid: str) -> str:
    """A card UID as upper-case hex without separators; 422 when it is not one."""
    cleaned = uid.strip().replace(":", "").replace(" ", "").replace("-", "").upper()
    if not _UID.fullmatch(cleaned):
        raise ApiError(422, "invalid", f"uid: {uid[:70]!r} is not a hexadecimal card UID")
    return cleaned


def bump_allow_list(session: Session) -> int:
    """The allow-list's next version (not committed)."""
    return counters.bump(session, ALLOW_LIST)


def put_token(
    session: Session,
    uid: str,
    *,
    contract_id: str,
    group: str | None,
    whitelist: str,
    valid: bool,
    expires_at: datetime | None,
    now: datetime,
) -> tuple[Token, int]:
    """Create or replace a token; returns it and the new allow-list version (not committed).

    The token is linked to the account with the same contract id, when there is one.
    """
    if whitelist not in WHITELIST:
        raise ApiError(422, "invalid", f"whitelist: one of {', '.join(WHITELIST)}")
    uid = normalize_uid(uid)
    account_id = session.scalar(select(Account.id).where(Account.contract_id == contract_id))
    token = session.get(Token, uid)
    if token is None:
        token = Token(uid=uid)
        session.add(token)
    token.contract_id = contract_id
    token.customer_group = group
    token.whitelist = whitelist
    token.valid = valid
    token.expires_at = expires_at
    token.account_id = account_id
    token.updated_at = now
    session.flush()
    return token, bump_allow_list(session)
