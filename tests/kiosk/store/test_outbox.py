"""The outbox: due messages in order, failures back off, delivered ones stay delivered."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from kiosk.domain import jsonio
from kiosk.domain.errors import BugError
from kiosk.store import Database, backoff

from .conftest import T0


def test_due_backoff_and_delivery(db: Database) -> None:
    with db.unit_of_work() as uow:
        first = uow.outbox.add("session.completed", "s1", {"cost": Decimal("0.30")}, "s1:done")
        second = uow.outbox.add("payment.captured", "p1", '{"ok": true}', "p1:cap", now=T0)
        uow.commit()
    with db.unit_of_work() as uow:
        due = uow.outbox.due(T0)
        assert [m.id for m in due] == [first, second]
        assert jsonio.loads(due[0].payload) == {"cost": Decimal("0.30")}
        assert due[0].created_at == due[0].next_attempt_at == T0
        retry = uow.outbox.mark_failed(first, now=T0, error="HTTP 503")
        assert retry == T0 + timedelta(seconds=5)
        uow.outbox.mark_delivered(second, T0)
        uow.commit()
    with db.unit_of_work() as uow:
        assert uow.outbox.due(T0 + timedelta(seconds=4)) == []
        [again] = uow.outbox.due(T0 + timedelta(seconds=5))
        assert (again.attempts, again.last_error) == (1, "HTTP 503")
        retry = uow.outbox.mark_failed(first, now=T0 + timedelta(seconds=5), error="timeout")
        assert retry == T0 + timedelta(seconds=15)  # 5 s, then 10 s
        explicit = uow.outbox.mark_failed(first, now=T0, error="x", retry_at=T0 + timedelta(days=1))
        assert explicit == T0 + timedelta(days=1)
        uow.outbox.mark_delivered(first, T0 + timedelta(days=1))
        assert uow.outbox.pending_count() == 0
        delivered = uow.outbox.get(first)
        assert delivered is not None
        assert delivered.delivered_at == T0 + timedelta(days=1)
        assert delivered.last_error is None
        with pytest.raises(BugError, match="already delivered"):
            uow.outbox.mark_failed(first, now=T0, error="late")
        with pytest.raises(BugError, match="no outbox message"):
            uow.outbox.mark_delivered(999, T0)


def test_per_aggregate_order_is_kept(db: Database) -> None:
    with db.unit_of_work() as uow:
        a1 = uow.outbox.add("t", "A", {}, "a1")
        b1 = uow.outbox.add("t", "B", {}, "b1")
        a2 = uow.outbox.add("t", "A", {}, "a2")
        assert [m.id for m in uow.outbox.due(T0)] == [a1, b1]
        uow.outbox.mark_failed(a1, now=T0, error="down")
        # a1 backs off; a2 must wait behind it, b1 is unaffected.
        assert [m.id for m in uow.outbox.due(T0 + timedelta(seconds=1))] == [b1]
        uow.outbox.mark_delivered(a1, T0 + timedelta(seconds=6))
        assert [m.id for m in uow.outbox.due(T0 + timedelta(seconds=6))] == [b1, a2]
        assert [m.id for m in uow.outbox.due(T0 + timedelta(seconds=6), limit=1)] == [b1]
        found = uow.outbox.get_by_key("a2")
        assert found is not None
        assert found.id == a2


def test_payloads_are_strict_json(db: Database) -> None:
    with db.unit_of_work() as uow:
        with pytest.raises(ValueError, match="NaN"):
            uow.outbox.add("t", "A", '{"x": NaN}', "k1")
        with pytest.raises(ValueError, match="refusing"):
            uow.outbox.add("t", "A", {"x": Decimal("NaN")}, "k2")


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in range(5)] == [0, 5, 10, 20, 40]
    assert backoff(11) == timedelta(hours=1)
    assert backoff(10_000) == timedelta(hours=1)


def test_errors_are_redacted(db: Database) -> None:
    with db.unit_of_work() as uow:
        mid = uow.outbox.add("t", "A", {}, "k")
        uow.outbox.mark_failed(mid, now=T0, error="echo 4242424242424242")
        message = uow.outbox.get(mid)
    assert message is not None
    assert message.last_error == "echo [redacted]"
