"""`/v1/payment-intents`: the station's calls on its holds (docs/backend-api.md).

Every call is signed by the station (`require_station`); an intent of another station is
not found. Mutating calls go through `idempotent(...)`: the same Idempotency-Key answers
the first answer again. `GET` long-polls statelessly: it re-reads the database every
~200 ms, so an intent paid through another instance wakes it too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from backend.api import schemas
from backend.auth import StationPrincipal, require_station
from backend.errors import ApiError
from backend.idempotency import idempotent
from backend.jsonbody import parse_object, read_body
from backend.payments import refunds
from backend.payments.service import IntentError, IntentService, intent_json
from backend.web import records

__all__ = ["router"]

router = APIRouter(prefix="/v1/payment-intents", tags=["payment-intents"], responses=schemas.ERRORS)

POLL_S: Final = 0.2
StationDep = Annotated[StationPrincipal, Depends(require_station)]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", description="1-128 printable ASCII characters"),
]


def _service(request: Request, session: Session) -> IntentService:
    return IntentService(
        session,
        request.app.state.psp,
        clock=request.app.state.settings.clock,
        accounts=records.account_status,
    )


def _public_url(request: Request) -> str:
    return str(request.app.state.settings.public_url)


async def _json_body(request: Request, *, required: bool = True) -> tuple[bytes, dict[str, Any]]:
    raw = await read_body(request)
    if not raw and not required:
        return raw, {}
    return raw, parse_object(raw)


def _mutate(
    request: Request,
    station: StationPrincipal,
    raw: bytes,
    call: Callable[[IntentService, str], Any],
    *,
    created: bool = False,
) -> Response:
    """Run one mutating call under the request's Idempotency-Key, in one session."""
    key = request.headers.get("idempotency-key", "")
    with request.app.state.sessions() as session:

        def handler() -> tuple[int, dict[str, Any]]:
            try:
                intent = call(_service(request, session), key)
            except IntentError as exc:  # an answer too: stored, the call's writes rolled back
                raise ApiError(exc.status, exc.code, exc.message) from None
            return (201 if created else 200), intent_json(intent, _public_url(request))

        response: Response = idempotent(
            session,
            principal=getattr(request.state, "principal", f"station:{station.station_id}"),
            key=key,
            method=request.method,
            path=request.url.path,
            body=raw,
            handler=handler,
        )
        session.commit()
        return response


@router.post(
    "",
    status_code=201,
    response_model=schemas.IntentOut,
    openapi_extra=schemas.body(schemas.IntentIn),
)
async def create_intent(
    request: Request, station: StationDep, _key: IdempotencyKey = None
) -> Response:
    raw, body = await _json_body(request)
    return await run_in_threadpool(
        _mutate,
        request,
        station,
        raw,
        lambda svc, _key: svc.create(station.station_id, body),
        created=True,
    )


@router.get("/{intent_id}", response_model=schemas.IntentOut)
async def get_intent(
    intent_id: str,
    request: Request,
    station: StationDep,
    wait: Annotated[float, Query(ge=0)] = 0,
    status_not: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """The intent; with `wait` and `status_not`, once its status is not `status_not`."""
    limit = min(wait, float(request.app.state.settings.long_poll_max_s))
    deadline = time.monotonic() + limit

    def read() -> dict[str, Any]:
        with request.app.state.sessions() as session:
            intent = _service(request, session).load(intent_id, station.station_id)
            session.commit()  # a lazy expiry is kept
            return intent_json(intent, _public_url(request))

    while True:
        try:
            body = await run_in_threadpool(read)
        except IntentError as exc:
            raise ApiError(exc.status, exc.code, exc.message) from None
        if status_not is None or body["status"] != status_not:
            break
        if time.monotonic() + POLL_S > deadline:
            break
        if await request.is_disconnected():
            break
        await asyncio.sleep(POLL_S)
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.post("/{intent_id}/cancel", response_model=schemas.IntentOut)
async def cancel_intent(
    intent_id: str, request: Request, station: StationDep, _key: IdempotencyKey = None
) -> Response:
    raw, _ = await _json_body(request, required=False)
    return await run_in_threadpool(
        _mutate, request, station, raw, lambda svc, _key: svc.cancel(station.station_id, intent_id)
    )


@router.post(
    "/{intent_id}/increment",
    response_model=schemas.IntentOut,
    openapi_extra=schemas.body(schemas.AmountIn),
)
async def increment_intent(
    intent_id: str, request: Request, station: StationDep, _key: IdempotencyKey = None
) -> Response:
    raw, body = await _json_body(request)
    return await run_in_threadpool(
        _mutate,
        request,
        station,
        raw,
        lambda svc, key: svc.increment(station.station_id, intent_id, body, key),
    )


@router.post(
    "/{intent_id}/capture",
    response_model=schemas.IntentOut,
    openapi_extra=schemas.body(schemas.AmountIn),
)
async def capture_intent(
    intent_id: str, request: Request, station: StationDep, _key: IdempotencyKey = None
) -> Response:
    raw, body = await _json_body(request)
    return await run_in_threadpool(
        _mutate,
        request,
        station,
        raw,
        lambda svc, _key: svc.capture(station.station_id, intent_id, body),
    )


@router.post(
    "/{intent_id}/refund",
    response_model=schemas.IntentOut,
    openapi_extra=schemas.body(schemas.RefundIn),
)
async def refund_intent(
    intent_id: str, request: Request, station: StationDep, _key: IdempotencyKey = None
) -> Response:
    raw, body = await _json_body(request)
    return await run_in_threadpool(
        _mutate,
        request,
        station,
        raw,
        lambda svc, key: refunds.refund(
            svc,
            station_id=station.station_id,
            intent_id=intent_id,
            body=body,
            op_key=key,
            principal=f"station:{station.station_id}",
            by_operator=False,
        ),
    )
