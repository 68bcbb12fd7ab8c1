"""Tariffs: stored by id, assigned per station connector, versioned per station.

Every tariff is validated with kiosk.domain on the way in (the kiosk validates again
before it uses one); a refused tariff changes nothing, the last good one stays. A
station's `tariff_version` rises with every change that reaches it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from backend.errors import ApiError
from backend.models import ConnectorTariff, Station, StoredTariff
from kiosk.domain import jsonio
from kiosk.domain.tariff import TariffError, parse_tariff, parse_tariffs

__all__ = [
    "assign",
    "current_tariffs",
    "put_tariff",
    "set_connector_tariffs",
    "station_tariffs",
]


def _problems(exc: TariffError) -> str:
    return str(exc)


def current_tariffs(session: Session, station_id: str, connector_id: str) -> list[dict[str, Any]]:
    """The OCPI tariff objects the connector uses now, in their assigned order."""
    rows = session.scalars(
        select(StoredTariff.tariff_json)
        .join(ConnectorTariff, ConnectorTariff.tariff_id == StoredTariff.id)
        .where(
            ConnectorTariff.station_id == station_id,
            ConnectorTariff.connector_id == connector_id,
        )
        .order_by(ConnectorTariff.position)
    ).all()
    return [jsonio.loads(text) for text in rows]


def station_tariffs(session: Session, station_id: str) -> tuple[int, dict[str, list[Any]]]:
    """(version, {connector id: [tariff, …]}) as GET /v1/tariffs answers."""
    version = session.scalar(select(Station.tariff_version).where(Station.id == station_id))
    rows = session.execute(
        select(ConnectorTariff.connector_id, StoredTariff.tariff_json)
        .join(StoredTariff, ConnectorTariff.tariff_id == StoredTariff.id)
        .where(ConnectorTariff.station_id == station_id)
        .order_by(ConnectorTariff.connector_id, ConnectorTariff.position)
    ).all()
    connectors: dict[str, list[Any]] = {}
    for connector_id, text in rows:
        connectors.setdefault(connector_id, []).append(jsonio.loads(text))
    return int(version or 0), connectors


def _bump_stations(session: Session, station_ids: Sequence[str]) -> None:
    if station_ids:
        session.execute(
            update(Station)
            .where(Station.id.in_(sorted(set(station_ids))))
            .values(tariff_version=Station.tariff_version + 1)
        )


def put_tariff(session: Session, tariff_id: str, tariff: object, now: datetime) -> int:
    """Store (or replace) one validated tariff; returns its new version. Not committed.

    Every station that uses it gets a new tariff version. 422 with the validation
    message when it is not a valid OCPI tariff (or its id is not `tariff_id`).
    """
    try:
        parsed = parse_tariff(tariff)
    except TariffError as exc:
        raise ApiError(422, "invalid_tariff", _problems(exc)) from None
    if parsed.id != tariff_id:
        raise ApiError(422, "invalid_tariff", f"id: {parsed.id!r} is not {tariff_id!r}")
    text = jsonio.dumps_numbers(tariff)
    row = session.get(StoredTariff, tariff_id)
    if row is None:
        row = StoredTariff(id=tariff_id, tariff_json=text, version=1, updated_at=now)
        session.add(row)
        session.flush()
        return 1
    users = session.scalars(
        select(ConnectorTariff.station_id).where(ConnectorTariff.tariff_id == tariff_id)
    ).all()
    # the new version must still fit every connector list it is part of
    for station_id, connector_id in set(
        session.execute(
            select(ConnectorTariff.station_id, ConnectorTariff.connector_id).where(
                ConnectorTariff.tariff_id == tariff_id
            )
        ).all()
    ):
        others = [
            tariff if t.get("id") == tariff_id else t
            for t in current_tariffs(session, station_id, connector_id)
        ]
        _validate_list(others, f"{station_id} connector {connector_id}")
    row.tariff_json = text
    row.version += 1
    row.updated_at = now
    _bump_stations(session, users)
    session.flush()
    return row.version


def _validate_list(tariffs: list[Any], where: str) -> None:
    try:
        parse_tariffs(tariffs)
    except TariffError as exc:
        raise ApiError(422, "invalid_tariff", f"{where}: {_problems(exc)}") from None


def assign(session: Session, station_id: str, connector_id: str, tariff_ids: Sequence[str]) -> int:
    """Give a connector these stored tariffs, in order; returns the station's new
    tariff version. Not committed. 404 for an unknown station or tariff, 422 when the
    list is not valid as one tariff file (ids twice, a customer-group link outside it)."""
    station = session.get(Station, station_id)
    if station is None:
        raise ApiError(404, "not_found", f"no station {station_id!r}")
    if len(set(tariff_ids)) != len(tariff_ids):
        raise ApiError(422, "invalid_tariff", "a tariff id is listed twice")
    texts: list[Any] = []
    for tariff_id in tariff_ids:
        row = session.get(StoredTariff, tariff_id)
        if row is None:
            raise ApiError(404, "not_found", f"no tariff {tariff_id!r}")
        texts.append(jsonio.loads(row.tariff_json))
    if texts:
        _validate_list(texts, f"connector {connector_id}")
    session.execute(
        delete(ConnectorTariff).where(
            ConnectorTariff.station_id == station_id,
            ConnectorTariff.connector_id == connector_id,
        )
    )
    for position, tariff_id in enumerate(tariff_ids):
        session.add(
            ConnectorTariff(
                station_id=station_id,
                connector_id=connector_id,
                position=position,
                tariff_id=tariff_id,
            )
        )
    station.tariff_version += 1
    session.flush()
    return station.tariff_version


def set_connector_tariffs(
    session: Session, station_id: str, connector_id: str, tariffs: object, now: datetime
) -> int:
    """A whole tariff list (one OCPI tariff or a list, as a kiosk's tariff file) for
    one connector: each stored under its id, then assigned. Not committed."""
    items = tariffs if isinstance(tariffs, list) else [tariffs]
    try:
        parsed = parse_tariffs(items)
    except TariffError as exc:
        raise ApiError(422, "invalid_tariff", _problems(exc)) from None
    if session.get(Station, station_id) is None:
        raise ApiError(404, "not_found", f"no station {station_id!r}")
    for tariff, item in zip(parsed, items, strict=True):
        put_tariff(session, tariff.id, item, now)
    return assign(session, station_id, connector_id, [t.id for t in parsed])
