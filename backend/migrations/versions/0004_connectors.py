"""A station's connectors (label, EVSE id); refunds, and what they took off account charges.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_EXACT = sa.String(48)  # exact decimal text (backend.models.Exact)
_MONEY = sa.String(40)  # the payments' decimal text (backend.payments.models.DecimalText)
_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "connectors",
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("connector_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("evse_id", sa.String(length=48), nullable=True),
        sa.Column("standard", sa.String(length=32), nullable=True),
        sa.Column("max_power_kw", _EXACT, nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_connectors_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("station_id", "connector_id", name=op.f("pk_connectors")),
        sa.UniqueConstraint("evse_id", name=op.f("uq_connectors_evse_id")),
    )
    with op.batch_alter_table("account_charges", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refunded_amount", _EXACT, server_default="0", nullable=False)
        )
    op.create_table(
        "refunds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("intent_id", sa.String(length=64), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("principal", sa.String(length=120), nullable=False),
        sa.Column("account_charge_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_charge_id"],
            ["account_charges.id"],
            name=op.f("fk_refunds_account_charge_id_account_charges"),
        ),
        sa.ForeignKeyConstraint(
            ["intent_id"],
            ["payment_intents.id"],
            name=op.f("fk_refunds_intent_id_payment_intents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refunds_account_charge_id"), ["account_charge_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_refunds_intent_id"), ["intent_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refunds_intent_id"))
        batch_op.drop_index(batch_op.f("ix_refunds_account_charge_id"))
    op.drop_table("refunds")
    with op.batch_alter_table("account_charges", schema=None) as batch_op:
        batch_op.drop_column("refunded_amount")
    op.drop_table("connectors")
