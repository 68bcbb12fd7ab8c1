"""The ledger commands on a real simulated run: simulate, db check, sessions, receipt,
export cdrs (which must reprice to the recorded totals) and the daily report."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.cli import main


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("ledger") / "run.sqlite"
    assert main(["simulate", "--sessions", "25", "--seed", "3", "--db", str(db)]) == 0
    return db


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def test_simulate_reports_and_checks(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, "db", "check", "--db", str(ledger), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["ok"] is True
    assert result["integrity"] == "ok"
    assert result["counts"]["sessions"] == 25
    assert result["counts"]["payments"] == 25
    assert result["problems"] == []


def test_exported_cdrs_reprice_to_their_recorded_totals(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cdrs, repriced = tmp_path / "cdrs.jsonl", tmp_path / "repriced.jsonl"
    assert _run(capsys, "export", "cdrs", "--db", str(ledger), "--out", str(cdrs))[0] == 0
    assert _run(capsys, "tariff", "price", "--batch", str(cdrs), "--out", str(repriced))[0] == 0
    exported = [json.loads(line, parse_float=Decimal) for line in cdrs.read_text().splitlines()]
    results = [json.loads(line) for line in repriced.read_text().splitlines()]
    assert len(exported) == len(results) > 10
    for item, result in zip(exported, results, strict=True):
        cdr = item["cdr"]
        assert item["tariff"] is None
        for key in ("total_cost", "total_energy_cost", "total_time_cost", "total_parking_cost"):
            assert Decimal(result[key]["excl_vat"]) == cdr[key]["excl_vat"], key
            assert Decimal(result[key]["incl_vat"]) == cdr[key]["incl_vat"], key


def test_sessions_list_show_and_receipt(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(capsys, "sessions", "list", "--db", str(ledger), "--state", "completed")
    assert code == 0
    head, *rows = out.splitlines()
    assert head.split()[:2] == ["SESSION", "CREATED"]
    assert {row.split()[3] for row in rows} <= {"A", "B", "DC"}  # labels, as on the screen
    first = rows[0].split()[0]
    code, out = _run(capsys, "sessions", "show", "--db", str(ledger), first)
    assert code == 0
    assert "captured" in out
    assert "idempotency" not in out or "key=" in out
    pdf = tmp_path / "r.pdf"
    code, out = _run(
        capsys, "receipt", "--db", str(ledger), first, "--pdf", str(pdf), "--lang", "fr"
    )
    assert code == 0
    assert "TOTAL" in out.upper()
    assert pdf.read_bytes().startswith(b"%PDF")
    number = next(x.split()[-1] for x in out.splitlines() if x.startswith("Reçu"))
    # the receipt number or the first 8 characters of the id find the same receipt
    for wanted in (number, number.lower(), first[:8]):
        code, again = _run(capsys, "receipt", "--db", str(ledger), wanted)
        assert code == 0, wanted
        assert number in again
    other = number[:-1] + ("1" if number.endswith("0") else "0")
    assert _run(capsys, "receipt", "--db", str(ledger), other)[0] == 2


def test_unknown_things_are_clear_errors(
    ledger: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert _run(capsys, "sessions", "show", "--db", str(ledger), "nope")[0] == 2
    assert _run(capsys, "receipt", "--db", str(ledger), "nope")[0] == 2
    code, out = _run(capsys, "db", "check", "--db", str(tmp_path / "missing.sqlite"))
    assert code == 2
    assert "no database" in out
    assert _run(capsys, "sessions", "list", "--db", str(ledger), "--state", "bogus")[0] == 2
    assert _run(capsys, "report", "daily", "--db", str(ledger), "--date", "yesterday")[0] == 2


def test_daily_report(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(
        capsys, "report", "daily", "--db", str(ledger), "--date", "2026-03-02", "--json"
    )
    assert code == 0
    report = json.loads(out)
    assert sum(report["sessions"].values()) > 0
    revenue = Decimal(report["revenue"])
    by_method = sum(Decimal(v) for v in report["revenue_by_method"].values())
    assert revenue == by_method
    vat_gross = sum(Decimal(v["net"]) + Decimal(v["vat"]) for v in report["vat"].values())
    assert abs(vat_gross - revenue) <= Decimal("0.05")  # shortfalls aside, VAT covers revenue


def test_db_check_catches_a_tampered_capture(
    ledger: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    copy = tmp_path / "copy.sqlite"
    src = sqlite3.connect(ledger)
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.execute(
        "UPDATE payments SET captured = '999.00' WHERE rowid = "
        "(SELECT min(rowid) FROM payments WHERE state = 'captured')"
    )
    dst.commit()
    dst.close()
    code, out = _run(capsys, "db", "check", "--db", str(copy), "--json")
    assert code == 1
    problems = json.loads(out)["problems"]
    assert any("captured 999.00 > authorized" in p for p in problems)


def test_simulate_resumes_to_the_requested_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "resume.sqlite"
    assert main(["simulate", "--sessions", "4", "--seed", "9", "--db", str(db)]) == 0
    assert main(["simulate", "--sessions", "8", "--seed", "9", "--db", str(db)]) == 0
    capsys.readouterr()
    code, out = _run(capsys, "db", "check", "--db", str(db), "--json")
    assert code == 0
    assert json.loads(out)["counts"]["sessions"] == 8


def test_one_default_ledger_and_the_latest_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """simulate, sessions, receipt, report and export share ./kiosk.sqlite; a missing
    ledger names --db; `report daily` without a date takes the latest day with sessions."""
    monkeypatch.chdir(tmp_path)
    assert main(["sessions", "list"]) == 2
    said = capsys.readouterr()
    assert f"no database at {tmp_path / 'kiosk.sqlite'}" in said.out + said.err
    assert "--db" in said.out + said.err
    assert _run(capsys, "simulate", "--sessions", "0")[0] == 0
    code, out = _run(capsys, "report", "daily")
    assert code == 0
    assert "no finished sessions" in out
    assert _run(capsys, "simulate", "--sessions", "2", "--seed", "5")[0] == 0
    assert (tmp_path / "kiosk.sqlite").exists()
    code, out = _run(capsys, "sessions", "list")
    assert code == 0
    assert len(out.splitlines()) == 3  # the header and two sessions
    code, out = _run(capsys, "report", "daily", "--json")
    assert code == 0
    assert sum(json.loads(out)["sessions"].values()) == 2
    assert _run(capsys, "export", "cdrs", "--out", str(tmp_path / "c.jsonl"))[0] == 0
