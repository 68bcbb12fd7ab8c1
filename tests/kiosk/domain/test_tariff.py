"""Tariff validation: every problem is named by its path; nothing half-parsed is used."""

from __future__ import annotations

import copy
from decimal import Decimal
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
            0,
            "elements[0].price_components[0].step_size",
            "at least 1",
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
            "22:00",
            "elements[0].restrictions.end_time",
            "equals start_time",
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
