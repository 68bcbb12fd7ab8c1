"""The e-receipt: `GET /r/{receipt token}` (HTML) and `/r/{receipt token}.pdf`.

The token is the session's `receipt_token` (unguessable, printed as a QR on the kiosk's
receipt); anonymous drivers need no account. Never cached, never indexed.
"""

from __future__ import annotations

import re
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from backend.payments.models import PaymentIntent
from backend.web import records
from backend.web.deps import db_session
from backend.web.receipt_model import Receipt, build_receipt
from backend.web.receipt_pdf import render_receipt_pdf
from backend.web.render import PRIVATE_HEADERS, page, texts_for

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_TOKEN: Final = re.compile(r"[A-Za-z0-9_-]{8,128}")
SessionDep = Annotated[Session, Depends(db_session)]


def _receipt(request: Request, session: Session, token: str) -> tuple[Receipt, str] | None:
    if not _TOKEN.fullmatch(token):
        return None
    done = records.session_by_receipt(session, token)
    if done is None:
        return None
    intent = session.get(PaymentIntent, done.payment_ref) if done.payment_ref else None
    t = texts_for(request)
    tz = records.station_time_zone(session, done.station_id)
    connector = records.connector_view(session, done.station_id, done.connector_id)
    return build_receipt(done, intent, t, tz, connector), t.language


def _missing(request: Request) -> Response:
    t = texts_for(request)
    return page(
        request,
        "message.html",
        t,
        status=404,
        title=t("receipt.not_found_title"),
        message=t("receipt.not_found"),
    )


@router.get("/r/{token}.pdf")
def receipt_pdf(token: str, request: Request, session: SessionDep) -> Response:
    found = _receipt(request, session, token)
    if found is None:
        return _missing(request)
    receipt, language = found
    created = request.app.state.settings.clock()
    body = render_receipt_pdf(receipt, language=language, created=created)
    headers = {
        **PRIVATE_HEADERS,
        "Content-Disposition": f'inline; filename="receipt-{token[:12]}.pdf"',
    }
    return Response(body, media_type="application/pdf", headers=headers)


@router.get("/r/{token}")
def receipt_page(token: str, request: Request, session: SessionDep) -> Response:
    found = _receipt(request, session, token)
    if found is None:
        return _missing(request)
    receipt, _ = found
    return page(request, "receipt.html", texts_for(request), receipt=receipt, token=token)
