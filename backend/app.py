"""The reference backend as one FastAPI application.

Stateless per request: nothing that matters lives in the process. Station nonces,
idempotency keys and their answers, remote commands and long polls (a loop that
re-queries the database) are all in the database, so several instances behind a load
balancer on one PostgreSQL answer any request alike; a request may go to one instance
and its retry to another. Migrations run at start under a PostgreSQL advisory lock, so
instances may start at the same moment.

A database that cannot be served is refused at start (backend.db.DatabaseProblem); a
storage fault while serving answers 503 `storage` (backend.errors), and the engine drops
the connections that met it, so the instance recovers by itself once the disk or the
server is back.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from sqlalchemy.orm import sessionmaker

from backend.db import make_engine, migrate
from backend.errors import install_error_handlers
from backend.settings import BackendSettings

__all__ = ["API_VERSION", "create_app"]

API_VERSION = "1.0.0"


def _routers() -> list[APIRouter]:
    """Ours (stations, operators, health), then the payment intents' and the web pages'."""
    from backend.api import routers  # noqa: PLC0415 (nothing is built at import time)
    from backend.payments import api as payments  # noqa: PLC0415
    from backend.web import app_pages, checkout, receipts  # noqa: PLC0415

    return [*routers(), payments.router, checkout.router, receipts.router, app_pages.router]


def create_app(settings: BackendSettings, *, psp: object | None = None) -> FastAPI:
    """The application on `settings.db_url`, its schema migrated to the newest revision."""
    engine = make_engine(settings.db_url)
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()
        raise
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
    for router in _routers():
        app.include_router(router)
    app.router.add_event_handler("shutdown", engine.dispose)
    return app
