"""Heartbeat, tariffs (versions, a refused tariff), tokens and the allow-list."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from backend.models import LiveSession, Station
from tests.backend.conftest import Backend, spec_tariff


def _live(session_id: str, cost: str) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "connector_id": "1",
        "state": "charging",
        "energy_kwh": "12.345",
        "cost": cost,
        "currency": "EUR",
        "payment_ref": "pi_abc",
        "updated_at": "2026-12-03T08:59:58Z",
    }


def test_heartbeat_records_the_station_and_live_sessions(backend: Backend) -> None:
    station = backend.add_station()
    body = {
        "station_time": "2026-12-03T08:59:57Z",  # 3 s behind the server
        "outbox_pending": 3,
        "software": "0.1.0",
        "sessions": [_live("s-1", "4.56"), _live("s-2", "1.00")],
    }
    r = backend.call(station, "POST", "/v1/heartbeat", body)
    assert r.status_code == 200
    assert r.json() == {
        "server_time": "2026-12-03T09:00:00Z",
        "tariff_version": 0,
        "allow_list_version": 0,
        "commands": 0,
    }
    with backend.db() as s:
        row = s.get(Station, station.id)
        assert row is not None
        assert row.clock_offset_s == 3.0
        assert row.outbox_pending == 3
        assert row.last_seen_at == backend.clock()
        live = {x.session_id: x for x in s.scalars(select(LiveSession))}
    assert set(live) == {"s-1", "s-2"}
    assert str(live["s-1"].cost) == "4.56"
    assert str(live["s-1"].energy_kwh) == "12.345"
    # the next heartbeat without s-2: it ended
    body["sessions"] = [_live("s-1", "5.01")]
    assert backend.call(station, "POST", "/v1/heartbeat", body).status_code == 200
    with backend.db() as s:
        rows = list(s.scalars(select(LiveSession)))
    assert [(x.session_id, str(x.cost)) for x in rows] == [("s-1", "5.01")]


def test_heartbeat_refuses_float_money_and_bad_times(backend: Backend) -> None:
    station = backend.add_station()
    bad = {"station_time": "2026-12-03T09:00:00Z", "sessions": [{**_live("s", "1"), "cost": 1.5}]}
    r = backend.call(station, "POST", "/v1/heartbeat", bad)
    assert r.status_code == 422
    assert "sessions[0].cost" in r.json()["error"]["message"]
    r = backend.call(station, "POST", "/v1/heartbeat", {"station_time": "yesterday"})
    assert r.status_code == 422
    r = backend.call(station, "POST", "/v1/heartbeat", b'{"station_time": NaN}')
    assert r.status_code == 400
    r = backend.call(station, "POST", "/v1/heartbeat", b'{"a": 1, "a": 2}')
    assert r.status_code == 400
    assert "duplicate key" in r.json()["error"]["message"]
    with backend.db() as s:
        assert s.scalars(select(LiveSession)).first() is None


def test_tariffs_versions_and_a_refused_tariff(backend: Backend) -> None:
    station = backend.add_station()
    admin = backend.add_operator("adam", "admin")
    tariff = spec_tariff()
    r = backend.admin(admin, "PUT", "/v1/admin/tariffs/SPEC-8", tariff)
    assert r.status_code == 200
    assert r.json() == {"id": "SPEC-8", "version": 1}
    r = backend.admin(
        admin,
        "PUT",
        f"/v1/admin/stations/{station.id}/connectors/1/tariffs",
        {"tariff_ids": ["SPEC-8"]},
    )
    assert r.status_code == 200
    assert r.json()["tariff_version"] == 1
    got = backend.call(station, "GET", "/v1/tariffs")
    assert got.status_code == 200
    assert got.json()["version"] == 1
    assert got.json()["connectors"]["1"][0]["elements"][0]["price_components"][0]["price"] == 0.25
    assert b'"price":0.25' in got.content  # exact JSON numbers, as the kiosk's tariff file
    # a change reaches the station as a new version
    cheaper = copy.deepcopy(tariff)
    cheaper["elements"][0]["price_components"][0]["price"] = 0.2
    cheaper["last_updated"] = "2026-12-01T00:00:00Z"
    assert backend.admin(admin, "PUT", "/v1/admin/tariffs/SPEC-8", cheaper).json()["version"] == 2
    after = backend.call(station, "GET", "/v1/tariffs").json()
    assert after["version"] == 2
    assert after["connectors"]["1"][0]["elements"][0]["price_components"][0]["price"] == 0.2
    # an invalid tariff is refused with the validation's message; the last good one stays
    broken = copy.deepcopy(cheaper)
    broken["elements"][0]["price_components"][0]["type"] = "BANANAS"
    r = backend.admin(admin, "PUT", "/v1/admin/tariffs/SPEC-8", broken)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_tariff"
    assert "type" in r.json()["error"]["message"]
    assert backend.call(station, "GET", "/v1/tariffs").json() == after
    r = backend.admin(
        admin,
        "PUT",
        f"/v1/admin/stations/{station.id}/connectors/1/tariffs",
        {"tariff_ids": ["NOPE"]},
    )
    assert r.status_code == 404


def test_token_authorization(backend: Backend) -> None:
    station = backend.add_station()
    admin = backend.add_operator("adam", "admin")
    now = backend.clock()
    tokens: dict[str, dict[str, Any]] = {
        "04A1B2C3D4": {"contract_id": "DE-KIO-C00001-7", "group": "member"},
        "04FFFF0001": {"contract_id": "DE-KIO-C00002-5", "group": "fleet", "valid": False},
        "04FFFF0002": {
            "contract_id": "DE-KIO-C00003-3",
            "expires_at": (now - timedelta(days=1)).isoformat(),
        },
        "04FFFF0003": {"contract_id": "DE-KIO-C00004-1", "whitelist": "NEVER"},
        "04FFFF0004": {
            "contract_id": "DE-KIO-C00005-X",
            "group": "staff",
            "whitelist": "ALLOWED_OFFLINE",
            "expires_at": (now + timedelta(days=30)).isoformat(),
        },
    }
    versions = []
    for uid, body in tokens.items():
        r = backend.admin(admin, "PUT", f"/v1/admin/tokens/{uid.lower()}", body)
        assert r.status_code == 200, r.text
        versions.append(r.json()["allow_list_version"])
    assert versions == [1, 2, 3, 4, 5]

    def authorize(uid: str) -> dict[str, Any]:
        r = backend.call(station, "POST", "/v1/tokens/authorize", {"uid": uid, "connector_id": "1"})
        assert r.status_code == 200
        answer: dict[str, Any] = r.json()
        return answer

    assert authorize("04a1b2c3d4") == {
        "allowed": True,
        "group": "member",
        "contract_id": "DE-KIO-C00001-7",
        "reason": None,
        "code": None,
    }
    assert authorize("04FFFF0004")["group"] == "staff"
    assert (authorize("04FFFF0001")["allowed"], authorize("04FFFF0001")["code"]) == (
        False,
        "blocked",
    )
    assert authorize("04FFFF0002")["code"] == "expired"
    assert authorize("04FFFF0003")["code"] == "blocked"
    assert authorize("0499999999")["code"] == "unknown_card"

    allow = backend.call(station, "GET", "/v1/allow-list").json()
    assert allow["version"] == 5
    by_uid = {t["uid"]: t for t in allow["tokens"]}
    assert set(by_uid) == set(tokens)
    assert by_uid["04FFFF0004"] == {
        "uid": "04FFFF0004",
        "contract_id": "DE-KIO-C00005-X",
        "group": "staff",
        "whitelist": "ALLOWED_OFFLINE",
        "valid": True,
        "expires_at": "2027-01-02T09:00:00Z",
    }
    assert by_uid["04FFFF0001"]["valid"] is False
    r = backend.admin(admin, "PUT", "/v1/admin/tokens/XYZ", {"contract_id": "C"})
    assert r.status_code == 422
