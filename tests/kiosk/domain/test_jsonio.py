"""Strict JSON (kiosk/domain/jsonio.py): BOM, duplicate keys, nesting depth, digits."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.domain import jsonio


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


_TEXT = st.text(alphabet='ab[]{}"\\\n\u00e9:,', max_size=6)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(_JSON, st.booleans())
def test_nesting_depth_is_exact_and_ignores_strings(value: Any, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert jsonio.nesting_depth(text) == _depth(value)


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.binary(max_size=200))
def test_nesting_depth_never_fails_on_garbage(data: bytes) -> None:
    assert jsonio.nesting_depth(data) >= 0
    with pytest.raises(jsonio.JsonInputError):
        jsonio.loads(b"\x00" + data)  # never anything but JsonInputError


def test_depth_limit_is_64_levels() -> None:
    assert jsonio.loads("[" * 64 + "]" * 64)
    for text in ("[" * 65 + "]" * 65, "[" * 100_000, '{"a":' * 1000 + "1" + "}" * 1000):
        with pytest.raises(jsonio.JsonInputError, match="nested deeper than 64 levels"):
            jsonio.loads(text)


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"text": "[" * 1000, "escaped": '\\"[[[', "u": "\u00e9["})
    assert jsonio.loads(text)["text"] == "[" * 1000


def test_byte_order_mark_is_dropped() -> None:
    assert jsonio.loads(b"\xef\xbb\xbf[1.5]") == [Decimal("1.5")]
    assert jsonio.loads("\ufeff[1]") == [1]
    with pytest.raises(jsonio.JsonInputError):
        jsonio.loads(b"\xef\xbb\xbf\xef\xbb\xbf[1]")  # only one, at the very start


@pytest.mark.parametrize(
    ("text", "path", "key"),
    [
        ('{"a": 1, "a": 2}', "", "a"),
        ('{"x": [{"p": 1}, {"q": 1, "q": 1}]}', "x[1]", "q"),
        ('[{"e": {"k": 1, "k": {"z": 1}}}]', "[0].e", "k"),
    ],
)
def test_duplicate_keys_are_refused_with_their_path(text: str, path: str, key: str) -> None:
    with pytest.raises(jsonio.JsonInputError) as info:
        jsonio.loads(text)
    assert info.value.path == path
    assert info.value.reason.startswith(f"duplicate key {key!r}")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1" * 5000, "more digits than this application reads"),
        ("[NaN]", "NaN is not a number"),
        ("[-Infinity]", "-Infinity is not a number"),
        (b"\xff", "not UTF-8"),
        ("{", "invalid JSON"),
    ],
)
def test_refusals_are_json_input_errors(text: str | bytes, why: str) -> None:
    with pytest.raises(jsonio.JsonInputError, match=why):
        jsonio.loads(text)


def test_exponents_stay_exact() -> None:
    assert jsonio.loads("[1e400, 1e-400]") == [Decimal("1e400"), Decimal("1e-400")]
