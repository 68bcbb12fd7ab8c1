"""Tariff validation: every problem is named by its path; nothing half-parsed is used."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kiosk.domain import jsonio
from kiosk.domain.tariff import Dimension, TariffError, parse_tariff, parse_tariffs

GOOD: dict[str, Any] = {
    "country_code": "DE",
    "party_id": "KIO",
    "id": "T1",
    "currency": "EUR",
    "last_updated": "2026-01-01T00:00:00Z",
    "elements": [
        {
            "price_components": [
                {"type": "ENERGY", "price": Decimal("0.39"), "vat": Decimal(19), "step_size": 1}
            ],
            "restrictions": {"start_time": "22:00", "end_time": "06:00"},
        },
        {"price_components": [{"type": "FLAT", "price": Decimal("0.50"), "step_size": 1}]},
    ],
}


def _bad(path: list[Any], value: Any) -> dict[str, Any]:
    tariff = copy.deepcopy(GOOD)
    target: Any = tariff
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return tariff


_DELETE = object()


def test_good_tariff_parses() -> None:
    tariff = parse_tariff(GOOD)
    assert tariff.elements[0].price_components[0].type is Dimension.ENERGY
    assert tariff.elements[0].restrictions is not None
    assert tariff.elements[0].restrictions.start_time == 22 * 60
    assert tariff.warnings == ()


@pytest.mark.parametrize(
    ("path", "value", "where", "why"),
    [
        (["id"], _DELETE, "id", "required"),
        (["currency"], "EURO", "currency", "3 characters"),
        (["currency"], "XXY", "currency", "ISO 4217"),
        (["country_code"], "DEU", "country_code", "2 characters"),
        (["last_updated"], "yesterday", "last_updated", "RFC 3339"),
        (["elements"], [], "elements", "at least one"),
        (
            ["elements", 0, "price_components", 0, "type"],
            "KWH",
            "elements[0].price_components[0].type",
            "one of",
        ),
        (
            ["elements", 0, "price_components", 0, "price"],
            Decimal(-1),
            "elements[0].price_components[0].price",
            "at least 0",
        ),
        (
            ["elements", 0, "price_components", 0, "price"],
            "0.39",
            "elements[0].price_components[0].price",
            "must be a number",
        ),
        (
            ["elements", 0, "price_components", 0, "vat"],
            Decimal(101),
            "elements[0].price_components[0].vat",
            "at most 100",
        ),
        (
            ["elements", 0, "price_components", 0, "step_size"],
            -1,
            "elements[0].price_components[0].step_size",
            "at least 0",
        ),
        (
            ["elements", 0, "price_components", 0, "step_size"],
            10**30,
            "elements[0].price_components[0].step_size",
            "at most 10000000",
        ),
        (
            ["elements", 0, "price_components", 0, "price"],
            Decimal("1e400"),
            "elements[0].price_components[0].price",
            "at most 1000000000",
        ),
        (
            ["elements", 0, "price_components", 0, "step_size"],
            Decimal("1.5"),
            "elements[0].price_components[0].step_size",
            "whole number",
        ),
        (
            ["elements", 0, "restrictions", "start_time"],
            "24:00",
            "elements[0].restrictions.start_time",
            "HH:MM",
        ),
        (
            ["elements", 0, "restrictions", "start_time"],
            "7:00",
            "elements[0].restrictions.start_time",
            "HH:MM",
        ),
        (
            ["elements", 0, "restrictions", "end_time"],
            "24:01",
            "elements[0].restrictions.end_time",
            "HH:MM",
        ),
        (
            ["elements", 0, "restrictions", "start_date"],
            "2026-02-30",
            "elements[0].restrictions.start_date",
            "real date",
        ),
        (
            ["elements", 0, "restrictions", "day_of_week"],
            ["MON"],
            "elements[0].restrictions.day_of_week[0]",
            "one of",
        ),
        (
            ["elements", 0, "restrictions", "day_of_week"],
            ["MONDAY", "MONDAY"],
            "elements[0].restrictions.day_of_week[1]",
            "twice",
        ),
        (["elements", 0, "restrictions", "min_kwh"], Decimal(10), "elements[0].restrictions", None),
        (
            ["elements", 0, "restrictions", "max_duration"],
            -5,
            "elements[0].restrictions.max_duration",
            "at least 0",
        ),
        (
            ["elements", 0, "restrictions", "reservation"],
            "RESERVATION",
            "elements[0].price_components[0].type",
            "reservation element",
        ),
        (
            ["min_price"],
            {"excl_vat": Decimal(1), "incl_vat": Decimal("0.5")},
            "min_price.incl_vat",
            "less than excl_vat",
        ),
        (["start_date_time"], "2026-02-01T00:00:00Z", None, None),
    ],
)
def test_each_problem_named_by_path(
    path: list[Any], value: Any, where: str | None, why: str | None
) -> None:
    tariff = _bad(path, value)
    if where is None or why is None:
        parse_tariff(tariff)  # valid variations stay valid
        return
    with pytest.raises(TariffError) as info:
        parse_tariff(tariff)
    assert any(p.path == where and why in p.message for p in info.value.problems), (
        info.value.problems
    )


def test_all_problems_reported_at_once() -> None:
    tariff = _bad(["currency"], "E")
    tariff["elements"][0]["restrictions"]["start_time"] = "25:00"
    tariff["elements"][1]["price_components"][0]["step_size"] = -1
    with pytest.raises(TariffError) as info:
        parse_tariff(tariff)
    paths = {p.path for p in info.value.problems}
    assert {
        "currency",
        "elements[0].restrictions.start_time",
        "elements[1].price_components[0].step_size",
    } <= paths


def test_min_greater_than_max_is_named() -> None:
    tariff = _bad(["elements", 0, "restrictions", "min_kwh"], Decimal(10))
    tariff["elements"][0]["restrictions"]["max_kwh"] = Decimal(5)
    with pytest.raises(TariffError, match=r"restrictions\.max_kwh"):
        parse_tariff(tariff)


def test_unknown_fields_are_warnings_not_errors() -> None:
    tariff = _bad(["elements", 0, "restrictons"], {"start_time": "10:00"})
    parsed = parse_tariff(tariff)
    assert [str(w) for w in parsed.warnings] == [
        "elements[0].restrictons: unknown field, ignored (misspelt?)"
    ]


def test_nan_and_infinity_rejected_in_json() -> None:
    text = jsonio.dumps(GOOD).replace('"0.39"', "NaN")
    with pytest.raises(jsonio.JsonInputError, match="NaN"):
        jsonio.loads(text)
    with pytest.raises(jsonio.JsonInputError, match="Infinity"):
        jsonio.loads('{"price": Infinity}')


def test_numbers_parse_as_decimal_never_float() -> None:
    value = jsonio.loads('{"a": 0.1, "b": 3}')
    assert value == {"a": Decimal("0.1"), "b": 3}
    assert isinstance(value["a"], Decimal)


def test_list_file_checks_ids_and_group_references() -> None:
    public = copy.deepcopy(GOOD)
    public["x_kiosk"] = {"customer_groups": {"fleet": {"tariff_id": "NOPE"}}}
    with pytest.raises(TariffError, match=r"\[0\]\.x_kiosk\.customer_groups\.fleet\.tariff_id"):
        parse_tariffs([public])
    with pytest.raises(TariffError, match="used twice"):
        parse_tariffs([GOOD, GOOD])
    with pytest.raises(TariffError, match=r"\[1\]\.currency"):
        parse_tariffs([GOOD, _bad(["currency"], 5)])


def test_extension_rules_validated() -> None:
    tariff = copy.deepcopy(GOOD)
    tariff["x_kiosk"] = {
        "idle_fee": {"price_per_minute": Decimal("0.40"), "grace_minutes": -1},
        "customer_groups": {"member": {"discount_percent": Decimal(10), "tariff_id": "X"}},
    }
    with pytest.raises(TariffError) as info:
        parse_tariff(tariff)
    paths = {p.path for p in info.value.problems}
    assert "x_kiosk.idle_fee.grace_minutes" in paths
    assert "x_kiosk.customer_groups.member" in paths


def test_validity_window() -> None:
    from datetime import UTC, datetime

    tariff = parse_tariff(
        {**GOOD, "start_date_time": "2026-01-01T00:00:00Z", "end_date_time": "2026-07-01T00:00:00Z"}
    )
    assert not tariff.is_valid_at(datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC))
    assert tariff.is_valid_at(datetime(2026, 1, 1, tzinfo=UTC))
    assert not tariff.is_valid_at(datetime(2026, 7, 1, tzinfo=UTC))


def test_list_paths_name_the_right_item_after_a_bad_one() -> None:
    with pytest.raises(TariffError) as info:
        parse_tariffs([_bad(["currency"], 5), GOOD, GOOD])
    assert "[2].id" in {p.path for p in info.value.problems}


def test_group_tariff_must_share_the_currency() -> None:
    public = copy.deepcopy(GOOD)
    public["x_kiosk"] = {"customer_groups": {"fleet": {"tariff_id": "CH"}}}
    swiss = {**copy.deepcopy(GOOD), "id": "CH", "currency": "CHF"}
    with pytest.raises(TariffError, match="is in CHF, not EUR"):
        parse_tariffs([public, swiss])


# --------------------------------------------------------------------------- tolerated,
# with a warning where it is odd (docs/tariffs.md §1.1)


def _warnings(tariff: dict[str, Any], **kwargs: Any) -> list[str]:
    return [str(w) for w in parse_tariff(tariff, **kwargs).warnings]


def test_step_size_0_is_no_step_rounding() -> None:
    """The spec's own free-of-charge example has step_size 0; FLAT has no step unit."""
    tariff = _bad(["elements", 0, "price_components", 0, "step_size"], 0)
    tariff["elements"][1]["price_components"][0]["step_size"] = 0  # FLAT: normal, no warning
    parsed = parse_tariff(tariff)
    assert parsed.elements[0].price_components[0].step_size == 0
    assert parsed.elements[1].price_components[0].step_size == 0
    assert _warnings(tariff) == [
        "elements[0].price_components[0].step_size: step_size 0: no step rounding"
    ]


@pytest.mark.parametrize(
    ("start", "end", "minutes", "warned"),
    [
        ("00:00", "00:00", (0, 0), True),  # the whole day, kept as given
        ("10:00", "10:00", (600, 600), True),  # also the whole day
        ("00:00", "24:00", (0, 1440), False),  # the spec's step_size example
        ("22:00", "24:00", (1320, 1440), False),
        ("22:00", "00:00", (1320, 0), False),  # 00:00 as an end: the end of the day
    ],
)
def test_end_of_day_and_the_whole_day(
    start: str, end: str, minutes: tuple[int, int], warned: bool
) -> None:
    tariff = _bad(["elements", 0, "restrictions"], {"start_time": start, "end_time": end})
    restrictions = parse_tariff(tariff).elements[0].restrictions
    assert restrictions is not None
    assert (restrictions.start_time, restrictions.end_time) == minutes
    expected = ["elements[0].restrictions.end_time: start_time equals end_time: the whole day"]
    assert _warnings(tariff) == (expected if warned else [])


@pytest.mark.parametrize(
    ("key", "value"), [("start_time", "24:00"), ("end_time", "24:01"), ("end_time", "25:00")]
)
def test_24_00_is_only_an_end(key: str, value: str) -> None:
    with pytest.raises(TariffError, match=rf"elements\[0\]\.restrictions\.{key}: must be"):
        parse_tariff(_bad(["elements", 0, "restrictions", key], value))


def test_negative_power_and_current_restrictions() -> None:
    """Energy flowing from the EV to the grid: CdrDimensionType allows negative values."""
    tariff = _bad(
        ["elements", 0, "restrictions"],
        {
            "min_power": Decimal(-50),
            "max_power": Decimal(-10),
            "min_current": Decimal(-32),
            "max_current": Decimal(0),
        },
    )
    r = parse_tariff(tariff).elements[0].restrictions
    assert r is not None
    bounds = (r.min_power, r.max_power, r.min_current, r.max_current)
    assert bounds == tuple(Decimal(x) for x in (-50, -10, -32, 0))
    tariff["elements"][0]["restrictions"]["max_power"] = Decimal(-60)
    with pytest.raises(TariffError, match=r"restrictions\.max_power: must be greater than"):
        parse_tariff(tariff)


@pytest.mark.parametrize("key", ["country_code", "party_id", "last_updated"])
def test_identity_may_be_missing_when_only_priced(key: str) -> None:
    """They identify a tariff in OCPI exchange, not its price; a station insists."""
    tariff = _bad([key], _DELETE)
    with pytest.raises(TariffError, match=f"{key}: required"):
        parse_tariff(tariff)  # the default, and what a station's config uses
    parsed = parse_tariff(tariff, require_identity=False)
    assert getattr(parsed, key) is None
    assert _warnings(tariff, require_identity=False) == [
        f"{key}: missing: fine for pricing, but OCPI exchange and a station's tariff file need it"
    ]
    with pytest.raises(TariffError, match=rf"\[0\]\.{key}: required"):
        parse_tariffs([tariff])
    assert parse_tariffs([tariff], require_identity=False)[0].warnings[0].path == f"[0].{key}"


def test_present_identity_is_still_checked_when_only_priced() -> None:
    with pytest.raises(TariffError, match="country_code: must be 2 characters"):
        parse_tariff(_bad(["country_code"], "DEU"), require_identity=False)


def test_config_keeps_insisting_on_identity(tmp_path: Path) -> None:
    """Station policy: kiosk/config.py loads a station's tariffs with the identity required."""
    from kiosk import config
    from kiosk.paths import assets_dir

    tariff = _bad(["party_id"], _DELETE)
    for element in tariff["elements"]:
        for pc in element["price_components"]:
            pc["vat"] = Decimal(19)  # a station insists on VAT too
    path = tmp_path / "t.json"
    path.write_text(jsonio.dumps_numbers(tariff), encoding="utf-8")
    text = config._DEMO.replace('"tariffs/ac_time_of_use.json"', f'"{path}"')
    assert str(path) in text
    with pytest.raises(config.ConfigError, match="party_id: required"):
        config.load_settings_text(text, assets_dir(), tmp_path / "k.sqlite")


# --------------------------------------------------------------------------- bounds (§1.3)


_PRICE = ["elements", 0, "price_components", 0, "price"]
_STEP = ["elements", 0, "price_components", 0, "step_size"]
_PRICE_AT = "elements[0].price_components[0].price"
_STEP_AT = "elements[0].price_components[0].step_size"
_R = "elements[0].restrictions"


@pytest.mark.parametrize(
    ("path", "value", "where", "why"),
    [
        (_PRICE, Decimal("1e400"), _PRICE_AT, "at most 1000000000, got 1E+400"),
        (_PRICE, 10**10, _PRICE_AT, "at most 1000000000"),
        (_PRICE, Decimal("1e-400"), _PRICE_AT, "has 400 decimal places; at most 40"),
        (_PRICE, Decimal("0." + "3" * 5000), _PRICE_AT, "has 5000 significant digits"),
        (_STEP, 10**30, _STEP_AT, "at most 10000000"),
        (_STEP, Decimal("1e30"), _STEP_AT, "must be from 0 to 10000000"),
        (_STEP, Decimal("1E+999999999"), _STEP_AT, "must be from 0 to 10000000"),
        (["min_price"], {"excl_vat": Decimal("1e13")}, "min_price.excl_vat", "at most 10000000"),
        (["elements", 0, "restrictions", "max_kwh"], Decimal("1e9"), f"{_R}.max_kwh", "at most"),
        (
            ["elements", 0, "restrictions", "min_power"],
            Decimal(-100_001),
            f"{_R}.min_power",
            "at least -100000",
        ),
        (
            ["elements", 0, "restrictions", "max_current"],
            Decimal(100_001),
            f"{_R}.max_current",
            "at most 100000",
        ),
        (
            ["elements", 0, "restrictions", "max_duration"],
            10**9,
            f"{_R}.max_duration",
            "at most 31622400",
        ),
        (
            ["elements", 0, "restrictions", "day_of_week"],
            ["MONDAY"] * 8,
            f"{_R}.day_of_week",
            "at most 7 entries",
        ),
        (["elements"], [GOOD["elements"][1]] * 1001, "elements", "at most 1000 entries"),
        (["last_updated"], "0001-01-01T00:00:00+01:00", "last_updated", "not a real date-time"),
    ],
)
def test_implausible_values_are_refused_with_the_path(
    path: list[Any], value: Any, where: str, why: str
) -> None:
    with pytest.raises(TariffError) as info:
        parse_tariff(_bad(path, value))
    assert any(p.path == where and why in p.message for p in info.value.problems), (
        info.value.problems
    )


@pytest.mark.parametrize(
    "value", [Decimal("1e9"), Decimal("0.0000277777777777777777777777777777777778"), Decimal(0)]
)
def test_plausible_extremes_are_accepted(value: Decimal) -> None:
    """JPY/IDR/VND prices, a per-second price written to 40 digits, zero."""
    parse_tariff(_bad(["elements", 0, "price_components", 0, "price"], value))


def test_trailing_zeros_do_not_count_as_digits() -> None:
    parse_tariff(_bad(["elements", 0, "price_components", 0, "price"], Decimal("0.39" + "0" * 60)))
    parse_tariff(_bad(["elements", 0, "price_components", 0, "price"], Decimal("0E-400")))


def test_long_values_are_cut_in_messages() -> None:
    with pytest.raises(TariffError) as info:
        parse_tariff(_bad(["currency"], "X" * 100_000))
    assert len(str(info.value)) < 200


def test_problems_and_warnings_are_capped() -> None:
    tariff = copy.deepcopy(GOOD)
    tariff.update({f"unknown_{i}": 1 for i in range(300)})
    warnings = parse_tariff(tariff).warnings
    assert len(warnings) == 101
    assert str(warnings[-1]) == "… and 200 more warning(s)"
    tariff["elements"] = [{"price_components": [{"type": "X"}]}] * 300
    with pytest.raises(TariffError) as info:
        parse_tariff(tariff)
    assert len(info.value.problems) == 101
    assert info.value.problems[-1].message.endswith("more problem(s)")


def test_json_duplicate_keys_are_refused_with_the_path() -> None:
    text = jsonio.dumps_numbers(GOOD).replace('"vat":19', '"vat":19,"price":0.5')
    with pytest.raises(jsonio.JsonInputError) as info:
        jsonio.loads(text)
    assert info.value.path == "elements[0].price_components[0]"
    assert str(info.value) == (
        "elements[0].price_components[0]: duplicate key 'price': a key may appear only once "
        "in an object"
    )


def test_price_screen_texts_take_24_00_and_the_whole_day() -> None:
    """A station tariff may now hold "24:00" and "00:00"-"00:00": the texts must not fail."""
    from kiosk.domain.tariff_text import describe

    tariff = _bad(["elements", 0, "restrictions"], {"start_time": "22:00", "end_time": "24:00"})
    tariff["elements"][1]["restrictions"] = {"start_time": "00:00", "end_time": "00:00"}
    lines = [line.text for line in describe(parse_tariff(tariff), "en").lines]
    assert lines[0].endswith(" 22:00–00:00")
    assert "00:00–00:00" not in " ".join(lines)
