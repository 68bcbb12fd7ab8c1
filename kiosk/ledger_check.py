"""`kiosk db check`: the database's integrity and the ledger's invariants, read-only and total.

Total: every row of every ledger table is read from its raw stored text and decoded
column by column; what does not decode is a finding naming the table, the row and the
column, never a traceback, and the rest of the ledger is still checked. A table that
cannot be read past some row (a damaged page) is a finding too. Rows that do not decode
are left out of the invariants below (their finding says why), so one damaged row does
not hide behind a cascade of consequences.

Invariants (each violation is a finding with the ids involved):
- SQLite's integrity_check and foreign_key_check;
- every payment is in a final state unless its session is still open;
- captured <= authorized; a capture equals the session's priced cost (capped at the
  hold, the shortfall being reported separately) and succeeded at most once;
- each capture or void operation agrees with the payment: a captured payment has
  exactly one successful capture, of the captured amount, and no successful void; a
  voided one a successful void of its hold, nothing captured; no capture above the
  hold; no other state with money captured;
- a completed session with a cost has a captured payment, one with none a voided one;
- no duplicate: one payment per session, one open session per connector, no two
  completed sessions overlapping on a connector;
- every completed session reprices from its recorded periods to its recorded totals;
- the audit log's hash chain is unbroken, keyed entries verified with the station key
  when it is given (see `AuditLog.verify_chain`);
- the audit log's capture and void entries describe payments that exist, are in that
  state and have that amount; every captured or voided payment has its entry;
- no unresolved discrepancy between the ledger and a provider (the `discrepancies`
  table, when the ledger has one). A payment named by a discrepancy (resolved or not)
  is not reported again for the amount mismatch the discrepancy records.

Not verified is not failed: what could not be checked (keyed audit entries without the
station key, a WAL that could not be read) is listed under `unverified`, and the result
is still ok when nothing else is wrong; the last line says so. Notes say how the file
was read.
"""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import partial
from pathlib import Path
from typing import Any, Final, cast

from sqlalchemy import Connection, Integer, RowMapping, String, Table, Text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.types import TypeDecorator

from kiosk.domain import jsonio
from kiosk.domain.payment import (
    OperationKind,
    OperationState,
    Payment,
    PaymentOperation,
    PaymentState,
)
from kiosk.domain.periods import ChargingPeriod
from kiosk.domain.redaction import redact
from kiosk.domain.session import ChargingSession, SessionState, SessionTotals
from kiosk.station_keys import StationKeys
from kiosk.store import Database, StorageError
from kiosk.store.database import head_revision
from kiosk.store.repositories import (
    AuditLog,
    _operation_of,
    _payment_of,
    _periods_decoder,
    _session_of,
)
from kiosk.store.schema import format_utc, metadata

__all__ = ["Finding", "LedgerCheck", "check_ledger", "render_check", "render_error"]

_MAX_SHOWN: Final = 50
_DEFAULT: Final[Any] = object()
_READ_ERRORS: Final = (StorageError, SQLAlchemyError, sqlite3.Error, UnicodeDecodeError)


@dataclass(frozen=True)
class Finding:
    """One broken invariant or undecodable value; `table`/`row`/`column` when known."""

    check: str  # integrity, read, decode, session, payment, operation, audit, discrepancy
    text: str
    table: str | None = None
    row: str | None = None
    column: str | None = None

    def to_json(self) -> dict[str, Any]:
        shape: dict[str, Any] = {"check": self.check, "text": self.text}
        for name in ("table", "row", "column"):
            value = getattr(self, name)
            if value is not None:
                shape[name] = value
        return shape


@dataclass
class LedgerCheck:
    integrity: str = "ok"
    counts: Counter[str] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    shortfalls: list[str] = field(default_factory=list)
    captured: Decimal = Decimal(0)
    notes: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    audit: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    revision: str | None = None

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and not self.findings

    @property
    def problems(self) -> list[str]:
        return [f.text for f in self.findings]

    def add(self, check: str, text: str, **where: str | None) -> None:
        # A finding may quote a stored value: never card data (kiosk/domain/redaction.py).
        self.findings.append(Finding(check, redact(text), **where))

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": True,
            "ledger": self.path,
            "revision": self.revision,
            "integrity": self.integrity,
            "counts": dict(sorted(self.counts.items())),
            "problems": self.problems,
            "findings": [f.to_json() for f in self.findings],
            "shortfalls": self.shortfalls,
            "captured": str(self.captured),
            "audit": self.audit,
            "unverified": self.unverified,
            "notes": self.notes,
        }


# ------------------------------------------------------------------ raw rows


def _show(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _row_name(table: Table, raw: dict[str, Any], rowid: object) -> str:
    pk = [c.name for c in table.primary_key.columns]
    values = [raw.get(name) for name in pk]
    if len(values) == 1 and isinstance(values[0], (str, int)) and not isinstance(values[0], bool):
        return str(values[0])[:80]
    return f"rowid {rowid}"


def _decode_value(column: Any, raw: object, dialect: Any) -> object:
    """The column's Python value from its stored form; ValueError/BugError if it is not one."""
    if raw is None:
        if not column.nullable:
            raise ValueError("NULL in a column that is never empty")
        return None
    kind = column.type
    if isinstance(kind, TypeDecorator):
        return kind.process_result_value(raw, dialect)
    if isinstance(kind, Integer):
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise ValueError(f"not an integer: {_show(raw)}")
        return raw
    if isinstance(kind, (String, Text)):
        if not isinstance(raw, str):
            raise ValueError(f"not text: {_show(raw)}")
        _refuse_control_characters(raw)
        if column.name.endswith("hash") and _HEX_DIGEST.fullmatch(raw) is None:
            raise ValueError(f"not a SHA-256 hex digest: {_show(raw)}")
        return raw
    if isinstance(raw, str):
        _refuse_control_characters(raw)
    return raw


_HEX_DIGEST: Final = re.compile(r"[0-9a-f]{64}")  # token_hash, stop_code_hash
# C0 controls other than tab, LF and CR (which a tariff file's JSON may hold) and DEL:
# nothing the kiosk stores contains them (JSON escapes them), a flipped bit often does.
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _refuse_control_characters(text: str) -> None:
    found = _CONTROL.search(text)
    if found is not None:
        raise ValueError(
            f"control character {found.group()!r} at position {found.start()} (damaged text)"
        )


@dataclass
class _Rows:
    """A table's decoded rows by name, and the names of rows that did not decode."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    bad: set[str] = field(default_factory=set)
    raw: dict[str, dict[str, Any]] = field(default_factory=dict)


def _existing_columns(conn: Connection, name: str) -> list[str] | None:
    rows = conn.exec_driver_sql(f'PRAGMA table_info("{name}")').fetchall()
    return [str(r[1]) for r in rows] if rows else None


def _scan(
    conn: Connection,
    name: str,
    out: LedgerCheck,
    *,
    strict: bool = True,
    keep_raw: bool = False,
) -> _Rows | None:
    """Every row of `name` decoded column by column; findings for what does not decode.

    strict: a column the current schema has and the file lacks is a finding (False for
    a ledger at an older revision, which the next writer migrates).
    """
    table = metadata.tables[name]
    result = _Rows()
    try:
        present = _existing_columns(conn, name)
    except _READ_ERRORS as exc:
        out.add("read", f"table {name}: cannot be read ({_reason(exc)})", table=name)
        return None
    if present is None:
        out.add("read", f"table {name} is missing", table=name)
        return None
    expected = [c for c in table.columns]
    missing = [c.name for c in expected if c.name not in present]
    if missing and strict:
        out.add(
            "decode",
            f"table {name} lacks column(s) {', '.join(missing)}",
            table=name,
        )
    columns = [c for c in expected if c.name in present]
    select = ", ".join(f'"{c.name}"' for c in columns)
    dialect = conn.dialect
    count = 0
    last = None
    try:
        query = f'SELECT rowid, {select} FROM "{name}" ORDER BY rowid'  # noqa: S608 - our schema's names
        cursor = conn.exec_driver_sql(query)
        for record in cursor:
            count += 1
            rowid, values = record[0], record[1:]
            last = rowid
            raw = {c.name: v for c, v in zip(columns, values, strict=True)}
            row_name = _row_name(table, raw, rowid)
            decoded: dict[str, Any] = {c.name: None for c in expected}
            broken = False
            for column in columns:
                try:
                    decoded[column.name] = _decode_value(column, raw[column.name], dialect)
                except Exception as exc:  # every decode failure is a finding, never a crash
                    broken = True
                    out.add(
                        "decode",
                        f"{name} row {row_name}: column {column.name}: {_reason(exc)}",
                        table=name,
                        row=row_name,
                        column=column.name,
                    )
            if row_name in result.rows or row_name in result.bad:
                row_name = f"{row_name} (rowid {rowid})"
            if broken:
                result.bad.add(row_name)
            else:
                result.rows[row_name] = decoded
            if keep_raw:
                result.raw[row_name] = raw
    except _READ_ERRORS as exc:
        after = "at its first row" if last is None else f"after rowid {last}"
        out.add(
            "read",
            f"table {name}: reading stopped {after} ({_reason(exc)})",
            table=name,
        )
    out.counts[f"rows_{name}"] = count
    return result


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:299] + "…"


# ------------------------------------------------------------------ integrity


def _integrity(conn: Connection) -> str:
    try:
        rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA integrity_check(20)").all()]
    except _READ_ERRORS as exc:
        return f"cannot be checked: {_reason(exc)}"
    result = "ok" if rows == ["ok"] else "; ".join(rows)
    try:
        fk = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    except _READ_ERRORS as exc:
        fk_text = f"foreign keys cannot be checked: {_reason(exc)}"
        return fk_text if result == "ok" else f"{result}; {fk_text}"
    if fk:
        tables = ", ".join(sorted({str(r[0]) for r in fk}))
        text = f"{len(fk)} foreign key violation(s) in {tables}"
        result = text if result == "ok" else f"{result}; {text}"
    return result


# ------------------------------------------------------------------ domain objects


def _sessions(rows: _Rows, out: LedgerCheck) -> dict[str, ChargingSession]:
    sessions: dict[str, ChargingSession] = {}
    for name, row in rows.rows.items():
        try:
            _periods_decoder.decode(row["periods_json"])
            _refuse_unknown_period_fields(row["periods_json"])
        except Exception as exc:  # a finding, never a crash
            rows.bad.add(name)
            out.add(
                "decode",
                f"sessions row {name}: column periods_json: {_reason(exc)}",
                table="sessions",
                row=name,
                column="periods_json",
            )
            continue
        try:
            sessions[name] = _session_of(cast(RowMapping, row))
        except Exception as exc:  # a finding, never a crash
            rows.bad.add(name)
            out.add(
                "decode",
                f"sessions row {name}: not a valid session: {_reason(exc)}",
                table="sessions",
                row=name,
            )
    return sessions


_PERIOD_FIELDS: Final = frozenset(ChargingPeriod.__struct_fields__)


def _refuse_unknown_period_fields(text: str) -> None:
    """The decoder ignores unknown keys; the ledger never writes any (a damaged name)."""
    for i, period in enumerate(json.loads(text)):
        unknown = sorted(set(period) - _PERIOD_FIELDS) if isinstance(period, dict) else []
        if unknown:
            raise ValueError(f"period {i}: unknown field {unknown[0][:40]!r}")


def _payments(
    payment_rows: _Rows, op_rows: _Rows, out: LedgerCheck
) -> tuple[dict[str, Payment], set[str]]:
    """Payments with their operations; the set names payments left unchecked."""
    ops: dict[str, list[tuple[int, PaymentOperation]]] = {}
    unchecked: set[str] = set()
    bad_op_payments = {
        str(raw.get("payment_id")) for n, raw in op_rows.raw.items() if n in op_rows.bad
    }
    for name, row in op_rows.rows.items():
        pid = str(row["payment_id"])
        try:
            ops.setdefault(pid, []).append((int(row["seq"]), _operation_of(cast(RowMapping, row))))
        except Exception as exc:  # a finding, never a crash
            bad_op_payments.add(pid)
            out.add(
                "decode",
                f"payment_operations row {name}: not a valid operation: {_reason(exc)}",
                table="payment_operations",
                row=name,
            )
    payments: dict[str, Payment] = {}
    for name, row in payment_rows.rows.items():
        mine = sorted(ops.pop(name, []), key=lambda item: item[0])
        seqs = [seq for seq, _ in mine]
        if seqs != list(range(len(seqs))):
            out.add(
                "operation",
                f"payment {name}: its operations are numbered {seqs}, not 0..{len(seqs) - 1}",
                table="payment_operations",
                row=name,
                column="seq",
            )
        try:
            payment = _payment_of(cast(RowMapping, row), [op for _, op in mine])
        except Exception as exc:  # a finding, never a crash
            payment_rows.bad.add(name)
            out.add(
                "decode",
                f"payments row {name}: not a valid payment: {_reason(exc)}",
                table="payments",
                row=name,
            )
            continue
        payments[name] = payment
        if name in bad_op_payments:
            unchecked.add(name)
    for pid, orphans in ops.items():
        if pid in payment_rows.bad:
            continue
        out.add(
            "operation",
            f"payment_operations {[op.id for _, op in orphans]} belong to no payment ({pid})",
            table="payment_operations",
        )
    return payments, unchecked


# ------------------------------------------------------------------ invariants


def _succeeded(p: Payment, kind: OperationKind) -> list[PaymentOperation]:
    return [op for op in p.operations if op.kind is kind and op.state is OperationState.SUCCEEDED]


def _applied(op: PaymentOperation) -> Decimal:
    """What the provider applied for an operation: its stated amount, else the asked one."""
    stated = op.provider_amount
    return op.amount if stated is None else stated


def _check_operations(p: Payment, out: LedgerCheck, explained: bool) -> None:
    """Each capture/void operation against the payment's state and amounts.

    `explained`: a discrepancy names this payment; the kind and amount mismatches it
    records (a provider that voided under a capture's key, took another amount) are
    not reported again, only what no discrepancy can explain.
    """
    captures = _succeeded(p, OperationKind.CAPTURE)
    voids = _succeeded(p, OperationKind.VOID)

    def add(text: str, column: str | None = None) -> None:
        out.add("operation", f"payment {p.id}: {text}", table="payments", row=p.id, column=column)

    for op in p.operations:
        if op.kind is OperationKind.CAPTURE and op.amount <= 0:
            add(f"capture operation {op.id} is for {op.amount}, not a positive amount")
        if op.kind is OperationKind.CAPTURE and op.amount > p.authorized:
            add(f"capture operation {op.id} is for {op.amount}, above the hold {p.authorized}")
    if len(captures) > 1:
        add(f"captured {len(captures)} times")
    if explained:
        return
    for op in p.operations:
        stated = op.provider_amount
        if op.kind is OperationKind.CAPTURE and stated is not None and stated != op.amount:
            add(
                f"capture operation {op.id} asked for {op.amount}, the provider applied"
                f" {stated}, and no discrepancy records it"
            )
    for op in (*captures, *voids):
        if op.provider_ref is not None and op.provider_ref != p.provider_ref:
            add(
                f"{op.kind.value} operation {op.id} settled {_show(op.provider_ref)}, the"
                f" payment's hold is {_show(p.provider_ref)}",
                "provider_ref",
            )
    authorized = _succeeded(p, OperationKind.AUTHORIZE)
    if authorized and authorized[0].provider_ref != p.provider_ref:
        add(
            f"provider_ref {_show(p.provider_ref)} differs from its authorization's"
            f" {_show(authorized[0].provider_ref)}",
            "provider_ref",
        )
    if captures and voids:
        add(f"both captured (operation {captures[0].id}) and voided (operation {voids[0].id})")
    if p.state is PaymentState.CAPTURED:
        if not captures:
            add(f"captured {p.captured} without a successful capture operation", "captured")
        elif _applied(captures[-1]) != p.captured:
            add(
                f"captured {p.captured}, but its capture operation {captures[-1].id} was"
                f" for {_applied(captures[-1])}",
                "captured",
            )
    else:
        if p.captured != 0:
            add(f"{p.state.value} but captured {p.captured}", "captured")
        if captures:
            add(f"{p.state.value} although capture operation {captures[0].id} succeeded")
    if p.state is PaymentState.VOIDED:
        if not voids:
            add("voided without a successful void operation", "state")
        elif voids[-1].amount != p.authorized:
            add(
                f"void operation {voids[-1].id} released {voids[-1].amount}, the hold was"
                f" {p.authorized}"
            )
    elif voids and p.state is not PaymentState.CAPTURED:
        add(f"{p.state.value} although void operation {voids[0].id} succeeded", "state")


def _check_payment(
    s: ChargingSession, p: Payment, out: LedgerCheck, explained: bool = False
) -> None:
    c = out.counts
    c[f"payments_{p.state.value}"] += 1
    if p.captured > p.authorized:
        out.add(
            "payment",
            f"payment {p.id}: captured {p.captured} > authorized {p.authorized}",
            table="payments",
            row=p.id,
            column="captured",
        )
    if not s.state.is_final:
        return  # still open (or interrupted): start-up recovery settles it
    if p.pending_operation() is not None:
        # Interrupted between recording an operation and its answer: recovery asks the
        # provider about the key at the next start. Counted, not a broken invariant.
        c["payments_in_flight"] += 1
        return
    if not p.state.is_final:
        out.add(
            "payment",
            f"payment {p.id}: {p.state.value} although session {s.id} is {s.state.value}",
            table="payments",
            row=p.id,
            column="state",
        )
        return
    if s.state is SessionState.COMPLETED:
        if s.totals is None:
            return  # reported with the session
        cost = s.totals.cost_incl_vat
        expected = min(cost, p.authorized)
        if explained:
            pass  # a discrepancy records how the provider's settlement differs
        elif p.state is PaymentState.CAPTURED:
            if p.captured != expected:
                out.add(
                    "payment",
                    f"payment {p.id}: captured {p.captured}, session {s.id} priced {cost}",
                    table="payments",
                    row=p.id,
                    column="captured",
                )
        elif p.state is PaymentState.VOIDED:
            if cost != 0:
                out.add(
                    "payment",
                    f"payment {p.id}: voided although session {s.id} cost {cost}",
                    table="payments",
                    row=p.id,
                )
        else:
            c["settlement_failed"] += 1
        if cost > p.authorized:
            out.shortfalls.append(f"session {s.id}: cost {cost} exceeded the hold {p.authorized}")
    elif p.state is PaymentState.CAPTURED:
        out.add(
            "payment",
            f"payment {p.id}: captured for a session that never charged ({s.id})",
            table="payments",
            row=p.id,
        )


def _check_periods(s: ChargingSession, out: LedgerCheck) -> None:
    """Periods follow each other and lie within the session (a changed date shows here)."""
    starts = [p.start for p in s.periods]
    where = {"table": "sessions", "row": s.id, "column": "periods_json"}
    for i, (a, b) in enumerate(itertools.pairwise(starts)):
        if b < a:
            out.add("session", f"session {s.id}: period {i + 1} starts before period {i}", **where)
            return
    if starts and s.plugged_at is not None and starts[0] < s.plugged_at:
        out.add(
            "session",
            f"session {s.id}: its first period starts {format_utc(starts[0])}, before the car"
            f" was plugged in ({format_utc(s.plugged_at)})",
            **where,
        )
    if starts and s.ended_at is not None and starts[-1] > s.ended_at:
        out.add(
            "session",
            f"session {s.id}: its last period starts {format_utc(starts[-1])}, after the"
            f" session ended ({format_utc(s.ended_at)})",
            **where,
        )


def _check_sessions(sessions: list[ChargingSession], out: LedgerCheck) -> None:
    by_connector: dict[str, list[ChargingSession]] = {}
    for s in sessions:
        out.counts[f"sessions_{s.state.value}"] += 1
        by_connector.setdefault(s.connector_id, []).append(s)
        _check_periods(s, out)
        if s.state is not SessionState.COMPLETED:
            continue
        if s.totals is None:
            out.add(
                "session", f"session {s.id}: completed without totals", table="sessions", row=s.id
            )
            continue
        try:
            again = SessionTotals.of(s.final_breakdown())
        except Exception as exc:  # a session that cannot be repriced is a finding
            out.add(
                "session",
                f"session {s.id}: cannot be repriced from its periods and tariff: {_reason(exc)}",
                table="sessions",
                row=s.id,
            )
            continue
        if again != s.totals:
            out.add(
                "session",
                f"session {s.id}: reprices to {again.cost_incl_vat}, "
                f"recorded {s.totals.cost_incl_vat}",
                table="sessions",
                row=s.id,
            )
        out.counts["energy_wh"] += int(s.totals.energy_kwh * 1000)
    for connector, items in by_connector.items():
        open_ones = [s for s in items if not s.state.is_final]
        if len(open_ones) > 1:
            out.add("session", f"connector {connector}: {len(open_ones)} open sessions")
        done = sorted(
            (s for s in items if s.state is SessionState.COMPLETED and s.plugged_at and s.ended_at),
            key=lambda s: s.plugged_at or s.created_at,
        )
        for a, b in itertools.pairwise(done):
            if a.ended_at is not None and b.plugged_at is not None and b.plugged_at < a.ended_at:
                out.add("session", f"connector {connector}: sessions {a.id} and {b.id} overlap")


# ------------------------------------------------------------------ audit log


_SETTLED_ACTIONS: Final = {
    "payment.captured": PaymentState.CAPTURED,
    "payment.voided": PaymentState.VOIDED,
}


def _audit_rows(conn: Connection, out: LedgerCheck) -> Iterator[tuple[int, str, str, Any]]:
    """(seq, action, subject, parsed detail) of every audit entry that can be read."""
    try:
        cursor = conn.exec_driver_sql(
            "SELECT seq, action, subject, detail FROM audit_log ORDER BY seq"
        )
        for seq, action, subject, detail in cursor:
            try:
                parsed = json.loads(detail) if isinstance(detail, str) else None
            except ValueError:
                parsed = None
            yield seq, str(action), str(subject), parsed
    except _READ_ERRORS as exc:
        out.add("read", f"table audit_log: reading stopped ({_reason(exc)})", table="audit_log")


def _check_audit_contents(
    conn: Connection,
    payments: dict[str, Payment],
    skipped: set[str],
    explained: set[str],
    out: LedgerCheck,
) -> None:
    """The audit log's capture/void entries against the payments they describe."""
    settled: dict[str, list[int]] = {}
    recovered: dict[str, set[str]] = {}

    def add(seq: object, text: str) -> None:
        out.add("audit", f"audit entry {seq}: {text}", table="audit_log", row=str(seq))

    for seq, action, subject, detail in _audit_rows(conn, out):
        if action == "payment.recovered" and isinstance(detail, dict):
            recovered.setdefault(subject, set()).add(str(detail.get("operation")))
            continue
        state = _SETTLED_ACTIONS.get(action)
        if state is None:
            continue
        settled.setdefault(subject, []).append(seq)
        p = payments.get(subject)
        if p is None:
            if subject not in skipped:
                add(seq, f"{action} of payment {subject!r}, which the ledger does not hold")
            continue
        if p.state is not state:
            add(seq, f"{action} of payment {p.id}, which is {p.state.value}")
            continue
        amount: Decimal | None = None
        raw_amount = detail.get("amount") if isinstance(detail, dict) else None
        try:
            amount = Decimal(str(raw_amount)) if raw_amount is not None else None
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            add(seq, f"{action} of payment {p.id} without a readable amount ({_show(raw_amount)})")
            continue
        if p.id in explained:
            continue
        if state is PaymentState.CAPTURED and amount != p.captured:
            add(seq, f"{action} of {amount} for payment {p.id}, which captured {p.captured}")
        if state is PaymentState.VOIDED:
            voids = _succeeded(p, OperationKind.VOID)
            released = voids[-1].amount if voids else p.authorized
            if amount != released:
                add(seq, f"{action} of {amount} for payment {p.id}, whose void was for {released}")
    for pid, seqs in settled.items():
        if len(seqs) > 1:
            out.add(
                "audit",
                f"payment {pid}: settled {len(seqs)} times in the audit log (entries {seqs})",
                table="audit_log",
            )
    for p in payments.values():
        kind = {PaymentState.CAPTURED: "capture", PaymentState.VOIDED: "void"}.get(p.state)
        if kind is None or p.id in skipped:
            continue
        if p.id not in settled and kind not in recovered.get(p.id, set()):
            out.add(
                "audit",
                f"payment {p.id}: {p.state.value} but the audit log has no entry of its {kind}",
                table="payments",
                row=p.id,
            )


def _check_audit_chain(
    conn: Connection, keys: StationKeys | None, key_source: str | None, out: LedgerCheck
) -> None:
    try:
        report = AuditLog(lambda: conn).verify_chain(None if keys is None else keys.audit)
    except _READ_ERRORS as exc:
        out.add("read", f"the audit chain cannot be read ({_reason(exc)})", table="audit_log")
        return
    for problem in report.problems:
        out.add("audit", f"audit log: {problem}", table="audit_log")
    verified = keys is not None
    out.audit = {
        "entries": report.entries,
        "keyed": report.keyed,
        "keyed_from": report.keyed_from,
        "key": key_source,
        "key_used": verified,
        "keyed_verified": (
            verified
            and report.keyed > 0
            and not report.keyed_failed
            and not report.anchor_wrong_key
        ),
    }
    if report.keyed_unverified or report.anchor_unverified:
        where = f" at {key_source}" if key_source else ""
        out.unverified.append(
            f"the audit chain's {report.keyed_unverified} keyed entries were checked for"
            f" links and order only: no station key{where} (pass --key FILE)"
        )
    elif keys is not None and report.entries and not report.keyed:
        out.notes.append(
            "the audit chain has no keyed entry (written before the station key existed,"
            " or by a writer without it): checked with plain SHA-256"
        )


# ------------------------------------------------------------------ discrepancies


def _discrepancies(conn: Connection, out: LedgerCheck) -> set[str]:
    """Unresolved rows of `discrepancies` as findings; the payments any row names."""
    try:
        present = _existing_columns(conn, "discrepancies")
    except _READ_ERRORS as exc:
        out.add("read", f"table discrepancies: cannot be read ({_reason(exc)})")
        return set()
    if present is None:
        return set()  # a ledger from before the table: nothing to check
    named: set[str] = set()
    unresolved = 0
    wanted = [
        c
        for c in ("id", "detected_at", "kind", "payment_id", "session_id", "expected", "actual")
        if c in present
    ]
    resolved = "resolved_at" in present
    try:
        columns = ", ".join(f'"{c}"' for c in [*wanted, "resolved_at"] if c in present)
        if not resolved:
            columns += ", NULL"
        query = f"SELECT rowid, {columns} FROM discrepancies ORDER BY rowid"  # noqa: S608 - fixed names
        cursor = conn.exec_driver_sql(query)
        for record in cursor:
            row = dict(zip(["rowid", *wanted, "resolved_at"], record, strict=True))
            if row.get("payment_id") is not None:
                named.add(str(row["payment_id"]))
            if row["resolved_at"] is not None:
                continue
            unresolved += 1
            ident = row.get("id", f"rowid {row['rowid']}")
            subject = " ".join(
                f"{label} {row[key]}"
                for key, label in (("payment_id", "payment"), ("session_id", "session"))
                if row.get(key) is not None
            )
            out.add(
                "discrepancy",
                f"discrepancy {ident}: {row.get('kind', '?')}"
                + (f" on {subject}" if subject else "")
                + f": the ledger expected {_short(row.get('expected'))},"
                f" the provider answered {_short(row.get('actual'))}"
                + (f" (detected {row['detected_at']})" if row.get("detected_at") else "")
                + "; unresolved",
                table="discrepancies",
                row=str(ident),
            )
    except _READ_ERRORS as exc:
        out.add("read", f"table discrepancies: reading stopped ({_reason(exc)})")
    out.counts["discrepancies_unresolved"] = unresolved
    return named


def _short(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= 120 else text[:119] + "…"


# ------------------------------------------------------------------ the check


def check_ledger(
    db: Database,
    *,
    keys: StationKeys | None = _DEFAULT,
    key_source: str | Path | None = None,
) -> LedgerCheck:
    """Check everything; never raises for what the file holds (findings instead).

    `keys` default to the Database's own (a writer's); pass None to check without,
    or the keys loaded from `--key`. `key_source` names where they came from.
    """
    use_keys: StationKeys | None = db.keys if keys is _DEFAULT else keys
    out = LedgerCheck(path=str(db.path), revision=db.revision)
    out.notes.extend(db.notes)
    out.unverified.extend(db.unverified)
    strict = db.revision is None or db.revision == head_revision()
    with db.engine.connect() as conn:
        _run_checks(conn, use_keys, None if key_source is None else str(key_source), strict, out)
        conn.rollback()
    return out


def _run_checks(
    conn: Connection,
    keys: StationKeys | None,
    key_source: str | None,
    strict: bool,
    out: LedgerCheck,
) -> None:
    out.integrity = _integrity(conn)
    session_rows = _scan(conn, "sessions", out, strict=strict) or _Rows()
    payment_rows = _scan(conn, "payments", out, strict=strict) or _Rows()
    op_rows = _scan(conn, "payment_operations", out, strict=strict, keep_raw=True) or _Rows()
    events = _scan_json(conn, "outbox", out, strict=strict)
    _scan_json(conn, "station_state", out, strict=strict)
    sessions_by_id = _sessions(session_rows, out)
    payments, unchecked = _payments(payment_rows, op_rows, out)
    sessions = list(sessions_by_id.values())
    out.counts["sessions"] = len(sessions) + len(session_rows.bad)
    out.counts["payments"] = len(payments) + len(payment_rows.bad)
    if session_rows.bad or payment_rows.bad:
        out.counts["rows_undecodable"] = len(session_rows.bad) + len(payment_rows.bad)
    explained = _discrepancies(conn, out)
    _guard(out, "sessions", lambda: _check_sessions(sessions, out))
    by_session: dict[str, list[Payment]] = {}
    for p in payments.values():
        by_session.setdefault(p.session_id, []).append(p)
    captured = Decimal(0)
    for session_id, items in by_session.items():
        if len(items) > 1:
            out.add("payment", f"session {session_id}: {len(items)} payments", table="payments")
        s = sessions_by_id.get(session_id)
        if s is None:
            if session_id not in session_rows.bad:
                out.add(
                    "payment",
                    f"payments {[p.id for p in items]} belong to no session",
                    table="payments",
                )
            continue
        for p in items:
            captured += p.captured
            if p.id in unchecked:
                out.counts["payments_unchecked"] += 1
                continue
            _guard(out, f"payment {p.id}", partial(_check_payment, s, p, out, p.id in explained))
            _guard(
                out,
                f"payment {p.id}",
                partial(_check_operations, p, out, p.id in explained),
            )
    for s in sessions:
        if (
            s.state is not SessionState.PENDING
            and s.payment_id is not None
            and s.id not in by_session
            and s.payment_id not in payment_rows.bad
        ):
            out.add(
                "session",
                f"session {s.id}: its payment {s.payment_id} is missing",
                table="sessions",
                row=s.id,
                column="payment_id",
            )
    _guard(out, "outbox", partial(_check_events, events, sessions_by_id, payments, explained, out))
    _check_audit_chain(conn, keys, key_source, out)
    skipped = payment_rows.bad | unchecked
    _guard(out, "audit", lambda: _check_audit_contents(conn, payments, skipped, explained, out))
    out.captured = captured


def _guard(out: LedgerCheck, what: str, check: Callable[[], None]) -> None:
    """Run one check; an exception from damaged data becomes a finding, not a traceback."""
    try:
        check()
    except Exception as exc:  # the check is total: report and go on
        out.add("read", f"{what}: could not be checked ({type(exc).__name__}: {_reason(exc)})")


def _scan_json(
    conn: Connection, name: str, out: LedgerCheck, *, strict: bool
) -> list[tuple[dict[str, Any], Any]]:
    """The rows of a table with a JSON column, each with its parsed JSON."""
    rows = _scan(conn, name, out, strict=strict)
    if rows is None:
        return []
    column = {"outbox": "payload", "station_state": "value"}[name]
    parsed: list[tuple[dict[str, Any], Any]] = []
    for row_name, row in rows.rows.items():
        try:
            parsed.append((row, jsonio.loads(row[column])))
        except Exception as exc:  # a finding, never a crash
            out.add(
                "decode",
                f"{name} row {row_name}: column {column}: not JSON ({_reason(exc)})",
                table=name,
                row=row_name,
                column=column,
            )
    return parsed


_EVENT_FIELDS: Final = ("session_id", "method", "state", "currency", "authorized", "captured")


def _same(stored: object, told: object) -> bool:
    if stored is None or told is None:
        return stored is told
    if isinstance(stored, Decimal):
        try:
            return Decimal(str(told)) == stored
        except InvalidOperation:
            return False
    if isinstance(stored, Enum):
        stored = stored.value
    return str(stored) == str(told)


def _check_events(
    events: list[tuple[dict[str, Any], Any]],
    sessions: dict[str, ChargingSession],
    payments: dict[str, Payment],
    explained: set[str],
    out: LedgerCheck,
) -> None:
    """What the outbox tells the backend against the ledger's rows (a second copy).

    The newest `payment.<state>` event of a payment in that state carries its final
    amounts, state and masked reference, a `session.completed` event the session's
    cost: a damaged row (or an edit of one copy) shows up as a disagreement.
    """
    newest: dict[tuple[str, str], tuple[int, Any]] = {}
    for row, payload in events:
        _check_event_shape(row, payload, out)
        key = (str(row["topic"]), str(row["aggregate_id"]))
        if key not in newest or int(row["id"]) > newest[key][0]:
            newest[key] = (int(row["id"]), payload)
    for p in payments.values():
        found = newest.get((f"payment.{p.state.value}", p.id))
        if found is None or not isinstance(found[1], dict) or p.id in explained:
            continue
        message_id, payload = found
        stored = {name: getattr(p, name) for name in (*_EVENT_FIELDS, "masked_ref")}
        for name, value in stored.items():
            if name in payload and not _same(value, payload[name]):
                out.add(
                    "outbox",
                    f"payment {p.id}: {name} is {_show(_plain(value))} in the ledger, but its"
                    f" payment.{p.state.value} event (outbox {message_id}) says"
                    f" {_show(payload[name])}",
                    table="payments",
                    row=p.id,
                    column=name,
                )
    for s in sessions.values():
        found = newest.get(("session.completed", s.id))
        if found is None or s.totals is None or not isinstance(found[1], dict):
            continue
        message_id, payload = found
        if "cost" in payload and not _same(s.totals.cost_incl_vat, payload["cost"]):
            out.add(
                "outbox",
                f"session {s.id}: cost {s.totals.cost_incl_vat} in the ledger, but its"
                f" session.completed event (outbox {message_id}) says {_show(payload['cost'])}",
                table="sessions",
                row=s.id,
                column="total_cost_incl_vat",
            )


_PAYMENT_TOPICS: Final = frozenset(f"payment.{state.value}" for state in PaymentState)
# What every payment state event and every session.completed event carries.
_EVENT_KEYS: Final = {
    "payment": frozenset({*_EVENT_FIELDS, "payment_id", "masked_ref"}),
    "session.completed": frozenset({"session_id", "cost"}),
}


def _check_event_shape(row: dict[str, Any], payload: Any, out: LedgerCheck) -> None:
    topic, aggregate = str(row["topic"]), str(row["aggregate_id"])
    if topic in _PAYMENT_TOPICS:
        wanted, id_key = _EVENT_KEYS["payment"], "payment_id"
    elif topic == "session.completed":
        wanted, id_key = _EVENT_KEYS[topic], "session_id"
    else:
        return
    where = {"table": "outbox", "row": str(row["id"]), "column": "payload"}
    if not isinstance(payload, dict):
        out.add("outbox", f"outbox {row['id']}: its {topic} payload is not an object", **where)
        return
    missing = sorted(wanted - set(payload))
    if missing:
        out.add(
            "outbox",
            f"outbox {row['id']}: its {topic} payload lacks {', '.join(missing)}",
            **where,
        )
    if id_key in payload and str(payload[id_key]) != aggregate:
        out.add(
            "outbox",
            f"outbox {row['id']}: its {topic} payload names {id_key} {_show(payload[id_key])},"
            f" the message is about {_show(aggregate)}",
            **where,
        )


def _plain(value: object) -> object:
    return value.value if isinstance(value, Enum) else value


# ------------------------------------------------------------------ output


def render_error(reason: str, *, as_json: bool) -> str:
    """The one-line answer when the file cannot be checked at all (exit 2)."""
    one_line = " ".join(reason.split())
    if as_json:
        return jsonio.dumps({"ok": False, "checked": False, "error": one_line}, indent=2) + "\n"
    return f"cannot check: {one_line}\n"


def render_check(result: LedgerCheck, *, as_json: bool = False) -> str:
    if as_json:
        return jsonio.dumps(result.to_json(), indent=2) + "\n"
    counts = result.counts

    def by_state(prefix: str) -> str:
        return ", ".join(
            f"{k[len(prefix) :]} {v}" for k, v in sorted(counts.items()) if k.startswith(prefix)
        )

    lines = []
    if result.path is not None:
        revision = "" if result.revision is None else f" (revision {result.revision})"
        lines.append(f"ledger: {result.path}{revision}")
    lines.append(f"database integrity: {result.integrity}")
    lines.append(f"sessions: {counts['sessions']} ({by_state('sessions_')})")
    lines.append(f"payments: {counts['payments']} ({by_state('payments_')})")
    lines.append(f"captured: {result.captured}")
    audit = result.audit
    if audit:
        keyed = f", {audit['keyed']} keyed" if audit.get("keyed") else ""
        how = ""
        if audit.get("keyed_verified"):
            source = audit.get("key")
            how = " (verified with the station key" + (f" {source})" if source else ")")
        elif audit.get("keyed") and audit.get("key_used"):
            how = " (NOT verified by the station key: see the findings)"
        lines.append(f"audit log: {audit.get('entries', 0)} entries{keyed}{how}")
    if "discrepancies_unresolved" in counts:
        lines.append(f"unresolved discrepancies: {counts['discrepancies_unresolved']}")
    if result.shortfalls:
        lines.append(f"sessions whose cost exceeded the hold: {len(result.shortfalls)}")
    lines.extend(f"note: {n}" for n in result.notes)
    lines.extend(f"not verified: {u}" for u in result.unverified)
    if not result.ok:
        findings = result.findings
        if result.integrity != "ok":
            lines.append(f"LEDGER CHECK FAILED: integrity {result.integrity}")
        if findings:
            lines.append(f"LEDGER CHECK FAILED: {len(findings)} finding(s)")
        lines.extend(f"  [{f.check}] {f.text}" for f in findings[:_MAX_SHOWN])
        if len(findings) > _MAX_SHOWN:
            lines.append(f"  … and {len(findings) - _MAX_SHOWN} more (--json lists them all)")
    elif result.unverified:
        lines.append("ledger check: ok, except what is listed as not verified")
    else:
        lines.append("ledger check: ok")
    return "\n".join(lines) + "\n"
