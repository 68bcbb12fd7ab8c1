"""The backend's core tables: stations and their connectors, operators, tokens, accounts,
sessions, events, tariffs, commands, and what authentication and idempotency keep between
requests.

Money and energy are kept as exact decimal text (the same on SQLite and PostgreSQL, never
a float on the way); times are aware UTC datetimes (SQLite gives them back naive: UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from backend.db import Base

__all__ = [
    "Account",
    "AccountCharge",
    "ChargeSession",
    "Command",
    "Connector",
    "ConnectorTariff",
    "Counter",
    "Event",
    "EventConflict",
    "Exact",
    "IdempotencyKey",
    "LiveSession",
    "Nonce",
    "Operator",
    "Station",
    "StoredTariff",
    "Token",
    "UtcDateTime",
]


class Exact(TypeDecorator[Decimal]):
    """A Decimal kept as its exact text; a float or a non-finite value is refused."""

    impl = String(48)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Decimal) or not value.is_finite():
            raise TypeError(f"not a finite Decimal: {value!r}")
        return format(value, "f")

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime; a naive one is refused on the way in."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise TypeError(f"naive datetime: {value!r}")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Station(Base):
    __tablename__ = "stations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    secret: Mapped[str] = mapped_column(String(128))  # the HMAC key: needed in clear
    name: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")  # prices its CDRs
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    clock_offset_s: Mapped[float | None] = mapped_column(Float)  # server − station
    tariff_version: Mapped[int] = mapped_column(Integer, default=0)
    software: Mapped[str | None] = mapped_column(String(64))
    outbox_pending: Mapped[int | None] = mapped_column(Integer)


class Connector(Base):
    """A connector of a station as the kiosk shows it: its label ("A") and the EVSE id
    printed on the station ("DE*KIO*E0001*A"), provisioned by the operator."""

    __tablename__ = "connectors"

    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    connector_id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the kiosk's id
    position: Mapped[int] = mapped_column(Integer)  # the operator's order
    label: Mapped[str] = mapped_column(String(16))
    evse_id: Mapped[str | None] = mapped_column(String(48), unique=True)
    standard: Mapped[str | None] = mapped_column(String(32))  # OCPI ConnectorType
    max_power_kw: Mapped[Decimal | None] = mapped_column(Exact)


class Operator(Base):
    __tablename__ = "operators"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # admin | viewer
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))  # scrypt$n$r$p$salt$hash
    contract_id: Mapped[str] = mapped_column(String(64), unique=True)
    customer_group: Mapped[str | None] = mapped_column(String(64))
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Token(Base):
    __tablename__ = "tokens"

    uid: Mapped[str] = mapped_column(String(64), primary_key=True)  # upper-case hex
    contract_id: Mapped[str] = mapped_column(String(64), index=True)
    customer_group: Mapped[str | None] = mapped_column(String(64))
    whitelist: Mapped[str] = mapped_column(String(16))  # ALWAYS ALLOWED ALLOWED_OFFLINE NEVER
    valid: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Counter(Base):
    """A named number that rises with every change (the allow-list's version, commands)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class StoredTariff(Base):
    """One OCPI tariff as the operator gave it (validated), under its own id."""

    __tablename__ = "tariffs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tariff_json: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)  # rises with every PUT of this id
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ConnectorTariff(Base):
    """Which tariffs a connector of a station uses, in order."""

    __tablename__ = "connector_tariffs"

    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    connector_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    tariff_id: Mapped[str] = mapped_column(ForeignKey("tariffs.id"), index=True)


class Nonce(Base):
    """Nonces seen within the skew window: a replay is refused on every instance."""

    __tablename__ = "nonces"

    station_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class IdempotencyKey(Base):
    """The first answer under a key; `status` is NULL while its first request runs."""

    __tablename__ = "idempotency_keys"

    principal: Mapped[str] = mapped_column(String(120), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    request_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer)
    body_json: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Event(Base):
    """An outbox event of a station, kept as received (the first one under its key)."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("station_id", "idempotency_key"),
        Index("ix_events_status", "status"),
        Index("ix_events_aggregate", "aggregate_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"))
    idempotency_key: Mapped[str] = mapped_column(String(256))
    topic: Mapped[str] = mapped_column(String(100))
    aggregate_id: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # on the station
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    payload_json: Mapped[str] = mapped_column(Text)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # accepted | rejected
    error: Mapped[str | None] = mapped_column(Text)


class EventConflict(Base):
    """An event under a known key with another payload: kept, not applied, reported."""

    __tablename__ = "event_conflicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(256))
    topic: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    payload_json: Mapped[str] = mapped_column(Text)
    payload_sha256: Mapped[str] = mapped_column(String(64))


class ChargeSession(Base):
    """A finished charging session (from `session.completed`), with its CDR."""

    __tablename__ = "sessions"
    __table_args__ = (UniqueConstraint("station_id", "session_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"))
    session_id: Mapped[str] = mapped_column(String(128))
    connector_id: Mapped[str] = mapped_column(String(36))
    evse_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    energy_kwh: Mapped[Decimal] = mapped_column(Exact)
    cost: Mapped[Decimal] = mapped_column(Exact)
    currency: Mapped[str] = mapped_column(String(3))
    stop_reason: Mapped[str | None] = mapped_column(String(64))
    token_type: Mapped[str | None] = mapped_column(String(32))
    contract_id: Mapped[str | None] = mapped_column(String(64))
    customer_group: Mapped[str | None] = mapped_column(String(64))
    payment_method: Mapped[str | None] = mapped_column(String(32))
    payment_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    receipt_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    cdr_json: Mapped[str] = mapped_column(Text)
    session_json: Mapped[str] = mapped_column(Text)
    backend_cost: Mapped[Decimal | None] = mapped_column(Exact)  # our own price of the CDR
    price_mismatch: Mapped[bool] = mapped_column(Boolean, default=False)
    price_note: Mapped[str | None] = mapped_column(Text)  # why it differs or was not priced
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LiveSession(Base):
    """A running session's live figures, from the station's heartbeat."""

    __tablename__ = "live_sessions"

    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    connector_id: Mapped[str] = mapped_column(String(36))
    state: Mapped[str] = mapped_column(String(32))
    energy_kwh: Mapped[Decimal] = mapped_column(Exact)
    cost: Mapped[Decimal] = mapped_column(Exact)
    currency: Mapped[str] = mapped_column(String(3))
    payment_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Command(Base):
    """A driver's remote start or stop, for the station to carry out."""

    __tablename__ = "commands"
    __table_args__ = (Index("ix_commands_station_status", "station_id", "status"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # cmd_…
    # the order they were queued in: the "commands" counter's value (0 before 0003)
    seq: Mapped[int] = mapped_column(Integer, server_default="0")
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"))
    type: Mapped[str] = mapped_column(String(8))  # start | stop
    connector_id: Mapped[str] = mapped_column(String(36))
    contract_id: Mapped[str] = mapped_column(String(64))
    customer_group: Mapped[str | None] = mapped_column(String(64))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # pending delivered accepted rejected expired
    reason: Mapped[str | None] = mapped_column(Text)
    session_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AccountCharge(Base):
    """What an account owes for one session: written once, on `session.completed`; a
    refund of its hold adds to `refunded_amount` (each one a row of `refunds`), so the
    account owes `amount - refunded_amount`."""

    __tablename__ = "account_charges"
    __table_args__ = (UniqueConstraint("station_id", "session_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    station_id: Mapped[str] = mapped_column(String(64))
    session_id: Mapped[str] = mapped_column(String(128))
    amount: Mapped[Decimal] = mapped_column(Exact)
    refunded_amount: Mapped[Decimal] = mapped_column(Exact, default=Decimal(0), server_default="0")
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
