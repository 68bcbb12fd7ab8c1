"""Station HMAC and operator bearer tokens, over real HTTP on both databases."""

from __future__ import annotations

import secrets

import pytest

from tests.backend.conftest import Backend, Station

BODY = b'{"uid": "04A1B2C3D4", "connector_id": "1"}'
PATH = "/v1/tokens/authorize"


@pytest.fixture
def station(backend: Backend) -> Station:
    return backend.add_station("DE-KIO-S1")


def _post(backend: Backend, headers: dict[str, str], body: bytes = BODY) -> tuple[int, str]:
    headers = {**headers, "Idempotency-Key": secrets.token_hex(8)}
    r = backend.http.post(backend.base + PATH, data=body, headers=headers, timeout=10)
    code = r.json()["error"]["code"] if r.status_code != 200 else ""
    return r.status_code, code


def test_a_good_signature_passes(backend: Backend, station: Station) -> None:
    r = backend.call(station, "POST", PATH, BODY)
    assert r.status_code == 200
    assert r.json()["code"] == "unknown_card"


def test_a_signed_query_string_counts(
    backend: Backend, station: Station, expect_warnings: object
) -> None:
    expect_warnings("auth: DE-KIO-S1 bad signature")  # type: ignore[operator]
    r = backend.call(station, "GET", "/v1/commands?wait=0")
    assert r.status_code == 200
    headers = backend.signed_headers(station, "GET", "/v1/commands?wait=0", b"")
    r = backend.http.get(backend.base + "/v1/commands?wait=1", headers=headers, timeout=10)
    assert r.status_code == 401


@pytest.mark.parametrize(
    ("case", "code", "logged"),
    [
        ("wrong signature", "bad_signature", "bad signature"),
        ("body changed", "bad_signature", "bad signature"),
        ("skew ahead", "clock_skew", "clock skew +301 s"),
        ("skew behind", "clock_skew", "clock skew -301 s"),
        ("unknown station", "unknown_station", "unknown station"),
    ],
)
def test_refused_and_logged(
    backend: Backend,
    station: Station,
    case: str,
    code: str,
    logged: str,
    expect_warnings: object,
    caplog: pytest.LogCaptureFixture,
) -> None:
    expect_warnings("auth: ")  # type: ignore[operator]
    now = int(backend.clock().timestamp())
    headers = backend.signed_headers(station, "POST", PATH, BODY)
    body = BODY
    if case == "wrong signature":
        headers["X-Signature"] = "0" * 64
    elif case == "body changed":
        body = BODY.replace(b"04A1", b"04A2")
    elif case == "skew ahead":
        headers = backend.signed_headers(station, "POST", PATH, BODY, timestamp=now - 301)
    elif case == "skew behind":
        headers = backend.signed_headers(station, "POST", PATH, BODY, timestamp=now + 301)
    elif case == "unknown station":
        headers = backend.signed_headers(Station("DE-KIO-XX", station.secret), "POST", PATH, BODY)
    with caplog.at_level("WARNING", logger="backend.auth"):
        assert _post(backend, headers, body) == (401, code)
    shown = "DE-KIO-XX" if case == "unknown station" else station.id
    assert f"auth: {shown} {logged}" in caplog.text
    assert station.secret not in caplog.text


def test_skew_of_exactly_the_window_passes(backend: Backend, station: Station) -> None:
    now = int(backend.clock().timestamp())
    for ts in (now - 300, now + 300):
        headers = backend.signed_headers(station, "POST", PATH, BODY, timestamp=ts)
        assert _post(backend, headers) == (200, "")


def test_a_replayed_nonce_is_refused(
    backend: Backend, station: Station, expect_warnings: object, caplog: pytest.LogCaptureFixture
) -> None:
    expect_warnings("auth: DE-KIO-S1 replayed nonce")  # type: ignore[operator]
    headers = backend.signed_headers(station, "POST", PATH, BODY)
    assert _post(backend, headers) == (200, "")
    with caplog.at_level("WARNING", logger="backend.auth"):
        assert _post(backend, headers) == (401, "replay")
    assert "auth: DE-KIO-S1 replayed nonce" in caplog.text


def test_a_nonce_is_forgotten_only_after_the_window(backend: Backend, station: Station) -> None:
    nonce = secrets.token_hex(16)
    assert (
        _post(backend, backend.signed_headers(station, "POST", PATH, BODY, nonce=nonce))[0] == 200
    )
    backend.clock.advance(601)  # the old request's timestamp is out of the window by now
    again = backend.signed_headers(station, "POST", PATH, BODY, nonce=nonce)
    assert _post(backend, again) == (200, "")  # a fresh timestamp: allowed, nonce forgotten


def test_missing_headers_are_refused(backend: Backend, expect_warnings: object) -> None:
    expect_warnings("auth: ")  # type: ignore[operator]
    r = backend.http.post(backend.base + PATH, data=BODY, timeout=10)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"


def test_operator_roles(backend: Backend, expect_warnings: object) -> None:
    expect_warnings("auth: operator")  # type: ignore[operator]
    viewer = backend.add_operator("vera", "viewer")
    admin = backend.add_operator("adam", "admin")
    assert backend.admin(viewer, "GET", "/v1/admin/stations").status_code == 200
    assert backend.admin(admin, "GET", "/v1/admin/stations").status_code == 200
    r = backend.admin(viewer, "POST", "/v1/admin/stations", {"id": "DE-KIO-S9"})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    r = backend.admin(admin, "POST", "/v1/admin/stations", {"id": "DE-KIO-S9"})
    assert r.status_code == 201
    assert len(r.json()["secret"]) == 64
    assert backend.admin("op_wrong", "GET", "/v1/admin/stations").status_code == 401
    r = backend.http.get(backend.base + "/v1/admin/stations", timeout=10)
    assert r.status_code == 401
