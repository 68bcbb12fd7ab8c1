"""The ledger's tables (SQLAlchemy 2.x declarative) and the column types they need.

Storage formats, chosen so SQLite never rounds anything:

- Decimals are TEXT, written with `str(Decimal)` and read back with `Decimal(text)`:
  the exact value *and* its exponent come back ("0.30" stays "0.30"). SQLite's
  NUMERIC affinity would go through a float, so it is never used. Consequence: do
  not SUM or compare amounts in SQL; load them and add Decimals.
- Datetimes are TEXT, ISO-8601 in UTC with a fixed width
  ("2024-05-01T12:00:00.000000Z"), so text order is time order and range queries on
  indexed columns work. A naive datetime is refused, never guessed.
- Enums are TEXT holding the enum's `.value`.
- Nested domain data (charging periods, outbox payloads, audit details, station
  state values) is JSON TEXT.

The audit log is append-only: triggers abort any UPDATE or DELETE. They are created
with the table here (for `metadata.create_all`) and by the initial migration.
A future batch migration that rebuilds `audit_log` drops them: it must recreate them
(`Database` refuses to open a file without them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Final, TypeVar

from sqlalchemy import (
    Connection,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from kiosk.domain.errors import BugError
from kiosk.domain.payment import (
    DiscrepancyKind,
    OperationKind,
    OperationState,
    PaymentMethod,
    PaymentState,
)
from kiosk.domain.session import SessionState, StopReason, TokenType

__all__ = [
    "AUDIT_TRIGGERS",
    "NAMING_CONVENTION",
    "AuditRow",
    "Base",
    "DiscrepancyRow",
    "EnumText",
    "ExactDecimal",
    "OutboxRow",
    "PaymentOperationRow",
    "PaymentRow",
    "SessionRow",
    "StationStateRow",
    "UTCDateTime",
    "format_utc",
    "metadata",
    "tables",
]

E = TypeVar("E", bound=Enum)

NAMING_CONVENTION: Final[dict[str, str]] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_ISO_WIDTH: Final = 27  # "YYYY-MM-DDTHH:MM:SS.ffffffZ"


def format_utc(value: datetime) -> str:
    """An aware datetime as the stored text: fixed-width ISO-8601 UTC with microseconds."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise BugError(f"refusing to store a naive datetime: {value.isoformat()}")
    utc = value.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds") + "Z"


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime as fixed-width ISO-8601 UTC text; naive datetimes are refused."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise BugError(f"expected a datetime, got {type(value).__name__}")
        return format_utc(value)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        text = str(value)
        if len(text) != _ISO_WIDTH or not text.endswith("Z"):
            raise BugError(f"not a stored UTC timestamp: {text!r}")
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)


class ExactDecimal(TypeDecorator[Decimal]):
    """A finite Decimal as its exact text; floats are refused (they are not exact)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
            raise BugError(f"expected a Decimal, got {type(value).__name__}: {value!r}")
        number = Decimal(value)
        if not number.is_finite():
            raise BugError(f"refusing to store a non-finite amount: {number}")
        return str(number)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise BugError(f"a stored decimal is not text: {value!r}")
        try:
            return Decimal(value)
        except InvalidOperation:
            raise BugError(f"a stored decimal is not a number: {value!r}") from None


class EnumText(TypeDecorator[E]):
    """An Enum stored as its `.value` text."""

    impl = String(32)
    cache_ok = True

    def __init__(self, enum_class: type[E]) -> None:
        super().__init__()
        self.enum_class = enum_class

    def process_bind_param(self, value: E | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, self.enum_class):
            raise BugError(f"expected a {self.enum_class.__name__}, got {value!r}")
        return str(value.value)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> E | None:
        if value is None:
            return None
        try:
            return self.enum_class(value)
        except ValueError:
            raise BugError(f"unknown {self.enum_class.__name__} stored: {value!r}") from None


metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Base(DeclarativeBase):
    metadata = metadata


_ID = String(36)
_NAME = String(64)


class SessionRow(Base):
    """A ChargingSession; `periods_json` holds its charging periods (exact Decimals)."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    station_id: Mapped[str] = mapped_column(_NAME)
    connector_id: Mapped[str] = mapped_column(_NAME, index=True)
    evse_id: Mapped[str] = mapped_column(_NAME)
    currency: Mapped[str] = mapped_column(String(3))
    tz: Mapped[str] = mapped_column(_NAME)
    tariff_json: Mapped[str] = mapped_column(Text)
    tariff_id: Mapped[str] = mapped_column(_NAME)
    token_type: Mapped[TokenType] = mapped_column(EnumText(TokenType))
    token_uid: Mapped[str | None] = mapped_column(_NAME)
    payment_id: Mapped[str | None] = mapped_column(_ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    customer_group: Mapped[str | None] = mapped_column(_NAME)
    stop_code: Mapped[str] = mapped_column(String(16))  # "" since 0002: see stop_code_hash
    state: Mapped[SessionState] = mapped_column(EnumText(SessionState), index=True)
    stop_reason: Mapped[StopReason | None] = mapped_column(EnumText(StopReason))
    plugged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    meter_start_wh: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    meter_last_wh: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    last_sample_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    soc_percent: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    power_kw: Mapped[Decimal] = mapped_column(ExactDecimal())
    periods_json: Mapped[str] = mapped_column(Text)
    # SessionTotals: all NULL until the session is sealed, then all set.
    total_cost_excl_vat: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    total_cost_incl_vat: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    total_energy_kwh: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    total_charging_s: Mapped[int | None] = mapped_column(Integer)
    total_parking_s: Mapped[int | None] = mapped_column(Integer)
    total_idle_s: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    # 0002: keyed hashes (StationKeys.token_hash) instead of plain UIDs and stop codes
    token_hash: Mapped[str | None] = mapped_column(_NAME)
    stop_code_hash: Mapped[str | None] = mapped_column(_NAME)
    contract_id: Mapped[str | None] = mapped_column(_NAME)


class PaymentRow(Base):
    """A Payment; one per session."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("session_id"),)

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    session_id: Mapped[str] = mapped_column(_ID, ForeignKey("sessions.id"))
    method: Mapped[PaymentMethod] = mapped_column(EnumText(PaymentMethod))
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    state: Mapped[PaymentState] = mapped_column(EnumText(PaymentState), index=True)
    authorized: Mapped[Decimal] = mapped_column(ExactDecimal())
    captured: Mapped[Decimal] = mapped_column(ExactDecimal())
    masked_ref: Mapped[str | None] = mapped_column(_NAME)
    provider_ref: Mapped[str | None] = mapped_column(String(128))
    customer_group: Mapped[str | None] = mapped_column(_NAME)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)


class PaymentOperationRow(Base):
    """One call to the payment provider; its idempotency key is stored before the call."""

    __tablename__ = "payment_operations"
    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        UniqueConstraint("payment_id", "seq"),
    )

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    payment_id: Mapped[str] = mapped_column(_ID, ForeignKey("payments.id"))
    seq: Mapped[int] = mapped_column(Integer)  # position in Payment.operations
    kind: Mapped[OperationKind] = mapped_column(EnumText(OperationKind))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    amount: Mapped[Decimal] = mapped_column(ExactDecimal())
    state: Mapped[OperationState] = mapped_column(EnumText(OperationState), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    provider_ref: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(Text)
    # 0002: the amount the provider says it applied under the key (NULL: not reported)
    provider_amount: Mapped[Decimal | None] = mapped_column(ExactDecimal())


class DiscrepancyRow(Base):
    """The ledger and the provider disagree about money (0002): recorded, never overwritten.

    `expected` (what the ledger intended) and `actual` (what the provider reported) are
    JSON objects of text; `action` is what the kiosk did at once; `resolved_at` and
    `resolution` are set when someone has reviewed it. `kiosk db check` lists every
    unresolved row.
    """

    __tablename__ = "discrepancies"

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    kind: Mapped[DiscrepancyKind] = mapped_column(EnumText(DiscrepancyKind))
    payment_id: Mapped[str | None] = mapped_column(_ID, index=True)
    session_id: Mapped[str | None] = mapped_column(_ID)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    expected: Mapped[str] = mapped_column(Text)
    actual: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution: Mapped[str | None] = mapped_column(Text)


class OutboxRow(Base):
    """An event for the backend, written in the transaction of the change it reports."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        Index(None, "delivered_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(_NAME)
    aggregate_id: Mapped[str] = mapped_column(String(128), index=True)
    payload: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


class AuditRow(Base):
    """One audit entry; `hash` = sha256(prev_hash + canonical JSON of the entry), or
    HMAC-SHA256 under the station's audit key for an entry whose `detail` carries
    `"_chain": "hmac-sha256"` (kiosk/store/repositories.py, AuditLog)."""

    __tablename__ = "audit_log"
    __table_args__ = (UniqueConstraint("hash"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(128))
    subject: Mapped[str] = mapped_column(String(256))
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class StationStateRow(Base):
    """Small durable station facts (out-of-service flags, lockout counters), JSON values."""

    __tablename__ = "station_state"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


# The SQL of the audit triggers, shared with the initial migration (copied there, frozen).
AUDIT_TRIGGERS: Final[dict[str, str]] = {
    "audit_log_no_update": (
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END"
    ),
    "audit_log_no_delete": (
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END"
    ),
}


@event.listens_for(AuditRow.__table__, "after_create")
def _create_audit_triggers(target: Table, connection: Connection, **kw: Any) -> None:
    if connection.dialect.name == "sqlite":
        for sql in AUDIT_TRIGGERS.values():
            connection.exec_driver_sql(sql)


def tables() -> dict[str, Table]:
    """The ledger's tables by name."""
    return dict(metadata.tables)
