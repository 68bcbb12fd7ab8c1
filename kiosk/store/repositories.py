"""Repositories: domain aggregates in and out of the ledger's tables.

The mapping between rows and the domain dataclasses lives here; the domain never
sees SQLAlchemy. Every repository works inside the transaction of the UnitOfWork
that made it: nothing is durable until `uow.commit()`.

Optimistic locking: an aggregate's `version` is the stored version it was read at.
`add` stores version 1; `save` updates only when the stored version still equals
the aggregate's (`UPDATE ... WHERE version = :seen`) and bumps both; otherwise
ConcurrencyError. If the transaction then rolls back, the in-memory bump is undone.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, Final, Protocol

import msgspec
from sqlalchemy import (
    Connection,
    CursorResult,
    Executable,
    RowMapping,
    Table,
    delete,
    exists,
    func,
    insert,
    select,
    true,
    update,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from kiosk.domain import jsonio
from kiosk.domain.errors import BugError
from kiosk.domain.payment import (
    Discrepancy,
    OperationState,
    Payment,
    PaymentOperation,
    PaymentState,
)
from kiosk.domain.periods import ChargingPeriod
from kiosk.domain.redaction import contains_card_data, redact_optional
from kiosk.domain.session import ChargingSession, SessionState, SessionTotals, TokenType
from kiosk.store.errors import ConcurrencyError, DuplicateKey, SensitiveDataRefused
from kiosk.store.schema import AUDIT_TRIGGERS, format_utc, metadata

__all__ = [
    "CHAIN_ANCHOR",
    "CHAIN_FIELD",
    "GENESIS_HASH",
    "KEYED_SCHEME",
    "AuditChainReport",
    "AuditEntry",
    "AuditLog",
    "DiscrepancyRepository",
    "OutboxMessage",
    "OutboxRepository",
    "PaymentRepository",
    "SessionRepository",
    "StationState",
    "VersionTracker",
    "backoff",
    "check_chain_anchor",
    "find_pan_like",
    "redact_pan_like",
    "utc_now",
]

_SESSIONS: Final[Table] = metadata.tables["sessions"]
_PAYMENTS: Final[Table] = metadata.tables["payments"]
_OPERATIONS: Final[Table] = metadata.tables["payment_operations"]
_OUTBOX: Final[Table] = metadata.tables["outbox"]
_AUDIT: Final[Table] = metadata.tables["audit_log"]
_STATION: Final[Table] = metadata.tables["station_state"]
_DISCREPANCIES: Final[Table] = metadata.tables["discrepancies"]

_periods_encoder: Final = msgspec.json.Encoder()
_periods_decoder: Final = msgspec.json.Decoder(list[ChargingPeriod])


class _Versioned(Protocol):
    version: int


class VersionTracker:
    """Undoes in-memory version bumps when the transaction does not commit."""

    def __init__(self) -> None:
        self._undo: list[tuple[_Versioned, int]] = []

    def bumped(self, aggregate: _Versioned, previous: int) -> None:
        self._undo.append((aggregate, previous))

    def committed(self) -> None:
        self._undo.clear()

    def rolled_back(self) -> None:
        for aggregate, previous in reversed(self._undo):
            aggregate.version = previous
        self._undo.clear()


ConnectionSource = Callable[[], Connection]
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The default clock of the store: aware UTC wall-clock time."""
    return datetime.now(UTC)


def _execute(conn: Connection, statement: Executable, what: str) -> CursorResult[Any]:
    """Run a statement; a UNIQUE violation becomes DuplicateKey (the statement had no effect)."""
    try:
        return conn.execute(statement)
    except IntegrityError as exc:
        if "UNIQUE constraint failed" in str(exc.orig):
            raise DuplicateKey(f"{what}: {exc.orig}") from exc
        raise


# ------------------------------------------------------------------ PAN guard

# Columns that hold digests the store computes itself (the audit chain): not scanned.
_DIGEST_COLUMNS: Final = frozenset({"prev_hash", "hash"})


def find_pan_like(value: object, path: str = "") -> str | None:
    """The path of the first string/number in `value` holding card data, or None.

    Card data is what `kiosk.domain.redaction.redact` removes: PAN-like runs of 12
    digits or more, track data, CVV mentions. The path never repeats what was found.
    """
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = redact_optional(str(key)) or ""
            where = f"{path}.{name}" if path else name
            if contains_card_data(str(key)):
                return f"{where} (key)"
            found = find_pan_like(item, where)
            if found is not None:
                return found
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        for i, item in enumerate(value):
            found = find_pan_like(item, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, Decimal)) and contains_card_data(str(value)):
        return path or "value"
    return None


def redact_pan_like(message: str | None) -> str | None:
    """Free text (provider errors) with card data replaced (`redaction.redact`)."""
    return redact_optional(message)


def refuse_card_data(table: str, values: Mapping[str, Any]) -> None:
    """The ledger's PAN guard, for every text column of every table.

    Raises SensitiveDataRefused when a text value about to be written holds card data
    (see `redaction.redact`; free text from providers is redacted before it gets here).
    Typed values (Decimals, datetimes, enums, numbers) are formatted by the store and
    are not text from outside; the audit chain's own digests are not scanned.
    """
    for column, value in values.items():
        if isinstance(value, str) and column not in _DIGEST_COLUMNS and contains_card_data(value):
            raise SensitiveDataRefused(
                f"{table}.{column}: the value looks like card data (a card number, track"
                " data or a CVV); it is never stored"
            )


# ------------------------------------------------------------------ sessions


def _encode_periods(periods: Iterable[ChargingPeriod]) -> str:
    return _periods_encoder.encode(builtins.list(periods)).decode("utf-8")


def _session_values(s: ChargingSession) -> dict[str, Any]:
    t = s.totals
    return {
        "id": s.id,
        "station_id": s.station_id,
        "connector_id": s.connector_id,
        "evse_id": s.evse_id,
        "currency": s.currency,
        "tz": s.tz,
        "tariff_json": s.tariff_json,
        "tariff_id": s.tariff_id,
        "token_type": s.token_type,
        "token_uid": s.token_uid,
        "payment_id": s.payment_id,
        "created_at": s.created_at,
        "customer_group": s.customer_group,
        "stop_code": "",  # never the plain code: stop_code_hash
        "state": s.state,
        "stop_reason": s.stop_reason,
        "plugged_at": s.plugged_at,
        "stopped_at": s.stopped_at,
        "ended_at": s.ended_at,
        "meter_start_wh": s.meter_start_wh,
        "meter_last_wh": s.meter_last_wh,
        "last_sample_at": s.last_sample_at,
        "soc_percent": s.soc_percent,
        "power_kw": s.power_kw,
        "periods_json": _encode_periods(s.periods),
        "total_cost_excl_vat": None if t is None else t.cost_excl_vat,
        "total_cost_incl_vat": None if t is None else t.cost_incl_vat,
        "total_energy_kwh": None if t is None else t.energy_kwh,
        "total_charging_s": None if t is None else t.charging_s,
        "total_parking_s": None if t is None else t.parking_s,
        "total_idle_s": None if t is None else t.idle_s,
        "token_hash": s.token_hash,
        "stop_code_hash": s.stop_code_hash,
        "contract_id": s.contract_id,
    }


def _session_of(row: RowMapping) -> ChargingSession:
    totals_columns = (
        row["total_cost_excl_vat"],
        row["total_cost_incl_vat"],
        row["total_energy_kwh"],
        row["total_charging_s"],
        row["total_parking_s"],
        row["total_idle_s"],
    )
    totals: SessionTotals | None = None
    if all(v is not None for v in totals_columns):
        totals = SessionTotals(
            cost_excl_vat=row["total_cost_excl_vat"],
            cost_incl_vat=row["total_cost_incl_vat"],
            energy_kwh=row["total_energy_kwh"],
            charging_s=row["total_charging_s"],
            parking_s=row["total_parking_s"],
            idle_s=row["total_idle_s"],
        )
    elif any(v is not None for v in totals_columns):
        raise BugError(f"session {row['id']}: totals are partly stored")
    return ChargingSession(
        id=row["id"],
        station_id=row["station_id"],
        connector_id=row["connector_id"],
        evse_id=row["evse_id"],
        currency=row["currency"],
        tz=row["tz"],
        tariff_json=row["tariff_json"],
        tariff_id=row["tariff_id"],
        token_type=row["token_type"],
        token_uid=row["token_uid"],
        payment_id=row["payment_id"],
        created_at=row["created_at"],
        customer_group=row["customer_group"],
        stop_code="",  # the plain code is never stored
        token_hash=row["token_hash"],
        stop_code_hash=row["stop_code_hash"],
        contract_id=row["contract_id"],
        state=row["state"],
        stop_reason=row["stop_reason"],
        plugged_at=row["plugged_at"],
        stopped_at=row["stopped_at"],
        ended_at=row["ended_at"],
        meter_start_wh=row["meter_start_wh"],
        meter_last_wh=row["meter_last_wh"],
        last_sample_at=row["last_sample_at"],
        soc_percent=row["soc_percent"],
        power_kw=row["power_kw"],
        periods=_periods_decoder.decode(row["periods_json"]),
        totals=totals,
        version=row["version"],
    )


class SessionRepository:
    """ChargingSession aggregates (with their charging periods)."""

    def __init__(self, connection: ConnectionSource, tracker: VersionTracker) -> None:
        self._conn = connection
        self._tracker = tracker

    def add(self, session: ChargingSession) -> None:
        """Store a new session (version 0 in memory; stored as version 1)."""
        if session.version != 0:
            raise ConcurrencyError(f"session {session.id} is already stored (v{session.version})")
        values = _session_values(session) | {"version": 1}
        refuse_card_data("sessions", values)
        _execute(self._conn(), insert(_SESSIONS).values(values), f"session {session.id}")
        self._tracker.bumped(session, 0)
        session.version = 1

    def get(self, session_id: str) -> ChargingSession | None:
        row = (
            self._conn()
            .execute(select(_SESSIONS).where(_SESSIONS.c.id == session_id))
            .mappings()
            .one_or_none()
        )
        return None if row is None else _session_of(row)

    def ids_starting(self, prefix: str, limit: int = 2) -> builtins.list[str]:
        """Session ids that start with `prefix` (a short id typed by an attendant)."""
        query = (
            select(_SESSIONS.c.id)
            .where(_SESSIONS.c.id.startswith(prefix, autoescape=True))
            .order_by(_SESSIONS.c.id)
            .limit(limit)
        )
        return [str(row[0]) for row in self._conn().execute(query)]

    def completed_between(self, start: datetime, end: datetime) -> builtins.list[ChargingSession]:
        """Completed sessions that ended in [start, end)."""
        c = _SESSIONS.c
        query = select(_SESSIONS).where(
            c.state == SessionState.COMPLETED, c.ended_at >= start, c.ended_at < end
        )
        return [_session_of(row) for row in self._conn().execute(query).mappings()]

    def save(self, session: ChargingSession) -> None:
        """Write the session's current state; ConcurrencyError if it was saved meanwhile."""
        seen = session.version
        values = _session_values(session)
        refuse_card_data("sessions", values)
        result = _execute(
            self._conn(),
            update(_SESSIONS)
            .where(_SESSIONS.c.id == session.id, _SESSIONS.c.version == seen)
            .values(values | {"version": seen + 1}),
            f"session {session.id}",
        )
        if result.rowcount != 1:
            stored = (
                self._conn()
                .execute(select(_SESSIONS.c.version).where(_SESSIONS.c.id == session.id))
                .scalar_one_or_none()
            )
            if stored is None:
                raise ConcurrencyError(f"session {session.id} is not stored")
            raise ConcurrencyError(
                f"session {session.id} was changed meanwhile"
                f" (stored v{stored}, saving from v{seen})"
            )
        self._tracker.bumped(session, seen)
        session.version = seen + 1

    def list(
        self,
        *,
        state: SessionState | Iterable[SessionState] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        connector_id: str | None = None,
        limit: int | None = 100,
    ) -> builtins.list[ChargingSession]:
        """Sessions created in [since, until), newest first."""
        c = _SESSIONS.c
        query = select(_SESSIONS).order_by(c.created_at.desc(), c.id)
        if isinstance(state, SessionState):
            query = query.where(c.state == state)
        elif state is not None:
            query = query.where(c.state.in_(builtins.list(state)))
        if since is not None:
            query = query.where(c.created_at >= since)
        if until is not None:
            query = query.where(c.created_at < until)
        if connector_id is not None:
            query = query.where(c.connector_id == connector_id)
        if limit is not None:
            query = query.limit(limit)
        return [_session_of(row) for row in self._conn().execute(query).mappings()]

    def non_final(self) -> builtins.list[ChargingSession]:
        """Sessions not completed, failed or aborted (to recover at start-up), oldest first."""
        final = [s for s in SessionState if s.is_final]
        query = (
            select(_SESSIONS)
            .where(_SESSIONS.c.state.not_in(final))
            .order_by(_SESSIONS.c.created_at, _SESSIONS.c.id)
        )
        return [_session_of(row) for row in self._conn().execute(query).mappings()]

    def count(self, state: SessionState | None = None) -> int:
        query = select(func.count()).select_from(_SESSIONS)
        if state is not None:
            query = query.where(_SESSIONS.c.state == state)
        return int(self._conn().execute(query).scalar_one())

    def latest_ended_at(self) -> datetime | None:
        """When the newest completed session ended, if any."""
        c = _SESSIONS.c
        query = select(func.max(c.ended_at)).where(c.state == SessionState.COMPLETED)
        value = self._conn().execute(query).scalar_one_or_none()
        return value if isinstance(value, datetime) else None

    def latest_activity(self) -> datetime | None:
        """The newest time recorded on any session (created, sampled or ended), if any."""
        c = _SESSIONS.c
        # Fixed-width UTC text: text order is time order, so MAX works on the stored form.
        row = (
            self._conn()
            .execute(
                select(func.max(c.created_at), func.max(c.last_sample_at), func.max(c.ended_at))
            )
            .one()
        )
        moments = [m for m in row if m is not None]
        return max(moments) if moments else None

    def meter_registers(self) -> dict[str, Decimal]:
        """Per connector, the highest meter register (Wh) any of its sessions recorded."""
        c = _SESSIONS.c
        rows = self._conn().execute(
            select(c.connector_id, c.meter_last_wh).where(c.meter_last_wh.is_not(None))
        )
        registers: dict[str, Decimal] = {}
        for connector_id, wh in rows:
            if connector_id not in registers or wh > registers[connector_id]:
                registers[connector_id] = wh
        return registers

    def completed_since(self, moment: datetime) -> builtins.list[ChargingSession]:
        """Completed sessions that ended at or after `moment`, in order of their end."""
        c = _SESSIONS.c
        query = (
            select(_SESSIONS)
            .where(c.state == SessionState.COMPLETED, c.ended_at >= moment)
            .order_by(c.ended_at, c.id)
        )
        return [_session_of(row) for row in self._conn().execute(query).mappings()]

    def completed_with_hash(
        self,
        since: datetime,
        *,
        token_hash: str | None = None,
        stop_code_hash: str | None = None,
        limit: int = 5,
    ) -> builtins.list[ChargingSession]:
        """Completed sessions ended at or after `since` whose card UID or stop code has
        this keyed hash, newest first (a driver asking for a receipt again)."""
        c = _SESSIONS.c
        if token_hash is None and stop_code_hash is None:
            return []
        query = select(_SESSIONS).where(c.state == SessionState.COMPLETED, c.ended_at >= since)
        if token_hash is not None:
            query = query.where(c.token_hash == token_hash)
        if stop_code_hash is not None:
            query = query.where(c.stop_code_hash == stop_code_hash)
        query = query.order_by(c.ended_at.desc(), c.id).limit(limit)
        return [_session_of(row) for row in self._conn().execute(query).mappings()]

    def hash_plain_tokens(self, token_hash: Callable[[str], str]) -> int:
        """Replace plain RFID UIDs and stop codes (ledgers from before 0002) by keyed hashes.

        An RFID session's `token_uid` moves into `token_hash` as `token_hash(uid)` and a
        stored stop code into `stop_code_hash`; the plain columns are cleared and the
        version bumped. Returns how many sessions changed (0 once done: idempotent).
        """
        c = _SESSIONS.c
        conn = self._conn()
        rows = conn.execute(
            select(c.id, c.token_type, c.token_uid, c.stop_code, c.version).where(
                ((c.token_type == TokenType.RFID) & c.token_uid.is_not(None)) | (c.stop_code != "")
            )
        ).all()
        for sid, token_type, uid, code, version in rows:
            values: dict[str, Any] = {"version": version + 1}
            if token_type is TokenType.RFID and uid is not None:
                values |= {"token_uid": None, "token_hash": token_hash(str(uid).upper())}
            if code:
                values |= {"stop_code": "", "stop_code_hash": token_hash(str(code))}
            conn.execute(update(_SESSIONS).where(c.id == sid).values(values))
        return len(rows)


# ------------------------------------------------------------------ payments


def _payment_values(p: Payment) -> dict[str, Any]:
    return {
        "id": p.id,
        "session_id": p.session_id,
        "method": p.method,
        "currency": p.currency,
        "created_at": p.created_at,
        "state": p.state,
        "authorized": p.authorized,
        "captured": p.captured,
        "masked_ref": p.masked_ref,
        "provider_ref": p.provider_ref,
        "customer_group": p.customer_group,
        "decline_reason": redact_pan_like(p.decline_reason),
    }


def _operation_values(payment_id: str, seq: int, op: PaymentOperation) -> dict[str, Any]:
    return {
        "id": op.id,
        "payment_id": payment_id,
        "seq": seq,
        "kind": op.kind,
        "idempotency_key": op.idempotency_key,
        "amount": op.amount,
        "state": op.state,
        "created_at": op.created_at,
        "completed_at": op.completed_at,
        "provider_ref": op.provider_ref,
        "error": redact_pan_like(op.error),
        "provider_amount": op.provider_amount,
    }


_OP_IMMUTABLE: Final = ("payment_id", "seq", "kind", "idempotency_key", "amount", "created_at")
_OP_MUTABLE: Final = ("state", "completed_at", "provider_ref", "error", "provider_amount")


def _operation_of(row: RowMapping) -> PaymentOperation:
    return PaymentOperation(
        id=row["id"],
        kind=row["kind"],
        idempotency_key=row["idempotency_key"],
        amount=row["amount"],
        state=row["state"],
        created_at=row["created_at"],
        completed_at=row["completed_at"],
        provider_ref=row["provider_ref"],
        error=row["error"],
        provider_amount=row["provider_amount"],
    )


def _payment_of(row: RowMapping, operations: builtins.list[PaymentOperation]) -> Payment:
    return Payment(
        id=row["id"],
        session_id=row["session_id"],
        method=row["method"],
        currency=row["currency"],
        created_at=row["created_at"],
        state=row["state"],
        authorized=row["authorized"],
        captured=row["captured"],
        masked_ref=row["masked_ref"],
        provider_ref=row["provider_ref"],
        customer_group=row["customer_group"],
        decline_reason=row["decline_reason"],
        operations=operations,
        version=row["version"],
    )


class PaymentRepository:
    """Payment aggregates with their operations (one payment per session).

    Operations are append-only in kind, key, amount and position; only their
    outcome (state, completed_at, provider_ref, error) is ever updated.
    """

    def __init__(self, connection: ConnectionSource, tracker: VersionTracker) -> None:
        self._conn = connection
        self._tracker = tracker

    def add(self, payment: Payment) -> None:
        """Store a new payment and its operations; its session must already be stored."""
        if payment.version != 0:
            raise ConcurrencyError(f"payment {payment.id} is already stored (v{payment.version})")
        conn = self._conn()
        values = _payment_values(payment)
        refuse_card_data("payments", values)
        _execute(
            conn,
            insert(_PAYMENTS).values(values | {"version": 1}),
            f"payment {payment.id} (session {payment.session_id})",
        )
        for seq, op in enumerate(payment.operations):
            self._insert_operation(conn, payment.id, seq, op)
        self._tracker.bumped(payment, 0)
        payment.version = 1

    def get(self, payment_id: str) -> Payment | None:
        return self._one(_PAYMENTS.c.id == payment_id)

    def get_by_session(self, session_id: str) -> Payment | None:
        return self._one(_PAYMENTS.c.session_id == session_id)

    def save(self, payment: Payment) -> None:
        """Write the payment, insert its new operations, update the changed ones."""
        seen = payment.version
        conn = self._conn()
        values = _payment_values(payment)
        refuse_card_data("payments", values)
        result = _execute(
            conn,
            update(_PAYMENTS)
            .where(_PAYMENTS.c.id == payment.id, _PAYMENTS.c.version == seen)
            .values(values | {"version": seen + 1}),
            f"payment {payment.id}",
        )
        if result.rowcount != 1:
            stored = conn.execute(
                select(_PAYMENTS.c.version).where(_PAYMENTS.c.id == payment.id)
            ).scalar_one_or_none()
            if stored is None:
                raise ConcurrencyError(f"payment {payment.id} is not stored")
            raise ConcurrencyError(
                f"payment {payment.id} was changed meanwhile"
                f" (stored v{stored}, saving from v{seen})"
            )
        existing = {
            row["id"]: row
            for row in conn.execute(
                select(_OPERATIONS).where(_OPERATIONS.c.payment_id == payment.id)
            ).mappings()
        }
        ids = {op.id for op in payment.operations}
        if not set(existing) <= ids:
            raise BugError(f"payment {payment.id}: stored operations were removed from it")
        for seq, op in enumerate(payment.operations):
            stored_row = existing.get(op.id)
            if stored_row is None:
                self._insert_operation(conn, payment.id, seq, op)
                continue
            values = _operation_values(payment.id, seq, op)
            for name in _OP_IMMUTABLE:
                if stored_row[name] != values[name]:
                    raise BugError(
                        f"payment {payment.id}: operation {op.id} changed its {name}"
                        " (only its outcome may change)"
                    )
            changed = {n: values[n] for n in _OP_MUTABLE if stored_row[n] != values[n]}
            refuse_card_data("payment_operations", changed)
            if changed:
                conn.execute(update(_OPERATIONS).where(_OPERATIONS.c.id == op.id).values(changed))
        self._tracker.bumped(payment, seen)
        payment.version = seen + 1

    def non_final(self) -> builtins.list[Payment]:
        """Payments not yet captured, voided, declined, expired or failed, oldest first."""
        final = [s for s in PaymentState if s.is_final]
        return self._many(_PAYMENTS.c.state.not_in(final))

    def list_all(self) -> builtins.list[Payment]:
        """Every payment, oldest first (reports and ledger checks)."""
        return self._many(true())

    def with_provider_refs(self, refs: Iterable[str]) -> builtins.list[Payment]:
        """The payments holding these provider references (the open-holds sweep)."""
        wanted = builtins.list(dict.fromkeys(refs))
        found: builtins.list[Payment] = []
        for i in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
            found += self._many(_PAYMENTS.c.provider_ref.in_(wanted[i : i + 500]))
        return found

    def with_pending_operations(self) -> builtins.list[Payment]:
        """Payments with an operation whose outcome is unknown (resolve by its key)."""
        pending = (
            exists()
            .where(_OPERATIONS.c.payment_id == _PAYMENTS.c.id)
            .where(_OPERATIONS.c.state == OperationState.PENDING)
        )
        return self._many(pending)

    # ------------------------------------------------------------ helpers

    @staticmethod
    def _insert_operation(
        conn: Connection, payment_id: str, seq: int, op: PaymentOperation
    ) -> None:
        values = _operation_values(payment_id, seq, op)
        refuse_card_data("payment_operations", values)
        _execute(
            conn,
            insert(_OPERATIONS).values(values),
            f"payment {payment_id} operation {op.kind.value} key {op.idempotency_key!r}",
        )

    def _one(self, condition: Any) -> Payment | None:
        found = self._many(condition)
        return found[0] if found else None

    def _many(self, condition: Any) -> builtins.list[Payment]:
        conn = self._conn()
        rows = (
            conn.execute(
                select(_PAYMENTS).where(condition).order_by(_PAYMENTS.c.created_at, _PAYMENTS.c.id)
            )
            .mappings()
            .all()
        )
        if not rows:
            return []
        ops: dict[str, builtins.list[PaymentOperation]] = {row["id"]: [] for row in rows}
        op_rows = conn.execute(
            select(_OPERATIONS)
            .where(_OPERATIONS.c.payment_id.in_(builtins.list(ops)))
            .order_by(_OPERATIONS.c.payment_id, _OPERATIONS.c.seq)
        ).mappings()
        for op_row in op_rows:
            ops[op_row["payment_id"]].append(_operation_of(op_row))
        return [_payment_of(row, ops[row["id"]]) for row in rows]


# ------------------------------------------------------------------ discrepancies


def _discrepancy_of(row: RowMapping) -> Discrepancy:
    return Discrepancy(
        id=row["id"],
        detected_at=row["detected_at"],
        kind=row["kind"],
        payment_id=row["payment_id"],
        session_id=row["session_id"],
        idempotency_key=row["idempotency_key"],
        expected=json.loads(row["expected"]),
        actual=json.loads(row["actual"]),
        action=row["action"],
        resolved_at=row["resolved_at"],
        resolution=row["resolution"],
    )


class DiscrepancyRepository:
    """Disagreements between the ledger and a provider; added once, then only resolved."""

    def __init__(self, connection: ConnectionSource, clock: Clock = utc_now) -> None:
        self._conn = connection
        self._clock = clock

    def add(self, d: Discrepancy) -> None:
        values: dict[str, Any] = {
            "id": d.id,
            "detected_at": d.detected_at,
            "kind": d.kind,
            "payment_id": d.payment_id,
            "session_id": d.session_id,
            "idempotency_key": d.idempotency_key,
            "expected": _canonical(d.expected),
            "actual": _canonical(d.actual),
            "action": d.action,
            "resolved_at": d.resolved_at,
            "resolution": d.resolution,
        }
        refuse_card_data("discrepancies", values)
        _execute(self._conn(), insert(_DISCREPANCIES).values(values), f"discrepancy {d.id}")

    def get(self, discrepancy_id: str) -> Discrepancy | None:
        row = (
            self._conn()
            .execute(select(_DISCREPANCIES).where(_DISCREPANCIES.c.id == discrepancy_id))
            .mappings()
            .one_or_none()
        )
        return None if row is None else _discrepancy_of(row)

    def list(
        self, *, unresolved: bool = False, payment_id: str | None = None
    ) -> builtins.list[Discrepancy]:
        """Discrepancies, oldest first."""
        c = _DISCREPANCIES.c
        query = select(_DISCREPANCIES).order_by(c.detected_at, c.id)
        if unresolved:
            query = query.where(c.resolved_at.is_(None))
        if payment_id is not None:
            query = query.where(c.payment_id == payment_id)
        return [_discrepancy_of(row) for row in self._conn().execute(query).mappings()]

    def resolve(self, discrepancy_id: str, resolution: str, *, at: datetime | None = None) -> None:
        """Mark a discrepancy as reviewed (audit it in the same unit of work)."""
        if at is None:
            at = self._clock()
        refuse_card_data("discrepancies", {"resolution": resolution})
        result = self._conn().execute(
            update(_DISCREPANCIES)
            .where(_DISCREPANCIES.c.id == discrepancy_id, _DISCREPANCIES.c.resolved_at.is_(None))
            .values(resolved_at=at, resolution=resolution)
        )
        if result.rowcount != 1:
            raise BugError(f"discrepancy {discrepancy_id} is unknown or already resolved")


# ------------------------------------------------------------------ outbox

BACKOFF_FIRST: Final = timedelta(seconds=5)
BACKOFF_MAX: Final = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed delivery: 5 s, 10 s, 20 s, ... up to 1 h."""
    if attempts < 1:
        return timedelta(0)
    return min(BACKOFF_FIRST * (1 << min(attempts - 1, 20)), BACKOFF_MAX)


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: int
    topic: str
    aggregate_id: str
    payload: str  # JSON text, sent as is
    idempotency_key: str
    created_at: datetime
    attempts: int
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_error: str | None


def _message_of(row: RowMapping) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        topic=row["topic"],
        aggregate_id=row["aggregate_id"],
        payload=row["payload"],
        idempotency_key=row["idempotency_key"],
        created_at=row["created_at"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        delivered_at=row["delivered_at"],
        last_error=row["last_error"],
    )


class OutboxRepository:
    """Events for the backend, delivered at least once and de-duplicated by their key."""

    def __init__(self, connection: ConnectionSource, clock: Clock = utc_now) -> None:
        self._conn = connection
        self._clock = clock

    def add(
        self,
        topic: str,
        aggregate_id: str,
        payload: Mapping[str, Any] | builtins.list[Any] | str,
        idempotency_key: str,
        *,
        now: datetime | None = None,
    ) -> int:
        """Queue an event (due at once); returns its id.

        A mapping/list payload is written as JSON with Decimals as exact numbers; a
        str payload must already be JSON (NaN and Infinity are refused). `now`
        defaults to the unit of work's clock.
        """
        if now is None:
            now = self._clock()
        if isinstance(payload, str):
            jsonio.loads(payload)  # refuses invalid JSON, NaN and Infinity
            body = payload
        else:
            body = jsonio.dumps_numbers(payload)
        refuse_card_data(
            "outbox",
            {"topic": topic, "aggregate_id": aggregate_id, "payload": body, "key": idempotency_key},
        )
        result = _execute(
            self._conn(),
            insert(_OUTBOX).values(
                topic=topic,
                aggregate_id=aggregate_id,
                payload=body,
                idempotency_key=idempotency_key,
                created_at=now,
                attempts=0,
                next_attempt_at=now,
                delivered_at=None,
                last_error=None,
            ),
            f"outbox {topic} key {idempotency_key!r}",
        )
        key = result.inserted_primary_key
        if key is None:
            raise BugError("outbox insert returned no id")
        return int(key[0])

    def get(self, message_id: int) -> OutboxMessage | None:
        row = (
            self._conn()
            .execute(select(_OUTBOX).where(_OUTBOX.c.id == message_id))
            .mappings()
            .one_or_none()
        )
        return None if row is None else _message_of(row)

    def get_by_key(self, idempotency_key: str) -> OutboxMessage | None:
        row = (
            self._conn()
            .execute(select(_OUTBOX).where(_OUTBOX.c.idempotency_key == idempotency_key))
            .mappings()
            .one_or_none()
        )
        return None if row is None else _message_of(row)

    def due(self, now: datetime, limit: int = 50) -> builtins.list[OutboxMessage]:
        """Undelivered messages whose next attempt is due, oldest first.

        Per aggregate, order is kept: a message waits while an older undelivered
        message of the same aggregate exists (even one still backing off).
        """
        o = _OUTBOX.alias("older")
        older_pending = (
            exists()
            .where(o.c.aggregate_id == _OUTBOX.c.aggregate_id)
            .where(o.c.delivered_at.is_(None))
            .where(o.c.id < _OUTBOX.c.id)
        )
        query = (
            select(_OUTBOX)
            .where(
                _OUTBOX.c.delivered_at.is_(None),
                _OUTBOX.c.next_attempt_at <= now,
                ~older_pending,
            )
            .order_by(_OUTBOX.c.id)
            .limit(limit)
        )
        return [_message_of(row) for row in self._conn().execute(query).mappings()]

    def mark_delivered(self, message_id: int, now: datetime) -> None:
        result = self._conn().execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.id == message_id, _OUTBOX.c.delivered_at.is_(None))
            .values(delivered_at=now, last_error=None)
        )
        if result.rowcount != 1:
            self._require(message_id)

    def mark_failed(
        self,
        message_id: int,
        *,
        now: datetime,
        error: str,
        retry_at: datetime | None = None,
    ) -> datetime:
        """Count a failed attempt; the next one is at `retry_at` or after `backoff()`."""
        message = self._require(message_id)
        if message.delivered_at is not None:
            raise BugError(f"outbox message {message_id} is already delivered")
        attempts = message.attempts + 1
        next_at = retry_at if retry_at is not None else now + backoff(attempts)
        self._conn().execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.id == message_id)
            .values(attempts=attempts, next_attempt_at=next_at, last_error=redact_pan_like(error))
        )
        return next_at

    def pending_count(self) -> int:
        query = select(func.count()).select_from(_OUTBOX).where(_OUTBOX.c.delivered_at.is_(None))
        return int(self._conn().execute(query).scalar_one())

    def _require(self, message_id: int) -> OutboxMessage:
        message = self.get(message_id)
        if message is None:
            raise BugError(f"no outbox message {message_id}")
        return message


# ------------------------------------------------------------------ audit log

GENESIS_HASH: Final = "0" * 64

# The keyed chain (HMAC-SHA256 under StationKeys.audit). A keyed entry says so inside
# its own hashed JSON: its stored detail carries CHAIN_FIELD = KEYED_SCHEME, so the
# checker knows which entries are keyed without a schema change, and removing the mark
# changes the hashed text like any other edit. The first keyed entry also writes
# CHAIN_ANCHOR into station_state: {"keyed_from": seq, "scheme": ..., "mac": ...}, the
# MAC under the same key; from that entry on every entry must be keyed, so re-hashing
# the keyed part with plain SHA-256 (mark removed) is found even without the key.
CHAIN_FIELD: Final = "_chain"
KEYED_SCHEME: Final = "hmac-sha256"
CHAIN_ANCHOR: Final = "audit_chain"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str
    keyed: bool = False  # chained with HMAC-SHA256 under the station key


@dataclass
class AuditChainReport:
    """What `AuditLog.verify_chain` found; `problems` empty means nothing is wrong.

    `keyed_unverified` counts keyed entries whose MAC was not checked (no key given):
    their links and marks were checked, their contents only against the key.
    """

    problems: builtins.list[str]
    entries: int = 0
    keyed: int = 0
    keyed_unverified: int = 0
    keyed_from: int | None = None  # where the anchor says the keyed chain starts
    anchor_unverified: bool = False  # an anchor exists and its MAC was not checked
    anchor_wrong_key: bool = False  # the anchor's MAC does not verify with the key given
    keyed_failed: int = 0  # keyed entries whose MAC does not verify with the key given


def _json_default(value: object) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"refusing to write {value} as JSON")
        return str(value)
    if isinstance(value, datetime):
        return format_utc(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot write {type(value).__name__} into the audit log")


def _canonical(value: object) -> str:
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_json_default,
    )


def _entry_hash(
    prev_hash: str,
    seq: object,
    at: object,
    actor: object,
    action: object,
    subject: object,
    detail: object,
    *,
    key: bytes | None = None,
) -> str:
    """sha256(prev_hash + canonical JSON); with `key`, HMAC-SHA256 of the same text."""
    body = _canonical(
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "subject": subject,
            "detail": detail,
        }
    )
    data = (str(prev_hash) + body).encode("utf-8")
    if key is not None:
        return hmac.new(key, data, hashlib.sha256).hexdigest()
    return hashlib.sha256(data).hexdigest()


def _anchor_mac(key: bytes, keyed_from: int) -> str:
    body = _canonical({"keyed_from": keyed_from, "scheme": KEYED_SCHEME})
    return hmac.new(key, b"audit chain anchor:" + body.encode("utf-8"), hashlib.sha256).hexdigest()


def _scheme_of(detail_text: object) -> tuple[str | None, dict[str, Any] | None]:
    """(scheme mark or None, the parsed detail or None) of a stored detail text."""
    if not isinstance(detail_text, str):
        return None, None
    try:
        parsed = json.loads(detail_text)
    except ValueError:
        return None, None
    if not isinstance(parsed, dict):
        return None, None
    mark = parsed.get(CHAIN_FIELD)
    return (mark if isinstance(mark, str) else None), parsed


def _public_detail(detail_text: str) -> tuple[dict[str, Any], bool]:
    parsed = json.loads(detail_text)
    keyed = isinstance(parsed, dict) and parsed.pop(CHAIN_FIELD, None) == KEYED_SCHEME
    return parsed, keyed


def check_chain_anchor(stored: object, key: bytes | None, report: AuditChainReport) -> int | None:
    """The anchor's keyed_from from its stored JSON; what is wrong with it goes into report."""
    try:
        if not isinstance(stored, (str, bytes)):
            raise TypeError(f"not JSON text: {type(stored).__name__}")
        value = json.loads(stored)
        keyed_from = value["keyed_from"]
        mac = value["mac"]
        if not isinstance(keyed_from, int) or not isinstance(mac, str):
            raise TypeError("keyed_from or mac has the wrong type")
        if value.get("scheme") != KEYED_SCHEME:
            raise ValueError(f"unknown scheme {str(value.get('scheme'))[:40]!r}")
    except (ValueError, KeyError, TypeError) as exc:
        report.problems.append(
            f"the keyed chain's anchor (station_state {CHAIN_ANCHOR!r}) is damaged: {exc}"
        )
        report.anchor_unverified = True
        return None
    report.keyed_from = keyed_from
    if key is None:
        report.anchor_unverified = True
    elif not hmac.compare_digest(mac, _anchor_mac(key, keyed_from)):
        report.anchor_wrong_key = True  # reported by AuditLog.verify_chain
    return keyed_from


def _key_problems(
    report: AuditChainReport, keyed: builtins.list[int], mismatched: builtins.list[int]
) -> builtins.list[str]:
    """The keyed entries and anchor that the key does not verify, as few lines as is true.

    When the anchor and every keyed entry up to some point fail and every later one
    verifies, the key was replaced (a lost key file recreated by the next writer), not
    each entry edited: one line says so instead of one per entry.
    """
    if not mismatched and not report.anchor_wrong_key:
        return []
    if report.anchor_wrong_key and mismatched and mismatched == keyed[: len(mismatched)]:
        first, last = mismatched[0], mismatched[-1]
        span = f"entry {first}" if first == last else f"entries {first}..{last}"
        if len(mismatched) == len(keyed):
            return [
                f"no keyed entry ({span}) nor the chain's anchor verifies with the given"
                " station key: it is not the key this ledger was written with"
            ]
        return [
            f"{span} and the chain's anchor do not verify with the given station key, the"
            f" {len(keyed) - len(mismatched)} later keyed entries do: the key was replaced"
            f" after entry {last} (a lost key file made anew?), or those entries were edited"
        ]
    found = [
        f"entry {seq}: contents do not match its keyed hash (edited, or written with another"
        " station key)"
        for seq in mismatched
    ]
    if report.anchor_wrong_key:
        found.insert(
            0,
            f"the keyed chain's anchor (station_state {CHAIN_ANCHOR!r}) does not match the"
            " station key (edited, or another station key)",
        )
    return found


class AuditLog:
    """The tamper-evident, append-only log of attendant and system actions.

    Each entry's hash covers the previous entry's hash and its own canonical JSON, so
    editing, inserting or removing an entry in the middle breaks `verify()`. Triggers
    refuse UPDATE and DELETE. With the station's audit key (`StationKeys.audit`, given
    by the writer's Database) the hash is an HMAC-SHA256, so whoever edits the file
    without the key cannot re-hash the chain into a valid one; entries written before
    the key existed stay plain SHA-256 (a ledger's chain is plain up to its first
    keyed entry, keyed from there on). Truncating the newest entries, or replacing the
    whole keyed part and its anchor, is only detectable against an anchor kept
    elsewhere: send `head()` to the backend now and then.
    Nothing shaped like a card number (13-19 digits) is ever accepted.
    """

    def __init__(
        self, connection: ConnectionSource, clock: Clock = utc_now, *, key: bytes | None = None
    ) -> None:
        self._conn = connection
        self._clock = clock
        self._key = key

    @property
    def keyed(self) -> bool:
        """Whether new entries are chained with the station key."""
        return self._key is not None

    def append(
        self,
        actor: str,
        action: str,
        subject: str,
        detail: Mapping[str, Any] | None = None,
        *,
        at: datetime | None = None,
    ) -> AuditEntry:
        """Add an entry at the head of the chain (`at` defaults to the clock).

        Raises SensitiveDataRefused when any field or detail key/value contains 13-19
        digits in a row (optionally grouped by spaces or dashes): pass free text from
        providers through `redact_pan_like` first.
        """
        if at is None:
            at = self._clock()
        fields: dict[str, Any] = {
            "actor": actor,
            "action": action,
            "subject": subject,
            "detail": dict(detail or {}),
        }
        found = find_pan_like(fields)
        if found is not None:
            raise SensitiveDataRefused(
                f"audit entry {redact_pan_like(action)!r}: {found} looks like a card number"
                " (13-19 digits);"
                " it is never stored"
            )
        if CHAIN_FIELD in fields["detail"]:
            raise BugError(f"audit entry {action!r}: {CHAIN_FIELD!r} is reserved for the chain")
        stored_detail = dict(fields["detail"])
        if self._key is not None:
            stored_detail[CHAIN_FIELD] = KEYED_SCHEME
        detail_text = _canonical(stored_detail)
        conn = self._conn()
        head = conn.execute(
            select(_AUDIT.c.seq, _AUDIT.c.hash, _AUDIT.c.detail)
            .order_by(_AUDIT.c.seq.desc())
            .limit(1)
        ).one_or_none()
        seq, prev_hash = (0, GENESIS_HASH) if head is None else (int(head[0]), str(head[1]))
        seq += 1
        at_text = format_utc(at)
        digest = _entry_hash(
            prev_hash, seq, at_text, actor, action, subject, detail_text, key=self._key
        )
        _execute(
            conn,
            insert(_AUDIT).values(
                seq=seq,
                at=at,
                actor=actor,
                action=action,
                subject=subject,
                detail=detail_text,
                prev_hash=prev_hash,
                hash=digest,
            ),
            f"audit entry {seq}",
        )
        if self._key is not None and (head is None or _scheme_of(head[2])[0] != KEYED_SCHEME):
            self._anchor(conn, seq, at)
        public, keyed = _public_detail(detail_text)
        return AuditEntry(
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            subject=subject,
            detail=public,
            prev_hash=prev_hash,
            hash=digest,
            keyed=keyed,
        )

    def _anchor(self, conn: Connection, seq: int, at: datetime) -> None:
        """At the first keyed entry: record (keyed, under the key) where keying starts.

        An anchor already there is kept: the chain was keyed before and a plain entry
        came in between, which `verify_chain` reports.
        """
        assert self._key is not None
        value = _canonical(
            {"keyed_from": seq, "mac": _anchor_mac(self._key, seq), "scheme": KEYED_SCHEME}
        )
        conn.execute(
            sqlite_insert(_STATION)
            .values(key=CHAIN_ANCHOR, value=value, updated_at=at)
            .on_conflict_do_nothing(index_elements=[_STATION.c.key])
        )

    def head(self) -> tuple[int, str]:
        """(seq, hash) of the newest entry; (0, GENESIS_HASH) for an empty log."""
        row = (
            self._conn()
            .execute(select(_AUDIT.c.seq, _AUDIT.c.hash).order_by(_AUDIT.c.seq.desc()).limit(1))
            .one_or_none()
        )
        return (0, GENESIS_HASH) if row is None else (int(row[0]), str(row[1]))

    def entries(self, *, after_seq: int = 0, limit: int | None = None) -> builtins.list[AuditEntry]:
        query = select(_AUDIT).where(_AUDIT.c.seq > after_seq).order_by(_AUDIT.c.seq)
        if limit is not None:
            query = query.limit(limit)
        found: builtins.list[AuditEntry] = []
        for row in self._conn().execute(query).mappings():
            detail, keyed = _public_detail(row["detail"])
            found.append(
                AuditEntry(
                    seq=row["seq"],
                    at=row["at"],
                    actor=row["actor"],
                    action=row["action"],
                    subject=row["subject"],
                    detail=detail,
                    prev_hash=row["prev_hash"],
                    hash=row["hash"],
                    keyed=keyed,
                )
            )
        return found

    def verify(self) -> builtins.list[str]:
        """Problems with the chain (empty when intact), checked with this log's key."""
        return self.verify_chain(self._key).problems

    def verify_chain(self, key: bytes | None) -> AuditChainReport:
        """Check the chain from the raw stored text; every row, never raising on one.

        Plain entries are checked with SHA-256, keyed ones with HMAC-SHA256 under
        `key`; without a key a keyed entry's links, mark and position are checked and
        it is counted in `keyed_unverified`. A plain entry after a keyed one, or at or
        after the anchor's `keyed_from`, is a problem: that is what re-hashing an edit
        with plain SHA-256 leaves behind.
        """
        conn = self._conn()
        report = AuditChainReport(problems=[])
        problems = report.problems
        triggers = {
            str(r[0])
            for r in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
            )
        }
        missing = sorted(set(AUDIT_TRIGGERS) - triggers)
        if missing:
            problems.append(f"append-only triggers missing: {', '.join(missing)}")
        keyed_from = self._read_anchor(conn, key, report)
        anchor_damaged = keyed_from is None and report.anchor_unverified
        expected_seq, prev = 1, GENESIS_HASH
        first_keyed: int | None = None
        downgraded: builtins.list[int] = []  # plain entries where keyed ones belong
        mismatched: builtins.list[int] = []  # keyed entries the key does not verify
        keyed_seqs: builtins.list[int] = []
        rows = conn.exec_driver_sql(
            "SELECT seq, at, actor, action, subject, detail, prev_hash, hash"
            " FROM audit_log ORDER BY seq"
        )
        for seq, at, actor, action, subject, detail, prev_hash, digest in rows:
            report.entries += 1
            try:
                if not isinstance(seq, int) or isinstance(seq, bool):
                    problems.append(f"entry {seq!r}: its seq is not a number")
                    prev = str(digest)
                    continue
                if seq != expected_seq:
                    problems.append(f"entries {expected_seq}..{seq - 1} are missing")
                if prev_hash != prev:
                    problems.append(
                        f"entry {seq}: prev_hash does not match the previous entry's hash"
                    )
                scheme, _parsed = _scheme_of(detail)
                if scheme is None:
                    if _entry_hash(prev_hash, seq, at, actor, action, subject, detail) != digest:
                        problems.append(f"entry {seq}: contents do not match its hash (edited)")
                    if first_keyed is not None or (keyed_from is not None and seq >= keyed_from):
                        downgraded.append(seq)
                elif scheme == KEYED_SCHEME:
                    report.keyed += 1
                    keyed_seqs.append(seq)
                    if first_keyed is None:
                        first_keyed = seq
                        if keyed_from is not None and seq != keyed_from:
                            problems.append(
                                f"entry {seq}: the keyed chain starts here, but its anchor"
                                f" says entry {keyed_from}"
                            )
                    if key is None:
                        report.keyed_unverified += 1
                    elif (
                        _entry_hash(prev_hash, seq, at, actor, action, subject, detail, key=key)
                        != digest
                    ):
                        mismatched.append(seq)
                else:
                    problems.append(f"entry {seq}: unknown chain scheme {scheme[:40]!r}")
                expected_seq = seq + 1
            except Exception as exc:  # a damaged row is a finding, never a crash
                problems.append(f"entry {seq!r}: cannot be verified ({type(exc).__name__}: {exc})")
            prev = digest if isinstance(digest, str) else repr(digest)
        report.keyed_failed = len(mismatched)
        problems.extend(_key_problems(report, keyed_seqs, mismatched))
        if downgraded:
            start = min(x for x in (first_keyed, keyed_from) if x is not None)
            which = (
                f"entry {downgraded[0]} is"
                if len(downgraded) == 1
                else f"{len(downgraded)} entries ({downgraded[0]}..{downgraded[-1]}) are"
            )
            problems.append(
                f"{which} not keyed although the chain is keyed from entry {start} on"
                " (re-hashed without the station key?)"
            )
        if first_keyed is not None and keyed_from is None and not anchor_damaged:
            problems.append(
                f"the chain is keyed from entry {first_keyed} on, but the record of where it"
                f" starts (station_state {CHAIN_ANCHOR!r}) is missing"
            )
        return report

    @staticmethod
    def _read_anchor(conn: Connection, key: bytes | None, report: AuditChainReport) -> int | None:
        try:
            row = conn.exec_driver_sql(
                "SELECT value FROM station_state WHERE key = ?", (CHAIN_ANCHOR,)
            ).first()
        except Exception as exc:  # reported; the chain is still checked
            report.problems.append(f"the keyed chain's anchor cannot be read ({exc})")
            report.anchor_unverified = True
            return None
        if row is None:
            return None
        return check_chain_anchor(row[0], key, report)


# ------------------------------------------------------------------ station state


class StationState:
    """Small durable key/value facts of the station; values are JSON (exact Decimals)."""

    def __init__(self, connection: ConnectionSource, clock: Clock = utc_now) -> None:
        self._conn = connection
        self._clock = clock

    def get(self, key: str, default: Any = None) -> Any:
        value = (
            self._conn()
            .execute(select(_STATION.c.value).where(_STATION.c.key == key))
            .scalar_one_or_none()
        )
        return default if value is None else jsonio.loads(value)

    def set(self, key: str, value: Any, *, at: datetime | None = None) -> None:
        body = jsonio.dumps_numbers(value)
        refuse_card_data("station_state", {"key": key, "value": body})
        if at is None:
            at = self._clock()
        statement = sqlite_insert(_STATION).values(key=key, value=body, updated_at=at)
        statement = statement.on_conflict_do_update(
            index_elements=[_STATION.c.key],
            set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at},
        )
        self._conn().execute(statement)

    def delete(self, key: str) -> bool:
        result = self._conn().execute(delete(_STATION).where(_STATION.c.key == key))
        return result.rowcount > 0

    def items(self, prefix: str = "") -> dict[str, Any]:
        query = select(_STATION.c.key, _STATION.c.value).order_by(_STATION.c.key)
        if prefix:
            query = query.where(_STATION.c.key.startswith(prefix, autoescape=True))
        return {str(k): jsonio.loads(v) for k, v in self._conn().execute(query)}
