"""The driver's journal: written before the request leaves, durable, the first answer kept."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.domain.payment import DeclineCode
from kiosk.ports import ProviderResult
from payment_drivers.zvt.journal import Journal


def test_sent_then_answered_survives_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = Journal(path)
    journal.note_trace(41)
    sent = journal.begin(
        "p1:authorize:0",
        kind="authorize",
        amount=Decimal("50.00"),
        currency="EUR",
        reference="S1:p1",
        hold_ref=None,
    )
    assert (sent.state, sent.prior_trace, sent.done) == ("sent", 41, False)
    assert [e.key for e in journal.pending()] == ["p1:authorize:0"]
    journal.close()

    again = Journal(path)
    answer = ProviderResult(
        True, "0007:000042", masked_ref="VISA •••• 4242", approved_amount=Decimal("30.00")
    )
    done = again.finish("p1:authorize:0", answer, receipt_no=7, trace_no=42)
    assert done.result() == ProviderResult(
        ok=True,
        provider_ref="0007:000042",
        masked_ref="VISA •••• 4242",
        approved_amount=Decimal("30.00"),
        amount=Decimal("50.00"),
        kind="authorize",
        reference="S1:p1",
    )
    assert again.hold("0007:000042") == done
    assert again.owner("0007:000042") == "p1:authorize:0"
    assert again.owner("0008:000043") is None
    assert again.pending() == []
    again.close()


def test_an_answer_given_without_the_terminal(tmp_path: Path) -> None:
    journal = Journal(None)
    refused = ProviderResult(False, "0001:000001", "no", code=DeclineCode.DECLINED)
    entry = journal.record(
        "k",
        refused,
        kind="increment",
        amount=Decimal(5),
        currency="EUR",
        reference="S1:a",
        hold_ref="0001:000001",
    )
    assert entry.result().code is DeclineCode.DECLINED
    assert entry.result().kind == "increment"
    with pytest.raises(sqlite3.IntegrityError):  # one key, one request
        journal.begin(
            "k", kind="capture", amount=Decimal(1), currency="EUR", reference=None, hold_ref=None
        )
    journal.close()


def test_the_file_is_synchronous(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite")
    assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert journal._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    journal.close()
