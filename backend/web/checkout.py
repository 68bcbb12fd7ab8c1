"""The phone's checkout page: the price and the hold, pay with a test card, then the live
cost and the receipt link (`/checkout/{intent id}`, docs/backend-api.md).

The intent id in the URL is the only key (128 random bits): anonymous drivers need no
account. The page works without JavaScript (reload); with it, a small script polls
`status.json` for the countdown's end, the live cost and the final amount.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from backend.payments.models import PaymentIntent
from backend.payments.service import IntentError, IntentService
from backend.psp import Psp
from backend.web import records
from backend.web.deps import db_session
from backend.web.i18n import LANGUAGES, Texts
from backend.web.render import PRIVATE_HEADERS, page, static_file, texts_for

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

SessionDep = Annotated[Session, Depends(db_session)]


def _service(request: Request, session: Session) -> IntentService:
    settings = request.app.state.settings
    psp: Psp = request.app.state.psp
    return IntentService(session, psp, clock=settings.clock, accounts=records.account_status)


def _countdown(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def _live(t: Texts, figures: records.LiveFigures | None) -> dict[str, str] | None:
    if figures is None or figures.state == "authorized":  # paid, the car not plugged in yet
        return None
    return {
        "energy_text": f"{t.number(figures.energy_kwh)} {t('unit.kwh')}",
        "cost_text": t.money(figures.cost, figures.currency),
        "updated_text": t("checkout.updated", time=t.when(figures.updated_at)),
        "state": figures.state,
    }


def _final(
    t: Texts, intent: PaymentIntent, done: records.FinishedSession | None
) -> dict[str, str] | None:
    if done is None:
        return None
    captured = intent.captured_amount
    return {
        "energy_text": f"{t.number(done.energy_kwh)} {t('unit.kwh')}",
        "cost_text": t.money(done.cost, done.currency),
        "captured_text": t.money(captured, intent.currency) if captured is not None else "–",
        "receipt_url": f"/r/{done.receipt_token}?lang={t.language}" if done.receipt_token else "",
        "receipt_pdf": f"/r/{done.receipt_token}.pdf?lang={t.language}"
        if done.receipt_token
        else "",
    }


def _not_found(request: Request, t: Texts) -> Response:
    return page(
        request,
        "message.html",
        t,
        status=404,
        title=t("checkout.expired_title"),
        message=t("checkout.expired"),
    )


@router.get("/static/{name}")
def static(name: str) -> Response:
    return static_file(name)


@router.get("/checkout/{intent_id}")
def checkout_page(intent_id: str, request: Request, session: SessionDep) -> Response:
    t = texts_for(request)
    service = _service(request, session)
    try:
        intent = service.load(intent_id, None)
    except IntentError:
        return _not_found(request, t)
    if intent.kind != "qr":
        return _not_found(request, t)
    session.commit()  # a lazy expiry is kept
    now: datetime = request.app.state.settings.clock()
    seconds_left = max(0, int((intent.expires_at - now).total_seconds()))
    amount_text = t.money(intent.amount, intent.currency)
    context: dict[str, Any] = {
        "intent": intent,
        "station_label": records.station_label(session, intent.station_id),
        "connector_label": records.connector_label(session, intent.station_id, intent.connector_id),
        "amount_text": amount_text,
        "expires_iso": intent.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seconds_left": seconds_left,
        "countdown_text": _countdown(seconds_left),
        "live": None,
        "final": None,
        "error": None,
        "partial_text": None,
        "test_mode": bool(getattr(request.app.state.psp, "test_mode", False)),
    }
    if intent.status == "requires_payment":
        psp: Psp = request.app.state.psp
        context["price"] = records.price_description(
            session, intent.station_id, intent.connector_id, t.language, now
        )
        context["cards"] = psp.payment_methods()
        context["attempt"] = secrets.token_urlsafe(16)
        if request.query_params.get("busy"):
            context["error"] = t("checkout.in_progress")
        elif intent.last_error:
            context["error"] = t(
                "checkout.declined", reason=t.decline(intent.code, intent.last_error)
            )
    elif intent.status in ("authorized", "captured"):
        authorized = intent.authorized_amount
        if authorized is not None and authorized < intent.amount:
            context["partial_text"] = t(
                "checkout.partial",
                authorized=t.money(authorized, intent.currency),
                amount=amount_text,
            )
        context["live"] = _live(t, records.live_for_payment(session, intent.id))
        context["final"] = _final(t, intent, records.session_for_payment(session, intent.id))
    return page(request, "checkout.html", t, **context)


@router.post("/checkout/{intent_id}/pay")
def checkout_pay(
    intent_id: str,
    request: Request,
    session: SessionDep,
    method: Annotated[str, Form(max_length=64)],
    attempt: Annotated[str, Form(min_length=16, max_length=64)],
    lang: Annotated[str, Form(max_length=8)] = "en",
) -> Response:
    back = f"/checkout/{intent_id}?lang={lang if lang in LANGUAGES else 'en'}"
    try:
        outcome = _service(request, session).pay(intent_id, method, attempt)
    except IntentError:
        return _not_found(request, texts_for(request))
    if outcome.message == "in_progress":
        back += "&busy=1"
    return RedirectResponse(back, status_code=303, headers={"Cache-Control": "no-store"})


@router.get("/checkout/{intent_id}/status.json")
def checkout_status(intent_id: str, request: Request, session: SessionDep) -> Response:
    t = texts_for(request)
    try:
        intent = _service(request, session).load(intent_id, None)
    except IntentError:
        return JSONResponse(
            {"error": {"code": "not_found", "message": "no such checkout"}},
            status_code=404,
            headers=PRIVATE_HEADERS,
        )
    session.commit()
    body: dict[str, Any] = {"status": intent.status, "live": None, "final": None}
    if intent.status in ("authorized", "captured"):
        body["live"] = _live(t, records.live_for_payment(session, intent.id))
        body["final"] = _final(t, intent, records.session_for_payment(session, intent.id))
    return JSONResponse(body, headers=PRIVATE_HEADERS)
