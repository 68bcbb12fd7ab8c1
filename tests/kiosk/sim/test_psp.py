"""The simulated PSP: the first answer to a key, what it did, its open holds."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

from kiosk.ports import HoldListing, ProviderHold
from kiosk.sim.psp import SimulatedPsp


def test_a_repeated_key_gets_the_first_answer_with_what_was_done(tmp_path: Path) -> None:
    psp = SimulatedPsp(tmp_path / "psp.sqlite", "bank_card")
    hold = psp.authorize(
        idempotency_key="p:authorize:0", amount=Decimal(50), currency="EUR", reference="S1:a"
    )
    assert hold.ok
    assert (hold.amount, hold.kind, hold.reference) == (Decimal(50), "authorize", "S1:a")
    assert hold.provider_ref is not None
    first = psp.capture(
        idempotency_key="p:capture:1",
        provider_ref=hold.provider_ref,
        amount=Decimal("9.32"),
        currency="EUR",
    )
    again = psp.capture(
        idempotency_key="p:capture:1",
        provider_ref=hold.provider_ref,
        amount=Decimal("0.75"),
        currency="EUR",
    )
    assert first == again
    assert (again.amount, again.kind, again.reference) == (Decimal("9.32"), "capture", "S1:a")
    assert psp.lookup(idempotency_key="p:capture:1") == first
    assert psp.totals()["captured"] == Decimal("9.32")
    psp.close()


def test_open_holds_are_listed_by_reference_prefix(tmp_path: Path) -> None:
    psp = SimulatedPsp(tmp_path / "psp.sqlite", "bank_card")
    assert isinstance(psp, HoldListing)
    refs = {}
    for key, reference in (("k1", "S1:a"), ("k2", "S1:b"), ("k3", "S2:c")):
        result = psp.authorize(
            idempotency_key=key, amount=Decimal(50), currency="EUR", reference=reference
        )
        assert result.provider_ref is not None
        refs[reference] = result.provider_ref
    psp.void(idempotency_key="v", provider_ref=refs["S1:a"], amount=Decimal(50), currency="EUR")
    assert psp.open_holds(reference_prefix="S1:") == [
        ProviderHold(refs["S1:b"], "S1:b", Decimal(50), "EUR")
    ]
    assert [h.reference for h in psp.open_holds(reference_prefix="S")] == ["S1:b", "S2:c"]
    psp.close()


def test_files_of_an_older_version_are_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "psp.sqlite"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE ops (key TEXT PRIMARY KEY, method TEXT, kind TEXT, ref TEXT, amount TEXT,"
        " ok INTEGER, error TEXT, masked TEXT, approved TEXT)"
    )
    old.execute(
        "CREATE TABLE holds (ref TEXT PRIMARY KEY, method TEXT, authorized TEXT,"
        " captured TEXT, state TEXT)"
    )
    old.execute("INSERT INTO holds VALUES ('old', 'bank_card', '50', '0', 'authorized')")
    old.execute(
        "INSERT INTO ops VALUES ('k', 'bank_card', 'authorize', 'old', '50', 1, NULL, NULL, '50')"
    )
    old.commit()
    old.close()
    psp = SimulatedPsp(path, "bank_card")
    known = psp.lookup(idempotency_key="k")
    assert known is not None
    assert (known.ok, known.provider_ref, known.reference) == (True, "old", None)
    assert psp.open_holds(reference_prefix="") == []  # no reference: never listed
    psp.close()
