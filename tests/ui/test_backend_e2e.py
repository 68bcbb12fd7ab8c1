"""The kiosk and its backend from end to end, as drivers use them: the kiosk
(offscreen, the real screens and station loop) on the reference backend (served on
loopback), a phone (a real headless Chromium).

QR pay: the QR code is read from a screenshot of the kiosk (zxing-cpp), its page paid
in Chromium; charging starts at the kiosk; the driver stops; then the backend has the
session, its CDR and the capture of exactly the priced amount, once, and the
e-receipt on the kiosk's receipt opens in the browser.

The app: a driver with an account signs in on the phone, starts the connector, watches
the live cost and stops it there; the station carries out both commands, and the
backend bills the account exactly the session's cost.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import msgspec
import pytest
import shiboken6
from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtQuick import QQuickWindow
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kiosk.config import Settings, demo_settings
from kiosk.domain.payment import PaymentMethod
from kiosk.domain.session import SessionState, StopReason
from kiosk.station import FlowState
from tests.kiosk.sync.fault_proxy import Fault, FaultProxy
from tests.ui.conftest import KioskUi
from ui.app import build_station, load_screens
from ui.demo_backend import DEMO_ACCOUNT, EmbeddedBackend, with_backend


def _wait(condition: Callable[[], Any], timeout: float = 20.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        QApplication.processEvents()
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or condition}")


@pytest.fixture
def kiosk_on_backend(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> Iterator[tuple[KioskUi, EmbeddedBackend, Any]]:
    settings, backend = with_backend(demo_settings(tmp_path / "k.sqlite"))
    yield from _kiosk(qtbot, qapp, _quick(settings), backend)


def _quick(settings: Settings, **backend: Any) -> Settings:
    """A heartbeat every second (commands and live figures come with it); and since
    the station's clock runs 30 times faster, two minutes to plug in would be 4 s here,
    so the app might never see the session waiting for the car: an hour instead."""
    assert settings.backend is not None
    link = msgspec.structs.replace(settings.backend, heartbeat_s=1.0, **backend)
    waits = msgspec.structs.replace(settings.timeouts, plug_in_s=3600)
    return dataclasses.replace(settings, backend=link, timeouts=waits)


@pytest.fixture
def kiosk_behind_a_proxy(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> Iterator[tuple[KioskUi, FaultProxy]]:
    """The kiosk's backend behind a real TCP proxy the test scripts (answers held...)."""
    settings, backend = with_backend(demo_settings(tmp_path / "k.sqlite"))
    with FaultProxy(backend.port) as proxy:
        settings = _quick(settings, url=proxy.url, read_timeout_s=4.0)
        for ui, _backend, _station in _kiosk(qtbot, qapp, settings, backend):
            yield ui, proxy


def _kiosk(
    qtbot: QtBot, qapp: QApplication, settings: Settings, backend: EmbeddedBackend
) -> Iterator[tuple[KioskUi, EmbeddedBackend, Any]]:
    opened: list[Any] = []
    holder: list[Any] = []

    def open_station() -> Any:  # on the station thread, as `kiosk demo` opens it
        loop = holder[0].loop
        kiosk = build_station(settings, speed=30.0, runner=loop.runner, loop=loop)
        opened.append(kiosk)
        return kiosk.service

    screens = load_screens(qapp, settings, open_station, demo=True, retry_s=None)
    holder.append(screens.worker)
    window, bridge, worker = screens.window, screens.bridge, screens.worker
    assert isinstance(window, QQuickWindow)
    bridge.pay_qr = backend.pay
    worker.start()
    try:
        qtbot.waitUntil(lambda: bool(opened) and bool(bridge.property("live")), timeout=15_000)
        kiosk = opened[0]
        bridge.receipt_token = kiosk.service.keys.receipt_token
        ui = KioskUi(
            qtbot, window, bridge, kiosk.service, worker, cast(Any, None), screens.warnings
        )
        yield ui, backend, kiosk
    finally:
        screens.retranslate("en")
        worker.stop()
        shiboken6.delete(screens.engine)
        for k in opened:
            k.close()
        backend.stop()
    assert screens.warnings == [], "QML warnings:\n" + "\n".join(screens.warnings)


def _qr_on_screen(window: QQuickWindow, path: Path) -> list[str]:
    import zxingcpp
    from PIL import Image

    window.grabWindow().save(str(path))
    return [r.text for r in zxingcpp.read_barcodes(Image.open(path))]


def test_a_qr_payment_from_the_screen_to_the_backend(
    kiosk_on_backend: tuple[KioskUi, EmbeddedBackend, Any],
    phone: Any,
    tmp_path: Path,
) -> None:
    ui, backend, _kiosk = kiosk_on_backend
    from backend.models import ChargeSession
    from backend.payments.models import PaymentIntent

    ui.on("overview")
    ui.click("connector_1")
    ui.on("price")
    ui.click("toPayment")
    ui.on("payment")
    ui.click("pay_qr")
    ui.on("qr")
    url = _wait(lambda: ui.session().get("checkoutUrl"), what="the checkout URL")
    assert url.startswith(f"{backend.url}/checkout/pi_")
    assert ui.session()["secondsLeft"] > 100  # the page's own expiry, counted down

    # the phone's camera: the code on the screen opens this session's page
    shot = tmp_path / "qr.png"
    assert _wait(lambda: _qr_on_screen(ui.window, shot), what="a QR code") == [url]

    # the phone: the price before paying, the hold and its release, then pay
    phone.goto(url)
    body = phone.inner_text("body")
    assert "30.00" in body  # the hold the kiosk asked for
    assert "kWh" in body  # the connector's price, as the kiosk shows it
    phone.click("#pay")
    phone.wait_for_selector("#paid", state="visible")

    # paying there starts the session at the kiosk: plug in, charge
    ui.on("plugIn", timeout_ms=20_000)
    ui.job(lambda s: cast(Any, s.charger).arrive("1", _car(), 20, 80))
    ui.on("charging", timeout_ms=20_000)
    _wait(  # a cost worth capturing (the demo's clock runs 30 times faster)
        lambda: (ui.job(lambda s: s.view("1").cost) or _nothing()).incl_vat >= Decimal("0.20"),
        timeout=40,
        what="a session worth capturing",
    )
    # the live cost reaches the phone through the heartbeat
    phone.reload()
    phone.wait_for_selector("#live-figures", state="visible", timeout=20_000)

    ui.job(lambda s: s.stop("1", _driver_stop()))
    ui.job(lambda s: cast(Any, s.charger).depart("1"))
    ui.on("receipt", timeout_ms=20_000)
    session_id = ui.job(lambda s: s.view("1").receipt_session_id)
    finished = ui.job(lambda s: s.receipt_parts(session_id))
    assert finished is not None
    assert finished[0].state is SessionState.COMPLETED
    cost = finished[0].totals.cost_incl_vat

    # the backend: the session and its CDR once, the capture of exactly the priced cost
    def arrived() -> Any:
        with backend.sessions() as db:
            rows = (
                db.execute(select(ChargeSession).where(ChargeSession.session_id == session_id))
                .scalars()
                .all()
            )
            intent = db.get(PaymentIntent, url.rsplit("/", 1)[1])
            if len(rows) == 1 and intent is not None and intent.status == "captured":
                return rows[0], intent
            return None

    try:
        row, intent = _wait(arrived, timeout=30, what="the session and the capture at the backend")
    except AssertionError:
        pending = ui.job(_outbox)
        raise AssertionError(f"not at the backend; the kiosk's outbox: {pending}") from None
    assert row.cost == cost
    assert intent.captured_amount == cost
    assert row.payment_ref == intent.id
    cdr = json.loads(row.cdr_json)
    assert Decimal(str(cdr["total_cost"]["incl_vat"])) == cost
    assert row.backend_cost == cost  # the backend priced the CDR the same, to the cent

    # the e-receipt: the link on the kiosk's receipt opens in the browser
    receipt = ui.bridge.property("receipt")
    link = receipt.get("url") or ""
    assert link.startswith(f"{backend.url}/r/")
    assert session_id not in link  # unguessable, not the session id
    answer = phone.goto(link)
    assert answer is not None
    assert answer.status == 200
    assert f"{cost:.2f}" in phone.inner_text("body")


def test_an_account_driver_starts_and_stops_from_the_app(
    kiosk_on_backend: tuple[KioskUi, EmbeddedBackend, Any], phone: Any
) -> None:
    ui, backend, kiosk = kiosk_on_backend
    from backend.models import AccountCharge, ChargeSession, Command

    email, password = DEMO_ACCOUNT
    page = f"{backend.url}/app/c/{kiosk.service.settings.station.id}:1"
    phone.goto(page)  # not signed in: the sign-in form, back to the connector after it
    phone.fill("#email", email)
    phone.fill("#password", password)
    phone.click("#sign-in")
    phone.wait_for_selector("#start", state="visible")
    assert "kWh" in phone.inner_text("#price")  # the price before starting
    phone.click("#start")
    phone.wait_for_selector("#command", state="visible")

    # the sync worker takes the command; the station holds the account and waits for the
    # car (the screen stays on the overview: the driver is at the car, not at the screen)
    _wait(
        lambda: ui.job(lambda s: s.view("1").state) is FlowState.WAITING_FOR_PLUG,
        what="the remote start carried out",
    )
    assert ui.job(lambda s: s.view("1").method) is PaymentMethod.ACCOUNT_TOKEN

    def told_to_plug_in() -> bool:  # the heartbeat tells the backend the hold is placed
        phone.goto(page)
        return bool(phone.query_selector("#live-plug"))

    _wait(told_to_plug_in, timeout=20, what="'plug in' in the app")
    assert "connector A" in phone.inner_text("#live-plug")
    assert "Cancel" in phone.inner_text("#stop")  # no car yet: stopping releases the hold
    ui.job(lambda s: cast(Any, s.charger).arrive("1", _car(), 20, 80))
    _wait(
        lambda: ui.job(lambda s: s.view("1").state) is FlowState.CHARGING,
        what="charging",
    )
    _wait(
        lambda: (ui.job(lambda s: s.view("1").cost) or _nothing()).incl_vat >= Decimal("0.05"),
        timeout=40,
        what="a session worth billing",
    )

    def live_on_the_phone() -> bool:
        phone.goto(page)
        return bool(phone.query_selector("#live-cost"))

    _wait(live_on_the_phone, timeout=20, what="the live cost in the app")
    phone.click("#stop")
    phone.wait_for_selector("#command", state="visible")
    _wait(
        lambda: ui.job(lambda s: s.view("1").state) is not FlowState.CHARGING,
        timeout=20,
        what="the session stopped from the app",
    )
    ui.job(lambda s: cast(Any, s.charger).depart("1"))
    session_id = _wait(
        lambda: ui.job(lambda s: s.view("1").receipt_session_id), what="the session closed"
    )
    finished = ui.job(lambda s: s.receipt_parts(session_id))
    assert finished is not None
    session = finished[0]
    assert session.state is SessionState.COMPLETED
    assert session.stop_reason is StopReason.REMOTE
    cost = session.totals.cost_incl_vat

    def billed() -> Any:
        with backend.sessions() as db:
            rows = db.scalars(
                select(ChargeSession).where(ChargeSession.session_id == session_id)
            ).all()
            charges = db.scalars(
                select(AccountCharge).where(AccountCharge.session_id == session_id)
            ).all()
            commands = db.scalars(select(Command).order_by(Command.seq)).all()
            if len(rows) == 1 and len(charges) == 1:
                return rows[0], charges[0], commands
            return None

    row, charge, commands = _wait(billed, timeout=30, what="the session billed at the backend")
    assert (row.cost, charge.amount) == (cost, cost)
    assert [(c.type, c.status) for c in commands] == [("start", "accepted"), ("stop", "accepted")]
    assert commands[0].session_id == session_id


def test_a_backend_that_holds_every_answer_never_stalls_the_screen(
    kiosk_behind_a_proxy: tuple[KioskUi, FaultProxy], expect_warnings: Any
) -> None:
    """The sync and the QR checkout wait on the network on their own threads: the screen
    keeps painting and answering taps, and a QR checkout stuck at the backend is given up
    the moment the driver taps Cancel."""
    expect_warnings("backend unreachable", "Retrying", "QR checkout", "not created")
    ui, proxy = kiosk_behind_a_proxy
    proxy.set_default(Fault("hold", delay_s=3))  # every request hangs, then is cut
    frames = _FrameGaps()
    ui.on("overview")
    ui.click("connector_1")
    ui.on("price", timeout_ms=1_500)
    ui.click("toPayment")
    ui.on("payment", timeout_ms=1_500)
    ui.click("pay_qr")  # the checkout is created at the backend: that call hangs
    ui.on("qr", timeout_ms=1_500)  # the code's place, waiting, with Cancel
    assert ui.session()["checkoutUrl"] == ""
    assert ui.item("qrWaiting").property("visible")
    _wait(lambda: proxy.count("hold") >= 1, what="the checkout call held at the proxy")
    tapped = time.monotonic()
    ui.click("cancelButton")
    ui.on("overview", timeout_ms=1_500)
    assert time.monotonic() - tapped < 1.0  # the driver is not kept waiting on the network
    # the card still works: its terminal is not the backend
    ui.click("connector_1")
    ui.on("price", timeout_ms=1_500)
    ui.click("toPayment")
    ui.on("payment", timeout_ms=1_500)
    ui.click("pay_card")
    ui.on("terminal", timeout_ms=1_500)
    gaps = frames.stop()
    assert proxy.count("hold") >= 2  # the heartbeat hung too, all along
    # a wait on the network would stall it 3 s (the hold) or more; a screen's first
    # load takes a few hundred ms on a busy machine
    assert max(gaps) < 1.0, f"the GUI thread stalled {max(gaps):.2f} s"
    # the network comes back: the link recovers by itself
    proxy.set_default(Fault())
    _wait(
        lambda: proxy.in_flight() == 0 and ui.job(lambda s: s.backend.get("online")),
        timeout=20,
        what="the link back online",
    )


class _FrameGaps:
    """The GUI thread's longest pauses: a 20 ms timer's gaps, while the test runs."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._clock = QElapsedTimer()
        self._clock.start()
        self._last = 0
        self._timer = QTimer()
        self._timer.setInterval(20)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def _tick(self) -> None:
        now = self._clock.elapsed()
        self.gaps.append((now - self._last) / 1000)
        self._last = now

    def stop(self) -> list[float]:
        self._timer.stop()
        return self.gaps or [0.0]


def _outbox(s: Any) -> list[tuple[str, int, str | None]]:
    with s.db.unit_of_work(write=False) as uow:
        due = uow.outbox.due(s.now() + _long(), limit=100)
    return [(m.topic, m.attempts, m.last_error) for m in due]


def _long() -> Any:
    from datetime import timedelta

    return timedelta(days=1)


def _nothing() -> Any:
    from kiosk.domain.pricing import Amount

    return Amount(Decimal(0), Decimal(0))


def _car() -> Any:
    from kiosk.charger.vehicles import MIDSIZE_400V

    return MIDSIZE_400V


def _driver_stop() -> Any:
    return StopReason.DRIVER_SCREEN
