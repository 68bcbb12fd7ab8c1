"""The whole API fuzzed from its own OpenAPI document (schemathesis), over loopback HTTP.

Station requests are signed and operator requests carry an admin token, so generated
data gets past authentication and reaches the handlers. No answer may be a 5xx, and
every answer must be documented and match its schema. Examples are bounded (< 60 s).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend import stations
from backend.app import create_app
from backend.auth import sign
from backend.settings import BackendSettings
from tests.backend.conftest import FakeClock, ServerThread, free_port

EXAMPLES = 15  # per operation: the whole run stays well under a minute


class Live:
    def __init__(self, base: str, app: Any, clock: FakeClock) -> None:
        self.base, self.app, self.clock = base, app, clock
        with app.state.sessions() as s:
            self.secret = stations.add_station(
                s, "DE-KIO-S1", name=None, time_zone="UTC", now=clock()
            )
            self.admin = stations.add_operator(s, "fuzz", "admin", clock())
            s.commit()
        self.http = requests.Session()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "backend.sqlite"
    port, clock = free_port(), FakeClock()
    base = f"http://127.0.0.1:{port}"
    app = create_app(
        BackendSettings(
            db_url=f"sqlite:///{path}", public_url=base, clock=clock, long_poll_max_s=0.1
        )
    )
    with ServerThread(app, port):
        yield Live(base, app, clock)
    app.state.engine.dispose()


def _send(case: Any, live: Live) -> None:
    kwargs = case.as_transport_kwargs(base_url=live.base)
    kwargs.pop("timeout", None)
    request = requests.Request(**kwargs).prepare()
    body = request.body or b""
    raw = body.encode() if isinstance(body, str) else body
    path = request.path_url
    if path.startswith("/v1/admin"):
        request.headers["Authorization"] = f"Bearer {live.admin}"
    elif path.startswith("/v1/"):
        ts, nonce = int(live.clock().timestamp()), secrets.token_hex(16)
        request.headers.update(
            {
                "X-Station-Id": "DE-KIO-S1",
                "X-Timestamp": str(ts),
                "X-Nonce": nonce,
                "X-Signature": sign(live.secret, request.method or "GET", path, ts, nonce, raw),
            }
        )
    response = live.http.send(request, timeout=15)
    checks = [
        not_a_server_error,
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    ]
    case.validate_response(response, checks=checks)


def test_api_conforms_and_never_fails(live: Live, expect_warnings: Any) -> None:
    expect_warnings("auth: ", "events: ", "idempotency: ", "health: ")
    schema = schemathesis.openapi.from_dict(live.app.openapi())
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) > 15
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: Any) -> None:
            _send(case, live)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert not failures, "\n\n".join(failures)
