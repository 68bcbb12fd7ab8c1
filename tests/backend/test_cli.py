"""`kiosk backend ...` subcommands through backend.cli.main: output and exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from backend.cli import main
from backend.models import Account, ConnectorTariff, Operator, Station, Token
from tests.backend.conftest import spec_tariff


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_station_operator_token_account_tariff(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'b.sqlite'}"
    code, out, _ = run("station", "add", "DE-KIO-S1", "--name", "Plaza", "--db", db)
    assert code == 0
    station_id, secret = out.split()
    assert station_id == "DE-KIO-S1"
    assert len(secret) == 64
    code, _, err = run("station", "add", "DE-KIO-S1", "--db", db)
    assert (code, err) == (1, "error: station 'DE-KIO-S1' exists\n")

    code, out, _ = run("operator", "add", "ops", "--role", "admin", "--db", db)
    assert code == 0
    assert out.startswith("op_")
    assert run("operator", "add", "x", "--role", "root", "--db", db)[0] == 2

    code, out, _ = run(
        "token", "add", "04a1b2c3d4", "--contract", "DE-KIO-C00001-7", "--group", "member",
        "--whitelist", "ALLOWED_OFFLINE", "--expires", "2027-01-01T00:00:00Z", "--db", db,
    )  # fmt: skip
    assert (code, out) == (0, "04A1B2C3D4 allow-list version 1\n")
    assert run("token", "add", "04FF", "--contract", "C2", "--blocked", "--db", db)[0] == 0
    assert run("token", "add", "zz", "--contract", "C", "--db", db)[0] == 1
    assert run("token", "add", "04", "--contract", "C", "--expires", "soon", "--db", db)[0] == 2

    password = tmp_path / "pw"
    password.write_text("correct horse battery\n")
    code, out, _ = run(
        "account", "add", "Ada@Example.com", "--password-file", str(password),
        "--contract", "DE-KIO-C00001-7", "--group", "member", "--db", db,
    )  # fmt: skip
    assert code == 0
    assert out.startswith("acc_")
    again = ("account", "add", "ada@example.com", "--password-file", str(password))
    assert run(*again, "--contract", "X", "--db", db)[0] == 1

    tariff_file = tmp_path / "tariffs.json"
    tariff_file.write_text(json.dumps([spec_tariff()], default=float))
    code, out, _ = run("tariff", "set", "DE-KIO-S1", "1", str(tariff_file), "--db", db)
    assert (code, out) == (0, "DE-KIO-S1 connector 1: tariff version 1\n")
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "X"}]')
    code, _, err = run("tariff", "set", "DE-KIO-S1", "1", str(bad), "--db", db)
    assert code == 1
    assert "country_code" in err
    assert run("tariff", "set", "NOPE", "1", str(tariff_file), "--db", db)[0] == 1

    engine = create_engine(db)
    with Session(engine) as s:
        station = s.get(Station, "DE-KIO-S1")
        assert station is not None
        assert (station.name, station.secret, station.tariff_version) == ("Plaza", secret, 1)
        operator = s.get(Operator, "ops")
        assert operator is not None
        assert operator.role == "admin"
        assert len(operator.token_sha256) == 64
        token = s.get(Token, "04A1B2C3D4")
        assert token is not None
        account = s.scalars(select(Account)).one()
        assert account.email == "ada@example.com"
        assert account.password_hash.startswith("scrypt$")
        assert "correct horse" not in account.password_hash
        assert token.account_id == account.id  # linked when the account came
        blocked = s.get(Token, "04FF")
        assert blocked is not None
        assert blocked.valid is False
        assert [c.tariff_id for c in s.scalars(select(ConnectorTariff))] == ["SPEC-8"]
    engine.dispose()


def test_usage_errors_exit_2() -> None:
    assert run()[0] == 2
    assert run("nonsense")[0] == 2
    assert run("station", "add")[0] == 2


def test_default_database_in_the_data_dir(tmp_path: Path, monkeypatch: object) -> None:
    import pytest

    mp: pytest.MonkeyPatch = monkeypatch  # type: ignore[assignment]
    mp.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    assert run("station", "add", "S1")[0] == 0
    assert (tmp_path / "data" / "backend.sqlite").is_file()
    assert run("station", "add", "S2", "--data-dir", str(tmp_path / "other"))[0] == 0
    assert (tmp_path / "other" / "backend.sqlite").is_file()


def test_openapi_is_the_committed_document() -> None:
    code, out, _ = run("openapi")
    assert code == 0
    doc = json.loads(out)
    assert "/v1/events" in doc["paths"]
    committed = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
    assert out == committed.read_text(encoding="utf-8"), (
        "docs/openapi.json is stale: regenerate it with `kiosk backend openapi`"
    )


def test_a_damaged_database_is_refused_in_one_line_by_every_command(tmp_path: Path) -> None:
    damaged = tmp_path / "b.sqlite"
    damaged.write_bytes(b"not a database at all, " * 400)
    before = damaged.read_bytes()
    for argv in (
        ("station", "add", "DE-KIO-S9"),
        ("operator", "add", "ops", "--role", "viewer"),
        ("station", "connectors", "DE-KIO-S9"),
    ):
        code, out, err = run(*argv, "--db", f"sqlite:///{damaged}")
        assert code == 1, argv
        assert out == ""
        assert err.count("\n") == 1, err  # one line, no traceback
        assert err.startswith("error: database ")
        assert "damaged" in err
    assert damaged.read_bytes() == before  # left as it was, for the operator to restore
