"""Strict JSON for money: numbers become Decimal, NaN and Infinity are refused.

What `loads` refuses besides invalid JSON (docs/tariffs.md §1.3): NaN and Infinity,
a key given twice in one object (named with its path), nesting deeper than
MAX_DEPTH levels (checked before the parser recurses) and text that is not UTF-8.
A UTF-8 byte order mark at the start is dropped.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any, Final

__all__ = [
    "BOM",
    "MAX_DEPTH",
    "JsonInputError",
    "dumps",
    "dumps_numbers",
    "loads",
    "nesting_depth",
    "strip_bom",
]

MAX_DEPTH: Final = 64  # nesting levels of arrays and objects; OCPI tariffs need 6
BOM: Final = b"\xef\xbb\xbf"


class JsonInputError(ValueError):
    """Text that is not the strict JSON this application accepts."""

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path  # where in the document, e.g. "elements[0].price_components[0]"
        super().__init__(f"{path}: {message}" if path else message)
        self.reason = message


def _refuse_constant(name: str) -> Any:
    raise JsonInputError(f"{name} is not a number this application accepts")


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


_decoder = json.JSONDecoder(
    parse_float=Decimal, parse_constant=_refuse_constant, object_pairs_hook=_unique_pairs
)

# Depth pre-scan: brackets outside strings. `_KEEP` reduces the text to brackets,
# quotes and backslashes in one C-level pass; strings without brackets or escapes
# then vanish as "" pairs, and the rest is plain bracket counting.
_KEEP: Final = b'[]{}"\\'
_DELETE: Final = bytes(b for b in range(256) if b not in _KEEP)
_SAME_BRACKETS: Final = bytes.maketrans(b"{}", b"[]")
_STRING: Final = re.compile(rb'"(?:[^"\\]|\\.)*"?', re.DOTALL)


def nesting_depth(text: bytes, limit: int = MAX_DEPTH) -> int:
    """How deeply arrays and objects nest in JSON text (strings not counted).

    Exact up to `limit`; a result above it means "deeper than limit". Cheap: a few
    C-level passes, no per-character Python work, and it never recurses.
    """
    reduced = text.translate(None, _DELETE)
    if b"\\" in reduced or b'"' in reduced.replace(b'""', b""):
        # a string holds a bracket, a quote or an escape: drop strings properly
        reduced = _STRING.sub(b"", text).translate(None, _DELETE)
    else:
        reduced = reduced.replace(b'""', b"")
    brackets = reduced.translate(_SAME_BRACKETS)
    depth = 0
    while brackets and depth <= limit:
        inner = brackets.replace(b"[]", b"")  # each pass removes the innermost level
        if inner == brackets:  # unbalanced: what is left opens without closing
            return depth + brackets.count(b"[")
        brackets = inner
        depth += 1
    return depth


def strip_bom(text: bytes) -> bytes:
    return text[3:] if text[:3] == BOM else text


class _Repeated(dict):  # type: ignore[type-arg]
    """An object that held a key twice (only built to find the path of the repeat)."""

    key = ""


def _mark_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    marked = _Repeated(obj)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            marked.key = key
            break
        seen.add(key)
    return marked


_marking_decoder = json.JSONDecoder(
    parse_float=Decimal, parse_constant=_refuse_constant, object_pairs_hook=_mark_repeats
)


def _find_repeat(value: Any, path: str) -> tuple[str, str] | None:
    """(path, key) of the first object, in document order, that holds a key twice."""
    if isinstance(value, _Repeated):
        return path, value.key
    if isinstance(value, dict):
        items: Any = ((f"{path}.{k}" if path else str(k), v) for k, v in value.items())
    elif isinstance(value, list):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    else:
        return None
    for sub, item in items:
        found = _find_repeat(item, sub)
        if found is not None:
            return found
    return None


def _duplicate(text: str, key: str) -> JsonInputError:
    found = _find_repeat(_marking_decoder.decode(text), "")  # depth already checked
    path, key = found if found is not None else ("", key)
    return JsonInputError(f"duplicate key {key!r}: a key may appear only once in an object", path)


def loads(text: str | bytes) -> Any:
    """Parse JSON with every non-integer number as an exact Decimal."""
    if isinstance(text, str):
        text = text.encode("utf-8", "surrogatepass")
    text = strip_bom(text)
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonInputError(f"not UTF-8: {exc}") from None
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        raise JsonInputError(f"nested deeper than {MAX_DEPTH} levels")
    try:
        return _decoder.decode(decoded)
    except JsonInputError:
        raise
    except _DuplicateKey as exc:
        raise _duplicate(decoded, exc.key) from None
    except json.JSONDecodeError as exc:
        raise JsonInputError(f"invalid JSON: {exc}") from None
    except ValueError:  # int() of a whole number with more than 4,300 digits
        raise JsonInputError("a number has more digits than this application reads") from None
    except RecursionError:
        raise JsonInputError(f"nested deeper than {MAX_DEPTH} levels") from None


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
