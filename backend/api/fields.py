"""Reading fields out of a strictly parsed JSON body: 422 naming the field when wrong."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from backend.errors import ApiError

__all__ = [
    "boolean",
    "integer",
    "iso",
    "moment",
    "money",
    "obj",
    "objects",
    "parse_moment",
    "required_text",
    "text",
]

_MAX_DIGITS: Final = 30


def _bad(path: str, message: str) -> ApiError:
    return ApiError(422, "invalid", f"{path}: {message}")


def _given(body: dict[str, Any], key: str, required: bool, path: str) -> tuple[str, Any]:
    """The field's name as errors say it, and its value; 422 when required and absent."""
    where = f"{path}.{key}" if path else key
    value = body.get(key)
    if value is None and required:
        raise _bad(where, "is required")
    return where, value


def obj(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(path, "must be an object")
    return value


def objects(body: dict[str, Any], key: str, *, limit: int, required: bool = False) -> list[Any]:
    value = body.get(key)
    if value is None:
        if required:
            raise _bad(key, "is required")
        return []
    if not isinstance(value, list):
        raise _bad(key, "must be a list")
    if len(value) > limit:
        raise _bad(key, f"at most {limit} items")
    return value


def text(
    body: dict[str, Any], key: str, *, required: bool = True, max_len: int = 200, path: str = ""
) -> str | None:
    where, value = _given(body, key, required, path)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad(where, "must be a string")
    if required and not value:
        raise _bad(where, "must not be empty")
    if len(value) > max_len:
        raise _bad(where, f"at most {max_len} characters")
    if any(not ch.isprintable() for ch in value):
        raise _bad(where, "holds a control character")
    return value


def required_text(body: dict[str, Any], key: str, *, max_len: int = 200, path: str = "") -> str:
    value = text(body, key, max_len=max_len, path=path)
    assert value is not None
    return value


def money(
    body: dict[str, Any], key: str, *, required: bool = True, path: str = ""
) -> Decimal | None:
    """A decimal amount given as a JSON string ("12.34"); a JSON number is refused."""
    where, value = _given(body, key, required, path)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad(where, 'must be a decimal string like "12.34"')
    try:
        amount = Decimal(value.strip()) if len(value) <= 40 else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or len(amount.as_tuple().digits) > _MAX_DIGITS:
        raise _bad(where, f"{value[:40]!r} is not a decimal number")
    return amount


def integer(
    body: dict[str, Any], key: str, *, required: bool = False, minimum: int = 0, path: str = ""
) -> int | None:
    where, value = _given(body, key, required, path)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(where, "must be an integer")
    if value < minimum or value > 2**31 - 1:
        raise _bad(where, f"must be between {minimum} and {2**31 - 1}")
    return value


def boolean(body: dict[str, Any], key: str, *, default: bool) -> bool:
    value = body.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _bad(key, "must be true or false")
    return value


def parse_moment(value: str) -> datetime:
    """An RFC 3339 time with an offset (or Z), as aware UTC; ValueError otherwise."""
    if len(value) > 40:
        raise ValueError("too long")
    moment = datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("no UTC offset")
    return moment.astimezone(UTC)


def moment(
    body: dict[str, Any], key: str, *, required: bool = True, path: str = ""
) -> datetime | None:
    where, value = _given(body, key, required, path)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad(where, "must be an RFC 3339 time")
    try:
        return parse_moment(value)
    except (ValueError, OverflowError):
        raise _bad(where, f"{value[:40]!r} is not an RFC 3339 time with an offset") from None


def iso(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with a Z, as the contract writes times."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
