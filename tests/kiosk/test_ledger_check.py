"""`kiosk db check` on hostile storage: read-only, total, and `ok` only when all holds.

Every case runs on a copy of one real ledger made by `kiosk simulate --sessions 20`:
a 0-byte, missing, foreign or bit-flipped file, damaged values, amounts that disagree,
unresolved discrepancies, an audit entry edited and re-hashed without the station key,
and a ledger on a read-only medium (with and without its WAL and WAL index).
Exit codes: 0 ok, 1 findings, 2 cannot check (one line).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.cli import main
from kiosk.station_keys import load_station_keys
from kiosk.store import open_database
from tests.kiosk.store.test_audit_keyed import rehash_plain

ROOT = Path(__file__).resolve().parents[2]
SESSIONS = 20


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("real") / "run.sqlite"
    assert main(["simulate", "--sessions", str(SESSIONS), "--seed", "11", "--db", str(db)]) == 0
    assert db.with_suffix(".key").exists()
    return db


def _copy(ledger: Path, folder: Path, *, key: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / ledger.name
    shutil.copyfile(ledger, db)
    if key:
        shutil.copyfile(ledger.with_suffix(".key"), db.with_suffix(".key"))
    return db


def _check(capsys: pytest.CaptureFixture[str], db: Path, *extra: str) -> tuple[int, str]:
    code = main(["db", "check", "--db", str(db), *extra])
    return code, capsys.readouterr().out


def _json(capsys: pytest.CaptureFixture[str], db: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    code, out = _check(capsys, db, "--json", *extra)
    return code, json.loads(out)


def _state(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every entry of `folder` with its bytes and mtime: what "nothing written" means."""
    return {
        p.name: (b"<folder>" if p.is_dir() else p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def _sql(db: Path, *statements: str, params: tuple[object, ...] = ()) -> None:
    raw = sqlite3.connect(db)
    try:
        for sql in statements:
            raw.execute(sql, params) if "?" in sql else raw.execute(sql)
        raw.commit()
    finally:
        raw.close()


def _one(db: Path, sql: str) -> Any:
    raw = sqlite3.connect(db)
    try:
        row = raw.execute(sql).fetchone()
        return None if row is None else row[0]
    finally:
        raw.close()


# ------------------------------------------------------------------ ok, and nothing written


def test_a_real_ledger_is_ok_and_checking_writes_nothing(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _copy(ledger, tmp_path / "copy")
    before = _state(db.parent)
    code, out = _check(capsys, db)
    assert code == 0, out
    assert out.splitlines()[-1] == "ledger check: ok"
    assert f"sessions: {SESSIONS} " in out
    assert "(verified with the station key" in out
    code, report = _json(capsys, db)
    assert code == 0
    assert report["ok"] is True
    assert report["checked"] is True
    assert report["findings"] == [] == report["problems"]
    assert report["audit"]["keyed_verified"] is True
    assert report["audit"]["keyed"] == report["audit"]["entries"] > 0
    assert report["counts"]["discrepancies_unresolved"] == 0
    assert _state(db.parent) == before  # same files, same bytes, same mtimes: no -wal/-shm


def test_a_missing_ledger_is_exit_2_and_is_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "nowhere" / "kiosk.sqlite"
    code, out = _check(capsys, db)
    assert code == 2
    assert out == f"cannot check: no database at {db}\n"
    assert not db.parent.exists()
    code, report = _json(capsys, db)
    assert code == 2
    assert report == {"ok": False, "checked": False, "error": f"no database at {db}"}


def test_an_empty_ledger_is_exit_2_and_stays_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "kiosk.sqlite"
    db.write_bytes(b"")
    before = _state(tmp_path)
    code, out = _check(capsys, db)
    assert code == 2
    assert len(out.splitlines()) == 1
    assert out.startswith(f"cannot check: {db} is empty (0 bytes): not a ledger")
    assert _state(tmp_path) == before  # still 0 bytes; no fresh ledger made in it


@pytest.mark.parametrize("kind", ["png", "other-sqlite", "folder", "text"])
def test_a_foreign_file_is_exit_2_with_one_line(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "kiosk.sqlite"
    if kind == "png":
        db.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(300))
        reason = "not an SQLite database file"
    elif kind == "other-sqlite":
        _sql(db, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        reason = "an SQLite database but not a kiosk ledger"
    elif kind == "folder":
        db.mkdir()
        reason = "is a folder, not a ledger"
    else:
        db.write_text("sessions,payments\n1,2\n")
        reason = "not an SQLite database file"
    before = _state(tmp_path)
    code, out = _check(capsys, db)
    assert code == 2
    assert len(out.splitlines()) == 1
    assert reason in out
    assert _state(tmp_path) == before


# ------------------------------------------------------------------ damage


# What money and its record consist of: a flip that changes any of it must not pass.
# (SQLite keeps no checksums: a bit in free space, or in a text nothing else repeats,
# such as an unused element of a session's frozen tariff, changes no money and can pass.)
_MONEY: dict[str, str] = {
    "payments": "id, session_id, method, currency, state, authorized, captured, provider_ref",
    "payment_operations": "id, payment_id, seq, kind, amount, state, provider_amount, provider_ref",
    "sessions": "id, state, payment_id, plugged_at, ended_at, total_cost_excl_vat,"
    " total_cost_incl_vat, total_energy_kwh, total_charging_s, total_parking_s, total_idle_s",
    "audit_log": "*",
    "discrepancies": "*",
}


def _money(db: Path) -> dict[str, list[Any]]:
    """The money facts of a ledger, as stored (bytes)."""
    raw = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        raw.text_factory = bytes
        return {
            table: sorted(raw.execute(f"SELECT {columns} FROM {table}").fetchall(), key=repr)
            for table, columns in _MONEY.items()
        }
    finally:
        raw.close()


def test_bit_flips_in_several_pages_are_named_or_refused_never_a_traceback(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = _money(ledger)
    pages = ledger.stat().st_size // 4096
    seen: dict[int, int] = {}
    for seed in range(40):
        rng = random.Random(seed)
        db = _copy(ledger, tmp_path / f"flip{seed}")
        data = bytearray(db.read_bytes())
        for _ in range(rng.randint(2, 6)):  # several pages, some bits in each
            page = rng.randrange(0 if seed % 8 == 0 else 1, pages)
            for _ in range(rng.randint(1, 8)):
                data[page * 4096 + rng.randrange(4096)] ^= 1 << rng.randrange(8)
        db.write_bytes(bytes(data))
        code, out = _check(capsys, db)  # an exception would fail the test here
        seen[code] = seen.get(code, 0) + 1
        lines = out.splitlines()
        if code == 2:
            assert len(lines) == 1, out
            assert lines[0].startswith("cannot check: ")
        elif code == 1:
            assert any(line.startswith("LEDGER CHECK FAILED") for line in lines), out
            assert "ledger check: ok" not in out
        else:
            assert code == 0, out
            # Passing is right only when no money fact changed.
            with contextlib.suppress(sqlite3.DatabaseError):
                assert _money(db) == original, f"seed {seed}: damaged money passed\n{out}"
        shutil.rmtree(db.parent)
    assert seen.get(1, 0) + seen.get(2, 0) > 0, seen


def test_a_damaged_ledger_in_a_subprocess_prints_no_traceback(ledger: Path, tmp_path: Path) -> None:
    db = _copy(ledger, tmp_path)
    data = bytearray(db.read_bytes())
    for page in range(1, ledger.stat().st_size // 4096, 3):
        data[page * 4096 + 100] ^= 0xFF
    db.write_bytes(bytes(data))
    run = subprocess.run(
        [sys.executable, "-m", "kiosk", "db", "check", "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert run.returncode in (1, 2), run.stdout
    assert run.stderr == ""
    assert "Traceback" not in run.stdout


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("payments", "captured", "'x.yz'"),
        ("payments", "state", "'maybe'"),
        ("sessions", "created_at", "'yesterday'"),
        ("sessions", "periods_json", "'[{\"start\": 7'"),
        ("sessions", "tariff_id", "CAST(x'c328ff' AS TEXT)"),  # invalid UTF-8
        ("sessions", "version", "x'0001'"),  # a blob in an integer column
        ("payment_operations", "amount", "'NaN?'"),
        ("outbox", "payload", "'{not json'"),
    ],
)
def test_a_value_that_does_not_decode_is_a_finding_naming_table_row_and_column(
    ledger: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    table: str,
    column: str,
    value: str,
) -> None:
    db = _copy(ledger, tmp_path)
    key = "id"
    row = str(_one(db, f"SELECT {key} FROM {table} ORDER BY rowid LIMIT 1 OFFSET 3"))
    _sql(db, f"UPDATE {table} SET {column} = {value} WHERE {key} = ?", params=(row,))
    code, report = _json(capsys, db)
    assert code == 1
    assert report["ok"] is False
    named = [
        f
        for f in report["findings"]
        if f["check"] == "decode" and f.get("table") == table and f.get("column") == column
    ]
    assert named, report["findings"]
    assert named[0]["row"] == row
    code, out = _check(capsys, db)
    assert code == 1
    assert f"{table} row {row}: column {column}:" in out


def test_a_capture_operation_that_disagrees_with_the_payment_is_found(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _copy(ledger, tmp_path)
    payment = _one(db, "SELECT id FROM payments WHERE state = 'captured' LIMIT 1")
    _sql(
        db,
        "UPDATE payment_operations SET amount = '0.01', provider_amount = NULL"
        " WHERE payment_id = ? AND kind = 'capture'",
        params=(payment,),
    )
    code, report = _json(capsys, db)
    assert code == 1
    texts = [f["text"] for f in report["findings"] if f["check"] == "operation"]
    assert any(payment in t and "but its capture operation" in t and "0.01" in t for t in texts)


def test_the_audit_log_must_agree_with_the_payments_it_describes(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _copy(ledger, tmp_path)
    payment = _one(db, "SELECT id FROM payments WHERE state = 'captured' LIMIT 1")
    captured = _one(db, f"SELECT captured FROM payments WHERE id = '{payment}'")
    # The payment, its capture and the session's totals changed together, consistently:
    # only the audit log (and the outbox) still say what was really captured.
    _sql(
        db,
        "UPDATE payments SET captured = '0.50' WHERE id = ?",
        "UPDATE payment_operations SET amount = '0.50', provider_amount = NULL"
        " WHERE payment_id = ? AND kind = 'capture'",
        params=(payment,),
    )
    code, report = _json(capsys, db)
    assert code == 1
    audit = [f["text"] for f in report["findings"] if f["check"] == "audit"]
    assert any(
        f"payment.captured of {captured} for payment {payment}, which captured 0.50" in t
        for t in audit
    ), report["findings"]
    outbox = [f["text"] for f in report["findings"] if f["check"] == "outbox"]
    assert any(payment in t and "captured is" in t for t in outbox)


def test_an_audit_entry_for_a_payment_in_another_state_is_found(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _copy(ledger, tmp_path)
    payment = _one(db, "SELECT id FROM payments WHERE state = 'captured' LIMIT 1")
    _sql(db, "UPDATE payments SET state = 'voided', captured = '0' WHERE id = ?", params=(payment,))
    code, report = _json(capsys, db)
    assert code == 1
    assert any(
        f["check"] == "audit"
        and f"payment.captured of payment {payment}, which is voided" in f["text"]
        for f in report["findings"]
    ), report["findings"]


# ------------------------------------------------------------------ discrepancies


def _discrepancy(db: Path, payment: str, *, resolved: bool) -> str:
    ident = str(uuid.uuid4())
    _sql(
        db,
        "INSERT INTO discrepancies (id, detected_at, kind, payment_id, session_id,"
        " idempotency_key, expected, actual, action, resolved_at, resolution)"
        " VALUES (?, '2026-03-02T10:00:00.000000Z', 'AMOUNT_MISMATCH', ?, NULL,"
        " 'k', '{\"amount\": \"0.75\"}', '{\"amount\": \"9.32\"}', 'recorded', ?, ?)",
        params=(
            ident,
            payment,
            "2026-03-02T11:00:00.000000Z" if resolved else None,
            "refunded" if resolved else None,
        ),
    )
    return ident


def test_unresolved_discrepancies_are_findings_resolved_ones_are_not(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _copy(ledger, tmp_path)
    payment = str(_one(db, "SELECT id FROM payments LIMIT 1"))
    _discrepancy(db, payment, resolved=True)
    code, report = _json(capsys, db)
    assert code == 0, report["findings"]
    open_one = _discrepancy(db, payment, resolved=False)
    code, out = _check(capsys, db)
    assert code == 1
    assert f"discrepancy {open_one}: AMOUNT_MISMATCH on payment {payment}" in out
    assert "unresolved discrepancies: 1" in out
    code, report = _json(capsys, db)
    found = [f for f in report["findings"] if f["check"] == "discrepancy"]
    assert [f["row"] for f in found] == [open_one]


def test_a_ledger_without_the_discrepancies_table_skips_that_check(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _copy(ledger, tmp_path)
    _sql(db, "DROP TABLE discrepancies")
    code, report = _json(capsys, db)
    assert code == 0, report["findings"]
    assert "discrepancies_unresolved" not in report["counts"]


# ------------------------------------------------------------------ the keyed audit chain


def test_an_edited_audit_entry_rehashed_with_sha256(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found with the key (default beside the ledger, or --key); without it: not verified."""
    db = _copy(ledger, tmp_path / "with")
    # An entry nothing else repeats (a connector started), so only the chain can tell.
    seq = int(_one(db, "SELECT min(seq) FROM audit_log WHERE action = 'session.start'"))
    rehash_plain(db, seq, {"connector": "3"}, keep_mark=True)
    code, out = _check(capsys, db)
    assert code == 1
    assert f"entry {seq}: contents do not match its keyed hash" in out
    elsewhere = tmp_path / "keys" / "station.key"
    elsewhere.parent.mkdir()
    db.with_suffix(".key").rename(elsewhere)
    code, out = _check(capsys, db, "--key", str(elsewhere))
    assert code == 1
    assert f"entry {seq}: contents do not match its keyed hash" in out
    # Without the key the links hold: reported as not verified, which is not a finding.
    code, out = _check(capsys, db)
    assert code == 0, out
    assert "not verified: the audit chain's" in out
    assert "keyed entries were checked for links and order only: no station key at" in out
    assert out.splitlines()[-1] == "ledger check: ok, except what is listed as not verified"
    code, report = _json(capsys, db)
    assert code == 0
    assert report["ok"] is True
    assert report["audit"]["keyed_verified"] is False
    assert report["unverified"]
    # --key given but absent: cannot check what was asked for.
    code, out = _check(capsys, db, "--key", str(tmp_path / "missing.key"))
    assert code == 2
    assert out == f"cannot check: no station key at {tmp_path / 'missing.key'}\n"


def test_removing_the_keyed_mark_to_rehash_is_found_even_without_the_key(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _copy(ledger, tmp_path, key=False)
    seq = int(_one(db, "SELECT min(seq) FROM audit_log WHERE action = 'session.start'"))
    rehash_plain(db, seq, {"connector": "3"}, keep_mark=False)
    code, out = _check(capsys, db)
    assert code == 1
    assert "not keyed although the chain is keyed from entry 1 on" in out


# ------------------------------------------------------------------ read-only medium


def _ro_runner(folder: Path) -> list[str] | None:
    """A command prefix that runs its command with `folder` mounted read-only, or None.

    As root: a private mount namespace (`unshare -rm`) with a read-only bind mount of
    the folder. Otherwise the folder and its files lose their write bits (enough for a
    user without CAP_DAC_OVERRIDE).
    """
    if os.geteuid() != 0:
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    script = (
        'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" || exit 97;'
        ' if touch "$0/.probe" 2>/dev/null; then exit 98; fi; exec "$@"'
    )
    probe = subprocess.run(
        [unshare, "-rm", "sh", "-c", script, str(folder), "true"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        return None
    return [unshare, "-rm", "sh", "-c", script, str(folder)]


@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[list[str]]:
    prefix = _ro_runner(folder)
    if prefix is None:
        pytest.skip("no way to mount a read-only folder here (no unshare/mount namespaces)")
    modes = {p: p.stat().st_mode for p in [folder, *folder.iterdir()]}
    if not prefix:
        for p, mode in modes.items():
            p.chmod(stat.S_IMODE(mode) & ~0o222)
    try:
        yield prefix
    finally:
        for p, mode in modes.items():
            p.chmod(stat.S_IMODE(mode))


def _check_read_only(folder: Path, db: Path) -> tuple[int, dict[str, Any], str]:
    with _read_only(folder) as prefix:
        before = _state(folder)
        run = subprocess.run(
            [*prefix, sys.executable, "-m", "kiosk", "db", "check", "--db", str(db), "--json"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=120,
            check=False,
        )
        assert _state(folder) == before
    return run.returncode, json.loads(run.stdout), run.stderr


def _image_with_wal(ledger: Path, folder: Path, *, with_index: bool) -> tuple[Path, int]:
    """A ledger whose newest entries are only in its WAL, as a power cut leaves it."""
    live = _copy(ledger, folder.parent / f"{folder.name}-live")
    keys = load_station_keys(live.with_suffix(".key"), create=False)
    with open_database(live, keys=keys) as writer:
        with writer.unit_of_work() as uow:
            for i in range(3):
                uow.audit.append("attendant:1", "connector.in_service", str(i), {})
            uow.commit()
        with writer.unit_of_work(write=False) as uow:
            entries = uow.audit.head()[0]
        folder.mkdir()
        suffixes = ["", "-wal", "-shm"] if with_index else ["", "-wal"]
        for suffix in suffixes:
            shutil.copyfile(f"{live}{suffix}", folder / f"{live.name}{suffix}")
        shutil.copyfile(live.with_suffix(".key"), folder / live.with_suffix(".key").name)
    return folder / live.name, entries


def test_a_ledger_on_a_read_only_medium_can_be_checked(ledger: Path, tmp_path: Path) -> None:
    db = _copy(ledger, tmp_path / "ro")
    code, report, stderr = _check_read_only(db.parent, db)
    assert code == 0, (report, stderr)
    assert report["ok"] is True
    assert report["counts"]["sessions"] == SESSIONS
    assert report["audit"]["keyed_verified"] is True


@pytest.mark.parametrize("with_index", [False, True], ids=["wal-only", "wal-and-shm"])
def test_a_crash_image_on_a_read_only_medium_is_checked_with_its_wal(
    ledger: Path, tmp_path: Path, with_index: bool
) -> None:
    db, entries = _image_with_wal(ledger, tmp_path / "image", with_index=with_index)
    code, report, stderr = _check_read_only(db.parent, db)
    assert code == 0, (report, stderr)
    assert report["audit"]["entries"] == entries  # the WAL's entries were read
    assert report["unverified"] == []
    if not with_index:
        assert any("private copy" in n for n in report["notes"])


def test_another_stations_key_is_one_finding_not_one_per_entry(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _copy(ledger, tmp_path, key=False)
    other = tmp_path / "other.key"
    other.write_bytes(b"x" * 32)
    code, report = _json(capsys, db, "--key", str(other))
    assert code == 1
    assert [f["text"] for f in report["findings"]] == [
        "audit log: no keyed entry (entries 1.."
        f"{report['audit']['entries']}) nor the chain's anchor verifies with the given station"
        " key: it is not the key this ledger was written with"
    ]
    assert report["audit"]["keyed_verified"] is False
