"""The web pages' database session: one per request, from the app's session factory."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

__all__ = ["db_session"]


def db_session(request: Request) -> Iterator[Session]:
    """A session that the page commits itself; rolled back if it did not."""
    with request.app.state.sessions() as session:
        yield session
