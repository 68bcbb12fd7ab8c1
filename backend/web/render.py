"""Rendering the public pages: one Jinja environment per app, the headers every page needs.

The pages carry secrets in their URLs (the checkout id, the receipt token), so they are
never cached, never indexed, and never leak through a Referer; they load nothing but
the backend's own CSS and script.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from backend.web.i18n import LANGUAGES, Texts, pick_language

__all__ = [
    "PRIVATE_HEADERS",
    "TEMPLATE_DIR",
    "language",
    "page",
    "static_file",
    "texts_for",
]

TEMPLATE_DIR: Final = Path(__file__).resolve().parents[1] / "templates"
STATIC_DIR: Final = Path(__file__).resolve().parents[1] / "static"
_STATIC_NAME: Final = re.compile(r"[a-z0-9_-]{1,64}\.(css|js)")
_STATIC_TYPES: Final = {"css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8"}
LANG_COOKIE: Final = "lang"

PRIVATE_HEADERS: Final = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
}


def _environment(request: Request) -> Environment:
    """The app's template environment, made on first use (never at import)."""
    state = request.app.state
    env: Environment | None = getattr(state, "web_templates", None)
    if env is None:
        env = Environment(
            loader=FileSystemLoader(TEMPLATE_DIR),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        state.web_templates = env
    return env


def language(request: Request) -> str:
    return pick_language(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def texts_for(request: Request) -> Texts:
    return Texts(language(request))


def page(
    request: Request, template: str, t: Texts, *, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page in the request's language; the switch's choice is kept in a cookie."""
    html = (
        _environment(request)
        .get_template(template)
        .render(
            t=t,
            languages=[(code, Texts(code)("lang.name")) for code in LANGUAGES],
            **{"test_mode": False, **context},
        )
    )
    response = HTMLResponse(html, status_code=status, headers=PRIVATE_HEADERS)
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, httponly=True, samesite="lax")
    return response


def static_file(name: str) -> Response:
    """One of the backend's own CSS or JS files (the pages load nothing else)."""
    match = _STATIC_NAME.fullmatch(name)
    path = STATIC_DIR / name
    if match is None or not path.is_file():
        return Response("not found", status_code=404, media_type="text/plain")
    return Response(
        path.read_bytes(),
        media_type=_STATIC_TYPES[match.group(1)],
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
