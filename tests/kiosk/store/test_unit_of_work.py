"""A state change and its outbox and audit rows are written together or not at all."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from kiosk.domain.errors import BugError
from kiosk.domain.payment import PaymentState
from kiosk.store import Database, StorageBusy, open_database

from .conftest import T0, new_payment, new_session


class Boom(Exception):
    pass


def test_an_exception_after_writing_leaves_nothing(db: Database) -> None:
    session = new_session()
    payment = new_payment(session)
    with db.unit_of_work() as uow:
        uow.sessions.add(session)
        uow.payments.add(payment)
        uow.commit()
    op = payment.begin_authorize(Decimal("50.00"), T0)

    def authorize_then_crash() -> None:
        with db.unit_of_work() as uow:
            uow.payments.save(payment)
            uow.outbox.add("payment.authorize", payment.id, {"amount": op.amount}, "k")
            uow.audit.append("driver", "payment.authorize", payment.id, {"amount": op.amount})
            raise Boom

    with pytest.raises(Boom):
        authorize_then_crash()
    assert payment.version == 1  # the in-memory bump was undone with the transaction
    with db.unit_of_work(write=False) as uow:
        stored = uow.payments.get(payment.id)
        assert stored is not None
        assert stored.state is PaymentState.CREATED
        assert stored.operations == []
        assert uow.outbox.pending_count() == 0
        assert uow.audit.head()[0] == 0
    # The aggregate can be saved again from where it was.
    with db.unit_of_work() as uow:
        uow.payments.save(payment)
        uow.outbox.add("payment.authorize", payment.id, {"amount": op.amount}, "k")
        uow.commit()
    with db.unit_of_work(write=False) as uow:
        stored = uow.payments.get(payment.id)
        assert stored == payment
        assert stored.version == 2
        assert uow.outbox.pending_count() == 1


def test_leaving_without_commit_rolls_back(db: Database) -> None:
    with db.unit_of_work() as uow:
        uow.station_state.set("k", 1)
    with db.unit_of_work() as uow:
        assert uow.station_state.get("k") is None


def test_commit_then_more_work_then_leave(db: Database) -> None:
    with db.unit_of_work() as uow:
        uow.station_state.set("a", 1)
        uow.commit()
        uow.station_state.set("b", 2)  # a new transaction, never committed
    with db.unit_of_work() as uow:
        assert uow.station_state.items() == {"a": 1}


def test_explicit_rollback(db: Database) -> None:
    session = new_session()
    with db.unit_of_work() as uow:
        uow.sessions.add(session)
        uow.rollback()
        assert session.version == 0
        assert uow.sessions.get(session.id) is None


def test_a_write_transaction_holds_the_lock_from_the_start(db: Database) -> None:
    """BEGIN IMMEDIATE: a second writer waits at the start, never half-way through."""
    entered = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with db.unit_of_work() as uow:
            uow.station_state.set("holder", 1)
            entered.set()
            release.wait(5)
            uow.commit()

    other = open_database(db.path, busy_timeout_s=0.05)  # another process, impatient
    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert entered.wait(5)
        with db.unit_of_work(write=False) as reader:  # readers never wait in WAL mode
            assert reader.station_state.get("holder") is None
        with pytest.raises(StorageBusy, match="locked by another process"):
            other.unit_of_work().__enter__()
    finally:
        other.close()
        release.set()
        thread.join(5)
    with db.unit_of_work(write=False) as reader:
        assert reader.station_state.get("holder") == 1


def test_use_outside_the_block_is_a_bug(db: Database) -> None:
    uow = db.unit_of_work()
    with pytest.raises(BugError, match="outside"):
        uow.station_state.get("k")
