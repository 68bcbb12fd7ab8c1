"""`/v1/commands`: the station's long poll for remote commands, and its answers.

The long poll holds no state: it re-queries the database every half second until a
command is there or the wait is over, so a command enqueued on any instance is seen.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from backend import commands as service
from backend.api import fields, schemas
from backend.api.common import body_of, run_idempotent
from backend.auth import StationPrincipal, require_station
from backend.db import get_session
from backend.idempotency import json_response

__all__ = ["POLL_INTERVAL_S", "router"]

POLL_INTERVAL_S = 0.5

StationDep = Annotated[StationPrincipal, Depends(require_station)]


def _look(sessions: sessionmaker[Session], station_id: str, request: Request) -> list[Any]:
    now = request.app.state.settings.clock()
    with sessions() as session:
        service.expire(session, station_id, now)
        found = [service.command_json(c) for c in service.pending(session, station_id, now)]
        session.commit()
    return found


def router() -> APIRouter:
    r = APIRouter(prefix="/v1/commands", tags=["station"], responses=schemas.ERRORS)

    @r.get("", response_model=schemas.CommandsOut)
    async def poll(
        request: Request,
        station: StationDep,
        wait: Annotated[float, Query(ge=0, le=30, description="seconds to wait (≤ 30)")] = 0,
    ) -> Response:
        settings = request.app.state.settings
        deadline = time.monotonic() + min(wait, settings.long_poll_max_s)
        sessions = request.app.state.sessions
        while True:
            found = await run_in_threadpool(_look, sessions, station.station_id, request)
            left = deadline - time.monotonic()
            if found or left <= 0 or await request.is_disconnected():
                return json_response({"commands": found})
            await asyncio.sleep(min(POLL_INTERVAL_S, left))

    @r.post(
        "/{command_id}/result",
        response_model=schemas.CommandResultOut,
        openapi_extra=schemas.body(schemas.CommandResultIn),
    )
    def result(
        request: Request,
        station: StationDep,
        session: Annotated[Session, Depends(get_session)],
        command_id: Annotated[str, Path(max_length=40)],
        _key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    ) -> Response:
        def handle() -> tuple[int, dict[str, Any]]:
            body = body_of(request)
            status = fields.required_text(body, "status", max_len=16)
            command = service.record_result(
                session,
                station.station_id,
                command_id,
                status,
                fields.text(body, "reason", required=False, max_len=500),
                fields.text(body, "session_id", required=False, max_len=128),
            )
            return 200, {
                "id": command.id,
                "status": command.status,
                "reason": command.reason,
                "session_id": command.session_id,
            }

        return run_idempotent(request, session, handle)

    return r
