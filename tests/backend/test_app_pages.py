"""The account holders' web app over real HTTP: sign-in, CSRF, the throttle, start/stop."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from backend.commands import pending, record_result
from backend.models import Command
from backend.web.app_auth import hash_password, verify_password
from tests.backend.chromium import TIMEOUT, Stack, running_backend

S1 = "DE-KIO-S1"
EMAIL, PASSWORD = "alex@example.org", "correct horse battery"
EVSE = "DE-KIO-S1:1"  # a connector of a known station, by its station and connector ids


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with running_backend(f"sqlite:///{tmp_path / 'backend.db'}") as stack:
        stack.station(S1)
        stack.tariffs(S1, "1")
        stack.account(
            "acc-1", "DE-KIO-C00001-7", email=EMAIL, password_hash=hash_password(PASSWORD)
        )
        yield stack


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def sign_in(stack: Stack, browser: requests.Session, password: str = PASSWORD) -> requests.Response:
    form = browser.get(f"{stack.base}/app/login", timeout=TIMEOUT)
    return browser.post(
        f"{stack.base}/app/login",
        data={"email": EMAIL, "password": password, "csrf": csrf_of(form.text), "next": "/app/"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )


def test_password_hashes_verify_and_other_formats_never_match() -> None:
    stored = hash_password("s3cret")
    assert stored.startswith("scrypt$16384$8$1$")
    assert verify_password("s3cret", stored)
    assert not verify_password("s3cret ", stored)
    assert not verify_password("s3cret", "bcrypt$whatever")
    assert not verify_password("s3cret", "scrypt$1$8$1$00$00")


def test_wrong_password_then_right_one(stack: Stack) -> None:
    browser = requests.Session()
    wrong = sign_in(stack, browser, "nope")
    assert wrong.status_code == 401
    assert "E-mail or password is wrong." in wrong.text
    right = sign_in(stack, browser)
    assert right.status_code == 303
    assert right.headers["location"] == "/app/"
    cookie = right.headers["set-cookie"]
    assert "kiosk_app=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    home = browser.get(f"{stack.base}/app/", timeout=TIMEOUT)
    assert "Signed in as Alex Driver" in home.text


def test_login_without_csrf_is_refused(stack: Stack) -> None:
    r = requests.post(
        f"{stack.base}/app/login",
        data={"email": EMAIL, "password": PASSWORD, "csrf": "forged"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert r.status_code == 403
    assert "kiosk_app=" not in r.headers.get("set-cookie", "")


def test_five_failures_lock_the_address_even_for_the_right_password(stack: Stack) -> None:
    browser = requests.Session()
    for _ in range(5):
        assert sign_in(stack, browser, "wrong").status_code == 401
    locked = sign_in(stack, browser)
    assert locked.status_code == 429
    assert "Too many attempts" in locked.text


def test_pages_need_a_valid_cookie(stack: Stack) -> None:
    r = requests.get(f"{stack.base}/app/c/{EVSE}", allow_redirects=False, timeout=TIMEOUT)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/app/login?next=")
    forged = requests.get(
        f"{stack.base}/app/",
        cookies={"kiosk_app": "acc-1.1999999999.00"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert forged.status_code == 303


def test_start_and_stop_are_enqueued_for_the_station(stack: Stack) -> None:
    browser = requests.Session()
    sign_in(stack, browser)
    page = browser.get(f"{stack.base}/app/c/{EVSE}", timeout=TIMEOUT)
    assert page.status_code == 200
    assert "Start charging" in page.text
    # the price an account pays there, chosen and worded as the kiosk does (the REGULAR one)
    assert "€0.35/kWh" in page.text
    forged = browser.post(
        f"{stack.base}/app/c/{EVSE}/start", data={"csrf": "x"}, allow_redirects=False
    )
    assert forged.status_code == 403
    started = browser.post(
        f"{stack.base}/app/c/{EVSE}/start",
        data={"csrf": csrf_of(page.text)},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert started.status_code == 303
    with stack.db() as s:
        command = s.scalars(select(Command)).one()
        assert (command.type, command.station_id, command.connector_id) == ("start", S1, "1")
        assert (command.contract_id, command.customer_group) == ("DE-KIO-C00001-7", "member")
        assert command.status == "pending"
    waiting = browser.get(stack.base + started.headers["location"], timeout=TIMEOUT)
    assert "waiting for its answer" in waiting.text
    assert 'id="start"' not in waiting.text  # no second start while the first is open
    # the station fetches it and answers (what /v1/commands does with them)
    with stack.db() as s:
        assert [c.id for c in pending(s, S1, stack.clock())] == [command.id]
        record_result(s, S1, command.id, "accepted", None, "s-77")
        s.commit()
    # held on the account, the car not plugged in yet: say so, offer to release the hold
    stack.heartbeat_live(S1, "s-77", "pi_account_hold", "0", "0", state="authorized")
    held = browser.get(stack.base + started.headers["location"], timeout=TIMEOUT)
    assert "Plug in your car at connector 1: charging starts by itself." in held.text
    assert "Cancel and release the reservation" in held.text
    assert "€0.00" not in held.text
    stack.heartbeat_live(S1, "s-77", "pi_account_hold", "2.000", "0.98")
    accepted = browser.get(stack.base + started.headers["location"], timeout=TIMEOUT)
    assert "The station accepted: start." in accepted.text
    assert "€0.98" in accepted.text
    assert "Stop charging" in accepted.text
    stopped = browser.post(
        f"{stack.base}/app/c/{EVSE}/stop",
        data={"csrf": csrf_of(accepted.text)},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert stopped.status_code == 303
    with stack.db() as s:
        kinds = sorted(c.type for c in s.scalars(select(Command)))
    assert kinds == ["start", "stop"]


def test_unknown_connector_says_so(stack: Stack) -> None:
    browser = requests.Session()
    sign_in(stack, browser)
    r = browser.get(f"{stack.base}/app/c/DE*XXX*E9*1", timeout=TIMEOUT)
    assert r.status_code == 404
    assert "No connector has the code DE*XXX*E9*1." in r.text
