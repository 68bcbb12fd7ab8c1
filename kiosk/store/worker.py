"""StoreWorker: the one thread that writes the ledger, so no caller waits on fsync.

    future = worker.submit(lambda uow: uow.sessions.save(session))
    future.add_done_callback(...)  # or future.result(timeout=...) where blocking is fine

Each job runs in its own unit of work, in submission order; the worker commits when
the job returns and rolls back when it raises. The job's result or exception is
delivered through its Future, never swallowed or logged away. The queue is bounded:
when it is full, `submit` raises StorageOverloaded (a KnownError) instead of blocking
the caller, unless a timeout to wait is given. `shutdown()` runs what was queued,
then stops; a job submitted after that fails with StoreWorkerStopped.

A storage fault (full disk, read-only medium, damaged page) reaches the submitter as
the StorageError it is, through the job's Future, and the worker lives on for the
next job (which works again once the fault is cleared): the station loop decides what
to do (kiosk/faults.py, ui/worker.py). A failing rollback after the fault (a file
system gone read-only refuses that too) does not hide it: the Future gets the
StorageError, not the rollback's error. Should the thread itself ever die, every job
still queued fails with StoreWorkerStopped and `submit` refuses new ones: no caller
waits on a Future that nobody will complete.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final, Generic, Self, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from kiosk.store.database import Database
from kiosk.store.errors import StorageError, StorageOverloaded, StoreWorkerStopped
from kiosk.store.unit_of_work import UnitOfWork

__all__ = ["StoreWorker"]

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_MAX_PENDING: Final = 1000


@dataclass(frozen=True, slots=True)
class _Job(Generic[T]):
    fn: Callable[[UnitOfWork], T]
    future: Future[T]


class StoreWorker:
    """A single background thread owning the database writes."""

    def __init__(
        self,
        database: Database,
        *,
        max_pending: int = DEFAULT_MAX_PENDING,
        name: str = "kiosk-store",
    ) -> None:
        if max_pending < 1:
            raise ValueError("max_pending must be at least 1")
        self._database = database
        self._queue: queue.Queue[_Job[Any] | None] = queue.Queue(max_pending)
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    # ------------------------------------------------------------ callers' side

    def submit(self, fn: Callable[[UnitOfWork], T], *, timeout: float | None = 0.0) -> Future[T]:
        """Queue `fn` to run in its own committed unit of work; its Future gets the outcome.

        timeout: how long to wait for room in a full queue (0: not at all, None: forever).
        """
        with self._lock:
            if self._closed:
                raise StoreWorkerStopped("the store worker has shut down; nothing was queued")
            if not self._thread.is_alive():
                raise StoreWorkerStopped("the store worker's thread has ended; nothing was queued")
        future: Future[T] = Future()
        try:
            self._queue.put(_Job(fn, future), timeout=timeout)
        except queue.Full:
            raise StorageOverloaded(
                f"The kiosk database is not keeping up: {self._queue.maxsize} writes are"
                " waiting. The change was not queued; retry shortly."
            ) from None
        return future

    @property
    def pending(self) -> int:
        """Jobs queued and not yet started (approximate)."""
        return self._queue.qsize()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def shutdown(self, *, timeout: float | None = None) -> None:
        """Run every job already queued, then stop the thread (waits up to `timeout`)."""
        with self._lock:
            first = not self._closed
            self._closed = True
        if threading.current_thread() is self._thread:
            # Called from a job: the loop stops by itself once the queue is empty.
            return
        if first:
            self._queue.put(None)  # wakes the worker; it drains the queue, so there is room
        self._thread.join(timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.shutdown()

    # ------------------------------------------------------------ the thread

    def _run(self) -> None:
        job: _Job[Any] | None = None
        try:
            while True:
                job = self._queue.get()
                if job is not None:
                    self._execute(job)
                if job is None or (self._closed and self._queue.empty()):
                    break
        finally:
            with self._lock:
                self._closed = True  # also when the loop died: submit refuses from now on
            if job is not None and not job.future.done():  # the loop died on this one
                job.future.set_running_or_notify_cancel()
                job.future.set_exception(
                    StoreWorkerStopped("the store worker's thread ended while running this job")
                )
            self._fail_late_jobs()
        log.debug("store worker stopped")

    def _fail_late_jobs(self) -> None:
        """Jobs still queued (after the stop marker, or the thread died): fail them."""
        while True:
            try:
                late = self._queue.get_nowait()
            except queue.Empty:
                break
            if late is not None and late.future.set_running_or_notify_cancel():
                late.future.set_exception(
                    StoreWorkerStopped("the store worker shut down before running this job")
                )

    def _execute(self, job: _Job[Any]) -> None:
        if not job.future.set_running_or_notify_cancel():
            return  # cancelled while queued
        try:
            with self._database.unit_of_work() as uow:
                result = job.fn(uow)
                uow.commit()
        except BaseException as exc:  # delivered to the submitter, who decides
            job.future.set_exception(_the_fault(exc))
        else:
            job.future.set_result(result)


def _the_fault(exc: BaseException) -> BaseException:
    """The StorageError that `exc`, a database error (a failed rollback, say), was raised
    while handling; `exc` itself for anything else (a job's own choice of error)."""
    if isinstance(exc, StorageError) or not isinstance(exc, (SQLAlchemyError, sqlite3.Error)):
        return exc
    seen: set[int] = set()
    cause = exc.__context__
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, StorageError):
            return cause
        seen.add(id(cause))
        cause = cause.__context__
    return exc
