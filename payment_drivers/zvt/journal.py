"""The driver's durable journal: per idempotency key, what was sent and what came back.

A bank-card terminal keeps no idempotency keys: asked twice, it reserves twice. So
the driver writes each request here *before* its bytes leave (state "sent"), and the
terminal's answer after it came (state "done", with the receipt and trace numbers).
A repeated key is answered from here, and a key left "sent" by a crash is resolved by
asking the terminal (`ZvtTerminal.lookup`).

One SQLite file, WAL, `synchronous=FULL`: a commit is on disk when it returns. Nothing
in it is card data: masked references ("VISA •••• 4242") and redacted texts only.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Final

from kiosk.domain.payment import DeclineCode
from kiosk.ports import ProviderResult

__all__ = ["Journal", "JournalEntry"]

SENT: Final = "sent"
DONE: Final = "done"

_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS ops ("
    " key TEXT PRIMARY KEY, kind TEXT NOT NULL, amount TEXT NOT NULL, currency TEXT NOT NULL,"
    " reference TEXT, hold_ref TEXT, state TEXT NOT NULL, sent_at TEXT NOT NULL,"
    " prior_trace INTEGER, ok INTEGER, code TEXT, error TEXT, masked TEXT, approved TEXT,"
    " provider_ref TEXT, receipt_no INTEGER, trace_no INTEGER, answered_at TEXT)",
    "CREATE INDEX IF NOT EXISTS ops_provider_ref ON ops (provider_ref)",
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
_COLUMNS: Final = (
    "key, kind, amount, currency, reference, hold_ref, state, sent_at, prior_trace, ok, code,"
    " error, masked, approved, provider_ref, receipt_no, trace_no"
)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    key: str
    kind: str  # "authorize", "increment", "capture", "void"
    amount: Decimal  # what was asked
    currency: str
    reference: str | None  # the merchant reference of the hold
    hold_ref: str | None  # the hold an increment/capture/void was for
    state: str  # "sent" or "done"
    sent_at: str
    prior_trace: int | None  # the terminal's last trace number known when it was sent
    ok: bool | None = None
    code: DeclineCode | None = None
    error: str | None = None
    masked_ref: str | None = None
    approved_amount: Decimal | None = None
    provider_ref: str | None = None
    receipt_no: int | None = None
    trace_no: int | None = None

    @property
    def done(self) -> bool:
        return self.state == DONE

    def result(self) -> ProviderResult:
        """The first answer under this key, with what was done (amount, kind, reference)."""
        return ProviderResult(
            ok=bool(self.ok),
            provider_ref=self.provider_ref,
            error=self.error,
            masked_ref=self.masked_ref,
            approved_amount=self.approved_amount,
            amount=self.amount,
            kind=self.kind,
            reference=self.reference,
            code=self.code,
        )


def _entry(row: tuple[object, ...]) -> JournalEntry:
    (key, kind, amount, currency, reference, hold_ref, state, sent_at, prior, ok, code, error,
     masked, approved, provider_ref, receipt_no, trace_no) = row  # fmt: skip
    return JournalEntry(
        key=str(key),
        kind=str(kind),
        amount=Decimal(str(amount)),
        currency=str(currency),
        reference=None if reference is None else str(reference),
        hold_ref=None if hold_ref is None else str(hold_ref),
        state=str(state),
        sent_at=str(sent_at),
        prior_trace=None if prior is None else int(str(prior)),
        ok=None if ok is None else bool(ok),
        code=None if code is None else DeclineCode(str(code)),
        error=None if error is None else str(error),
        masked_ref=None if masked is None else str(masked),
        approved_amount=None if approved is None else Decimal(str(approved)),
        provider_ref=None if provider_ref is None else str(provider_ref),
        receipt_no=None if receipt_no is None else int(str(receipt_no)),
        trace_no=None if trace_no is None else int(str(trace_no)),
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Journal:
    """Thread-safe; `path=None` keeps it in memory (no crash recovery: tests, tools)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            ":memory:" if path is None else str(path), check_same_thread=False, isolation_level=None
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        for statement in _SCHEMA:
            self._db.execute(statement)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, sql: str, args: tuple[object, ...]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(sql, args)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def get(self, key: str) -> JournalEntry | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM ops WHERE key = ?",  # noqa: S608 - constant columns
                (key,),
            ).fetchone()
        return None if row is None else _entry(row)

    def begin(
        self,
        key: str,
        *,
        kind: str,
        amount: Decimal,
        currency: str,
        reference: str | None,
        hold_ref: str | None,
    ) -> JournalEntry:
        """Record that `key` is about to be sent (before its bytes leave)."""
        self._write(
            "INSERT INTO ops (key, kind, amount, currency, reference, hold_ref, state, sent_at,"
            " prior_trace) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                kind,
                str(amount),
                currency,
                reference,
                hold_ref,
                SENT,
                _now(),
                self.last_trace(),
            ),
        )
        entry = self.get(key)
        assert entry is not None
        return entry

    def finish(
        self,
        key: str,
        result: ProviderResult,
        *,
        receipt_no: int | None = None,
        trace_no: int | None = None,
    ) -> JournalEntry:
        """Record the terminal's answer to `key`: from now on, the answer to that key."""
        self._write(
            "UPDATE ops SET state = ?, ok = ?, code = ?, error = ?, masked = ?, approved = ?,"
            " provider_ref = ?, receipt_no = ?, trace_no = ?, answered_at = ? WHERE key = ?",
            (
                DONE,
                int(result.ok),
                None if result.code is None else result.code.value,
                result.error,
                result.masked_ref,
                None if result.approved_amount is None else str(result.approved_amount),
                result.provider_ref,
                receipt_no,
                trace_no,
                _now(),
                key,
            ),
        )
        entry = self.get(key)
        assert entry is not None
        return entry

    def record(
        self,
        key: str,
        result: ProviderResult,
        *,
        kind: str,
        amount: Decimal,
        currency: str,
        reference: str | None,
        hold_ref: str | None,
    ) -> JournalEntry:
        """An answer given without asking the terminal (a refused increment, an early abort)."""
        self.begin(
            key, kind=kind, amount=amount, currency=currency, reference=reference, hold_ref=hold_ref
        )
        return self.finish(key, result)

    def hold(self, provider_ref: str) -> JournalEntry | None:
        """The approved authorisation that created the hold `provider_ref`."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM ops WHERE provider_ref = ? AND kind = 'authorize'"  # noqa: S608
                " AND ok = 1 ORDER BY rowid LIMIT 1",
                (provider_ref,),
            ).fetchone()
        return None if row is None else _entry(row)

    def owner(self, provider_ref: str) -> str | None:
        """The key an authorisation with this receipt/trace was answered under, if any."""
        found = self.hold(provider_ref)
        return None if found is None else found.key

    def pending(self) -> list[JournalEntry]:
        """Every request sent whose answer never arrived (a crash, a dropped connection)."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM ops WHERE state = ? ORDER BY rowid",  # noqa: S608
                (SENT,),
            ).fetchall()
        return [_entry(r) for r in rows]

    def note_trace(self, trace_no: int) -> None:
        """The terminal's latest trace number: what a lost answer is told apart by."""
        self._write(
            "INSERT INTO meta (name, value) VALUES ('last_trace', ?)"
            " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (str(trace_no),),
        )

    def last_trace(self) -> int | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name = 'last_trace'").fetchone()
        return None if row is None else int(row[0])
