"""Payment intents, the simulated PSP's payments and operations, the app's sign-in throttle.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_MONEY = sa.String(40)
_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "payment_intents",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("station_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("connector_id", sa.String(36), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("authorized_amount", _MONEY, nullable=True),
        sa.Column("captured_amount", _MONEY, nullable=True),
        sa.Column("refunded_amount", _MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reference", sa.String(255), nullable=False),
        sa.Column("contract_id", sa.String(64), nullable=True),
        sa.Column("account_id", sa.String(64), nullable=True),
        sa.Column("customer_group", sa.String(64), nullable=True),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.Column("masked_ref", sa.String(64), nullable=True),
        sa.Column("last_error", sa.String(255), nullable=True),
        sa.Column("code", sa.String(32), nullable=True),
        sa.Column("psp_payment_id", sa.String(64), nullable=True),
        sa.Column("attempt_key", sa.String(128), nullable=True),
        sa.Column("attempt_started_at", _TIME, nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_intents")),
    )
    op.create_index(
        op.f("ix_payment_intents_station_id"), "payment_intents", ["station_id"], unique=False
    )
    op.create_table(
        "psp_payments",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("requested_amount", _MONEY, nullable=False),
        sa.Column("authorized_amount", _MONEY, nullable=False),
        sa.Column("captured_amount", _MONEY, nullable=False),
        sa.Column("refunded_amount", _MONEY, nullable=False),
        sa.Column("reference", sa.String(255), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("masked_card", sa.String(64), nullable=True),
        sa.Column("decline_code", sa.String(32), nullable=True),
        sa.Column("decline_reason", sa.String(255), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_psp_payments")),
    )
    op.create_table(
        "psp_operations",
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payment_id", sa.String(64), nullable=True),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_psp_operations")),
    )
    op.create_table(
        "login_throttle",
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", _TIME, nullable=False),
        sa.Column("locked_until", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_login_throttle")),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
    op.drop_table("psp_operations")
    op.drop_table("psp_payments")
    op.drop_index(op.f("ix_payment_intents_station_id"), table_name="payment_intents")
    op.drop_table("payment_intents")
