"""Money safety: discrepancies, the provider's amount per operation, hashed tokens.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

- `discrepancies`: every disagreement between the ledger and a payment provider
  (another amount, kind or reference under a key; an orphan hold), never overwritten.
- `payment_operations.provider_amount`: what the provider says it applied under the
  operation's key (the operation's `amount` stays what the kiosk asked for).
- `sessions.token_hash`, `sessions.stop_code_hash`, `sessions.contract_id`: RFID UIDs
  and stop codes are stored as keyed hashes (`StationKeys.token_hash`) from now on.

Only columns are added (nullable) and a table created: nothing is rebuilt, no row is
changed, nothing is lost. Plain UIDs and stop codes already stored stay as they are
here, because a migration has no station key; the first writer that starts with the
key (`StationService.recover`) replaces each by its keyed hash, in one transaction
with an audit entry. Column types are frozen here, as in 0001.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("sessions", sa.Column("token_hash", sa.String(length=64), nullable=True))
    op.add_column("sessions", sa.Column("stop_code_hash", sa.String(length=64), nullable=True))
    op.add_column("sessions", sa.Column("contract_id", sa.String(length=64), nullable=True))
    op.add_column("payment_operations", sa.Column("provider_amount", sa.Text(), nullable=True))
    op.create_table(
        "discrepancies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("detected_at", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payment_id", sa.String(length=36), nullable=True),
        sa.Column("session_id", sa.String(length=36), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("expected", sa.Text(), nullable=False),
        sa.Column("actual", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("resolved_at", sa.String(length=32), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discrepancies")),
    )
    op.create_index(op.f("ix_discrepancies_detected_at"), "discrepancies", ["detected_at"])
    op.create_index(op.f("ix_discrepancies_payment_id"), "discrepancies", ["payment_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_discrepancies_payment_id"), table_name="discrepancies")
    op.drop_index(op.f("ix_discrepancies_detected_at"), table_name="discrepancies")
    op.drop_table("discrepancies")
    # SQLite's own DROP COLUMN (3.35+): no table rebuild, which foreign keys would refuse.
    op.execute("ALTER TABLE payment_operations DROP COLUMN provider_amount")
    for column in ("contract_id", "stop_code_hash", "token_hash"):
        op.execute(f"ALTER TABLE sessions DROP COLUMN {column}")
