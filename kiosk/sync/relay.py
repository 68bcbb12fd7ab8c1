"""The outbox relay: the ledger's outbox to `POST /v1/events`, in order, exactly once in effect.

Its only state is the outbox table, so it survives restarts: a batch the backend applied
before the kiosk died is sent again and absorbed there as duplicates (each event carries
its own idempotency key; the batch's Idempotency-Key is a hash of them).

Order: `OutboxRepository.due` keeps each aggregate's order; on top of it the relay never
lets a record overtake the oldest undelivered one: while that one backs off, nothing is
sent (`ignore_backoff` lifts the wait, e.g. when the backend has just come back).
A transport error, a 5xx or a garbled answer fails the whole batch (backoff, or the
backend's Retry-After) and ends the drain. A `conflict` or `rejected` event is marked
delivered so it never blocks the queue, and is kept visible: a WARNING and an audit
entry `outbox.rejected` with the backend's words.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from kiosk.store.database import Database
from kiosk.store.repositories import Clock, OutboxMessage, redact_pan_like, utc_now
from kiosk.sync import wire
from kiosk.sync.client import BackendClient, BackendError

__all__ = ["DrainResult", "OutboxRelay", "batch_key"]

log = logging.getLogger(__name__)

MAX_BATCH: Final = 500  # the contract's limit per call
_FAR_FUTURE: Final = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class DrainResult:
    delivered: int  # records marked delivered by this drain (rejected ones included)
    failed: int  # records whose attempt failed (they back off)
    pending: int  # undelivered records left in the outbox
    last_error: str | None  # why the last attempt failed, None when it did not
    next_due: datetime | None = None  # when the oldest undelivered record is due again
    rejected: int = 0  # of `delivered`: conflict or rejected at the backend
    unreachable: bool = False  # the last attempt got no answer from the backend itself


def batch_key(events: Sequence[OutboxMessage]) -> str:
    """The batch's Idempotency-Key: the same records in the same order give the same key."""
    digest = hashlib.sha256("\n".join(e.idempotency_key for e in events).encode("utf-8"))
    return f"events:{digest.hexdigest()}"


class OutboxRelay:
    """Drains the outbox of one ledger to one backend; call `drain` from one thread."""

    def __init__(
        self,
        db: Database,
        client: BackendClient,
        *,
        batch: int = 100,
        clock: Clock = utc_now,
    ) -> None:
        if not 1 <= batch <= MAX_BATCH:
            raise ValueError(f"a batch holds 1 to {MAX_BATCH} events, not {batch}")
        self._db = db
        self._client = client
        self._batch = batch
        self._clock = clock
        self.delivered_total = 0

    def pending(self) -> int:
        with self._db.unit_of_work(write=False) as uow:
            return uow.outbox.pending_count()

    def drain(self, max_batches: int | None = None, *, ignore_backoff: bool = False) -> DrainResult:
        """Send due records batch by batch until none is due, one fails, or `max_batches`.

        Raises StorageError when the ledger cannot be read or written (nothing is lost:
        what was sent and not marked is sent again and absorbed as duplicates).
        """
        delivered = failed = rejected = batches = 0
        last_error: str | None = None
        unreachable = False
        while max_batches is None or batches < max_batches:
            now = self._clock()
            due = self._next_batch(now, ignore_backoff)
            if not due:
                break
            batches += 1
            try:
                results = self._client.post_events(due, idempotency_key=batch_key(due))
            except BackendError as exc:
                last_error = str(exc)
                unreachable = not exc.answered
                failed += len(due)
                self._failed(due, now, exc)
                break
            rejected += self._record(due, results, self._clock())
            delivered += len(due)
            self.delivered_total += len(due)
        pending, next_due = self._state()
        return DrainResult(delivered, failed, pending, last_error, next_due, rejected, unreachable)

    # ------------------------------------------------------------ internals

    def _next_batch(self, now: datetime, ignore_backoff: bool) -> list[OutboxMessage]:
        with self._db.unit_of_work(write=False) as uow:
            if ignore_backoff:
                return uow.outbox.due(_FAR_FUTURE, limit=self._batch)
            oldest = uow.outbox.due(_FAR_FUTURE, limit=1)
            if not oldest or oldest[0].next_attempt_at > now:
                return []  # nothing pending, or the oldest backs off: nothing overtakes it
            return uow.outbox.due(now, limit=self._batch)

    def _state(self) -> tuple[int, datetime | None]:
        with self._db.unit_of_work(write=False) as uow:
            oldest = uow.outbox.due(_FAR_FUTURE, limit=1)
            return uow.outbox.pending_count(), oldest[0].next_attempt_at if oldest else None

    def _failed(self, due: Sequence[OutboxMessage], now: datetime, exc: BackendError) -> None:
        retry_at = None
        if exc.retry_after_s is not None:
            retry_at = now + timedelta(seconds=exc.retry_after_s)
        with self._db.unit_of_work() as uow:
            for message in due:
                uow.outbox.mark_failed(message.id, now=now, error=str(exc)[:500], retry_at=retry_at)
            uow.commit()
        log.info("outbox: %d records not delivered, tried again later: %s", len(due), exc)

    def _record(
        self, due: Sequence[OutboxMessage], results: Sequence[wire.EventResult], now: datetime
    ) -> int:
        rejected = 0
        with self._db.unit_of_work() as uow:
            for message, result in zip(due, results, strict=True):
                uow.outbox.mark_delivered(message.id, now)
                if result.status in ("accepted", "duplicate"):
                    continue
                rejected += 1
                error = redact_pan_like(result.error) or ""
                log.warning(
                    "outbox: the backend answered %s for %s %s (%s); kept there, not applied",
                    result.status,
                    message.topic,
                    message.idempotency_key,
                    error or "no detail",
                )
                uow.audit.append(
                    "station",
                    "outbox.rejected",
                    message.idempotency_key,
                    {
                        "topic": message.topic,
                        "aggregate_id": message.aggregate_id,
                        "status": result.status,
                        "error": error[:500],
                    },
                    at=now,
                )
            uow.commit()
        return rejected
