"""The audit log: a hash chain, append-only by trigger, and never a card number."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from kiosk.store import GENESIS_HASH, Database, SensitiveDataRefused, find_pan_like

from .conftest import T0


def _fill(db: Database, n: int = 4) -> None:
    with db.unit_of_work() as uow:
        for i in range(n):
            uow.audit.append(
                "attendant:7",
                "connector.out_of_service",
                f"connector:{i}",
                {"reason": "cable damaged", "amount": Decimal("0.30"), "n": i},
                at=T0 + timedelta(seconds=i),
            )
        uow.commit()


def test_the_chain_links_and_verifies(db: Database) -> None:
    _fill(db)
    with db.unit_of_work(write=False) as uow:
        entries = uow.audit.entries()
        assert uow.audit.verify() == []
        assert uow.audit.head() == (4, entries[-1].hash)
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert entries[0].detail == {"amount": "0.30", "n": 0, "reason": "cable damaged"}
    assert entries[2].at == T0 + timedelta(seconds=2)


def test_update_and_delete_are_refused_by_triggers(db: Database) -> None:
    _fill(db)
    with db.unit_of_work() as uow:
        with pytest.raises(IntegrityError, match="append-only: UPDATE refused"):
            uow.db_session.execute(text("UPDATE audit_log SET actor = 'nobody' WHERE seq = 2"))
        with pytest.raises(IntegrityError, match="append-only: DELETE refused"):
            uow.db_session.execute(text("DELETE FROM audit_log WHERE seq = 4"))
        assert uow.audit.verify() == []


def _tamper(db: Database, *statements: str) -> None:
    """Edit the log the way an attacker with the file would: triggers dropped."""
    raw = sqlite3.connect(db.path)
    try:
        raw.execute("DROP TRIGGER audit_log_no_update")
        raw.execute("DROP TRIGGER audit_log_no_delete")
        for sql in statements:
            raw.execute(sql)
        raw.commit()
    finally:
        raw.close()


def test_an_edited_entry_is_detected(db: Database) -> None:
    _fill(db)
    _tamper(db, """UPDATE audit_log SET detail = '{"n":1,"reason":"fine"}' WHERE seq = 2""")
    with db.unit_of_work(write=False) as uow:
        problems = uow.audit.verify()
    assert "entry 2: contents do not match its hash (edited)" in problems
    assert any("triggers missing" in p for p in problems)


def test_a_removed_entry_is_detected(db: Database) -> None:
    _fill(db)
    _tamper(db, "DELETE FROM audit_log WHERE seq = 2")
    with db.unit_of_work(write=False) as uow:
        problems = uow.audit.verify()
    assert "entries 2..2 are missing" in problems
    assert "entry 3: prev_hash does not match the previous entry's hash" in problems


def test_a_rehashed_entry_still_breaks_the_link(db: Database) -> None:
    """Recomputing one entry's hash is not enough: the next entry points at the old one."""
    _fill(db)
    _tamper(db, "UPDATE audit_log SET hash = 'f' || substr(hash, 2) WHERE seq = 3")
    with db.unit_of_work(write=False) as uow:
        problems = uow.audit.verify()
    assert "entry 3: contents do not match its hash (edited)" in problems
    assert "entry 4: prev_hash does not match the previous entry's hash" in problems


@pytest.mark.parametrize(
    "detail",
    [
        {"card": "4242424242424242"},
        {"card": "4242 4242 4242 4242"},
        {"card": "4242-4242-4242-4242"},
        {"note": "paid with 5500000000000004 at noon"},
        {"pan": 4111111111111111},
        {"nested": [{"x": "6011000990139424"}]},
        {"4242424242424242": "as a key"},
        {"short": "1234567890123"},  # 13 digits
    ],
)
def test_anything_shaped_like_a_card_number_is_refused(db: Database, detail: object) -> None:
    with db.unit_of_work() as uow:
        with pytest.raises(SensitiveDataRefused, match="looks like a card number") as info:
            uow.audit.append("driver", "pay", "payment:1", detail)  # type: ignore[arg-type]
        assert uow.audit.head() == (0, GENESIS_HASH)
    assert "4242424242424242" not in str(info.value)


def test_the_guard_leaves_ordinary_values_alone() -> None:
    assert find_pan_like({"uid": "04A1B2C3D4E5F6", "amount": Decimal("12.345678901234")}) is None
    assert find_pan_like({"at": "2026-03-29T00:30:00Z", "pin_tries": 3}) is None
    assert find_pan_like({"eleven": "12345678901", "grouped": "2026-03-29 00:30"}) is None
    assert find_pan_like({"masked": "VISA •••• 4242"}) is None


def test_twelve_and_more_digits_are_refused_too() -> None:
    # 12 to 19 digits is a card number's length (ISO/IEC 7812); longer runs can hide one.
    assert find_pan_like({"twelve": "123456789012"}) == "twelve"
    assert find_pan_like({"twenty": "1" * 20}) == "twenty"
    assert find_pan_like({"reason": "CVV 123 wrong"}) == "reason"
    assert find_pan_like({"t": "track2 ;4111111111111111=2512101?"}) == "t"


def test_the_subject_is_guarded_too(db: Database) -> None:
    with db.unit_of_work() as uow, pytest.raises(SensitiveDataRefused, match="subject"):
        uow.audit.append("driver", "pay", "4242424242424242")
