"""What operators read: finished sessions, CDRs, a day's totals, stored events."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import AccountCharge, ChargeSession, Event, EventConflict
from backend.payments.models import PaymentIntent, Refund
from kiosk.domain import jsonio

__all__ = ["daily", "events", "session_json", "sessions"]

MAX_ROWS = 1000


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def session_json(s: ChargeSession) -> dict[str, Any]:
    return {
        "station_id": s.station_id,
        "session_id": s.session_id,
        "connector_id": s.connector_id,
        "evse_id": s.evse_id,
        "started_at": _iso(s.started_at),
        "ended_at": _iso(s.ended_at),
        "energy_kwh": format(s.energy_kwh, "f"),
        "cost": format(s.cost, "f"),
        "backend_cost": None if s.backend_cost is None else format(s.backend_cost, "f"),
        "price_mismatch": s.price_mismatch,
        "price_note": s.price_note,
        "currency": s.currency,
        "stop_reason": s.stop_reason,
        "token_type": s.token_type,
        "contract_id": s.contract_id,
        "customer_group": s.customer_group,
        "payment_method": s.payment_method,
        "payment_ref": s.payment_ref,
        "receipt_token": s.receipt_token,
    }


def sessions(
    session: Session,
    *,
    station_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[ChargeSession]:
    """Finished sessions by start time (`since` ≤ start < `until`), oldest first."""
    query = select(ChargeSession)
    if station_id:
        query = query.where(ChargeSession.station_id == station_id)
    if since is not None:
        query = query.where(ChargeSession.started_at >= since)
    if until is not None:
        query = query.where(ChargeSession.started_at < until)
    query = query.order_by(ChargeSession.started_at, ChargeSession.id).limit(MAX_ROWS)
    return list(session.scalars(query))


def daily(session: Session, day: date) -> dict[str, Any]:
    """A UTC day's sessions per station, currency and way of paying; account charges;
    the refunds given that day (whenever their session was)."""
    start = datetime.combine(day, time(0), tzinfo=UTC)
    end = start + timedelta(days=1)
    totals: dict[tuple[str, str, str | None], dict[str, Any]] = defaultdict(
        lambda: {
            "sessions": 0,
            "energy_kwh": Decimal(0),
            "revenue": Decimal(0),
            "backend_revenue": Decimal(0),
            "mismatches": 0,
        }
    )
    rows = session.scalars(
        select(ChargeSession).where(
            ChargeSession.started_at >= start, ChargeSession.started_at < end
        )
    )
    for s in rows:
        line = totals[(s.station_id, s.currency, s.payment_method)]
        line["sessions"] += 1
        line["energy_kwh"] += s.energy_kwh
        line["revenue"] += s.cost
        line["backend_revenue"] += s.backend_cost if s.backend_cost is not None else 0
        line["mismatches"] += 1 if s.price_mismatch else 0
    lines = [
        {
            "station_id": station,
            "currency": currency,
            "payment_method": method,
            "sessions": line["sessions"],
            "energy_kwh": format(line["energy_kwh"], "f"),
            "revenue": format(line["revenue"], "f"),
            "backend_revenue": format(line["backend_revenue"], "f"),
            "mismatches": line["mismatches"],
        }
        for (station, currency, method), line in sorted(
            totals.items(), key=lambda item: (item[0][0], item[0][1], item[0][2] or "")
        )
    ]
    charges: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for c in session.scalars(
        select(AccountCharge).where(
            AccountCharge.created_at >= start, AccountCharge.created_at < end
        )
    ):
        charges[(c.account_id, c.currency)] += c.amount
    return {
        "day": day.isoformat(),
        "lines": lines,
        "account_charges": [
            {"account_id": account, "currency": currency, "amount": format(amount, "f")}
            for (account, currency), amount in sorted(charges.items())
        ],
        "refunds": _refunds(session, start, end),
    }


def _refunds(session: Session, start: datetime, end: datetime) -> list[dict[str, Any]]:
    totals: dict[tuple[str, str, str], list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    rows = session.execute(
        select(PaymentIntent.station_id, PaymentIntent.kind, Refund.currency, Refund.amount)
        .join(PaymentIntent, PaymentIntent.id == Refund.intent_id)
        .where(Refund.created_at >= start, Refund.created_at < end)
    )
    for station, kind, currency, amount in rows:
        line = totals[(station, kind, currency)]
        line[0] += 1
        line[1] += amount
    return [
        {
            "station_id": station,
            "kind": kind,
            "currency": currency,
            "refunds": count,
            "amount": format(amount, "f"),
        }
        for (station, kind, currency), (count, amount) in sorted(totals.items())
    ]


def events(
    session: Session, *, status: str | None = None, station_id: str | None = None
) -> list[dict[str, Any]]:
    """Stored events, newest first; `status=conflict` lists the conflicting ones."""
    if status == "conflict":
        query = select(EventConflict).order_by(EventConflict.id.desc()).limit(MAX_ROWS)
        if station_id:
            query = query.where(EventConflict.station_id == station_id)
        return [
            {
                "id": c.id,
                "station_id": c.station_id,
                "idempotency_key": c.idempotency_key,
                "topic": c.topic,
                "aggregate_id": None,
                "status": "conflict",
                "error": None,
                "received_at": _iso(c.received_at),
                "payload": jsonio.loads(c.payload_json),
            }
            for c in session.scalars(query)
        ]
    stored = select(Event).order_by(Event.id.desc()).limit(MAX_ROWS)
    if status:
        stored = stored.where(Event.status == status)
    if station_id:
        stored = stored.where(Event.station_id == station_id)
    return [
        {
            "id": e.id,
            "station_id": e.station_id,
            "idempotency_key": e.idempotency_key,
            "topic": e.topic,
            "aggregate_id": e.aggregate_id,
            "status": e.status,
            "error": e.error,
            "received_at": _iso(e.received_at),
            "payload": jsonio.loads(e.payload_json),
        }
        for e in session.scalars(stored)
    ]
