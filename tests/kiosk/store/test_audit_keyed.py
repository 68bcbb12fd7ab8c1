"""The keyed audit chain: HMAC-SHA256 under the station key, marked inside each entry.

An attacker with the file but not the key can edit an entry and re-hash the chain with
plain SHA-256; with the key that is found, and removing the entries' keyed mark is found
even without it (the anchor says where keying starts).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.domain.errors import BugError
from kiosk.station_keys import StationKeys
from kiosk.store import Database, open_database
from kiosk.store.repositories import CHAIN_ANCHOR, CHAIN_FIELD, KEYED_SCHEME
from kiosk.store.schema import AUDIT_TRIGGERS
from tests.conftest import ExpectedWarnings

from .conftest import T0

KEYS = StationKeys.from_secret(b"k" * 32)
OTHER = StationKeys.from_secret(b"o" * 32)
KEYED_MISMATCH = (
    "contents do not match its keyed hash (edited, or written with another station key)"
)


@pytest.fixture
def keyed(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "kiosk.db", clock=lambda: T0, keys=KEYS)
    try:
        yield database
    finally:
        database.close()


def _fill(db: Database, n: int = 4, start: int = 0) -> None:
    with db.unit_of_work() as uow:
        for i in range(start, start + n):
            uow.audit.append(
                "station",
                "payment.captured",
                f"payment:{i}",
                {"amount": f"{i}.50"},
                at=T0 + timedelta(seconds=i),
            )
        uow.commit()


def _rows(path: Path) -> list[tuple[int, str, str, str, str, str, str, str]]:
    raw = sqlite3.connect(path)
    try:
        return raw.execute(
            "SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log"
            " ORDER BY seq"
        ).fetchall()
    finally:
        raw.close()


def _plain_hash(prev: str, seq: int, at: str, actor: str, action: str, subject: str, d: str) -> str:
    body = json.dumps(
        {"seq": seq, "at": at, "actor": actor, "action": action, "subject": subject, "detail": d},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256((prev + body).encode("utf-8")).hexdigest()


def rehash_plain(
    path: Path, edit_seq: int, new_detail: dict[str, object], *, keep_mark: bool
) -> None:
    """Edit entry `edit_seq`, re-hash it and every later one with plain SHA-256, as an
    attacker with the file but not the key would, and put the trigger back."""
    rows = _rows(path)
    raw = sqlite3.connect(path)
    try:
        raw.execute("DROP TRIGGER audit_log_no_update")
        prev = None
        for seq, at, actor, action, subject, detail, prev_hash, digest in rows:
            if seq < edit_seq:
                prev = digest
                continue
            parsed = json.loads(detail)
            if seq == edit_seq:
                parsed = {
                    **new_detail,
                    **({CHAIN_FIELD: parsed[CHAIN_FIELD]} if CHAIN_FIELD in parsed else {}),
                }
            if not keep_mark:
                parsed.pop(CHAIN_FIELD, None)
            text = json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            link = str(prev_hash if prev is None else prev)
            new = _plain_hash(link, seq, at, actor, action, subject, text)
            raw.execute(
                "UPDATE audit_log SET detail = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                (text, link, new, seq),
            )
            prev = new
        raw.execute(AUDIT_TRIGGERS["audit_log_no_update"])  # and covers the tracks
        raw.commit()
    finally:
        raw.close()


def test_keyed_entries_are_marked_anchored_and_verify(keyed: Database) -> None:
    _fill(keyed)
    with keyed.unit_of_work(write=False) as uow:
        entries = uow.audit.entries()
        report = uow.audit.verify_chain(KEYS.audit)
        anchor = uow.station_state.get(CHAIN_ANCHOR)
        assert uow.audit.verify() == []
    assert all(e.keyed for e in entries)
    assert entries[0].detail == {"amount": "0.50"}  # the mark is the chain's, not the caller's
    assert report.problems == []
    assert (report.entries, report.keyed, report.keyed_unverified, report.keyed_from) == (
        4,
        4,
        0,
        1,
    )
    assert anchor["keyed_from"] == 1
    assert anchor["scheme"] == KEYED_SCHEME
    stored = json.loads(str(_rows(keyed.path)[0][5]))
    assert stored[CHAIN_FIELD] == KEYED_SCHEME


def test_without_the_key_keyed_entries_are_counted_not_verified(keyed: Database) -> None:
    _fill(keyed)
    with keyed.unit_of_work(write=False) as uow:
        report = uow.audit.verify_chain(None)
    assert report.problems == []
    assert report.keyed_unverified == 4
    assert report.anchor_unverified


def test_another_key_does_not_verify(keyed: Database) -> None:
    _fill(keyed, 2)
    with keyed.unit_of_work(write=False) as uow:
        problems = uow.audit.verify_chain(OTHER.audit).problems
    assert problems == [
        "no keyed entry (entries 1..2) nor the chain's anchor verifies with the given station"
        " key: it is not the key this ledger was written with"
    ]


def test_a_key_replaced_midway_is_one_problem_not_one_per_entry(
    tmp_path: Path, expect_warnings: ExpectedWarnings
) -> None:
    """A lost key file, made anew by the next writer: old entries fail, new ones verify."""
    path = tmp_path / "kiosk.db"
    with open_database(path, clock=lambda: T0, keys=KEYS) as db:
        _fill(db, 3)
    expect_warnings("its audit chain was keyed with another station key than this one")
    with open_database(path, clock=lambda: T0, keys=OTHER) as db:
        _fill(db, 2, start=3)
        with db.unit_of_work(write=False) as uow:
            problems = uow.audit.verify_chain(OTHER.audit).problems
    assert len(problems) == 1
    assert problems[0].startswith("entries 1..3 and the chain's anchor do not verify")
    assert "the key was replaced after entry 3" in problems[0]


def test_an_edit_rehashed_with_sha256_is_found_with_the_key(keyed: Database) -> None:
    _fill(keyed)
    rehash_plain(keyed.path, 2, {"amount": "0.01"}, keep_mark=True)
    with keyed.unit_of_work(write=False) as uow:
        with_key = uow.audit.verify_chain(KEYS.audit)
        without = uow.audit.verify_chain(None)
    assert f"entry 2: {KEYED_MISMATCH}" in with_key.problems
    assert not any("prev_hash" in p for p in with_key.problems)  # the links were redone
    # Without the key the forgery passes the links; the report says what went unverified.
    assert without.problems == []
    assert without.keyed_unverified == 4


def test_removing_the_mark_to_rehash_is_found_even_without_the_key(keyed: Database) -> None:
    _fill(keyed)
    rehash_plain(keyed.path, 3, {"amount": "0.01"}, keep_mark=False)
    with keyed.unit_of_work(write=False) as uow:
        problems = uow.audit.verify_chain(None).problems
    assert any(
        "2 entries (3..4) are not keyed although the chain is keyed from entry 1 on" in p
        for p in problems
    ), problems


def test_rehashing_the_whole_keyed_part_is_found_by_the_anchor(keyed: Database) -> None:
    _fill(keyed)
    rehash_plain(keyed.path, 1, {"amount": "0.01"}, keep_mark=False)
    with keyed.unit_of_work(write=False) as uow:
        problems = uow.audit.verify_chain(None).problems
    assert any(
        "4 entries (1..4) are not keyed although the chain is keyed from entry 1" in p
        for p in problems
    )


def test_a_removed_anchor_is_found(keyed: Database) -> None:
    _fill(keyed, 2)
    raw = sqlite3.connect(keyed.path)
    raw.execute("DELETE FROM station_state WHERE key = ?", (CHAIN_ANCHOR,))
    raw.commit()
    raw.close()
    with keyed.unit_of_work(write=False) as uow:
        problems = uow.audit.verify_chain(KEYS.audit).problems
    assert any("record of where it starts" in p and "missing" in p for p in problems)


def test_a_plain_chain_becomes_keyed_at_its_first_keyed_entry(tmp_path: Path) -> None:
    """A ledger from before the key: plain up to here, keyed from the next entry on."""
    path = tmp_path / "kiosk.db"
    with open_database(path, clock=lambda: T0) as plain:
        _fill(plain, 3)
    with open_database(path, clock=lambda: T0, keys=KEYS) as db:
        _fill(db, 2, start=3)
        with db.unit_of_work(write=False) as uow:
            report = uow.audit.verify_chain(KEYS.audit)
            entries = uow.audit.entries()
    assert report.problems == []
    assert [e.keyed for e in entries] == [False, False, False, True, True]
    assert report.keyed_from == 4


def test_a_plain_entry_after_keyed_ones_is_found(tmp_path: Path) -> None:
    """A writer without the key appending to a keyed chain is a downgrade, reported."""
    path = tmp_path / "kiosk.db"
    with open_database(path, clock=lambda: T0, keys=KEYS) as db:
        _fill(db, 2)
    with open_database(path, clock=lambda: T0) as plain:
        _fill(plain, 1, start=2)
        with plain.unit_of_work(write=False) as uow:
            problems = uow.audit.verify_chain(KEYS.audit).problems
    assert any(
        "entry 3 is not keyed although the chain is keyed from entry 1" in p for p in problems
    )


def test_the_chain_mark_is_reserved(keyed: Database) -> None:
    with keyed.unit_of_work() as uow, pytest.raises(BugError, match="reserved"):
        uow.audit.append("station", "x", "y", {CHAIN_FIELD: "none"})


def test_a_damaged_row_is_a_problem_not_an_exception(keyed: Database) -> None:
    _fill(keyed, 3)
    raw = sqlite3.connect(keyed.path)
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute("UPDATE audit_log SET detail = CAST(x'ff00fe' AS BLOB) WHERE seq = 2")
    raw.commit()
    raw.close()
    with keyed.unit_of_work(write=False) as uow:
        problems = uow.audit.verify_chain(KEYS.audit).problems
    assert any(p.startswith("entry 2:") for p in problems), problems
