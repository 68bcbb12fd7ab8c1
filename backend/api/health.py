"""`GET /health`: whether this instance can write its database (for a load balancer)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from backend.api import schemas
from backend.db import database_problem
from backend.errors import error_body
from backend.idempotency import json_response

__all__ = ["router"]

log = logging.getLogger(__name__)


def router() -> APIRouter:
    r = APIRouter(tags=["health"])

    @r.get(
        "/health",
        response_model=schemas.HealthOut,
        responses={503: {"model": schemas.HealthOut, "description": "the database is down"}},
    )
    async def health(request: Request) -> Response:
        problem = await run_in_threadpool(database_problem, request.app.state.engine)
        if problem is not None:
            log.warning("health: %s", problem)
            body = {
                "status": "unavailable",
                "database": "down",
                **error_body("database_unavailable", problem),
            }
            return json_response(body, 503, {"Retry-After": "5"})
        return json_response({"status": "ok", "database": "ok"})

    return r
