"""What every route shares: the request's exact path and body, idempotent writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from backend.idempotency import idempotent
from backend.jsonbody import parse_object
from kiosk.domain import jsonio

__all__ = ["body_of", "numbers_response", "raw_path", "run_idempotent"]


def raw_path(request: Request) -> str:
    """The path as the client sent it, with its raw query string (what is signed)."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else request.scope["path"]
    query = request.scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else path


def body_of(request: Request) -> dict[str, Any]:
    """The strictly parsed JSON object of a body read by the auth dependency."""
    raw = getattr(request.state, "raw_body", b"")
    return parse_object(raw if isinstance(raw, bytes) else b"")


def run_idempotent(
    request: Request, session: Session, handler: Callable[[], tuple[int, dict[str, Any]]]
) -> JSONResponse:
    raw = getattr(request.state, "raw_body", b"")
    return idempotent(
        session,
        principal=str(request.state.principal),
        key=request.headers.get("idempotency-key"),
        method=request.method,
        path=raw_path(request),
        body=raw if isinstance(raw, bytes) else b"",
        handler=handler,
    )


def numbers_response(body: dict[str, Any], status: int = 200) -> Response:
    """JSON whose Decimals are exact JSON numbers (OCPI tariffs and CDRs)."""
    return Response(jsonio.dumps_numbers(body), status_code=status, media_type="application/json")
