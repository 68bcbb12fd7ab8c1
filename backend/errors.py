"""The contract's error shape, `{"error": {"code": ..., "message": ...}}`, for every error.

A storage fault (read-only or full disk, damaged file, database gone) answers 503
`storage` with `Retry-After` and one log line; the client retries under the same
Idempotency-Key. Any other database error is the code's and stays a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.db import storage_fault

__all__ = ["STORAGE_RETRY_AFTER_S", "ApiError", "error_body", "install_error_handlers"]

log = logging.getLogger(__name__)

STORAGE_RETRY_AFTER_S = 5


class ApiError(Exception):
    """An answer other than success; raised anywhere below a handler."""

    def __init__(
        self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message)

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    503: "unavailable",
}


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    headers = dict(exc.headers) if exc.headers else None
    return JSONResponse(
        error_body(code, str(exc.detail)), status_code=exc.status_code, headers=headers
    )


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for problem in exc.errors()[:5]:
        where = ".".join(str(p) for p in problem.get("loc", ()))
        parts.append(f"{where}: {problem.get('msg', 'invalid')}")
    return JSONResponse(error_body("invalid_request", "; ".join(parts)), status_code=400)


async def _storage_error(request: Request, exc: Exception) -> JSONResponse:
    fault = storage_fault(exc)
    if fault is None:
        raise exc  # the code's mistake: a 500 with its traceback in the log
    log.error(
        "storage: %s %s: %s (%s)", request.method, request.url.path, fault.reason, fault.detail
    )
    return JSONResponse(
        error_body("storage", f"{fault.reason}; try again later"),
        status_code=503,
        headers={"Retry-After": str(STORAGE_RETRY_AFTER_S)},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(SQLAlchemyError, _storage_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
