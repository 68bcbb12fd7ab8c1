"""A station's connectors as its kiosk shows them: label ("A") and EVSE id, set as a whole
list by the operator (admin API, CLI) or the demo, read by the web pages.

EVSE ids follow eMI3 (OCPI's `evse_id`: "DE*KIO*E0001*A") or DIN SPEC 91286
("+49*810*000*438"); they are unique across the backend, so a printed code names one
connector. Labels are unique within their station.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend.api import fields
from backend.errors import ApiError
from backend.models import Connector, Station

__all__ = [
    "EVSE_ID",
    "MAX_CONNECTORS",
    "ConnectorSpec",
    "connector_json",
    "parse_list",
    "put_connectors",
    "station_connectors",
]

MAX_CONNECTORS: Final = 64
CONNECTOR_ID: Final = re.compile(r"[A-Za-z0-9._:-]{1,36}")  # as a payment intent's
EVSE_ID: Final = re.compile(
    r"[A-Z]{2}\*?[A-Z0-9]{3}\*?E[A-Z0-9*]{1,30}"  # eMI3
    r"|\+?[0-9]{1,3}\*[0-9]{3}\*[0-9*]{1,32}"  # DIN SPEC 91286
)
STANDARD: Final = re.compile(r"[A-Z0-9_]{1,32}")  # an OCPI ConnectorType: IEC_62196_T2
LABEL_MAX: Final = 16


@dataclass(frozen=True, slots=True)
class ConnectorSpec:
    connector_id: str
    label: str
    evse_id: str | None = None
    standard: str | None = None
    max_power_kw: Decimal | None = None


def _bad(message: str) -> ApiError:
    return ApiError(422, "invalid", message)


def check(spec: ConnectorSpec, where: str) -> ConnectorSpec:
    """The spec when every field is valid; 422 naming the field otherwise."""
    if not CONNECTOR_ID.fullmatch(spec.connector_id):
        raise _bad(f"{where}.connector_id: 1-36 characters of A-Z a-z 0-9 . _ : -")
    label = spec.label
    if not 0 < len(label) <= LABEL_MAX or not label.isprintable() or label.strip() != label:
        raise _bad(f"{where}.label: 1-{LABEL_MAX} printable characters, no outer spaces")
    if spec.evse_id is not None and not EVSE_ID.fullmatch(spec.evse_id):
        raise _bad(f"{where}.evse_id: {spec.evse_id[:48]!r} is not an eMI3 EVSE id")
    if spec.standard is not None and not STANDARD.fullmatch(spec.standard):
        raise _bad(f"{where}.standard: an OCPI connector type like IEC_62196_T2")
    power = spec.max_power_kw
    if power is not None and not (0 < power <= 10_000 and power == round(power, 3)):
        raise _bad(f"{where}.max_power_kw: a positive number of kW (at most 3 decimals)")
    return spec


def parse_list(body: dict[str, Any]) -> list[ConnectorSpec]:
    """The `connectors` list of a PUT body, each item checked."""
    items = fields.objects(body, "connectors", limit=MAX_CONNECTORS, required=True)
    specs = []
    for i, raw in enumerate(items):
        where = f"connectors[{i}]"
        item = fields.obj(raw, where)
        spec = ConnectorSpec(
            connector_id=fields.required_text(item, "connector_id", max_len=36, path=where),
            label=fields.required_text(item, "label", max_len=LABEL_MAX, path=where),
            evse_id=fields.text(item, "evse_id", required=False, max_len=48, path=where),
            standard=fields.text(item, "standard", required=False, max_len=32, path=where),
            max_power_kw=fields.money(item, "max_power_kw", required=False, path=where),
        )
        specs.append(check(spec, where))
    return specs


def _unique(specs: Sequence[ConnectorSpec]) -> None:
    for what in ("connector_id", "label", "evse_id"):
        values = [getattr(s, what) for s in specs if getattr(s, what) is not None]
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            raise _bad(f"connectors: {what} {twice[0]!r} is listed twice")


def put_connectors(
    session: Session, station_id: str, specs: Sequence[ConnectorSpec]
) -> list[Connector]:
    """Replace the station's connectors with `specs`, in order. Not committed.

    404 for an unknown station, 422 for a list that names something twice, 409 when an
    EVSE id is another station's.
    """
    for i, spec in enumerate(specs):
        check(spec, f"connectors[{i}]")
    _unique(specs)
    if session.get(Station, station_id) is None:
        raise ApiError(404, "not_found", f"no station {station_id!r}")
    evse_ids = [s.evse_id for s in specs if s.evse_id is not None]
    if evse_ids:
        taken = session.execute(
            select(Connector.evse_id, Connector.station_id).where(
                Connector.evse_id.in_(evse_ids), Connector.station_id != station_id
            )
        ).first()
        if taken is not None:
            raise ApiError(
                409, "evse_id_taken", f"EVSE id {taken[0]!r} is a connector of {taken[1]!r}"
            )
    session.execute(delete(Connector).where(Connector.station_id == station_id))
    session.flush()
    rows = [
        Connector(
            station_id=station_id,
            connector_id=s.connector_id,
            position=i,
            label=s.label,
            evse_id=s.evse_id,
            standard=s.standard,
            max_power_kw=s.max_power_kw,
        )
        for i, s in enumerate(specs)
    ]
    session.add_all(rows)
    session.flush()
    return rows


def station_connectors(session: Session, station_id: str) -> list[Connector]:
    """The station's connectors in the operator's order; 404 for an unknown station."""
    if session.get(Station, station_id) is None:
        raise ApiError(404, "not_found", f"no station {station_id!r}")
    return list(
        session.scalars(
            select(Connector).where(Connector.station_id == station_id).order_by(Connector.position)
        )
    )


def connector_json(c: Connector) -> dict[str, Any]:
    return {
        "connector_id": c.connector_id,
        "label": c.label,
        "evse_id": c.evse_id,
        "standard": c.standard,
        "max_power_kw": None if c.max_power_kw is None else format(c.max_power_kw, "f"),
    }
