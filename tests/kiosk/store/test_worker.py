"""StoreWorker: one writer thread, in order, outcomes through futures, clean shutdown."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future

import pytest

from kiosk.store import (
    Database,
    StorageOverloaded,
    StoreWorker,
    StoreWorkerStopped,
    UnitOfWork,
)


class Broken(Exception):
    pass


def test_jobs_run_in_order_and_commit(db: Database) -> None:
    seen: list[int] = []
    threads: set[str] = set()

    def job(i: int) -> Callable[[UnitOfWork], int]:
        def run(uow: UnitOfWork) -> int:
            threads.add(threading.current_thread().name)
            seen.append(i)
            uow.station_state.set(f"k{i:03d}", i)
            return i * 10

        return run

    with StoreWorker(db) as worker:
        futures = [worker.submit(job(i)) for i in range(50)]
        assert [f.result(timeout=10) for f in futures] == [i * 10 for i in range(50)]
    assert seen == list(range(50))
    assert threads == {"kiosk-store"}
    with db.unit_of_work(write=False) as uow:
        assert len(uow.station_state.items("k")) == 50


def test_an_exception_reaches_the_future_and_rolls_back(db: Database) -> None:
    def failing(uow: UnitOfWork) -> None:
        uow.station_state.set("half", 1)
        raise Broken("nope")

    with StoreWorker(db) as worker:
        future = worker.submit(failing)
        with pytest.raises(Broken, match="nope"):
            future.result(timeout=10)
        after = worker.submit(lambda uow: uow.station_state.get("half"))  # the worker lives on
        assert after.result(timeout=10) is None


def test_shutdown_drains_then_refuses(db: Database) -> None:
    gate = threading.Event()
    worker = StoreWorker(db)
    first = worker.submit(lambda uow: gate.wait(10))
    rest = [worker.submit(lambda uow, i=i: i) for i in range(5)]  # type: ignore[misc]
    stopper = threading.Thread(target=worker.shutdown)
    stopper.start()
    gate.set()
    stopper.join(10)
    assert not worker.running
    assert first.result(timeout=0) is True
    assert [f.result(timeout=0) for f in rest] == list(range(5))
    with pytest.raises(StoreWorkerStopped):
        worker.submit(lambda uow: None)
    worker.shutdown()  # twice is fine


def test_a_full_queue_does_not_block_the_caller(db: Database) -> None:
    gate = threading.Event()
    started = threading.Event()

    def blocker(uow: UnitOfWork) -> None:
        started.set()
        gate.wait(10)

    worker = StoreWorker(db, max_pending=2)
    try:
        worker.submit(blocker)
        assert started.wait(10)
        queued: list[Future[int]] = [worker.submit(lambda uow: 1) for _ in range(2)]
        with pytest.raises(StorageOverloaded, match="2 writes are waiting"):
            worker.submit(lambda uow: 1)
        assert worker.pending == 2
    finally:
        gate.set()
        worker.shutdown(timeout=10)
    assert [f.result(timeout=0) for f in queued] == [1, 1]


def test_a_cancelled_job_does_not_run(db: Database) -> None:
    gate = threading.Event()
    ran: list[str] = []
    with StoreWorker(db) as worker:
        worker.submit(lambda uow: gate.wait(10))
        doomed = worker.submit(lambda uow: ran.append("doomed"))
        assert doomed.cancel()
        gate.set()
    assert ran == []
