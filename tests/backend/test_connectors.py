"""A station's connectors (label, EVSE id): the operator API, the CLI, the demo's
provisioning, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from sqlalchemy import select

from backend.app import create_app
from backend.cli import main
from backend.demo import provision_demo
from backend.models import Connector
from backend.settings import BackendSettings
from kiosk.config import demo_settings
from tests.backend.conftest import Backend

PATH = "/v1/admin/stations/DE-KIO-S1/connectors"
LIST = [
    {
        "connector_id": "1",
        "label": "A",
        "evse_id": "DE*KIO*E0001*A",
        "standard": "IEC_62196_T2",
        "max_power_kw": "22",
    },
    {"connector_id": "2", "label": "B"},
]
ANSWER = {
    "station_id": "DE-KIO-S1",
    "connectors": [
        LIST[0],
        {
            "connector_id": "2",
            "label": "B",
            "evse_id": None,
            "standard": None,
            "max_power_kw": None,
        },
    ],
}


def test_the_operator_sets_the_whole_list_and_reads_it(
    backend: Backend, expect_warnings: Any
) -> None:
    expect_warnings("auth: operator vera role viewer")
    backend.add_station()
    backend.add_station("DE-KIO-S2")
    admin, viewer = backend.add_operator("ada", "admin"), backend.add_operator("vera", "viewer")
    put = backend.admin(admin, "PUT", PATH, {"connectors": LIST}, key="c-1")
    assert (put.status_code, put.json()) == (200, ANSWER)
    again = backend.admin(admin, "PUT", PATH, {"connectors": LIST}, key="c-1")
    assert (again.json(), again.headers["Idempotent-Replay"]) == (ANSWER, "true")
    other = backend.admin(admin, "PUT", PATH, {"connectors": LIST[:1]}, key="c-1")
    assert (other.status_code, other.json()["error"]["code"]) == (409, "idempotency_conflict")
    assert backend.admin(viewer, "GET", PATH).json() == ANSWER
    assert backend.admin(viewer, "PUT", PATH, {"connectors": []}).status_code == 403
    unknown = "/v1/admin/stations/NOPE/connectors"
    assert backend.admin(admin, "PUT", unknown, {"connectors": LIST}).status_code == 404
    assert backend.admin(viewer, "GET", unknown).status_code == 404
    taken = backend.admin(
        admin, "PUT", "/v1/admin/stations/DE-KIO-S2/connectors", {"connectors": LIST[:1]}
    )
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "evse_id_taken")
    # the same EVSE id moved to another connector of its own station, connector 2 gone
    moved = [{"connector_id": "3", "label": "DC", "evse_id": "DE*KIO*E0001*A"}]
    assert backend.admin(admin, "PUT", PATH, {"connectors": moved}).status_code == 200
    assert [c["connector_id"] for c in backend.admin(viewer, "GET", PATH).json()["connectors"]] == [
        "3"
    ]
    assert backend.admin(admin, "PUT", PATH, {"connectors": []}).json()["connectors"] == []


def test_a_list_with_a_bad_item_is_refused_whole(backend: Backend) -> None:
    backend.add_station()
    admin = backend.add_operator("ada", "admin")
    backend.admin(admin, "PUT", PATH, {"connectors": LIST})
    ok = {"connector_id": "9", "label": "Z"}
    bad = [
        ({**ok, "label": ""}, "connectors[1].label"),
        ({**ok, "label": "L" * 17}, "connectors[1].label"),
        ({**ok, "label": " Z"}, "connectors[1].label"),
        ({**ok, "label": "Z\u200b"}, "connectors[1].label"),
        ({**ok, "connector_id": "9 9"}, "connectors[1].connector_id"),
        ({**ok, "evse_id": "DE-KIO-1"}, "connectors[1].evse_id"),
        ({**ok, "evse_id": "de*kio*e0009"}, "connectors[1].evse_id"),
        ({**ok, "evse_id": "DE*KIO*E0001*A"}, "evse_id 'DE*KIO*E0001*A' is listed twice"),
        ({**ok, "label": "A"}, "label 'A' is listed twice"),
        ({**ok, "connector_id": "1"}, "connector_id '1' is listed twice"),
        ({**ok, "max_power_kw": "-1"}, "connectors[1].max_power_kw"),
        ({**ok, "max_power_kw": 22}, "connectors[1].max_power_kw"),
        ({**ok, "standard": "type 2"}, "connectors[1].standard"),
    ]
    for item, message in bad:
        r = backend.admin(admin, "PUT", PATH, {"connectors": [LIST[0], item]})
        assert r.status_code == 422, item
        assert message in r.json()["error"]["message"], (item, r.json())
    not_a_list = backend.admin(admin, "PUT", PATH, {"connectors": {"1": "A"}})
    assert not_a_list.status_code == 422
    too_many = [{"connector_id": str(i), "label": str(i)} for i in range(65)]
    assert backend.admin(admin, "PUT", PATH, {"connectors": too_many}).status_code == 422
    assert backend.admin(admin, "GET", PATH).json() == ANSWER  # nothing changed


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_the_cli_sets_and_prints_them(db_url: str) -> None:
    assert run("station", "add", "DE-KIO-S1", "--db", db_url)[0] == 0
    code, out, _ = run(
        "station", "connectors", "DE-KIO-S1", "--connector", "1=A=DE*KIO*E0001*A",
        "--connector", "2=B", "--db", db_url,
    )  # fmt: skip
    assert (code, out) == (0, "DE-KIO-S1: 2 connector(s)\n1\tA\tDE*KIO*E0001*A\n2\tB\t-\n")
    assert run("station", "connectors", "DE-KIO-S1", "--db", db_url)[1] == out
    code, _, err = run(
        "station", "connectors", "DE-KIO-S1", "--connector", "1=A=not-an-evse", "--db", db_url
    )
    assert (code, err) == (
        1,
        "error: connectors[0].evse_id: 'not-an-evse' is not an eMI3 EVSE id\n",
    )
    code, _, err = run("station", "connectors", "DE-KIO-S1", "--connector", "1", "--db", db_url)
    assert code == 2
    assert "'1' is not ID=LABEL or ID=LABEL=EVSE" in err
    code, _, err = run("station", "connectors", "NOPE", "--db", db_url)
    assert (code, err) == (1, "error: no station 'NOPE'\n")
    assert run("station", "connectors", "DE-KIO-S1", "--db", db_url)[1] == out  # kept


def test_the_demo_provisions_the_kiosks_connectors(db_url: str, tmp_path: Path) -> None:
    settings = demo_settings(tmp_path / "kiosk.sqlite")
    station = {  # what ui/demo_backend.settings_station hands over
        "id": settings.station.id,
        "name": settings.station.name,
        "connectors": {
            c.id: {"evse_id": c.evse_id, "label": c.label, "tariffs": settings.tariff_texts[c.id]}
            for c in settings.connectors
        },
        "tokens": {},
    }
    app = create_app(BackendSettings(db_url=db_url, public_url="http://127.0.0.1:1"))
    try:
        secret = provision_demo(app, station, ("demo@example.org", "demo"))
        assert provision_demo(app, station, ("demo@example.org", "demo")) == secret  # a restart
        with app.state.sessions() as s:
            rows = s.scalars(select(Connector).order_by(Connector.position)).all()
            found = [(c.station_id, c.connector_id, c.label, c.evse_id) for c in rows]
    finally:
        app.state.engine.dispose()
    assert found == [(settings.station.id, c.id, c.label, c.evse_id) for c in settings.connectors]
    assert [label for *_, label, _ in found] == ["A", "B", "DC"]
