"""Creating stations, operators and accounts (the CLI and the admin API share these)."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.auth import ROLES, hash_token
from backend.errors import ApiError
from backend.models import Account, Operator, Station, Token

__all__ = ["STATION_ID", "add_account", "add_operator", "add_station"]

STATION_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_EMAIL: Final = re.compile(r"[^@\s]{1,64}@[^@\s]{1,189}")


def add_station(
    session: Session, station_id: str, *, name: str | None, time_zone: str | None, now: datetime
) -> str:
    """A new station; returns its secret (shown once). 409 when the id exists."""
    if not STATION_ID.fullmatch(station_id):
        raise ApiError(422, "invalid", "id: 1-64 characters of A-Z a-z 0-9 . _ -")
    zone = time_zone or "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ApiError(422, "invalid", f"time_zone: unknown zone {zone[:64]!r}") from None
    if session.get(Station, station_id) is not None:
        raise ApiError(409, "exists", f"station {station_id!r} exists")
    secret = secrets.token_hex(32)
    session.add(
        Station(
            id=station_id,
            secret=secret,
            name=name or station_id,
            time_zone=zone,
            created_at=now,
            tariff_version=0,
        )
    )
    session.flush()
    return secret


def add_operator(session: Session, name: str, role: str, now: datetime) -> str:
    """A new operator; returns the bearer token (shown once, only its hash is kept)."""
    if role not in ROLES:
        raise ApiError(422, "invalid", f"role: one of {', '.join(ROLES)}")
    if not name or len(name) > 100 or not name.isprintable():
        raise ApiError(422, "invalid", "name: 1-100 printable characters")
    if session.get(Operator, name) is not None:
        raise ApiError(409, "exists", f"operator {name!r} exists")
    token = "op_" + secrets.token_urlsafe(32)
    session.add(Operator(name=name, token_sha256=hash_token(token), role=role, created_at=now))
    session.flush()
    return token


def add_account(
    session: Session,
    email: str,
    *,
    password_hash: str,
    contract_id: str,
    group: str | None,
    name: str | None,
    now: datetime,
) -> str:
    """A new account holder; returns the account id. 409 for a known e-mail or contract."""
    email = email.strip().lower()
    if not _EMAIL.fullmatch(email):
        raise ApiError(422, "invalid", "email: not an e-mail address")
    if not contract_id or len(contract_id) > 64:
        raise ApiError(422, "invalid", "contract: 1-64 characters")
    if session.scalar(select(Account.id).where(Account.email == email)) is not None:
        raise ApiError(409, "exists", "an account with this e-mail exists")
    if session.scalar(select(Account.id).where(Account.contract_id == contract_id)) is not None:
        raise ApiError(409, "exists", f"an account with contract {contract_id!r} exists")
    account_id = "acc_" + secrets.token_hex(12)
    session.add(
        Account(
            id=account_id,
            email=email,
            name=name or email,
            password_hash=password_hash,
            contract_id=contract_id,
            customer_group=group,
            blocked=False,
            created_at=now,
        )
    )
    session.flush()
    session.execute(
        update(Token).where(Token.contract_id == contract_id).values(account_id=account_id)
    )
    return account_id
