"""The reference backend as one FastAPI application.

Stateless per request: nothing that matters lives in the process. Station nonces,
idempotency keys and their answers, remote commands and long polls (a loop that
re-queries the database) are all in the database, so several instances behind a load
balancer on one PostgreSQL answer any request alike; a request may go to one instance
and its retry to another. Migrations run at start under a PostgreSQL advisory lock, so
instances may start at the same moment.
"""

from __future__ import annotations

import importlib
import logging

from fastapi import APIRouter, FastAPI
from sqlalchemy.orm import sessionmaker

from backend.db import make_engine, migrate
from backend.errors import install_error_handlers
from backend.settings import BackendSettings

__all__ = ["API_VERSION", "PEER_ROUTERS", "create_app"]

log = logging.getLogger(__name__)

API_VERSION = "1.0.0"
# the routers of the payment intents and the web pages (module, attribute)
PEER_ROUTERS = (
    "backend.payments.api",
    "backend.web.checkout",
    "backend.web.receipts",
    "backend.web.app_pages",
)


def _own_routers() -> list[APIRouter]:
    from backend.api import routers  # noqa: PLC0415 (nothing is built at import time)

    return routers()


def _peer_router(module: str) -> APIRouter | None:
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module.startswith(exc.name):
            log.info("backend: %s is not there yet, its routes are left out", module)
            return None
        raise
    router = getattr(loaded, "router", None)
    if not isinstance(router, APIRouter):
        raise TypeError(f"{module}.router is not an APIRouter")
    return router


def create_app(settings: BackendSettings, *, psp: object | None = None) -> FastAPI:
    """The application on `settings.db_url`, its schema migrated to the newest revision."""
    engine = make_engine(settings.db_url)
    migrate(engine)
    app = FastAPI(
        title="EV charging kiosk backend",
        version=API_VERSION,
        description="The contract between the kiosk and its backend (docs/backend-api.md).",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessionmaker(
        engine, expire_on_commit=False, info={"clock": settings.clock}
    )
    if psp is None:
        from backend.psp import SimulatedPsp  # noqa: PLC0415 (the default PSP, built here)

        psp = SimulatedPsp(engine, clock=settings.clock)
    app.state.psp = psp
    install_error_handlers(app)
    for router in _own_routers():
        app.include_router(router)
    for module in PEER_ROUTERS:
        peer = _peer_router(module)
        if peer is not None:
            app.include_router(peer)
    app.router.add_event_handler("shutdown", engine.dispose)
    return app
