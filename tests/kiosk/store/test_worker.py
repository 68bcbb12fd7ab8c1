"""StoreWorker: one writer thread, in order, outcomes through futures, clean shutdown."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future

import pytest
import sqlalchemy.exc

from kiosk.store import (
    Database,
    StorageFull,
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


def test_a_storage_fault_under_a_failing_rollback_reaches_the_future_as_itself(
    db: Database,
) -> None:
    def failing(uow: UnitOfWork) -> None:
        try:
            raise StorageFull("the disk is full")
        except StorageFull:  # what a rollback refused by the same disk looks like
            raise sqlalchemy.exc.OperationalError(
                "ROLLBACK", {}, sqlite3.OperationalError("disk I/O error")
            ) from None

    with StoreWorker(db) as worker:
        with pytest.raises(StorageFull, match="the disk is full"):
            worker.submit(failing).result(timeout=10)
        mine = worker.submit(lambda uow: (_ for _ in ()).throw(Broken("own")))
        with pytest.raises(Broken, match="own"):  # a job's own error stays its own
            mine.result(timeout=10)
        assert worker.submit(lambda uow: 7).result(timeout=10) == 7


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # on purpose
def test_a_dead_thread_fails_what_is_queued_and_refuses_more(db: Database) -> None:
    gate = threading.Event()
    worker = StoreWorker(db)

    def die(job: object) -> None:  # a bug in the worker itself: the loop ends
        gate.wait(10)
        raise SystemExit("the worker's loop broke")

    worker._execute = die  # type: ignore[method-assign]
    running = worker.submit(lambda uow: 1)
    queued = worker.submit(lambda uow: 2)
    gate.set()
    for future in (running, queued):
        with pytest.raises(StoreWorkerStopped):
            future.result(timeout=10)  # failed, not left hanging
    worker._thread.join(10)
    assert not worker.running
    with pytest.raises(StoreWorkerStopped):
        worker.submit(lambda uow: 3)
