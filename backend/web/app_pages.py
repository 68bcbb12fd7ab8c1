"""The account holders' web app: sign in, open a connector from its QR code
(`/app/c/{evse id}`), start and stop charging remotely, follow the live cost, see the
account's sessions and charges.

Start and stop are commands the station fetches (`backend.commands`); the page shows
what the station answered. Every form carries a CSRF token bound to the session cookie.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from backend import commands
from backend.web import app_auth, records
from backend.web.deps import db_session
from backend.web.i18n import Texts
from backend.web.render import page, texts_for

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter(prefix="/app", include_in_schema=False)

SessionDep = Annotated[Session, Depends(db_session)]
PRE_COOKIE = "kiosk_app_pre"  # before sign-in: what the login form's CSRF token is bound to


def _secret(request: Request) -> bytes:
    secret: bytes = request.app.state.settings.cookie_secret
    return secret


def _now(request: Request) -> datetime:
    now: datetime = request.app.state.settings.clock()
    return now


def _signed_in(request: Request, session: Session) -> records.AccountView | None:
    account_id = app_auth.read_cookie(
        _secret(request), request.cookies.get(app_auth.COOKIE), _now(request)
    )
    if account_id is None:
        return None
    account = records.account_by_id(session, account_id)
    return None if account is None or account.blocked else account


def _kw(t: Texts, power: Decimal) -> str:
    """22 → "22", 7.4 → "7.4": as many decimals as the operator gave."""
    exponent = power.normalize().as_tuple().exponent
    return t.number(power, max(0, -exponent) if isinstance(exponent, int) else 0)


def _to_login(path: str) -> Response:
    return RedirectResponse(f"/app/login?next={quote(path)}", status_code=303)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/app/") and "//" not in target and "\\" not in target:
        return target
    return "/app/"


def _csrf(request: Request) -> str:
    return app_auth.csrf_token(_secret(request), request.cookies.get(app_auth.COOKIE, ""))


def _login_page(
    request: Request, t: Texts, *, error: str | None = None, status: int = 200, nxt: str = ""
) -> Response:
    nonce = request.cookies.get(PRE_COOKIE) or app_auth.new_nonce()
    response = page(
        request,
        "app_login.html",
        t,
        status=status,
        error=error,
        csrf=app_auth.csrf_token(_secret(request), nonce),
        next=_safe_next(nxt or request.query_params.get("next")),
    )
    response.set_cookie(PRE_COOKIE, nonce, httponly=True, samesite="lax", path="/app")
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    return _login_page(request, texts_for(request))


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    csrf: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=512)] = "/app/",
) -> Response:
    t = texts_for(request)
    if not app_auth.csrf_ok(_secret(request), request.cookies.get(PRE_COOKIE), csrf):
        return _login_page(request, t, error=t("app.bad_form"), status=403, nxt=next)
    address = email.strip().lower()
    now = _now(request)
    wait = app_auth.login_blocked_for(session, address, now)
    if wait:
        log.info("app: sign-in of a locked address refused (%d s left)", wait)
        return _login_page(
            request, t, error=t("app.locked", minutes=(wait + 59) // 60), status=429, nxt=next
        )
    account = records.account_by_email(session, address)
    if account is None or not app_auth.verify_password(password, account.password_hash):
        locked = app_auth.record_failure(session, address, now)
        session.commit()
        log.info("app: sign-in failed%s", " (address now locked)" if locked else "")
        return _login_page(request, t, error=t("app.bad_login"), status=401, nxt=next)
    if account.blocked:
        return _login_page(request, t, error=t("app.blocked"), status=403, nxt=next)
    app_auth.record_success(session, address)
    session.commit()
    log.info("app: account %s signed in", account.id)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        app_auth.COOKIE,
        app_auth.make_cookie(_secret(request), account.id, now),
        max_age=app_auth.SESSION_S,
        httponly=True,
        samesite="lax",
        secure=str(request.app.state.settings.public_url).startswith("https:"),
        path="/",
    )
    response.delete_cookie(PRE_COOKIE, path="/app")
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    response = RedirectResponse("/app/login", status_code=303)
    if app_auth.csrf_ok(_secret(request), request.cookies.get(app_auth.COOKIE), csrf):
        response.delete_cookie(app_auth.COOKIE, path="/")
    return response


@router.get("/")
def home(request: Request, session: SessionDep) -> Response:
    account = _signed_in(request, session)
    if account is None:
        return _to_login("/app/")
    evse = request.query_params.get("evse", "").strip()
    if evse:
        return RedirectResponse(f"/app/c/{quote(evse, safe='')}", status_code=303)
    t = texts_for(request)
    history = (
        records.sessions_for_contract(session, account.contract_id) if account.contract_id else []
    )
    return page(
        request,
        "app_home.html",
        t,
        account=account,
        csrf=_csrf(request),
        history=history,
        labels=records.connector_labels(session, {s.station_id for s in history}),
        charges=records.charges_for_account(session, account.id),
    )


@router.get("/c/{evse_id}")
def connector(evse_id: str, request: Request, session: SessionDep) -> Response:
    account = _signed_in(request, session)
    if account is None:
        return _to_login(f"/app/c/{quote(evse_id, safe='')}")
    t = texts_for(request)
    found = records.find_connector(session, evse_id)
    if found is None:
        return page(
            request,
            "message.html",
            t,
            status=404,
            title=t("app.title"),
            message=t("app.unknown_connector", evse=evse_id),
        )
    station_id, connector_id = found
    provisioned = records.connector_view(session, station_id, connector_id)
    power = None if provisioned is None else provisioned.max_power_kw
    context: dict[str, Any] = {
        "account": account,
        "csrf": _csrf(request),
        "evse_id": evse_id,
        "station_id": station_id,
        "station_label": records.station_label(session, station_id),
        "connector_id": connector_id,
        "connector_label": connector_id if provisioned is None else provisioned.label,
        "power_text": None if power is None else t("app.power", power=_kw(t, power)),
        "price": records.price_description(
            session,
            station_id,
            connector_id,
            t.language,
            _now(request),
            group=account.customer_group,
        ),
        "command": None,
        "live": None,
    }
    command_id = request.query_params.get("cmd")
    if command_id:
        context["command"] = records.command(session, command_id, account.id)
    live = None
    if account.contract_id:
        live = records.live_for_contract(session, station_id, connector_id, account.contract_id)
    cmd = context["command"]
    if live is None and cmd is not None and cmd.session_id:
        live = records.live_for_session(session, station_id, cmd.session_id)
    if live is not None:
        context["live"] = {
            "energy_text": f"{t.number(live.energy_kwh)} {t('unit.kwh')}",
            "cost_text": t.money(live.cost, live.currency),
            "updated_text": t("checkout.updated", time=t.when(live.updated_at)),
            "state": live.state,
        }
    return page(request, "app_connector.html", t, **context)


def _command(request: Request, session: Session, evse_id: str, kind: str, csrf: str) -> Response:
    account = _signed_in(request, session)
    if account is None:
        return _to_login(f"/app/c/{quote(evse_id, safe='')}")
    t = texts_for(request)
    if not app_auth.csrf_ok(_secret(request), request.cookies.get(app_auth.COOKIE), csrf):
        return page(
            request, "message.html", t, status=403, title=t("app.title"), message=t("app.bad_form")
        )
    found = records.find_connector(session, evse_id)
    if found is None:
        return page(
            request,
            "message.html",
            t,
            status=404,
            title=t("app.title"),
            message=t("app.unknown_connector", evse=evse_id),
        )
    station_id, connector_id = found
    if not account.contract_id:
        return page(
            request, "message.html", t, status=403, title=t("app.title"), message=t("app.blocked")
        )
    command_id = commands.enqueue(
        session,
        station_id=station_id,
        type=kind,
        connector_id=connector_id,
        account_id=account.id,
        contract_id=account.contract_id,
        customer_group=account.customer_group,
        now=_now(request),
    )
    session.commit()
    log.info("app: account %s asked %s %s: %s", account.id, kind, evse_id, command_id)
    target = f"/app/c/{quote(evse_id, safe='')}?cmd={quote(command_id)}&lang={t.language}"
    return RedirectResponse(target, status_code=303)


@router.post("/c/{evse_id}/start")
def start(
    evse_id: str,
    request: Request,
    session: SessionDep,
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    return _command(request, session, evse_id, "start", csrf)


@router.post("/c/{evse_id}/stop")
def stop(
    evse_id: str,
    request: Request,
    session: SessionDep,
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    return _command(request, session, evse_id, "stop", csrf)
