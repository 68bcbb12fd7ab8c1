"""Strict JSON for money: numbers become Decimal, NaN and Infinity are refused."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

__all__ = ["JsonInputError", "dumps", "dumps_numbers", "loads"]


class JsonInputError(ValueError):
    """Text that is not the strict JSON this application accepts."""


def _refuse_constant(name: str) -> Any:
    raise JsonInputError(f"{name} is not a number this application accepts")


_decoder = json.JSONDecoder(parse_float=Decimal, parse_constant=_refuse_constant)


def loads(text: str | bytes) -> Any:
    """Parse JSON with every non-integer number as an exact Decimal."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonInputError(f"not UTF-8: {exc}") from None
    try:
        return _decoder.decode(text)
    except JsonInputError:
        raise
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise JsonInputError(f"invalid JSON: {exc}") from None
    except RecursionError:
        raise JsonInputError("invalid JSON: nested too deeply") from None


def _default(value: object) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"refusing to write {value} as JSON")
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dumps(value: Any, *, indent: int | None = None) -> str:
    """JSON text with Decimals written as strings (never through float)."""
    return json.dumps(value, default=_default, ensure_ascii=False, allow_nan=False, indent=indent)


def dumps_numbers(value: Any) -> str:
    """Compact JSON text with Decimals written as exact JSON numbers (OCPI volumes)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"refusing to write {value} as JSON")
        return format(value, "f")
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(f"{json.dumps(str(k))}:{dumps_numbers(v)}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dumps_numbers(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)
