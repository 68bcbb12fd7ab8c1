"""The core tables: stations, operators, accounts, tokens, tariffs, events, sessions,
commands, account charges, nonces and idempotency keys.

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-03 10:51:40.077018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

_EXACT = sa.String(48)  # exact decimal text (backend.models.Exact)
_TIME = sa.DateTime(timezone=True)  # aware UTC (backend.models.UtcDateTime)

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("contract_id", sa.String(length=64), nullable=False),
        sa.Column("customer_group", sa.String(length=64), nullable=True),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("contract_id", name=op.f("uq_accounts_contract_id")),
        sa.UniqueConstraint("email", name=op.f("uq_accounts_email")),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.String(length=120), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("body_json", sa.Text(), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("completed_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("principal", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "nonces",
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("seen_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("station_id", "nonce", name=op.f("pk_nonces")),
    )
    with op.batch_alter_table("nonces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nonces_seen_at"), ["seen_at"], unique=False)

    op.create_table(
        "operators",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_operators")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_operators_token_sha256")),
    )
    op.create_table(
        "stations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("last_seen_at", _TIME, nullable=True),
        sa.Column("clock_offset_s", sa.Float(), nullable=True),
        sa.Column("tariff_version", sa.Integer(), nullable=False),
        sa.Column("software", sa.String(length=64), nullable=True),
        sa.Column("outbox_pending", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stations")),
    )
    op.create_table(
        "tariffs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tariff_json", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariffs")),
    )
    op.create_table(
        "account_charges",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=128), nullable=False),
        sa.Column("amount", _EXACT, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_account_charges_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_charges")),
        sa.UniqueConstraint("station_id", "session_id", name=op.f("uq_account_charges_station_id")),
    )
    with op.batch_alter_table("account_charges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_charges_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "commands",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column("connector_id", sa.String(length=36), nullable=False),
        sa.Column("contract_id", sa.String(length=64), nullable=False),
        sa.Column("customer_group", sa.String(length=64), nullable=True),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("session_id", sa.String(length=128), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_commands_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_commands_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commands")),
    )
    with op.batch_alter_table("commands", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commands_account_id"), ["account_id"], unique=False)
        batch_op.create_index("ix_commands_station_status", ["station_id", "status"], unique=False)

    op.create_table(
        "connector_tariffs",
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("connector_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tariff_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_connector_tariffs_station_id_stations")
        ),
        sa.ForeignKeyConstraint(
            ["tariff_id"], ["tariffs.id"], name=op.f("fk_connector_tariffs_tariff_id_tariffs")
        ),
        sa.PrimaryKeyConstraint(
            "station_id", "connector_id", "position", name=op.f("pk_connector_tariffs")
        ),
    )
    with op.batch_alter_table("connector_tariffs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_connector_tariffs_tariff_id"), ["tariff_id"], unique=False
        )

    op.create_table(
        "event_conflicts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=256), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("received_at", _TIME, nullable=False),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_event_conflicts_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_conflicts")),
    )
    with op.batch_alter_table("event_conflicts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_conflicts_station_id"), ["station_id"], unique=False
        )

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=256), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("aggregate_id", sa.String(length=256), nullable=True),
        sa.Column("created_at", _TIME, nullable=True),
        sa.Column("received_at", _TIME, nullable=False),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_events_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("station_id", "idempotency_key", name=op.f("uq_events_station_id")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_aggregate", ["aggregate_id"], unique=False)
        batch_op.create_index("ix_events_status", ["status"], unique=False)

    op.create_table(
        "live_sessions",
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=128), nullable=False),
        sa.Column("connector_id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("energy_kwh", _EXACT, nullable=False),
        sa.Column("cost", _EXACT, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payment_ref", sa.String(length=64), nullable=True),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_live_sessions_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("station_id", "session_id", name=op.f("pk_live_sessions")),
    )
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_live_sessions_payment_ref"), ["payment_ref"], unique=False
        )

    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=128), nullable=False),
        sa.Column("connector_id", sa.String(length=36), nullable=False),
        sa.Column("evse_id", sa.String(length=64), nullable=True),
        sa.Column("started_at", _TIME, nullable=True),
        sa.Column("ended_at", _TIME, nullable=True),
        sa.Column("energy_kwh", _EXACT, nullable=False),
        sa.Column("cost", _EXACT, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("stop_reason", sa.String(length=64), nullable=True),
        sa.Column("token_type", sa.String(length=32), nullable=True),
        sa.Column("contract_id", sa.String(length=64), nullable=True),
        sa.Column("customer_group", sa.String(length=64), nullable=True),
        sa.Column("payment_method", sa.String(length=32), nullable=True),
        sa.Column("payment_ref", sa.String(length=64), nullable=True),
        sa.Column("receipt_token", sa.String(length=64), nullable=True),
        sa.Column("cdr_json", sa.Text(), nullable=False),
        sa.Column("session_json", sa.Text(), nullable=False),
        sa.Column("backend_cost", _EXACT, nullable=True),
        sa.Column("price_mismatch", sa.Boolean(), nullable=False),
        sa.Column("price_note", sa.Text(), nullable=True),
        sa.Column("received_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_sessions_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("receipt_token", name=op.f("uq_sessions_receipt_token")),
        sa.UniqueConstraint("station_id", "session_id", name=op.f("uq_sessions_station_id")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_payment_ref"), ["payment_ref"], unique=False)
        batch_op.create_index(batch_op.f("ix_sessions_started_at"), ["started_at"], unique=False)

    op.create_table(
        "tokens",
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("contract_id", sa.String(length=64), nullable=False),
        sa.Column("customer_group", sa.String(length=64), nullable=True),
        sa.Column("whitelist", sa.String(length=16), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("expires_at", _TIME, nullable=True),
        sa.Column("account_id", sa.String(length=40), nullable=True),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_tokens_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_tokens")),
    )
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tokens_contract_id"), ["contract_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tokens_contract_id"))

    op.drop_table("tokens")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_started_at"))
        batch_op.drop_index(batch_op.f("ix_sessions_payment_ref"))

    op.drop_table("sessions")
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_sessions_payment_ref"))

    op.drop_table("live_sessions")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_status")
        batch_op.drop_index("ix_events_aggregate")

    op.drop_table("events")
    with op.batch_alter_table("event_conflicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_conflicts_station_id"))

    op.drop_table("event_conflicts")
    with op.batch_alter_table("connector_tariffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connector_tariffs_tariff_id"))

    op.drop_table("connector_tariffs")
    with op.batch_alter_table("commands", schema=None) as batch_op:
        batch_op.drop_index("ix_commands_station_status")
        batch_op.drop_index(batch_op.f("ix_commands_account_id"))

    op.drop_table("commands")
    with op.batch_alter_table("account_charges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_charges_account_id"))

    op.drop_table("account_charges")
    op.drop_table("tariffs")
    op.drop_table("stations")
    op.drop_table("operators")
    with op.batch_alter_table("nonces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nonces_seen_at"))

    op.drop_table("nonces")
    op.drop_table("idempotency_keys")
    op.drop_table("counters")
    op.drop_table("accounts")
