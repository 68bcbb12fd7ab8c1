"""The migrations build exactly the tables the models declare, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from backend import models
from backend.db import Base, make_engine, migrate
from backend.payments import models as payment_models


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    _ = (models, payment_models)
    engine = make_engine(db_url)
    migrate(engine)
    migrate(engine)  # a second start finds it current
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []
