"""`kiosk tariff check` / `kiosk tariff price`: warnings in the output, exit codes, no tracebacks.

docs/tariffs.md §1: every result (`--json`, and each `--batch` line) carries a
`warnings` list, possibly empty: the tariff's first (paths `tariff.…`, or
`cdr.tariffs[i].…` for tariffs embedded in the CDR), then the CDR's (`cdr.…`).
"""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kiosk import tariff_commands
from kiosk.cli import main
from kiosk.domain.periods import MAX_LINE_BYTES

TZ = "Europe/Berlin"
TARIFF: dict[str, Any] = {
    "country_code": "DE",
    "party_id": "KIO",
    "id": "T1",
    "currency": "EUR",
    "last_updated": "2026-01-01T00:00:00Z",
    "elements": [
        {"price_components": [{"type": "ENERGY", "price": 0.30, "vat": 19, "step_size": 1}]}
    ],
}
CDR: dict[str, Any] = {
    "start_date_time": "2026-03-02T10:00:00Z",
    "end_date_time": "2026-03-02T11:00:00Z",
    "currency": "EUR",
    "charging_periods": [
        {
            "start_date_time": "2026-03-02T10:00:00Z",
            "dimensions": [{"type": "ENERGY", "volume": 10}, {"type": "TIME", "volume": 1}],
        }
    ],
}
ODD_TARIFF: dict[str, Any] = {  # every tolerated oddity of a tariff at once
    "id": "ODD",
    "currency": "EUR",
    "elements": [
        {
            "price_components": [{"type": "ENERGY", "price": 0.30, "vat": 19, "step_size": 0}],
            "restrictions": {"start_time": "00:00", "end_time": "00:00", "min_power": -50},
        }
    ],
}
ODD_TARIFF_WARNINGS = [
    {
        "path": "tariff.country_code",
        "message": "missing: fine for pricing, but OCPI exchange and a station's tariff file "
        "need it",
    },
    {
        "path": "tariff.party_id",
        "message": "missing: fine for pricing, but OCPI exchange and a station's tariff file "
        "need it",
    },
    {
        "path": "tariff.last_updated",
        "message": "missing: fine for pricing, but OCPI exchange and a station's tariff file "
        "need it",
    },
    {
        "path": "tariff.elements[0].price_components[0].step_size",
        "message": "step_size 0: no step rounding",
    },
    {
        "path": "tariff.elements[0].restrictions.end_time",
        "message": "start_time equals end_time: the whole day",
    },
]
SKEW_WARNING = {
    "path": "cdr.charging_periods[0].start_date_time",
    "message": "starts 42 s before the session start (clock skew?)",
}


def _skewed_cdr() -> dict[str, Any]:
    cdr = copy.deepcopy(CDR)
    cdr["charging_periods"][0]["start_date_time"] = "2026-03-02T09:59:18Z"
    cdr["charging_periods"][0]["dimensions"].append({"type": "POWER", "volume": -11})
    return cdr


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(list(args))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def _write(tmp_path: Path, name: str, value: Any) -> Path:
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return path


def _price(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tariff: Any, cdr: Any, *extra: str
) -> tuple[int, str]:
    args = ["tariff", "price", "--cdr", str(_write(tmp_path, "c.json", cdr)), "--tz", TZ]
    if tariff is not None:
        args += ["--tariff", str(_write(tmp_path, "t.json", tariff))]
    rc, out, _ = _run(capsys, *args, *extra)
    return rc, out


def _batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes
) -> tuple[int, list[dict[str, Any]], str]:
    source = tmp_path / "in.jsonl"
    source.write_bytes(data)
    target = tmp_path / "out.jsonl"
    rc, _, err = _run(capsys, "tariff", "price", "--batch", str(source), "--out", str(target))
    lines = target.read_text(encoding="utf-8").splitlines()
    return rc, [json.loads(line) for line in lines], err


def _line(tariff: Any, cdr: Any) -> bytes:
    return json.dumps({"tariff": tariff, "cdr": cdr, "tz": TZ}).encode()


# --------------------------------------------------------------------------- warnings


def test_json_result_always_carries_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out = _price(tmp_path, capsys, TARIFF, CDR, "--json")
    assert rc == 0
    result = json.loads(out)
    assert result["warnings"] == []
    assert result["total_cost"] == {"excl_vat": "3.00", "incl_vat": "3.57"}


def test_tariff_warnings_first_then_the_cdr_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out = _price(tmp_path, capsys, ODD_TARIFF, _skewed_cdr(), "--json")
    assert rc == 0, out
    result = json.loads(out)
    assert result["warnings"] == [*ODD_TARIFF_WARNINGS, SKEW_WARNING]
    assert result["total_energy_cost"] == {"excl_vat": "3.00", "incl_vat": "3.57"}


def test_plain_text_prints_each_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out = _price(tmp_path, capsys, ODD_TARIFF, _skewed_cdr())
    assert rc == 0
    warnings = [line for line in out.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        f"warning: {w['path']}: {w['message']}" for w in [*ODD_TARIFF_WARNINGS, SKEW_WARNING]
    ]
    assert out.startswith("tariff ODD (EUR)\n")


def test_embedded_tariffs_are_named_under_cdr_tariffs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cdr = _skewed_cdr() | {"tariffs": [ODD_TARIFF]}
    rc, out = _price(tmp_path, capsys, None, cdr, "--json")
    assert rc == 0, out
    paths = [w["path"] for w in json.loads(out)["warnings"]]
    assert paths[0] == "cdr.tariffs[0].country_code"
    assert paths[-1] == "cdr.charging_periods[0].start_date_time"


def test_batch_lines_carry_their_own_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = b"\n".join(
        [_line(TARIFF, CDR), _line(ODD_TARIFF, _skewed_cdr()), _line(ODD_TARIFF, {"x": 1})]
    )
    rc, results, err = _batch(tmp_path, capsys, data + b"\n")
    assert rc == 0
    assert results[0]["warnings"] == []
    assert results[1]["warnings"] == [*ODD_TARIFF_WARNINGS, SKEW_WARNING]
    assert set(results[2]) == {"error", "warnings"}
    assert err == "priced 2 of 3 CDRs; 1 with errors\n"


def test_errors_keep_the_warnings_found_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out = _price(tmp_path, capsys, ODD_TARIFF | {"currency": "CHF"}, _skewed_cdr(), "--json")
    assert rc == 2
    result = json.loads(out)
    assert result["error"] == "the CDR is in EUR but tariff 'ODD' in CHF"
    assert result["warnings"] == [*ODD_TARIFF_WARNINGS, SKEW_WARNING]


def test_check_accepts_a_tariff_without_identity_with_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = _run(capsys, "tariff", "check", str(_write(tmp_path, "t.json", ODD_TARIFF)))
    assert rc == 0, out
    assert out.startswith("tariff ?/?/ODD: valid, 1 element(s), EUR\n")
    assert "  warning: country_code: missing" in out


# --------------------------------------------------------------------------- exit codes


def test_tariff_check_refuses_a_price_of_1e400(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = json.dumps(TARIFF).replace("0.3", "1e400")
    rc, out, _ = _run(capsys, "tariff", "check", str(_write(tmp_path, "t.json", text)))
    assert rc == 2
    assert "elements[0].price_components[0].price: must be at most 1000000000" in out


def test_a_bug_is_an_internal_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise TypeError("a bug")

    monkeypatch.setattr(tariff_commands, "price_session", broken)
    rc, out = _price(tmp_path, capsys, TARIFF, CDR, "--json")
    assert rc == tariff_commands.EXIT_INTERNAL == 1
    assert json.loads(out) == {"error": "internal error: TypeError: a bug", "warnings": []}

    rc, results, err = _batch(tmp_path, capsys, _line(TARIFF, CDR) + b"\n" + b"{}\n")
    assert rc == 1
    assert results[0]["error"] == "internal error: TypeError: a bug"
    assert results[1]["error"].startswith("invalid input: Object missing required field")
    assert err == ("priced 0 of 2 CDRs; 2 with errors; 1 internal errors (a bug: please report)\n")


def test_check_never_prints_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("a bug")

    monkeypatch.setattr(tariff_commands, "summarize", broken)
    rc, out, _ = _run(capsys, "tariff", "check", str(_write(tmp_path, "t.json", TARIFF)))
    assert (rc, out) == (1, "error: internal error: KeyError: 'a bug'\n")


def test_an_overlong_batch_line_is_one_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long = b'{"cdr": "' + b"x" * (MAX_LINE_BYTES + 10) + b'"}'
    data = _line(TARIFF, CDR) + b"\n" + long + b"\n" + _line(TARIFF, CDR) + b"\n"
    rc, results, _ = _batch(tmp_path, capsys, data)
    assert rc == 0
    assert len(results) == 3
    assert results[1]["error"] == "invalid input: the line is longer than 4 MiB"
    assert results[0] == results[2]
    assert "error" not in results[2]


def test_a_line_of_exactly_the_limit_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _line(TARIFF, CDR)
    padded = line[:-1] + b" " * (MAX_LINE_BYTES - len(line)) + b"}"
    assert len(padded) == MAX_LINE_BYTES
    rc, results, _ = _batch(tmp_path, capsys, padded + b"\n" + padded)
    assert rc == 0
    assert [r["total_cost"]["excl_vat"] for r in results] == ["3.00", "3.00"]


def test_batch_reads_str_lines_too() -> None:
    """The benchmarks feed _batch_results str lines."""
    results = list(tariff_commands._batch_results([_line(TARIFF, CDR).decode()], _cache()))
    assert results[0][1] is True
    assert json.loads(results[0][0])["warnings"] == []


def _cache() -> Any:
    return tariff_commands._PricerCache({})


def test_single_price_output_is_one_line_for_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out = _price(tmp_path, capsys, TARIFF, "[" * 10_000)
    assert rc == 2
    assert out == "error: invalid input: cdr: nested deeper than 64 levels\n"
    rc, out = _price(tmp_path, capsys, "\ufeff" + json.dumps(TARIFF), "\ufeff" + json.dumps(CDR))
    assert rc == 0, out  # a UTF-8 byte order mark is dropped


def test_unknown_time_zone_variants(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for tz in ("America", "../../etc/passwd", "A" * 10_000, "Europe/Berlin\x00"):
        source = io.BytesIO(json.dumps({"tariff": TARIFF, "cdr": CDR, "tz": tz}).encode())
        ((text, ok),) = tariff_commands._batch_results(source, _cache())
        assert ok is False
        assert json.loads(text)["error"].startswith("unknown time zone"), text


def test_check_takes_several_files_and_fails_if_one_is_bad(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = Path(__file__).resolve().parents[2] / "assets" / "tariffs" / "ac_time_of_use.json"
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert main(["tariff", "check", str(good), str(good)]) == 0
    out = capsys.readouterr().out
    assert out.count(f"== {good}") == 2
    assert main(["tariff", "check", str(good), str(bad)]) != 0


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    listed = capsys.readouterr().out
    for command in ("demo", "run", "tariff", "simulate", "receipt", "report", "export"):
        assert f"    {command} " in listed, command


def test_no_traceback_when_the_reader_goes_away() -> None:
    """`kiosk ... | head -1`: far more output than a pipe holds, the reader gone."""
    good = Path(__file__).resolve().parents[2] / "assets" / "tariffs" / "ac_time_of_use.json"
    code = "import sys; from kiosk.cli import main; sys.exit(main(sys.argv[1:]))"
    files = " ".join([str(good)] * 400)
    shell = f"'{sys.executable}' -c '{code}' tariff check {files} | head -1"
    done = subprocess.run(
        ["bash", "-c", shell], check=False, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.startswith("== ")
    assert done.stderr == ""
