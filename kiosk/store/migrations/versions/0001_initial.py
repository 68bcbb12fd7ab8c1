"""The initial ledger: sessions, payments and their operations, outbox, audit log, station state.

Revision ID: 0001
Revises:
Create Date: 2026-11-24

Column types are written as their storage types, frozen here (not imported from
kiosk.store.schema): timestamps are String(32) holding ISO-8601 UTC text, amounts
are Text holding exact decimals, enums are String(32) holding the enum value.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AUDIT_TRIGGERS = {
    "audit_log_no_update": (
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END"
    ),
    "audit_log_no_delete": (
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END"
    ),
}


def _utc(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(length=32), nullable=nullable)


def _decimal(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _enum(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(length=32), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("connector_id", sa.String(length=64), nullable=False),
        sa.Column("evse_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("tariff_json", sa.Text(), nullable=False),
        sa.Column("tariff_id", sa.String(length=64), nullable=False),
        _enum("token_type"),
        sa.Column("token_uid", sa.String(length=64), nullable=True),
        sa.Column("payment_id", sa.String(length=36), nullable=True),
        _utc("created_at"),
        sa.Column("customer_group", sa.String(length=64), nullable=True),
        sa.Column("stop_code", sa.String(length=16), nullable=False),
        _enum("state"),
        _enum("stop_reason", nullable=True),
        _utc("plugged_at", nullable=True),
        _utc("stopped_at", nullable=True),
        _utc("ended_at", nullable=True),
        _decimal("meter_start_wh", nullable=True),
        _decimal("meter_last_wh", nullable=True),
        _utc("last_sample_at", nullable=True),
        _decimal("soc_percent", nullable=True),
        _decimal("power_kw"),
        sa.Column("periods_json", sa.Text(), nullable=False),
        _decimal("total_cost_excl_vat", nullable=True),
        _decimal("total_cost_incl_vat", nullable=True),
        _decimal("total_energy_kwh", nullable=True),
        sa.Column("total_charging_s", sa.Integer(), nullable=True),
        sa.Column("total_parking_s", sa.Integer(), nullable=True),
        sa.Column("total_idle_s", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_index(op.f("ix_sessions_connector_id"), "sessions", ["connector_id"])
    op.create_index(op.f("ix_sessions_created_at"), "sessions", ["created_at"])
    op.create_index(op.f("ix_sessions_ended_at"), "sessions", ["ended_at"])
    op.create_index(op.f("ix_sessions_state"), "sessions", ["state"])

    op.create_table(
        "payments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        _enum("method"),
        sa.Column("currency", sa.String(length=3), nullable=False),
        _utc("created_at"),
        _enum("state"),
        _decimal("authorized"),
        _decimal("captured"),
        sa.Column("masked_ref", sa.String(length=64), nullable=True),
        sa.Column("provider_ref", sa.String(length=128), nullable=True),
        sa.Column("customer_group", sa.String(length=64), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_payments_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("session_id", name=op.f("uq_payments_session_id")),
    )
    op.create_index(op.f("ix_payments_created_at"), "payments", ["created_at"])
    op.create_index(op.f("ix_payments_state"), "payments", ["state"])

    op.create_table(
        "payment_operations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("payment_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        _enum("kind"),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        _decimal("amount"),
        _enum("state"),
        _utc("created_at"),
        _utc("completed_at", nullable=True),
        sa.Column("provider_ref", sa.String(length=128), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_payment_operations_payment_id_payments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_operations")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payment_operations_idempotency_key")),
        sa.UniqueConstraint("payment_id", "seq", name=op.f("uq_payment_operations_payment_id_seq")),
    )
    op.create_index(op.f("ix_payment_operations_state"), "payment_operations", ["state"])

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("aggregate_id", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        _utc("created_at"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _utc("next_attempt_at"),
        _utc("delivered_at", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_idempotency_key")),
    )
    op.create_index(op.f("ix_outbox_aggregate_id"), "outbox", ["aggregate_id"])
    op.create_index(
        op.f("ix_outbox_delivered_at_next_attempt_at"),
        "outbox",
        ["delivered_at", "next_attempt_at"],
    )

    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        _utc("at"),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=128), nullable=False),
        sa.Column("subject", sa.String(length=256), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    for sql in _AUDIT_TRIGGERS.values():
        op.execute(sql)

    op.create_table(
        "station_state",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        _utc("updated_at"),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_station_state")),
    )


def downgrade() -> None:
    op.drop_table("station_state")
    for name in _AUDIT_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_outbox_delivered_at_next_attempt_at"), table_name="outbox")
    op.drop_index(op.f("ix_outbox_aggregate_id"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_index(op.f("ix_payment_operations_state"), table_name="payment_operations")
    op.drop_table("payment_operations")
    op.drop_index(op.f("ix_payments_state"), table_name="payments")
    op.drop_index(op.f("ix_payments_created_at"), table_name="payments")
    op.drop_table("payments")
    op.drop_index(op.f("ix_sessions_state"), table_name="sessions")
    op.drop_index(op.f("ix_sessions_ended_at"), table_name="sessions")
    op.drop_index(op.f("ix_sessions_created_at"), table_name="sessions")
    op.drop_index(op.f("ix_sessions_connector_id"), table_name="sessions")
    op.drop_table("sessions")
