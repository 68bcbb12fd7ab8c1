"""`GET /health`: whether this instance can reach its database (for a load balancer)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from backend.api import schemas
from backend.errors import error_body
from backend.idempotency import json_response

__all__ = ["router"]

log = logging.getLogger(__name__)


def _ping(request: Request) -> str | None:
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as exc:
        return type(exc).__name__
    return None


def router() -> APIRouter:
    r = APIRouter(tags=["health"])

    @r.get(
        "/health",
        response_model=schemas.HealthOut,
        responses={503: {"model": schemas.HealthOut, "description": "the database is down"}},
    )
    async def health(request: Request) -> Response:
        problem = await run_in_threadpool(_ping, request)
        if problem is not None:
            log.warning("health: the database does not answer (%s)", problem)
            body = {
                "status": "unavailable",
                "database": "down",
                **error_body("database_unavailable", "the database does not answer"),
            }
            return json_response(body, 503, {"Retry-After": "5"})
        return json_response({"status": "ok", "database": "ok"})

    return r
