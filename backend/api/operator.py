"""The operator endpoints (bearer): `viewer` reads `/v1/admin/...`, `admin` also changes
stations, their connectors, tariffs and tokens, and refunds. Every write takes an
Idempotency-Key."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import connectors, reports, tariffs, tokens
from backend.api import fields, schemas
from backend.api.common import body_of, numbers_response, run_idempotent
from backend.auth import OperatorPrincipal, require_operator
from backend.db import get_session
from backend.errors import ApiError
from backend.idempotency import json_response
from backend.jsonbody import read_body
from backend.models import Station
from backend.payments import refunds
from backend.payments.service import IntentError, IntentService, intent_json
from backend.stations import add_station
from backend.web import records
from kiosk.domain import jsonio

__all__ = ["router"]

SessionDep = Annotated[Session, Depends(get_session)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
_ID = Path(min_length=1, max_length=64)
Viewer = Annotated[OperatorPrincipal, Depends(require_operator("viewer"))]
Admin = Annotated[OperatorPrincipal, Depends(require_operator("admin"))]
Since = Annotated[str | None, Query(max_length=40, description="RFC 3339")]


def _now(request: Request) -> datetime:
    moment: datetime = request.app.state.settings.clock()
    return moment


def _station_json(s: Station) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "time_zone": s.time_zone,
        "created_at": fields.iso(s.created_at),
        "last_seen_at": fields.iso(s.last_seen_at),
        "clock_offset_s": s.clock_offset_s,
        "tariff_version": s.tariff_version,
        "software": s.software,
        "outbox_pending": s.outbox_pending,
    }


def _when(value: str | None, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return fields.parse_moment(value)
    except (ValueError, OverflowError):
        raise ApiError(400, "bad_request", f"{name}: not an RFC 3339 time with an offset") from None


def router() -> APIRouter:
    r = APIRouter(prefix="/v1/admin", tags=["operator"], responses=schemas.ERRORS)

    Body = Depends(read_body)  # the exact bytes, size-capped, before the handler runs

    @r.get("/stations", response_model=schemas.StationsOut)
    def stations(_op: Viewer, session: SessionDep) -> Response:
        rows = session.scalars(select(Station).order_by(Station.id))
        return json_response({"stations": [_station_json(s) for s in rows]})

    @r.post(
        "/stations",
        status_code=201,
        response_model=schemas.StationCreated,
        openapi_extra=schemas.body(schemas.StationIn),
        dependencies=[Body],
    )
    def create_station(
        request: Request, _op: Admin, session: SessionDep, _key: IdempotencyKey = None
    ) -> Response:
        def handle() -> tuple[int, dict[str, Any]]:
            body = body_of(request)
            station_id = fields.required_text(body, "id", max_len=64)
            name = fields.text(body, "name", required=False, max_len=200)
            zone = fields.text(body, "time_zone", required=False, max_len=64)
            secret = add_station(session, station_id, name=name, time_zone=zone, now=_now(request))
            return 201, {"id": station_id, "name": name or station_id, "secret": secret}

        return run_idempotent(request, session, handle)

    @r.put(
        "/tariffs/{tariff_id}",
        response_model=schemas.TariffStored,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
        dependencies=[Body],
    )
    def put_tariff(
        request: Request,
        _op: Admin,
        session: SessionDep,
        tariff_id: Annotated[str, Path(min_length=1, max_length=36)],
        _key: IdempotencyKey = None,
    ) -> Response:
        def handle() -> tuple[int, dict[str, Any]]:
            version = tariffs.put_tariff(session, tariff_id, body_of(request), _now(request))
            return 200, {"id": tariff_id, "version": version}

        return run_idempotent(request, session, handle)

    @r.put(
        "/stations/{station_id}/connectors/{connector_id}/tariffs",
        response_model=schemas.ConnectorTariffsOut,
        openapi_extra=schemas.body(schemas.TariffIdsIn),
        dependencies=[Body],
    )
    def assign_tariffs(
        request: Request,
        _op: Admin,
        session: SessionDep,
        station_id: Annotated[str, _ID],
        connector_id: Annotated[str, Path(min_length=1, max_length=36)],
        _key: IdempotencyKey = None,
    ) -> Response:
        def handle() -> tuple[int, dict[str, Any]]:
            ids = fields.objects(body_of(request), "tariff_ids", limit=20, required=True)
            if not all(isinstance(i, str) and 0 < len(i) <= 36 for i in ids):
                raise ApiError(422, "invalid", "tariff_ids: a list of tariff ids")
            version = tariffs.assign(session, station_id, connector_id, ids)
            return 200, {
                "station_id": station_id,
                "connector_id": connector_id,
                "tariff_ids": ids,
                "tariff_version": version,
            }

        return run_idempotent(request, session, handle)

    @r.get("/stations/{station_id}/connectors", response_model=schemas.ConnectorsOut)
    def get_connectors(
        _op: Viewer, session: SessionDep, station_id: Annotated[str, _ID]
    ) -> Response:
        found = connectors.station_connectors(session, station_id)
        return json_response(
            {"station_id": station_id, "connectors": [connectors.connector_json(c) for c in found]}
        )

    @r.put(
        "/stations/{station_id}/connectors",
        response_model=schemas.ConnectorsOut,
        openapi_extra=schemas.body(schemas.ConnectorsIn),
        dependencies=[Body],
    )
    def put_connectors(
        request: Request,
        _op: Admin,
        session: SessionDep,
        station_id: Annotated[str, _ID],
        _key: IdempotencyKey = None,
    ) -> Response:
        def handle() -> tuple[int, dict[str, Any]]:
            specs = connectors.parse_list(body_of(request))
            rows = connectors.put_connectors(session, station_id, specs)
            return 200, {
                "station_id": station_id,
                "connectors": [connectors.connector_json(c) for c in rows],
            }

        return run_idempotent(request, session, handle)

    @r.post(
        "/payment-intents/{intent_id}/refund",
        response_model=schemas.IntentOut,
        openapi_extra=schemas.body(schemas.AdminRefundIn),
        dependencies=[Body],
    )
    def refund_intent(
        request: Request,
        _op: Admin,
        session: SessionDep,
        intent_id: Annotated[str, _ID],
        _key: IdempotencyKey = None,
    ) -> Response:
        principal = str(request.state.principal)
        settings = request.app.state.settings

        def handle() -> tuple[int, dict[str, Any]]:
            service = IntentService(
                session,
                request.app.state.psp,
                clock=settings.clock,
                accounts=records.account_status,
            )
            try:
                intent = refunds.refund(
                    service,
                    station_id=None,
                    intent_id=intent_id,
                    body=body_of(request),
                    op_key=refunds.operator_key(principal, request.headers["idempotency-key"]),
                    principal=principal,
                    by_operator=True,
                )
            except IntentError as exc:
                raise ApiError(exc.status, exc.code, exc.message) from None
            return 200, intent_json(intent, str(settings.public_url))

        return run_idempotent(request, session, handle)

    @r.put(
        "/tokens/{uid}",
        response_model=schemas.TokenOut,
        openapi_extra=schemas.body(schemas.TokenIn),
        dependencies=[Body],
    )
    def put_token(
        request: Request,
        _op: Admin,
        session: SessionDep,
        uid: Annotated[str, Path(min_length=1, max_length=64)],
        _key: IdempotencyKey = None,
    ) -> Response:
        def handle() -> tuple[int, dict[str, Any]]:
            body = body_of(request)
            token, version = tokens.put_token(
                session,
                uid,
                contract_id=fields.required_text(body, "contract_id", max_len=64),
                group=fields.text(body, "group", required=False, max_len=64),
                whitelist=fields.text(body, "whitelist", required=False, max_len=16) or "ALLOWED",
                valid=fields.boolean(body, "valid", default=True),
                expires_at=fields.moment(body, "expires_at", required=False),
                now=_now(request),
            )
            return 200, {
                "uid": token.uid,
                "contract_id": token.contract_id,
                "group": token.customer_group,
                "whitelist": token.whitelist,
                "valid": token.valid,
                "expires_at": fields.iso(token.expires_at),
                "allow_list_version": version,
            }

        return run_idempotent(request, session, handle)

    @r.get("/sessions", response_model=schemas.SessionsOut)
    def sessions(
        _op: Viewer,
        session: SessionDep,
        station_id: Annotated[str | None, Query(max_length=64)] = None,
        since: Since = None,
        until: Since = None,
    ) -> Response:
        rows = reports.sessions(
            session,
            station_id=station_id,
            since=_when(since, "since"),
            until=_when(until, "until"),
        )
        return json_response({"sessions": [reports.session_json(s) for s in rows]})

    @r.get("/cdrs", response_model=schemas.CdrsOut)
    def cdrs(
        _op: Viewer,
        session: SessionDep,
        station_id: Annotated[str | None, Query(max_length=64)] = None,
        since: Since = None,
        until: Since = None,
    ) -> Response:
        rows = reports.sessions(
            session,
            station_id=station_id,
            since=_when(since, "since"),
            until=_when(until, "until"),
        )
        return numbers_response({"cdrs": [jsonio.loads(s.cdr_json) for s in rows]})

    @r.get("/reports/daily", response_model=schemas.DailyReport)
    def daily(_op: Viewer, session: SessionDep, day: date) -> Response:
        return json_response(reports.daily(session, day))

    @r.get("/events", response_model=schemas.EventsList)
    def events(
        _op: Viewer,
        session: SessionDep,
        status: Literal["accepted", "rejected", "conflict"] | None = None,
        station_id: Annotated[str | None, Query(max_length=64)] = None,
    ) -> Response:
        found = reports.events(session, status=status, station_id=station_id)
        return numbers_response({"events": found})

    return r
