"""`POST /v1/events`: single and batch, duplicates, conflicts, rejections, limits,
order, the CDR priced again, and account billing exactly once."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from backend.models import AccountCharge, ChargeSession, Event, EventConflict
from backend.stations import add_account
from backend.tokens import put_token
from tests.backend.conftest import Backend, Station, completed_event


def _post(backend: Backend, station: Station, events: list[Any]) -> list[dict[str, Any]]:
    r = backend.call(station, "POST", "/v1/events", {"events": events})
    assert r.status_code == 200, r.text
    results: list[dict[str, Any]] = r.json()["results"]
    return results


def test_one_session_is_recorded_and_priced_again(backend: Backend) -> None:
    station = backend.add_station()
    event = completed_event("s-1", 5)
    assert _post(backend, station, [event]) == [
        {"idempotency_key": "s-1:completed", "status": "accepted"}
    ]
    with backend.db() as s:
        row = s.scalars(select(ChargeSession)).one()
    assert (row.station_id, row.session_id, row.connector_id) == (station.id, "s-1", "1")
    assert row.energy_kwh == Decimal(20)
    assert row.cost == Decimal("5.50")
    assert row.backend_cost == Decimal("5.50")
    assert row.price_mismatch is False
    assert row.receipt_token == event["payload"]["receipt_token"]
    assert row.started_at is not None
    assert row.started_at.isoformat() == "2026-12-03T08:00:00+00:00"


def test_a_price_mismatch_is_flagged(backend: Backend) -> None:
    station = backend.add_station()
    assert _post(backend, station, [completed_event("s-1", 5, cost="5.49")])[0]["status"] == (
        "accepted"
    )
    with backend.db() as s:
        row = s.scalars(select(ChargeSession)).one()
    assert row.price_mismatch is True
    assert row.backend_cost == Decimal("5.50")
    assert row.price_note == "the station charged 5.49, the backend prices 5.50"


def test_no_embedded_tariff_uses_the_connectors(backend: Backend) -> None:
    from tests.backend.conftest import spec_tariff

    station = backend.add_station()
    admin = backend.add_operator("adam", "admin")
    assert backend.admin(admin, "PUT", "/v1/admin/tariffs/SPEC-8", spec_tariff()).ok
    path = f"/v1/admin/stations/{station.id}/connectors/1/tariffs"
    assert backend.admin(admin, "PUT", path, {"tariff_ids": ["SPEC-8"]}).ok
    _post(backend, station, [completed_event("s-1", 3, embed_tariff=False)])
    with backend.db() as s:
        row = s.scalars(select(ChargeSession)).one()
    assert (row.backend_cost, row.price_mismatch) == (Decimal("3.30"), False)


def test_batch_keeps_order_and_absorbs_duplicates(backend: Backend, expect_warnings: Any) -> None:
    expect_warnings("events: DE-KIO-S1")
    station = backend.add_station()
    batch = [completed_event(f"s-{i:03d}", 1 + i % 7) for i in range(500)]
    batch.insert(250, {"idempotency_key": "hb-1", "topic": "station.note", "payload": {"a": 1}})
    batch.insert(
        100,
        {
            "idempotency_key": "pay-1",
            "topic": "payment.captured",
            "aggregate_id": "pi_1",
            "payload": {"amount": "5.50", "currency": "EUR"},
        },
    )
    r = backend.call(station, "POST", "/v1/events", {"events": batch[:500]})
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["idempotency_key"] for x in results] == [e["idempotency_key"] for e in batch[:500]]
    assert {x["status"] for x in results} == {"accepted"}
    # the kiosk did not get the answer: it sends the same again, plus the rest
    again = _post(backend, station, batch[:500])
    assert {x["status"] for x in again} == {"duplicate"}
    rest = _post(backend, station, batch[500:] + batch[:1])
    assert [x["status"] for x in rest] == ["accepted", "accepted", "duplicate"]
    with backend.db() as s:
        keys = list(s.scalars(select(Event.idempotency_key).order_by(Event.id)))
        count = len(list(s.scalars(select(ChargeSession.id))))
        payment = s.scalars(select(Event).where(Event.topic == "payment.captured")).one()
    assert keys == [e["idempotency_key"] for e in batch]
    assert count == 500
    assert payment.aggregate_id == "pi_1"


def test_conflicts_and_rejections_are_kept_and_reported(
    backend: Backend, expect_warnings: Any, caplog: Any
) -> None:
    expect_warnings("events: DE-KIO-S1")
    station = backend.add_station()
    first = completed_event("s-1", 2)
    _post(backend, station, [first])
    changed = copy.deepcopy(first)
    changed["payload"]["cost"] = "9.99"
    broken = completed_event("s-2", 2)
    broken["payload"]["session"]["cost"] = 2.2  # a float: refused
    no_key = {"topic": "x", "payload": {}}
    with caplog.at_level("WARNING"):
        results = _post(backend, station, [changed, broken, no_key, "garbage"])
    assert [r["status"] for r in results] == ["conflict", "rejected", "rejected", "rejected"]
    assert "session.cost" in results[1]["error"]
    assert "conflict on key 's-1:completed'" in caplog.text
    assert "DE-KIO-S1" in caplog.text
    # the rejected one answers the same when sent again; it is kept for the operator
    assert _post(backend, station, [broken])[0]["status"] == "rejected"
    viewer = backend.add_operator("vera", "viewer")
    listed = backend.admin(viewer, "GET", "/v1/admin/events?status=rejected").json()["events"]
    assert [e["idempotency_key"] for e in listed] == ["s-2:completed"]
    conflicts = backend.admin(viewer, "GET", "/v1/admin/events?status=conflict").json()["events"]
    assert conflicts[0]["payload"]["cost"] == "9.99"
    with backend.db() as s:
        row = s.scalars(select(ChargeSession)).one()
        assert row.cost == Decimal("2.20")  # the conflict was not applied
        assert len(list(s.scalars(select(EventConflict.id)))) == 1


def test_garbage_and_huge_bodies(backend: Backend) -> None:
    station = backend.add_station()
    assert backend.call(station, "POST", "/v1/events", b"not json").status_code == 400
    assert backend.call(station, "POST", "/v1/events", b"[]").status_code == 400
    r = backend.call(station, "POST", "/v1/events", b'{"events": [{"payload": Infinity}]}')
    assert r.status_code == 400
    r = backend.call(station, "POST", "/v1/events", {"events": []})
    assert r.status_code == 422
    too_many = [completed_event(f"s-{i}", 1) for i in range(501)]
    assert backend.call(station, "POST", "/v1/events", {"events": too_many}).status_code == 422
    huge = (
        b'{"events": [{"idempotency_key": "k", "topic": "t", "payload": {"x": "'
        + (b"a" * (8 * 1024 * 1024))
        + b'"}}]}'
    )
    r = backend.call(station, "POST", "/v1/events", huge)
    assert r.status_code == 413
    r = backend.call(station, "POST", "/v1/heartbeat", b" " * (1024 * 1024 + 1))
    assert r.status_code == 413
    with backend.db() as s:
        assert s.scalars(select(Event)).first() is None


def test_account_sessions_are_billed_exactly_once(backend: Backend, expect_warnings: Any) -> None:
    expect_warnings("is recorded already")
    station = backend.add_station()
    with backend.db() as s:
        account = add_account(
            s,
            "ada@example.com",
            password_hash="scrypt$x",
            contract_id="DE-KIO-C00001-7",
            group="member",
            name=None,
            now=backend.clock(),
        )
        put_token(
            s,
            "04A1B2C3D4",
            contract_id="DE-KIO-C00001-7",
            group="member",
            whitelist="ALLOWED",
            valid=True,
            expires_at=None,
            now=backend.clock(),
        )
        s.commit()
    events = [completed_event("s-1", 3, contract_id="DE-KIO-C00001-7"), completed_event("s-2", 1)]
    _post(backend, station, events)
    _post(backend, station, events)  # sent again after a lost answer
    again = completed_event("s-1", 3, contract_id="DE-KIO-C00001-7")
    again["idempotency_key"] = "s-1:completed:retry"  # even under another key: once
    assert _post(backend, station, [again])[0]["status"] == "rejected"
    with backend.db() as s:
        charges = list(s.scalars(select(AccountCharge)))
    assert [(c.account_id, c.session_id, c.amount, c.currency) for c in charges] == [
        (account, "s-1", Decimal("3.30"), "EUR")
    ]
    viewer = backend.add_operator("vera", "viewer")
    report = backend.admin(viewer, "GET", "/v1/admin/reports/daily?day=2026-12-03").json()
    assert report["account_charges"] == [
        {"account_id": account, "currency": "EUR", "amount": "3.30"}
    ]
    lines = {line["payment_method"]: line for line in report["lines"]}
    assert lines["account"]["revenue"] == "3.30"
    assert lines["qr"]["energy_kwh"] == "4"
    sessions = backend.admin(viewer, "GET", "/v1/admin/sessions?station_id=DE-KIO-S1").json()
    assert [x["session_id"] for x in sessions["sessions"]] == ["s-1", "s-2"]
    cdrs = backend.admin(viewer, "GET", "/v1/admin/cdrs?since=2026-12-03T00:00:00Z").json()
    assert [c["session_id"] for c in cdrs["cdrs"]] == ["s-1", "s-2"]
