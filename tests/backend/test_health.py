"""`GET /health`: 200 while the database answers, 503 when it is gone."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from backend.app import create_app
from backend.settings import BackendSettings
from tests.backend.conftest import Backend, ServerThread, free_port
from tests.backend.postgres import start_postgres, unavailable_reason


def test_health_ok(backend: Backend) -> None:
    r = backend.http.get(backend.base + "/health", timeout=5)
    assert (r.status_code, r.json()) == (200, {"status": "ok", "database": "ok"})


def test_health_503_when_the_database_is_gone(expect_warnings: Any) -> None:
    """Its own PostgreSQL server, stopped under a running backend."""
    reason = unavailable_reason()
    if reason is not None:
        import os

        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    expect_warnings("health: the database does not answer")
    server = start_postgres()
    try:
        url = server.create_database()
        port = free_port()
        app = create_app(BackendSettings(db_url=url, public_url=f"http://127.0.0.1:{port}"))
        with ServerThread(app, port):
            base = f"http://127.0.0.1:{port}"
            assert requests.get(base + "/health", timeout=5).status_code == 200
            server.stop()
            r = requests.get(base + "/health", timeout=20)
            assert r.status_code == 503
            assert r.headers["Retry-After"] == "5"
            assert r.json()["database"] == "down"
            assert r.json()["error"]["code"] == "database_unavailable"
        app.state.engine.dispose()
    finally:
        server.stop()
