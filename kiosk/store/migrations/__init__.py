"""Alembic migrations of the kiosk ledger (run programmatically by `open_database`)."""
