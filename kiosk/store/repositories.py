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
import json
import re
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
    text,
    true,
    update,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from kiosk.domain import jsonio
from kiosk.domain.errors import BugError
from kiosk.domain.payment import OperationState, Payment, PaymentOperation, PaymentState
from kiosk.domain.periods import ChargingPeriod
from kiosk.domain.session import ChargingSession, SessionState, SessionTotals
from kiosk.store.errors import ConcurrencyError, DuplicateKey, SensitiveDataRefused
from kiosk.store.schema import AUDIT_TRIGGERS, format_utc, metadata

__all__ = [
    "GENESIS_HASH",
    "AuditEntry",
    "AuditLog",
    "OutboxMessage",
    "OutboxRepository",
    "PaymentRepository",
    "SessionRepository",
    "StationState",
    "VersionTracker",
    "backoff",
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

_periods_encoder: Final = msgspec.json.Encoder()
_periods_decoder: Final = msgspec.json.Decoder(list[ChargingPeriod])

# 13 to 19 digits, optionally grouped by single spaces or dashes: the shape of a PAN.
_PAN_LIKE: Final = re.compile(r"(?<![0-9])(?:[0-9][ -]?){12,18}[0-9](?![0-9])")
# Our own ids are UUIDs, whose digit groups can look like a grouped card number.
_UUID: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


def _pan_in(text: str) -> bool:
    return _PAN_LIKE.search(_UUID.sub("<id>", text)) is not None


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


def find_pan_like(value: object, path: str = "") -> str | None:
    """The path of the first string/number in `value` shaped like a card number, or None."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = _PAN_LIKE.sub("[digits]", str(key))  # the path never repeats a PAN
            where = f"{path}.{name}" if path else name
            if _pan_in(str(key)):
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
    if isinstance(value, (str, int, Decimal)) and _pan_in(str(value)):
        return path or "value"
    return None


def redact_pan_like(message: str | None) -> str | None:
    """Free text (provider errors) with anything shaped like a card number masked."""
    if message is None:
        return None
    return _PAN_LIKE.sub("[redacted digits]", message)


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
        "stop_code": s.stop_code,
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
        stop_code=row["stop_code"],
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

    def save(self, session: ChargingSession) -> None:
        """Write the session's current state; ConcurrencyError if it was saved meanwhile."""
        seen = session.version
        result = _execute(
            self._conn(),
            update(_SESSIONS)
            .where(_SESSIONS.c.id == session.id, _SESSIONS.c.version == seen)
            .values(_session_values(session) | {"version": seen + 1}),
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
    }


_OP_IMMUTABLE: Final = ("payment_id", "seq", "kind", "idempotency_key", "amount", "created_at")
_OP_MUTABLE: Final = ("state", "completed_at", "provider_ref", "error")


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
        _execute(
            conn,
            insert(_PAYMENTS).values(_payment_values(payment) | {"version": 1}),
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
        result = _execute(
            conn,
            update(_PAYMENTS)
            .where(_PAYMENTS.c.id == payment.id, _PAYMENTS.c.version == seen)
            .values(_payment_values(payment) | {"version": seen + 1}),
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
        _execute(
            conn,
            insert(_OPERATIONS).values(_operation_values(payment_id, seq, op)),
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
) -> str:
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
    return hashlib.sha256((str(prev_hash) + body).encode("utf-8")).hexdigest()


class AuditLog:
    """The tamper-evident, append-only log of attendant and system actions.

    Each entry's hash covers the previous entry's hash and its own canonical JSON, so
    editing, inserting or removing an entry in the middle breaks `verify()`. Triggers
    refuse UPDATE and DELETE. Truncating the newest entries is only detectable against
    an anchor kept elsewhere: send `head()` to the backend now and then.
    Nothing shaped like a card number (13-19 digits) is ever accepted.
    """

    def __init__(self, connection: ConnectionSource, clock: Clock = utc_now) -> None:
        self._conn = connection
        self._clock = clock

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
        detail_text = _canonical(fields["detail"])
        conn = self._conn()
        seq, prev_hash = self.head()
        seq += 1
        at_text = format_utc(at)
        digest = _entry_hash(prev_hash, seq, at_text, actor, action, subject, detail_text)
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
        return AuditEntry(
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            subject=subject,
            detail=json.loads(detail_text),
            prev_hash=prev_hash,
            hash=digest,
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
        return [
            AuditEntry(
                seq=row["seq"],
                at=row["at"],
                actor=row["actor"],
                action=row["action"],
                subject=row["subject"],
                detail=json.loads(row["detail"]),
                prev_hash=row["prev_hash"],
                hash=row["hash"],
            )
            for row in self._conn().execute(query).mappings()
        ]

    def verify(self) -> builtins.list[str]:
        """Problems with the chain (empty when intact), from the raw stored text."""
        conn = self._conn()
        problems: builtins.list[str] = []
        triggers = {
            str(r[0])
            for r in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
            )
        }
        missing = sorted(set(AUDIT_TRIGGERS) - triggers)
        if missing:
            problems.append(f"append-only triggers missing: {', '.join(missing)}")
        expected_seq, prev = 1, GENESIS_HASH
        rows = conn.execute(
            text(
                "SELECT seq, at, actor, action, subject, detail, prev_hash, hash"
                " FROM audit_log ORDER BY seq"
            )
        )
        for seq, at, actor, action, subject, detail, prev_hash, digest in rows:
            if seq != expected_seq:
                problems.append(f"entries {expected_seq}..{seq - 1} are missing")
            if prev_hash != prev:
                problems.append(f"entry {seq}: prev_hash does not match the previous entry's hash")
            if _entry_hash(prev_hash, seq, at, actor, action, subject, detail) != digest:
                problems.append(f"entry {seq}: contents do not match its hash (edited)")
            expected_seq, prev = int(seq) + 1, digest
        return problems


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
