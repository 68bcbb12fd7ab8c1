"""Remote commands: what a signed-in driver asked a station to do (start, stop).

Kept in the database only: the station's long poll re-queries, so any instance
answers it and a command enqueued through another instance is seen at the next look.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend import counters
from backend.errors import ApiError
from backend.models import Command

__all__ = ["TYPES", "command_json", "enqueue", "expire", "pending", "record_result"]

TYPES = ("start", "stop")
OPEN = ("pending", "delivered")  # not yet answered by the station


def enqueue(
    session: Session,
    *,
    station_id: str,
    type: str,  # the contract's word
    connector_id: str,
    account_id: str,
    contract_id: str,
    customer_group: str | None,
    ttl_s: int = 120,
    now: datetime,
) -> str:
    """Queue a command for the station; returns its id ("cmd_…"). Not committed."""
    if type not in TYPES:
        raise ValueError(f"unknown command type {type!r}")
    command_id = "cmd_" + secrets.token_hex(16)
    session.add(
        Command(
            id=command_id,
            seq=counters.bump(session, "commands"),
            station_id=station_id,
            type=type,
            connector_id=connector_id,
            contract_id=contract_id,
            customer_group=customer_group,
            account_id=account_id,
            status="pending",
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_s),
        )
    )
    session.flush()
    return command_id


def expire(session: Session, station_id: str, now: datetime) -> None:
    """Commands the station did not answer in time are expired. Not committed."""
    session.execute(
        update(Command)
        .where(
            Command.station_id == station_id,
            Command.status.in_(OPEN),
            Command.expires_at <= now,
        )
        .values(status="expired", reason="the station did not answer in time")
    )


def command_json(command: Command) -> dict[str, Any]:
    return {
        "id": command.id,
        "type": command.type,
        "connector_id": command.connector_id,
        "contract_id": command.contract_id,
        "group": command.customer_group,
        "session_id": command.session_id,
        "created_at": command.created_at,
        "expires_at": command.expires_at,
    }


def pending(session: Session, station_id: str, now: datetime) -> list[Command]:
    """The station's unanswered, unexpired commands, oldest first; marked delivered."""
    commands = list(
        session.scalars(
            select(Command)
            .where(
                Command.station_id == station_id,
                Command.status.in_(OPEN),
                Command.expires_at > now,
            )
            .order_by(Command.seq, Command.created_at, Command.id)
        )
    )
    for command in commands:
        if command.status == "pending":
            command.status = "delivered"
    return commands


def record_result(
    session: Session,
    station_id: str,
    command_id: str,
    status: str,
    reason: str | None,
    session_id: str | None,
) -> Command:
    """What the station did with a command. Not committed.

    404 for a command of another station; 409 when it was answered or expired already
    (the same answer again is accepted, idempotency keys aside).
    """
    if status not in ("accepted", "rejected"):
        raise ApiError(422, "invalid", "status: 'accepted' or 'rejected'")
    command = session.get(Command, command_id)
    if command is None or command.station_id != station_id:
        raise ApiError(404, "not_found", f"no command {command_id!r}")
    if command.status not in OPEN:
        if command.status == status and command.session_id == session_id:
            return command
        raise ApiError(409, "command_closed", f"the command is {command.status} already")
    command.status = status
    command.reason = reason
    command.session_id = session_id
    session.flush()
    return command
