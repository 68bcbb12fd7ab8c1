"""Every worked pricing example of OCPI 2.2.1 (release-2.2.1-bugfixes), priced through the CLI.

Each file in tests/data/spec/ is one example of mod_tariffs or mod_cdrs: our own tariff
and CDR (own ids and location) reproducing the prices, VAT, step sizes and restrictions
the spec describes, a one-line quote of the spec's claim, the figures the spec prints
(`spec_printed`) and the figures we expect. Expected equals printed, except where a
fixture says why: "spec_error" (starts with "SPEC ERROR:"; the printed number is wrong,
proved in arithmetic), "spec_withdrawn" (an example the bugfix branch removed) or
"spec_note" (a printed figure that is not a price the periods determine). Every such
fixture is listed in tests/data/spec/SPEC_ERRORS.md.

The CLI contract: `kiosk tariff price --tariff T --cdr C --tz Z --json` prints one JSON
object; money is a decimal string rounded half-up to the cent (a component without VAT
has none: incl_vat equals excl_vat, never null); volumes are decimal strings in kWh /
hours.
"""

from __future__ import annotations

import contextlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kiosk.cli import main

SPEC_DIR = Path(__file__).resolve().parents[1] / "data" / "spec"
FIXTURES = sorted(SPEC_DIR.glob("*.json"))

MONEY_FIELDS = (
    "total_cost",
    "total_fixed_cost",
    "total_energy_cost",
    "total_time_cost",
    "total_parking_cost",
    "total_reservation_cost",
)
VOLUME_FIELDS = ("total_energy", "total_time", "total_parking_time")
COMPONENT_FIELDS = MONEY_FIELDS[1:]


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    """Call the CLI in-process; return its exit code and the one JSON object it printed."""
    capsys.readouterr()  # drop anything printed before
    try:
        rc = main(args)
    except SystemExit as exc:  # a CLI may also leave through sys.exit(code)
        rc = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr().out
    try:
        return rc, json.loads(out)
    except json.JSONDecodeError:
        pytest.fail(f"exit {rc}: stdout is not one JSON object: {out!r}")


def price_fixture(
    fx: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, Any]:
    """Price one fixture; without a tariff the CDR's own `tariffs` are used."""
    cdr_path = tmp_path / "cdr.json"
    cdr_path.write_text(json.dumps(fx["cdr"]), encoding="utf-8")
    args = ["tariff", "price", "--cdr", str(cdr_path), "--tz", fx["tz"], "--json"]
    if fx["tariff"] is not None:
        tariff_path = tmp_path / "tariff.json"
        tariff_path.write_text(json.dumps(fx["tariff"]), encoding="utf-8")
        args[2:2] = ["--tariff", str(tariff_path)]
    return run_cli(args, capsys)


def check_expected(out: dict[str, Any], expected: dict[str, Any]) -> None:
    """Money: exact strings (or null). Volumes: Decimal equality, or within `abs`."""
    problems = []
    for key, want in expected.items():
        got = out.get(key, "<missing>")
        if key in MONEY_FIELDS:
            ok = got == want
        elif key in VOLUME_FIELDS and isinstance(want, dict):
            ok = isinstance(got, str) and abs(Decimal(got) - Decimal(want["approx"])) <= Decimal(
                want["abs"]
            )
        elif key in VOLUME_FIELDS:
            ok = isinstance(got, str) and Decimal(got) == Decimal(want)
        else:  # "error"
            ok = got == want
        if not ok:
            problems.append(f"{key}: expected {want!r}, got {got!r}")
    assert not problems, "; ".join(problems) + f"\nfull output: {out}"


def fixture_id(path: Path) -> str:
    return path.stem


# --------------------------------------------------------------------------- the examples


def test_every_required_example_has_a_fixture() -> None:
    stems = {p.stem for p in FIXTURES}
    for prefix in (
        "tariff_01",
        "tariff_02",
        "tariff_03",
        "tariff_04a",
        "tariff_04b",
        "tariff_05",
        "tariff_06a",
        "tariff_06b",
        "tariff_06c",
        "tariff_07",
        "tariff_08",
        "tariff_09",
        "tariff_10",
        "tariff_12a",
        "tariff_12b",
        "tariff_13",
        "tariff_14a",
        "tariff_14b",
        "tariff_14c",
        "tariff_15",
        "tariff_16",
        "tariff_17a",
        "tariff_17b",
        "tariff_18a",
        "tariff_18b",
        "step_size_note_115_wh_step_1",
        "step_size_note_115_wh_step_25",
        "step_size_note_115_wh_step_500",
        "restriction_max_power",
        "restriction_max_duration",
        "cdr_example",
        "cdrs_step_energy_total",
        "cdrs_step_time_total",
        "cdrs_step_charging_then_parking_5min",
        "cdrs_step_charging_then_parking_10min",
    ):
        assert any(s.startswith(prefix) for s in stems), f"no fixture for {prefix}"


@pytest.mark.parametrize("path", FIXTURES, ids=fixture_id)
def test_fixture_is_well_formed(path: Path) -> None:
    fx = load(path)
    assert fx["name"]
    assert fx["spec_text"]
    assert fx["expected"], "a fixture must expect something"
    assert "\n" not in fx["spec_text"], "spec_text is a one-line quote"
    # Our own data, not the spec's: every id is ours.
    tariffs = [fx["tariff"]] if fx["tariff"] is not None else fx["cdr"]["tariffs"]
    for tariff in tariffs:
        assert tariff["id"].startswith("SPEC-")
        assert (tariff["country_code"], tariff["party_id"]) == ("NL", "KIO")
    assert fx["cdr"]["id"].startswith("CDR-SPEC-")
    assert fx["cdr"]["cdr_location"]["id"].startswith("KIO-")
    for period in fx["cdr"]["charging_periods"]:
        assert period["tariff_id"] in {t["id"] for t in tariffs}


@pytest.mark.parametrize("path", FIXTURES, ids=fixture_id)
def test_spec_example(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fx = load(path)
    rc, out = price_fixture(fx, tmp_path, capsys)
    assert rc == fx.get("exit_code", 0), f"{fx['name']}: exit {rc}, output {out}"
    check_expected(out, fx["expected"])


@pytest.mark.parametrize(
    "path", [p for p in FIXTURES if load(p).get("exit_code", 0) == 0], ids=fixture_id
)
def test_output_shape(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """All nine fields; money as 2-decimal strings (incl_vat never null); volumes as numbers."""
    fx = load(path)
    rc, out = price_fixture(fx, tmp_path, capsys)
    assert rc == 0
    assert set(out) >= set(MONEY_FIELDS) | set(VOLUME_FIELDS), out
    for key in MONEY_FIELDS:
        value = out[key]
        assert set(value) == {"excl_vat", "incl_vat"}, (key, value)
        for amount in (value["excl_vat"], value["incl_vat"]):
            assert isinstance(amount, str), (key, value)
            assert Decimal(amount).as_tuple().exponent == -2, (key, value)
    for key in VOLUME_FIELDS:
        assert isinstance(out[key], str), (key, out[key])
        exponent = Decimal(out[key]).as_tuple().exponent
        assert isinstance(exponent, int), (key, out[key])
        assert exponent >= -4, (key, out[key])


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in FIXTURES
        if load(p).get("exit_code", 0) == 0
        and load(p)["tariff"] is not None
        and "min_price" not in load(p)["tariff"]
        and "max_price" not in load(p)["tariff"]
    ],
    ids=fixture_id,
)
def test_total_is_sum_of_components(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without min/max price the total is the sum of the parts, up to the rounding of the parts.

    Each figure is rounded once from exact values, so the rounded parts may differ from the
    rounded total by at most half a cent each (plus half a cent for the total).
    """
    fx = load(path)
    rc, out = price_fixture(fx, tmp_path, capsys)
    assert rc == 0
    tolerance = Decimal("0.005") * (len(COMPONENT_FIELDS) + 1)
    for side in ("excl_vat", "incl_vat"):
        parts = sum(Decimal(out[k][side]) for k in COMPONENT_FIELDS)
        assert abs(parts - Decimal(out["total_cost"][side])) <= tolerance, (side, out)


@pytest.mark.parametrize("path", FIXTURES, ids=fixture_id)
def test_cdr_totals_are_ignored(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fixtures' CDRs carry plausible totals; nonsense totals must not change the output."""
    fx = load(path)
    _, reference = price_fixture(fx, tmp_path, capsys)
    scrambled = dict(fx, cdr=dict(fx["cdr"]))
    for key in MONEY_FIELDS:
        scrambled["cdr"][key] = {"excl_vat": 987.65, "incl_vat": 999.99}
    for key in VOLUME_FIELDS:
        scrambled["cdr"][key] = 123.456
    work = tmp_path / "scrambled"
    work.mkdir()
    assert price_fixture(scrambled, work, capsys) == (fx.get("exit_code", 0), reference)


def test_complex_monday_total_is_rounded_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Spec: 10.30 incl. VAT. Exactly 2.875 + 3.30 + 4.125 = 10.300; the parts round to 10.31."""
    fx = load(SPEC_DIR / "tariff_04a_complex_monday.json")
    rc, out = price_fixture(fx, tmp_path, capsys)
    assert rc == 0
    assert out["total_cost"]["incl_vat"] == "10.30"
    rounded_parts = sum(Decimal(out[k]["incl_vat"]) for k in COMPONENT_FIELDS)
    assert rounded_parts == Decimal("10.31")


# The step_size note's three cases differ by fractions of a cent (0.029 / 0.03125 / 0.125),
# which the cent rounding partly hides. The same volumes at 1000 x the price show the
# billed Wh exactly: 116 Wh, 125 Wh and 500 Wh.
@pytest.mark.parametrize(
    ("step_size", "expected"),
    [(1, "29.00"), (25, "31.25"), (500, "125.00")],
    ids=["step_1", "step_25", "step_500"],
)
def test_step_size_note_scaled_to_show_billed_wh(
    step_size: int, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fx = load(SPEC_DIR / f"step_size_note_115_wh_step_{step_size}.json")
    fx["tariff"]["elements"][0]["price_components"][0]["price"] = 250.00
    rc, out = price_fixture(fx, tmp_path, capsys)
    assert rc == 0
    assert out["total_energy_cost"] == {"excl_vat": expected, "incl_vat": expected}  # no VAT


DEVIATIONS = ("spec_error", "spec_withdrawn", "spec_note")


def test_spec_errors_are_documented() -> None:
    """Every fixture that deviates from a printed spec number says so and is listed."""
    listing = (SPEC_DIR / "SPEC_ERRORS.md").read_text(encoding="utf-8")
    flagged = [p for p in FIXTURES if any(k in load(p) for k in DEVIATIONS)]
    assert flagged, "the known deviations must be flagged in their fixtures"
    for path in flagged:
        fx = load(path)
        if "spec_error" in fx:
            assert fx["spec_error"].startswith("SPEC ERROR:")
        assert path.name in listing, f"{path.name} is not listed in SPEC_ERRORS.md"
    for line in listing.splitlines():
        for name in (p.name for p in FIXTURES if p.name in line):
            assert path_flagged(name), f"SPEC_ERRORS.md lists {name}, whose fixture is not flagged"


def path_flagged(name: str) -> bool:
    return any(k in load(SPEC_DIR / name) for k in DEVIATIONS)


@pytest.mark.parametrize("path", [p for p in FIXTURES if "spec_printed" in load(p)], ids=fixture_id)
def test_printed_figures(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What the spec prints is what we charge, unless the fixture proves the print wrong.

    A printed null incl_vat means the spec gives no incl. figure (no VAT in the example).
    """
    fx = load(path)
    rc, out = price_fixture(fx, tmp_path, capsys)
    assert rc == 0
    differing = []
    for key, printed in fx["spec_printed"].items():
        for side, value in printed.items():
            if value is not None and Decimal(value) != Decimal(out[key][side]):
                differing.append(f"{key}.{side}: printed {value}, charged {out[key][side]}")
    if any(k in fx for k in ("spec_error", "spec_withdrawn")):
        assert differing, f"{path.name} is flagged but prices as printed"
    else:
        assert not differing, "; ".join(differing)


# --------------------------------------------------------------------------- batch mode


def test_batch_matches_single_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """All fixtures as one JSONL batch, with bad lines in the middle that do not stop the rest."""
    fixtures = [load(p) for p in FIXTURES]
    singles = []
    for i, fx in enumerate(fixtures):
        work = tmp_path / f"single-{i}"
        work.mkdir()
        singles.append(price_fixture(fx, work, capsys)[1])

    lines = [
        json.dumps({"tariff": fx["tariff"], "cdr": fx["cdr"], "tz": fx["tz"]}) for fx in fixtures
    ]
    middle = len(lines) // 2
    bad_lines = {
        middle: "this is {not json",
        middle + 1: json.dumps({"tariff": None, "cdr": {"id": "CDR-BROKEN"}, "tz": "Nowhere/None"}),
    }
    for index in sorted(bad_lines):
        lines.insert(index, bad_lines[index])
    batch_in = tmp_path / "in.jsonl"
    batch_out = tmp_path / "out.jsonl"
    batch_in.write_text("\n".join(lines) + "\n", encoding="utf-8")

    capsys.readouterr()
    # The contract fixes the output lines, not the batch's exit code (some lines failed).
    with contextlib.suppress(SystemExit):
        main(["tariff", "price", "--batch", str(batch_in), "--out", str(batch_out)])
    capsys.readouterr()
    results = [json.loads(line) for line in batch_out.read_text(encoding="utf-8").splitlines()]

    assert len(results) == len(lines)
    for index in sorted(bad_lines):
        bad = results[index]
        assert set(bad) == {"error", "warnings"}, bad
        assert isinstance(bad["error"], str)
        assert bad["error"]
    good = [r for i, r in enumerate(results) if i not in bad_lines]
    for fx, single, batch in zip(fixtures, singles, good, strict=True):
        assert batch == single, fx["name"]
