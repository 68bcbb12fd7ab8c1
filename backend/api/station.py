"""The station endpoints (HMAC): heartbeat, tariffs, allow-list, tokens, events,
operations. Writes go through idempotency keys; every handler commits itself."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import Response
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from backend import counters
from backend.api import fields, schemas
from backend.api.common import body_of, numbers_response, run_idempotent
from backend.auth import StationPrincipal, require_station
from backend.db import get_session
from backend.errors import ApiError
from backend.idempotency import json_response, lookup
from backend.ingest import MAX_EVENTS, ingest
from backend.models import Account, Command, LiveSession, Station, Token
from backend.tariffs import station_tariffs
from backend.tokens import ALLOW_LIST
from kiosk.domain.payment import DeclineCode

__all__ = ["allow_list_version", "authorize", "router"]


MAX_LIVE = 64

StationDep = Annotated[StationPrincipal, Depends(require_station)]
SessionDep = Annotated[Session, Depends(get_session)]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", description="1-128 printable ASCII characters"),
]


def allow_list_version(session: Session) -> int:
    return counters.current(session, ALLOW_LIST)


def _now(request: Request) -> datetime:
    moment: datetime = request.app.state.settings.clock()
    return moment


def _heartbeat(
    session: Session, station_id: str, body: dict[str, Any], now: datetime
) -> dict[str, Any]:
    station_time = fields.moment(body, "station_time")
    assert station_time is not None
    pending = fields.integer(body, "outbox_pending")
    software = fields.text(body, "software", required=False, max_len=64)
    live: dict[str, dict[str, Any]] = {}
    for i, raw in enumerate(fields.objects(body, "sessions", limit=MAX_LIVE)):
        item = fields.obj(raw, f"sessions[{i}]")
        where = f"sessions[{i}]"
        session_id = fields.required_text(item, "session_id", max_len=128, path=where)
        currency = fields.required_text(item, "currency", max_len=3, path=where)
        if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
            raise ApiError(422, "invalid", f"{where}.currency: an ISO 4217 code like EUR")
        live[session_id] = {
            "station_id": station_id,
            "session_id": session_id,
            "connector_id": fields.required_text(item, "connector_id", max_len=36, path=where),
            "state": fields.required_text(item, "state", max_len=32, path=where),
            "energy_kwh": fields.money(item, "energy_kwh", path=where),
            "cost": fields.money(item, "cost", path=where),
            "currency": currency,
            "payment_ref": fields.text(item, "payment_ref", required=False, max_len=64, path=where),
            "updated_at": fields.moment(item, "updated_at", required=False, path=where) or now,
        }
    station = session.get(Station, station_id, with_for_update=True)
    if station is None:
        raise ApiError(404, "not_found", f"no station {station_id!r}")
    station.last_seen_at = now
    station.clock_offset_s = (now - station_time).total_seconds()
    station.outbox_pending = pending
    station.software = software
    session.execute(delete(LiveSession).where(LiveSession.station_id == station_id))
    session.flush()
    for row in live.values():
        session.add(LiveSession(**row))
    commands = session.scalar(
        select(func.count())
        .select_from(Command)
        .where(
            Command.station_id == station_id,
            Command.status.in_(("pending", "delivered")),
            Command.expires_at > now,
        )
    )
    session.flush()
    return {
        "server_time": fields.iso(now),
        "tariff_version": station.tariff_version,
        "allow_list_version": allow_list_version(session),
        "commands": int(commands or 0),
    }


def authorize(session: Session, uid: str, now: datetime) -> dict[str, Any]:
    """Whether a card (its UID) may charge, and as whom (docs/backend-api.md)."""
    token = session.get(Token, uid.strip().upper().replace(":", "").replace(" ", ""))

    def refused(code: DeclineCode, reason: str) -> dict[str, Any]:
        contract = None if token is None else token.contract_id
        group = None if token is None else token.customer_group
        return {
            "allowed": False,
            "group": group,
            "contract_id": contract,
            "reason": reason,
            "code": code.value,
        }

    if token is None:
        return refused(DeclineCode.UNKNOWN_CARD, "no account knows this card")
    if not token.valid:
        return refused(DeclineCode.BLOCKED, "the card is blocked")
    if token.whitelist == "NEVER":
        return refused(DeclineCode.BLOCKED, "the card may not charge here (whitelist NEVER)")
    if token.expires_at is not None and token.expires_at <= now:
        return refused(DeclineCode.EXPIRED, "the card has expired")
    if token.account_id is not None:
        account = session.get(Account, token.account_id)
        if account is not None and account.blocked:
            return refused(DeclineCode.BLOCKED, "the account is blocked")
    return {
        "allowed": True,
        "group": token.customer_group,
        "contract_id": token.contract_id,
        "reason": None,
        "code": None,
    }


def router() -> APIRouter:
    r = APIRouter(prefix="/v1", tags=["station"], responses=schemas.ERRORS)

    @r.post(
        "/heartbeat",
        response_model=schemas.HeartbeatOut,
        openapi_extra=schemas.body(schemas.HeartbeatIn),
    )
    def heartbeat(
        request: Request, station: StationDep, session: SessionDep, _key: IdempotencyKey = None
    ) -> Response:
        now = _now(request)
        return run_idempotent(
            request,
            session,
            lambda: (200, _heartbeat(session, station.station_id, body_of(request), now)),
        )

    @r.get("/tariffs", response_model=schemas.TariffsOut)
    def tariffs(station: StationDep, session: SessionDep) -> Response:
        version, connectors = station_tariffs(session, station.station_id)
        return numbers_response({"version": version, "connectors": connectors})

    @r.get("/allow-list", response_model=schemas.AllowListOut)
    def allow_list(station: StationDep, session: SessionDep) -> Response:
        version = allow_list_version(session)
        tokens = [
            {
                "uid": t.uid,
                "contract_id": t.contract_id,
                "group": t.customer_group,
                "whitelist": t.whitelist,
                "valid": t.valid,
                "expires_at": fields.iso(t.expires_at),
            }
            for t in session.scalars(select(Token).order_by(Token.uid))
        ]
        return json_response({"version": version, "tokens": tokens})

    @r.post(
        "/tokens/authorize",
        response_model=schemas.AuthorizeOut,
        openapi_extra=schemas.body(schemas.AuthorizeIn),
    )
    def authorize_token(
        request: Request, station: StationDep, session: SessionDep, _key: IdempotencyKey = None
    ) -> Response:
        now = _now(request)

        def handle() -> tuple[int, dict[str, Any]]:
            body = body_of(request)
            uid = fields.required_text(body, "uid", max_len=64)
            fields.text(body, "connector_id", required=False, max_len=36)
            return 200, authorize(session, uid, now)

        return run_idempotent(request, session, handle)

    @r.post(
        "/events", response_model=schemas.EventsOut, openapi_extra=schemas.body(schemas.EventsIn)
    )
    def events(
        request: Request, station: StationDep, session: SessionDep, _key: IdempotencyKey = None
    ) -> Response:
        now = _now(request)

        def handle() -> tuple[int, dict[str, Any]]:
            body = body_of(request)
            batch = fields.objects(body, "events", limit=MAX_EVENTS, required=True)
            if not batch:
                raise ApiError(422, "invalid", "events: at least one event")
            return 200, {"results": ingest(session, station.station_id, batch, now)}

        return run_idempotent(request, session, handle)

    @r.get("/operations/{key}", response_model=schemas.OperationOut)
    def operation(
        station: StationDep, session: SessionDep, key: Annotated[str, Path(max_length=128)]
    ) -> Response:
        found = lookup(session, f"station:{station.station_id}", key)
        if found is None:
            raise ApiError(404, "not_found", "no stored answer under this key")
        status, body = found
        return json_response({"status": status, "body": body})

    return r
