"""Alembic's environment: always run from `backend.db.migrate` with a live connection."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from backend import models
from backend.db import Base
from backend.payments import models as payment_models

_ = (models, payment_models)  # the tables are declared there


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run the migrations through backend.db.migrate(engine)")
_run(connection)
