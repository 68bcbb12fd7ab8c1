"""Request bodies: raw bytes with a size cap, then strict JSON (numbers as Decimal).

NaN, Infinity and duplicate keys are refused (kiosk.domain.jsonio), so money never
passes through a float and a body means one thing only.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import Request

from backend.errors import ApiError
from kiosk.domain import jsonio

__all__ = ["EVENTS_LIMIT", "LIMIT", "body_limit", "parse_object", "read_body"]

LIMIT: Final = 1024 * 1024  # 1 MiB
EVENTS_LIMIT: Final = 8 * 1024 * 1024  # POST /v1/events


def body_limit(path: str) -> int:
    return EVENTS_LIMIT if path.rstrip("/") == "/v1/events" else LIMIT


async def read_body(request: Request) -> bytes:
    """The exact body bytes (cached on request.state), 413 past the path's limit."""
    cached = getattr(request.state, "raw_body", None)
    if isinstance(cached, bytes):
        return cached
    limit = body_limit(request.url.path)
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", f"the body is over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"the body is over {limit} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    request.state.raw_body = body
    return body


def parse_object(body: bytes) -> dict[str, Any]:
    """A JSON object from the body, or 400 saying why not."""
    if not body:
        raise ApiError(400, "malformed", "a JSON object body is required")
    try:
        value = jsonio.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ApiError(400, "malformed", f"not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ApiError(400, "malformed", "the body must be a JSON object")
    return value
