"""Named counters that rise by one per change, safe across backend instances.

The UPDATE takes the row's lock, so two instances bumping the same counter get two
different values; the first bump of a name inserts it (a race there retries).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.models import Counter

__all__ = ["bump", "current"]


def bump(session: Session, name: str) -> int:
    """The counter's next value (not committed)."""
    changed = session.execute(
        update(Counter).where(Counter.name == name).values(value=Counter.value + 1)
    )
    if getattr(changed, "rowcount", 0) == 0:
        try:
            with session.begin_nested():
                session.add(Counter(name=name, value=1))
        except IntegrityError:  # another writer created it first
            return bump(session, name)
        return 1
    return current(session, name)


def current(session: Session, name: str) -> int:
    """The counter's value; 0 before its first bump."""
    return int(session.scalar(select(Counter.value).where(Counter.name == name)) or 0)
