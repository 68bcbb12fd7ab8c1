"""A simulated payment service provider, durable in its own SQLite file.

It stands for the far side of a payment: a card acquirer behind the terminal, a
web checkout, or an account ledger. Like a real PSP it outlives the kiosk process
(its state is in a separate file), answers repeated calls with the same
idempotency key with the first answer (and says in it what it did: the amount,
the kind of operation and the merchant reference, so the kiosk can compare), can be
asked what became of a key after a crash, and lists its open holds by merchant
reference (`open_holds`, the optional `HoldListing` port). Test cards choose the
outcome, as acquirers' sandboxes do.

Files written by an older version (without the reference columns) are upgraded in
place when opened; their holds have no reference and are never listed as open.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Final

from kiosk.domain.payment import DeclineCode
from kiosk.ports import ProviderHold, ProviderResult, TokenAuthorization

__all__ = [
    "TEST_CARDS",
    "TEST_TOKENS",
    "SimulatedAccounts",
    "SimulatedGateway",
    "SimulatedPsp",
    "TestCard",
]


@dataclass(frozen=True, slots=True)
class TestCard:
    label: str
    masked: str  # what a receipt may show; the simulated card has no number at all
    outcome: str  # "approve", "decline", "partial", "timeout"
    reason: str = ""
    code: DeclineCode | None = None  # what an acquirer's decline code would say


TEST_CARDS: Final[dict[str, TestCard]] = {
    "visa-ok": TestCard("Visa, approved", "VISA •••• 4242", "approve"),
    "mc-ok": TestCard("Mastercard, approved", "MC •••• 4444", "approve"),
    "girocard-ok": TestCard("girocard, approved", "GIRO •••• 3000", "approve"),
    "visa-declined": TestCard(
        "Visa, declined", "VISA •••• 0002", "decline", "card declined", DeclineCode.DECLINED
    ),
    "mc-funds": TestCard(
        "Mastercard, no funds",
        "MC •••• 9995",
        "decline",
        "insufficient funds",
        DeclineCode.INSUFFICIENT_FUNDS,
    ),
    "visa-partial": TestCard("Visa, partial approval", "VISA •••• 1881", "partial"),
}

TEST_TOKENS: Final[dict[str, TokenAuthorization]] = {
    "04A1B2C3D4": TokenAuthorization(True, "member", "DE-KIO-C00001-7"),
    "04F1EE7A01": TokenAuthorization(True, "fleet", "DE-KIO-C00042-3"),
    "0455AFF001": TokenAuthorization(True, "staff", "DE-KIO-C00100-1"),
    # as real readers give them: a 7-byte NXP UID (DESFire, Ultralight) and a 4-byte one
    "04A1B2C3D4E5F6": TokenAuthorization(True, "member", "DE-KIO-C00007-4"),
    "5A1B2C3D": TokenAuthorization(True, "fleet", "DE-KIO-C00043-1"),
    "04B10C4ED0": TokenAuthorization(
        False, reason="this card is blocked", code=DeclineCode.BLOCKED
    ),
}


class SimulatedPsp:
    """One provider for one payment method; thread-safe; durable when given a path."""

    def __init__(self, path: Path | None, method: str) -> None:
        self.method = method
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            ":memory:" if path is None else str(path), check_same_thread=False, isolation_level=None
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS ops (key TEXT PRIMARY KEY, method TEXT, kind TEXT,"
            " ref TEXT, amount TEXT, ok INTEGER, error TEXT, masked TEXT, approved TEXT)"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS holds (ref TEXT PRIMARY KEY, method TEXT, authorized TEXT,"
            " captured TEXT, state TEXT)"
        )
        for table, column in (
            ("ops", "reference"),
            ("ops", "code"),
            ("holds", "reference"),
            ("holds", "currency"),
        ):
            columns = {r[1] for r in self._db.execute(f"PRAGMA table_info({table})")}
            if column not in columns:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
        self.next_card = "visa-ok"

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -------------------------------------------------------------- internals

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One request, one transaction: a PSP never half-applies an operation."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _known(self, key: str) -> ProviderResult | None:
        """The first answer given under `key`, with what was done (amount, kind, reference)."""
        row = self._db.execute(
            "SELECT ok, ref, error, masked, approved, amount, kind, reference, code FROM ops"
            " WHERE key = ?",
            (key,),
        ).fetchone()
        if row is None:
            return None
        ok, ref, error, masked, approved, amount, kind, reference, code = row
        return ProviderResult(
            bool(ok),
            ref,
            error,
            masked,
            None if approved is None else Decimal(approved),
            amount=None if amount is None else Decimal(amount),
            kind=kind,
            reference=reference,
            code=None if code is None else DeclineCode(code),
        )

    def _record(
        self, key: str, kind: str, amount: Decimal, result: ProviderResult, reference: str | None
    ) -> ProviderResult:
        self._db.execute(
            "INSERT INTO ops (key, method, kind, ref, amount, ok, error, masked, approved,"
            " reference, code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                self.method,
                kind,
                result.provider_ref,
                str(amount),
                int(result.ok),
                result.error,
                result.masked_ref,
                None if result.approved_amount is None else str(result.approved_amount),
                reference,
                None if result.code is None else result.code.value,
            ),
        )
        known = self._known(key)
        assert known is not None
        return known

    def _reference_of(self, ref: str) -> str | None:
        row = self._db.execute("SELECT reference FROM holds WHERE ref = ?", (ref,)).fetchone()
        return None if row is None else row[0]

    def _hold(self, ref: str) -> tuple[Decimal, Decimal, str] | None:
        row = self._db.execute(
            "SELECT authorized, captured, state FROM holds WHERE ref = ?", (ref,)
        ).fetchone()
        return None if row is None else (Decimal(row[0]), Decimal(row[1]), row[2])

    # ------------------------------------------------------------ the port

    def authorize(
        self, *, idempotency_key: str, amount: Decimal, currency: str, reference: str
    ) -> ProviderResult:
        with self._transaction():
            known = self._known(idempotency_key)
            if known is not None:
                return known
            card = TEST_CARDS.get(self.next_card, TEST_CARDS["visa-ok"])
            if card.outcome == "decline":
                result = ProviderResult(False, None, card.reason, card.masked, code=card.code)
            else:
                approved = amount if card.outcome == "approve" else (amount / 2).quantize(amount)
                ref = f"{self.method}-{uuid.uuid4().hex}"
                self._db.execute(
                    "INSERT INTO holds (ref, method, authorized, captured, state, reference,"
                    " currency) VALUES (?, ?, ?, '0', 'authorized', ?, ?)",
                    (ref, self.method, str(approved), reference, currency),
                )
                result = ProviderResult(True, ref, None, card.masked, approved)
            return self._record(idempotency_key, "authorize", amount, result, reference)

    def increment(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult:
        with self._transaction():
            known = self._known(idempotency_key)
            if known is not None:
                return known
            hold = self._hold(provider_ref)
            if hold is None or hold[2] != "authorized":
                result = ProviderResult(False, provider_ref, "no open hold")
            else:
                self._db.execute(
                    "UPDATE holds SET authorized = ? WHERE ref = ?",
                    (str(hold[0] + amount), provider_ref),
                )
                result = ProviderResult(True, provider_ref, approved_amount=amount)
            return self._record(
                idempotency_key, "increment", amount, result, self._reference_of(provider_ref)
            )

    def capture(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult:
        with self._transaction():
            known = self._known(idempotency_key)
            if known is not None:
                return known
            hold = self._hold(provider_ref)
            if hold is None or hold[2] != "authorized":
                result = ProviderResult(False, provider_ref, "no open hold to capture")
            elif amount > hold[0]:
                result = ProviderResult(False, provider_ref, "capture exceeds the hold")
            else:
                self._db.execute(
                    "UPDATE holds SET captured = ?, state = 'captured' WHERE ref = ?",
                    (str(amount), provider_ref),
                )
                result = ProviderResult(True, provider_ref)
            return self._record(
                idempotency_key, "capture", amount, result, self._reference_of(provider_ref)
            )

    def void(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult:
        with self._transaction():
            known = self._known(idempotency_key)
            if known is not None:
                return known
            hold = self._hold(provider_ref)
            if hold is None or hold[2] != "authorized":
                result = ProviderResult(False, provider_ref, "no open hold to void")
            else:
                self._db.execute("UPDATE holds SET state = 'voided' WHERE ref = ?", (provider_ref,))
                result = ProviderResult(True, provider_ref)
            return self._record(
                idempotency_key, "void", amount, result, self._reference_of(provider_ref)
            )

    def lookup(self, *, idempotency_key: str) -> ProviderResult | None:
        with self._lock:
            return self._known(idempotency_key)

    def open_holds(self, *, reference_prefix: str) -> Sequence[ProviderHold]:
        """The holds still open whose merchant reference starts with `reference_prefix`."""
        with self._lock:
            rows = self._db.execute(
                "SELECT ref, reference, authorized, currency FROM holds"
                " WHERE state = 'authorized' AND reference IS NOT NULL"
                " AND substr(reference, 1, ?) = ? ORDER BY rowid",
                (len(reference_prefix), reference_prefix),
            ).fetchall()
        return [
            ProviderHold(ref, ref_text, Decimal(amount), cur) for ref, ref_text, amount, cur in rows
        ]

    # ------------------------------------------------------- for reconciliation

    def totals(self) -> dict[str, Decimal]:
        """Captured sums and open holds, as the PSP sees them (reconciliation, tests)."""
        with self._lock:
            rows = self._db.execute("SELECT captured, state FROM holds").fetchall()
        captured = sum((Decimal(c) for c, s in rows if s == "captured"), Decimal(0))
        open_holds = sum(1 for _, s in rows if s == "authorized")
        return {
            "captured": captured,
            "open_holds": Decimal(open_holds),
            "holds": Decimal(len(rows)),
        }


class SimulatedAccounts:
    """The backend's token check, for the demo and the simulation (a local allow-list)."""

    def __init__(self, tokens: dict[str, TokenAuthorization] | None = None) -> None:
        self._tokens = dict(TEST_TOKENS if tokens is None else tokens)

    def authorize_token(self, uid: str) -> TokenAuthorization:
        found = self._tokens.get(uid.upper())
        return (
            found
            if found is not None
            else TokenAuthorization(False, reason="unknown card", code=DeclineCode.UNKNOWN_CARD)
        )


class SimulatedGateway(SimulatedPsp):
    """The account side of RFID contract customers (`kiosk.ports.PaymentGateway`): who
    may charge (the allow-list) and the holds on their accounts (this PSP), as one
    provider, as the backend will be."""

    def __init__(self, path: Path | None, accounts: SimulatedAccounts | None = None) -> None:
        super().__init__(path, "account_token")
        self.accounts = accounts or SimulatedAccounts()

    def authorize_token(self, uid: str) -> TokenAuthorization:
        return self.accounts.authorize_token(uid)
