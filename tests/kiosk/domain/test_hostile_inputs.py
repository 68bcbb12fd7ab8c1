"""Hostile input never crashes, and one bad line never stops a batch (docs/tariffs.md §1.3-1.4).

A fuzz test with a fixed budget (hypothesis, derandomized: the same examples on every
run, no example database): valid tariffs, CDRs and batch lines are mutated (huge and
tiny magnitudes, 5,000-digit numbers, nesting 1,000+ deep, wrong types, numbers as
strings, duplicate keys, a byte order mark, truncation, random bytes) and fed to
`tariff check`, a single `tariff price` and `tariff price --batch`. None may raise or
report an internal error; a batch gives exactly one result per non-blank line, and a
valid line after hostile ones still prices as it does alone.

Below the fuzz test: one regression test for each case the issue lists.
"""

from __future__ import annotations

import copy
import functools
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.domain import jsonio
from kiosk.paths import assets_dir
from kiosk.tariff_commands import check, price_batch, price_one

# --------------------------------------------------------------------------- seeds


def _sample_tariffs() -> list[tuple[Any, str]]:
    """(tariff file content, its currency) for every sample tariff."""
    seeds = []
    for path in sorted((assets_dir() / "tariffs").glob("*.json")):
        value = jsonio.loads(path.read_bytes())
        first = value[0] if isinstance(value, list) else value
        seeds.append((value, first["currency"]))
    return seeds


SEEDS = _sample_tariffs()


def _cdr(currency: str, parking: bool) -> dict[str, Any]:
    periods: list[dict[str, Any]] = [
        {
            "start_date_time": "2026-03-02T16:30:00Z",
            "dimensions": [
                {"type": "ENERGY", "volume": Decimal("12.5")},
                {"type": "TIME", "volume": Decimal("0.75")},
                {"type": "MAX_POWER", "volume": 22},
            ],
        },
        {
            "start_date_time": "2026-03-02T17:15:00Z",
            "dimensions": [
                {"type": "ENERGY", "volume": Decimal("3.25")},
                {"type": "TIME", "volume": Decimal("0.25")},
                {"type": "CURRENT", "volume": Decimal(-16)},
            ],
        },
    ]
    if parking:
        periods.append(
            {
                "start_date_time": "2026-03-02T17:30:00Z",
                "dimensions": [{"type": "PARKING_TIME", "volume": Decimal("0.5")}],
            }
        )
    return {
        "id": "CDR-1",
        "start_date_time": "2026-03-02T16:30:00Z",
        "end_date_time": "2026-03-02T18:00:00Z",
        "currency": currency,
        "cdr_token": {"uid": "X", "type": "RFID", "contract_id": "C"},
        "charging_periods": periods,
        "total_cost": {"excl_vat": Decimal("999.99")},
    }


def _tz(currency: str) -> str:
    return "Europe/Zurich" if currency == "CHF" else "Europe/Berlin"


# --------------------------------------------------------------------------- mutation


class Raw(str):
    """JSON text written as it is: literals no Python value writes (1e400, deep nesting)."""


class Repeated(dict):  # type: ignore[type-arg]
    """An object written with one key twice."""

    def __init__(self, base: dict[str, Any], key: str, value: Any) -> None:
        super().__init__(base)
        self.repeat = (key, value)


def dump(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        pairs = list(value.items())
        if isinstance(value, Repeated):
            pairs.append(value.repeat)
        return "{" + ",".join(f"{json.dumps(str(k))}:{dump(v)}" for k, v in pairs) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dump(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


HOSTILE: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(
        [
            Raw("1e400"),
            Raw("-1e400"),
            Raw("1e-400"),
            Raw("1E+999999999"),
            Raw("9" * 5000),
            Raw("0." + "3" * 5000),
            Raw("1" + "0" * 30),
            Raw("-0.0"),
            Raw("NaN"),
            Raw("-Infinity"),
            Raw("[" * 1000 + "]" * 1000),
            Raw('{"a":' * 300 + "1" + "}" * 300),
            Raw("[" * 70 + "]" * 70),
            0,
            -1,
            10**30,
            Decimal("1e30"),
            Decimal("-11.5"),
            "0.5",
            "NaN",
            "Infinity",
            "",
            "x" * 2000,
            True,
            False,
            None,
            [],
            {},
            "24:00",
            "00:00",
            "9999-12-31T23:59:59-23:59",
            "0001-01-01T00:00:00+01:00",
            "2026-03-02T16:29:18Z",
            "ENERGY",
            "America",
            # at the bounds of docs/tariffs.md §1.3: accepted, and must price
            10**9,
            10**12,
            10**7,
            8784,
            10**8,
            -(10**5),
            10**5,
            31_622_400,
            Decimal("0.0000000000000000000000000000000000000001"),
            "1970-01-01T00:00:00Z",
            "9998-12-31T23:59:59Z",
        ]
    ),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)


def _hostile(data: st.DataObject) -> Any:
    return copy.deepcopy(data.draw(HOSTILE))  # [] and {} are shared: never mutate those


def _paths(value: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield here
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*here, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*here, i))


def _mutate_once(data: st.DataObject, tree: Any) -> Any:
    paths = list(_paths(tree))
    path = data.draw(st.sampled_from(paths))
    op = data.draw(st.sampled_from(["replace", "replace", "delete", "add", "repeat"]))
    if not path:
        return _hostile(data) if op == "replace" else tree
    parent = tree
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    target = parent[last]
    if op == "replace":
        parent[last] = _hostile(data)
    elif op == "delete":
        del parent[last]
    elif op == "add" and isinstance(target, dict):
        key = data.draw(st.sampled_from(["x", "price", "volume", "type", "tariffs"]))
        target[key] = _hostile(data)
    elif op == "repeat" and isinstance(target, dict) and target:
        key = data.draw(st.sampled_from(sorted(target)))
        twice = data.draw(st.sampled_from([target[key], _hostile(data)]))
        parent[last] = Repeated(target, key, twice)
    return tree


def mutated(data: st.DataObject, tree: Any) -> bytes:
    """`tree` with one to three mutations, as JSON text, perhaps damaged as text too."""
    tree = copy.deepcopy(tree)
    for _ in range(data.draw(st.integers(1, 3))):
        tree = _mutate_once(data, tree)
    text = dump(tree).encode("utf-8", "surrogatepass")
    damage = data.draw(st.sampled_from(["none"] * 6 + ["bom", "cut", "flip", "insert"]))
    if damage == "bom":
        text = jsonio.BOM + text
    elif damage == "cut" and text:
        text = text[: data.draw(st.integers(0, len(text) - 1))]
    elif damage in ("flip", "insert") and text:
        at = data.draw(st.integers(0, len(text) - 1))
        garbage = data.draw(st.binary(min_size=1, max_size=4))
        text = text[:at] + garbage + text[at + (damage == "flip") :]
    return text


FUZZ = settings(
    max_examples=700,  # about 8 s in all on the project's machine kind
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_WORK: list[Path] = []  # the module's folder for the files it writes


@pytest.fixture(scope="module", autouse=True)
def _work(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    _WORK.append(tmp_path_factory.mktemp("fuzz"))
    yield
    _WORK.clear()


def _file(name: str, content: bytes) -> Path:
    path = _WORK[0] / name
    path.write_bytes(content)
    return path


def _one_result(out: str) -> dict[str, Any]:
    assert out.endswith("\n"), out
    assert out.count("\n") == 1, out
    result: dict[str, Any] = json.loads(out)
    assert isinstance(result["warnings"], list), result
    for warning in result["warnings"]:
        assert set(warning) == {"path", "message"}, warning
    return result


# --------------------------------------------------------------------------- fuzz


@FUZZ
@given(st.data())
def test_tariff_check_never_raises(data: st.DataObject) -> None:
    tariff, _ = data.draw(st.sampled_from(SEEDS))
    path = _file("tariff.json", mutated(data, tariff))
    out = io.StringIO()
    assert check(path, out=out) in (0, 2), out.getvalue()
    assert "internal error" not in out.getvalue()


@FUZZ
@given(st.data())
def test_single_price_never_raises(data: st.DataObject) -> None:
    tariff, currency = data.draw(st.sampled_from(SEEDS))
    cdr = _cdr(currency, data.draw(st.booleans()))
    which = data.draw(st.sampled_from(["tariff", "cdr", "both", "embedded"]))
    if which == "embedded":
        cdr["tariffs"] = tariff if isinstance(tariff, list) else [tariff]
        tariff_path = None
        cdr_text = mutated(data, cdr)
    else:
        tariff_text = mutated(data, tariff) if which != "cdr" else dump(tariff).encode()
        tariff_path = _file("tariff.json", tariff_text)
        cdr_text = mutated(data, cdr) if which != "tariff" else dump(cdr).encode()
    cdr_path = _file("cdr.json", cdr_text)
    as_json = data.draw(st.booleans())
    out = io.StringIO()
    rc = price_one(tariff_path, cdr_path, _tz(currency), as_json=as_json, out=out)
    assert rc in (0, 2, 3), out.getvalue()
    if as_json:
        result = _one_result(out.getvalue())
        assert ("error" in result) == (rc != 0)
        assert "internal error" not in result.get("error", "")
    else:
        assert "internal error" not in out.getvalue()


def _run_batch(content: bytes) -> list[dict[str, Any]]:
    source = _file("in.jsonl", content)
    target = _WORK[0] / "out.jsonl"
    err = io.StringIO()
    rc = price_batch(source, target, out=io.StringIO(), err=err)
    assert rc == 0, err.getvalue()  # 1: an internal error; 2: the files
    assert "internal error" not in err.getvalue()
    lines = target.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _good_line(seed: int) -> tuple[bytes, dict[str, Any]]:
    """A valid batch line and the result it gives alone."""
    tariff, currency = SEEDS[seed % len(SEEDS)]
    line = dump({"tariff": tariff, "cdr": _cdr(currency, seed % 2 == 0), "tz": _tz(currency)})
    results = _run_batch(line.encode() + b"\n")
    assert len(results) == 1, results
    assert "error" not in results[0], results
    return line.encode(), results[0]


@functools.cache
def _good() -> list[tuple[bytes, dict[str, Any]]]:
    return [_good_line(i) for i in range(len(SEEDS))]


@FUZZ
@given(st.data())
def test_batch_lines_are_independent(data: st.DataObject) -> None:
    good, expected = data.draw(st.sampled_from(_good()))
    hostile: list[bytes] = []
    for _ in range(data.draw(st.integers(1, 3))):
        kind = data.draw(st.sampled_from(["line", "line", "line", "bytes"]))
        if kind == "bytes":
            hostile.append(data.draw(st.binary(max_size=80)))
        else:
            hostile.append(mutated(data, json.loads(good, parse_float=Decimal)))
    content = b"\n".join([good, *hostile, good]) + b"\n"
    results = _run_batch(content)
    non_blank = [line for line in content.split(b"\n") if line.strip()]
    assert len(results) == len(non_blank)
    for result in results:
        assert isinstance(result["warnings"], list)
        assert "internal error" not in result.get("error", "")
    assert results[0] == expected
    assert results[-1] == expected  # a valid line after hostile ones prices as alone


# --------------------------------------------------------------------------- the cases

TARIFF: dict[str, Any] = {
    "country_code": "DE",
    "party_id": "KIO",
    "id": "T1",
    "currency": "EUR",
    "last_updated": "2026-01-01T00:00:00Z",
    "elements": [
        {
            "price_components": [
                {"type": "ENERGY", "price": Decimal("0.30"), "vat": 19, "step_size": 1},
                {"type": "TIME", "price": Decimal("2.00"), "vat": 19, "step_size": 60},
            ]
        }
    ],
}
CDR = _cdr("EUR", parking=False)
PRICE = '"price":0.30'
ENERGY = '"volume":12.5'
TIME = '"volume":0.75'


def _single(tariff: str, cdr: str) -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    rc = price_one(
        _file("t.json", tariff.encode()),
        _file("c.json", cdr.encode()),
        "Europe/Berlin",
        as_json=True,
        out=out,
    )
    return rc, _one_result(out.getvalue())


def _texts(
    price: str | None = None, energy: str | None = None, time: str | None = None
) -> tuple[str, str]:
    tariff, cdr = dump(TARIFF), dump(CDR)
    assert PRICE in tariff
    assert ENERGY in cdr
    assert TIME in cdr
    if price is not None:
        tariff = tariff.replace(PRICE, f'"price":{price}')
    if energy is not None:
        cdr = cdr.replace(ENERGY, f'"volume":{energy}')
    if time is not None:
        cdr = cdr.replace(TIME, f'"volume":{time}')
    return tariff, cdr


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"price": "1e400"}, "tariff.elements[0].price_components[0].price: must be at most"),
        ({"time": "1e30"}, "cdr.charging_periods[0].dimensions[1].volume: TIME must be"),
        ({"energy": "9" * 5000}, "cdr.charging_periods[0].dimensions[0].volume: "),
        ({"energy": "0." + "9" * 5000}, None),  # small, with many digits: priced
        ({"energy": "1e-400"}, None),
    ],
)
def test_magnitudes_that_used_to_raise_decimal_errors(
    changes: dict[str, str], where: str | None
) -> None:
    """17 tracebacks (InvalidOperation / DivisionImpossible from about 1e28 up)."""
    rc, result = _single(*_texts(**changes))
    if where is None:
        assert rc == 0, result
    else:
        assert rc == 2
        assert result["error"].startswith(f"invalid input: {where}"), result


def test_a_deeply_nested_value_in_a_batch_line_does_not_stop_the_batch() -> None:
    """55 batches died at one line: RecursionError through msgspec, and decimal errors."""
    good, expected = _good()[0]
    deep = b'"x":' + b"[" * 1000 + b"]" * 1000 + b","
    hostile = [
        good.replace(b'"tz":', deep + b'"tz":'),  # in a skipped field of the line
        good.replace(b'"cdr":{', b'"cdr":{' + deep),  # ... of the CDR
        good.replace(b'"country_code":', deep + b'"country_code":', 1),  # inside the tariff
        good.replace(b'"volume":12.5', b'"volume":' + b"[" * 1000 + b"]" * 1000),
        good.replace(b'"volume":12.5', b'"volume":' + b"9" * 5000),
        good.replace(b'"volume":0.75', b'"volume":1e30'),
    ]
    assert all(line != good for line in hostile)
    results = _run_batch(b"\n".join([*hostile, good]) + b"\n")
    assert len(results) == len(hostile) + 1
    assert all("error" in r for r in results[:-1]), results
    assert results[-1] == expected


def test_absurd_step_size_is_refused_not_priced() -> None:
    """step_size 10^30 used to give 3e26 EUR with exit 0."""
    tariff = dump(TARIFF).replace('"step_size":60', '"step_size":' + "1" + "0" * 30)
    rc, result = _single(tariff, dump(CDR))
    assert rc == 2
    assert result["error"] == (
        "invalid input: tariff.elements[0].price_components[1].step_size: must be at most "
        "10000000, got 1000000000000000000000000000000"
    )


def test_tariff_check_calls_1e400_invalid() -> None:
    out = io.StringIO()
    assert check(_file("t.json", _texts(price="1e400")[0].encode()), out=out) == 2
    assert "price: must be at most 1000000000, got 1E+400" in out.getvalue()


def test_a_byte_order_mark_is_accepted() -> None:
    """It used to give "Expecting value: line 1 column 1"."""
    tariff, cdr = _texts()
    rc, result = _single("\ufeff" + tariff, "\ufeff" + cdr)
    assert rc == 0, result
    out = io.StringIO()
    assert check(_file("t.json", jsonio.BOM + tariff.encode()), out=out) == 0


def test_cdr_volumes_as_strings_are_refused_like_tariff_prices() -> None:
    rc, result = _single(*_texts(energy='"12.5"'))
    assert rc == 2
    assert result["error"] == (
        "invalid input: cdr.charging_periods[0].dimensions[0].volume: must be a JSON "
        "number, not a string"
    )
    rc, result = _single(*_texts(price='"0.30"'))
    assert rc == 2
    assert "price: must be a number, not the string '0.30'" in result["error"]


def test_duplicate_keys_are_refused_with_the_path() -> None:
    tariff, cdr = _texts()
    rc, result = _single(tariff.replace(PRICE, PRICE + ',"price":0.10'), cdr)
    assert rc == 2
    assert result["error"] == (
        "invalid input: tariff.elements[0].price_components[0]: duplicate key 'price': a "
        "key may appear only once in an object"
    )
    rc, result = _single(tariff, cdr.replace(ENERGY, ENERGY + ',"volume":1'))
    assert rc == 2
    assert result["error"].startswith(
        "invalid input: cdr.charging_periods[0].dimensions[0]: duplicate key 'volume'"
    )
