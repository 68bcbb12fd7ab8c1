"""A scripted run through every screen, with a screenshot of each (`kiosk demo --autoplay`).

The run drives the real station through the bridge, as the screens and the developer
panel do, on a simulated clock that only moves when the script says so: a plug-in
timeout takes no real time, and the pictures show the same figures on every run. Each
shot waits until the bridge is on the screen, the QML shows it, and a frame with it has
been swapped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QMouseEvent
from PySide6.QtQuick import QQuickItem, QQuickWindow

from kiosk.charger.clock import SimulatedClock
from kiosk.charger.vehicles import PERFORMANCE_800V
from kiosk.config import Settings
from kiosk.domain.payment import PaymentMethod
from kiosk.ports import TokenEvent, TokenEventKind
from ui.bridge import Bridge
from ui.frames import Frames, quick_window, spin, wait_until
from ui.worker import StationWorker

if TYPE_CHECKING:
    from kiosk.services.station_service import StationService

__all__ = ["SCREENS", "Autoplay", "click", "find_item"]

# every screen the bridge can show; the run fails when one was never reached
SCREENS = (
    "overview",
    "price",
    "payment",
    "waitCard",
    "authorizing",
    "plugIn",
    "charging",
    "finishing",
    "receipt",
    "terminal",
    "declined",
    "qr",
    "timeout",
    "outOfService",
    "faulted",
    "offline",
    "error",
    "getReceipt",
)
MEMBER_CARD = "04A1B2C3D4"
FLEET_CARD = "04F1EE7A01"


def _hint_is(bridge: Bridge, what: str) -> bool:
    return bool(bridge.property("hint") == what)


def find_item(window: QQuickWindow, name: str) -> QQuickItem | None:
    """The visible QML item with this objectName (the Loader's screen included)."""

    def walk(item: QQuickItem) -> QQuickItem | None:
        for child in item.childItems():
            if child.objectName() == name and child.isVisible():
                return child
            found = walk(child)
            if found is not None:
                return found
        return None

    return walk(window.contentItem())


_tap_clock_ms = [0]  # the synthesized taps' own time line


def click(window: QQuickWindow, item: QQuickItem) -> None:
    """A finger on the item's centre."""
    QGuiApplication.processEvents()  # pending polish: the item where it is drawn now
    centre = item.mapToScene(item.boundingRect().center())
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    press, release = QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease
    # sent as the platform would (QtTest does the same, but pulls QtWidgets into the bundle);
    # a second apart, so that two taps in a row are never taken for a double click
    for kind, held in ((press, left), (release, none)):
        _tap_clock_ms[0] += 1000
        event = QMouseEvent(
            kind, centre, window.mapToGlobal(centre), left, held, Qt.KeyboardModifier.NoModifier
        )
        event.setTimestamp(_tap_clock_ms[0])
        QGuiApplication.sendEvent(window, event)
    QGuiApplication.processEvents()


class Autoplay:
    def __init__(
        self,
        app: QCoreApplication,
        window: QObject,
        bridge: Bridge,
        settings: Settings,
        worker: StationWorker,
        out_dir: Path,
        out: TextIO,
    ) -> None:
        self.app = app
        self.window = quick_window(window)
        self.bridge = bridge
        self.settings = settings
        self.worker = worker
        self.out_dir = Path(out_dir)
        self.out = out
        self.frames = Frames(self.window)
        self.reached: set[str] = set()
        connectors = list(settings.connectors)
        dc = [c.id for c in connectors if c.power_type == "DC"]
        ac = [c.id for c in connectors if c.power_type != "DC"]
        now = datetime.now(UTC)
        with_idle_fee = [
            cid
            for cid in ac
            if settings.tariff_for(cid, PaymentMethod.ACCOUNT_TOKEN, now).extensions.idle_fee
        ]
        self.main = (with_idle_fee or ac or [connectors[0].id])[0]
        self.other = next((cid for cid in ac if cid != self.main), self.main)
        self.dc = dc[0] if dc else None

    # ------------------------------------------------------------ plumbing

    def _spin(self, ms: int = 30) -> None:
        spin(self.app, ms)

    def _job(self, job: Callable[[StationService], Any]) -> None:
        """Run a job on the station thread and wait until its snapshot reached the bridge."""
        done = threading.Event()
        self.worker.submit("", job)
        self.worker.submit("", lambda _s: done.set())  # runs after the job's snapshot
        if not wait_until(self.app, done.is_set, 20):
            raise RuntimeError("the station thread did not answer")
        self._spin(20)

    def _advance(self, seconds: float, steps: int = 1) -> None:
        """Move the simulated time on, in steps (one snapshot, one chart point, each)."""

        def step(s: StationService) -> None:
            self.clock.advance(seconds / steps)
            s.tick()

        for _ in range(steps):
            self._job(step)

    def _screen(self) -> str:
        return str(self.bridge.property("screen"))

    def _on(self, screen: str, timeout_s: float = 15) -> bool:
        return wait_until(
            self.app,
            lambda: self._screen() == screen and self.window.property("shownScreen") == screen,
            timeout_s,
        )

    def shoot(
        self, screen: str, name: str | None = None, ready: Callable[[], bool] | None = None
    ) -> bool:
        """Wait until `screen` is rendered (and `ready`), then save `<name>.png`."""
        if not self._on(screen) or (ready is not None and not wait_until(self.app, ready, 30)):
            self.out.write(f"never reached: {name or screen} (on {self._screen()})\n")
            return False
        self._spin(60)  # let the values of the last snapshot settle into the bindings
        before = self.frames.count
        self.window.update()
        wait_until(self.app, lambda: self.frames.count > before, 5)
        path = self.out_dir / f"{name or screen}.png"
        if not self.window.grabWindow().save(str(path)):
            self.out.write(f"could not write {path}\n")
            return False
        self.reached.add(name or screen)
        self.out.write(f"{path}\n")
        self.out.flush()
        return True

    def click(self, name: str) -> bool:
        item = find_item(self.window, name)
        if item is None:
            self.out.write(f"no item {name} on {self._screen()}\n")
            return False
        click(self.window, item)
        self._spin(30)
        return True

    def _home(self) -> None:
        self.bridge.goHome()
        self._on("overview")

    def _session(self) -> dict[str, Any]:
        value = self.bridge.property("session")
        return value if isinstance(value, dict) else {}

    # ------------------------------------------------------------ the run

    def run(self) -> int:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        if not wait_until(self.app, lambda: bool(self.window.property("ready")), 30):
            self.out.write("the overview never appeared\n")
            return 1
        if not wait_until(self.app, lambda: bool(self.bridge.property("live")), 30):
            self.out.write("the station never opened\n")
            return 1
        self.service: StationService = self.worker.service
        self.clock = clock = SimulatedClock(self.service.now())
        self._job(lambda s: setattr(s, "clock", clock))
        try:
            self._play()
        except RuntimeError as exc:
            self.out.write(f"autoplay stopped: {exc}\n")
        missing = [s for s in SCREENS if s not in self.reached]
        if missing:
            self.out.write("screens never reached: " + ", ".join(missing) + "\n")
            return 1
        self.out.write(f"{len(self.reached)} screenshots in {self.out_dir}\n")
        return 0

    def _play(self) -> None:
        b, main, other = self.bridge, self.main, self.other
        if self.dc is not None:
            self._job(lambda s: _start_dc(s, self.dc or ""))
        self._advance(360, steps=12)
        self.shoot("overview")

        # RFID: price, payment, card tap, authorizing, plug in, charging, stop, receipt
        b.selectConnector(main)
        self.shoot("price")
        b.toPayment()
        self.shoot("payment")
        b.choosePayment("rfid")
        self.shoot("waitCard")
        provider: Any = self.service.providers[PaymentMethod.ACCOUNT_TOKEN]
        gate = threading.Event()
        original = provider.authorize

        def slow_authorize(**kwargs: Any) -> Any:
            gate.wait(30)  # the screen is photographed while the "bank" thinks
            return original(**kwargs)

        provider.authorize = slow_authorize
        try:
            b.tapCard(MEMBER_CARD)
            self.shoot("authorizing")
        finally:
            gate.set()
            del provider.authorize
        self.shoot("plugIn", ready=lambda: int(self._session().get("secondsLeft", 0)) > 0)
        b.devPlugIn(main)
        if self._on("charging"):
            self._advance(1800, steps=36)
        self.shoot(
            "charging",
            ready=lambda: (
                len(self._session().get("history", [])) >= 10
                and any(ch.isdigit() and ch != "0" for ch in str(self._session().get("cost", "")))
            ),
        )
        if self.click("stopButton"):  # asks once, with the cost so far
            self.shoot(
                "charging", name="charging-confirm", ready=lambda: self._found("confirmStop")
            )
            self.click("confirmStopButton")
        else:
            b.stopCharging()
        if self._on("finishing"):
            self._advance(150, steps=5)
        self.shoot("finishing")
        b.goHome()  # the driver walks away; the receipt comes up when they unplug
        self._on("overview")
        b.devUnplug(main)
        self.shoot("receipt", ready=lambda: bool(self.bridge.property("receipt")))
        b.receiptDone()
        self.shoot(
            "overview", name="overview-receipt", ready=lambda: self._found(f"receipt_{main}")
        )
        b.openReceiptLookup()  # "Get a receipt": by stop code or by card
        self.shoot("getReceipt")
        b.tapCard(MEMBER_CARD)
        self.shoot(
            "receipt", name="receipt-again", ready=lambda: bool(self.bridge.property("receipt"))
        )
        b.receiptDone()
        self._on("overview")

        # bank card: terminal, declined; then the phone's QR code
        b.selectConnector(other)
        self.shoot("price", name="price-member")
        b.toPayment()
        self._on("payment")
        b.choosePayment("card")
        self.shoot("terminal")
        b.payByCard("mc-funds")
        self.shoot("declined")
        b.back()
        self._on("payment")
        # the RFID reader unplugged: that way to pay greyed out, the others still offered
        self._job(lambda s: s.devices.__setitem__("reader", "missing"))
        self.shoot(
            "payment",
            name="payment-reader-missing",
            ready=lambda: (b.property("devices") or {}).get("reader") == "missing",
        )
        self._job(lambda s: s.devices.__setitem__("reader", "ok"))
        # a bank card held to the RFID reader, and a card it could not read
        b.choosePayment("rfid")
        self._on("waitCard")
        for kind, shot in (
            (TokenEventKind.BANK_CARD, "hint-bank-card"),
            (TokenEventKind.UNREADABLE, "hint-unreadable"),
        ):
            b.reader_event(TokenEvent(kind, "autoplay reader", self.service.now()))
            self.shoot("waitCard", name=shot, ready=partial(_hint_is, b, kind.value))
        b.clearHint()
        b.back()
        self._on("payment")
        b.choosePayment("qr")
        self.shoot("qr", ready=lambda: bool(self._session().get("checkoutUrl")))
        self._home()

        # a plug-in that never comes: two simulated minutes later
        b.selectConnector(other)
        self._on("price")
        b.toPayment()
        self._on("payment")
        b.choosePayment("card")
        self._on("terminal")
        b.payByCard("visa-ok")
        self._on("plugIn")
        self._advance(self.settings.timeouts.plug_in_s + 1)
        self.shoot("timeout")
        self._home()

        # out of service, fault, offline, an error
        self._job(lambda s: s.set_out_of_service(other, True, "autoplay"))
        b.selectConnector(other)
        self.shoot("outOfService")
        self._job(lambda s: s.set_out_of_service(other, False, "autoplay"))
        self._home()
        b.devFault(other)
        self._job(lambda _s: None)
        b.selectConnector(other)
        self.shoot("faulted")
        b.devClearFault(other)
        self._job(lambda _s: None)
        self._home()
        b.setOffline(True)
        self.shoot("overview", name="offline", ready=lambda: bool(self.bridge.property("offline")))
        b.setOffline(False)
        # a double tap that reaches the station before the screen hears of the first
        b.selectConnector(other)
        self._submit_raw(other, lambda s: s.select(other))
        self.shoot("error")
        self._home()

        # a session opened from the overview: no stop code shown, stopping asks for it
        if self.dc is not None:
            b.openSession(self.dc)
            self.shoot("charging", name="charging-opened")
            if self.click("stopButton"):
                self.shoot("charging", name="charging-stopcode", ready=self._pad_open)
                b.stopWithCode("000000")  # a wrong code: said in the pad, tries left
                self.shoot(
                    "charging", name="charging-wrongcode", ready=lambda: self._found("padAnswer")
                )
                self.click("closePad")
            self._home()

        # the demo's developer panel, opened
        if self.bridge.property("demo") and self.click("devTab"):
            self.shoot("overview", name="overview-devpanel", ready=lambda: self._found("devClose"))
            self.click("devClose")

        # high contrast and reach mode
        b.toggleHighContrast()
        self._spin(100)
        self.shoot("overview", name="overview-contrast")
        if self.dc is not None:
            b.openSession(self.dc)
            self.shoot("charging", name="charging-contrast")
            self._home()
        b.toggleHighContrast()
        b.toggleReachMode()
        self._spin(300)
        self.shoot("overview", name="overview-reach")
        b.selectConnector(main)
        self.shoot("price", name="price-reach")
        self._home()
        b.toggleReachMode()
        self._spin(300)

    def _submit_raw(self, cid: str, job: Any) -> None:
        """A job through the bridge's own queue, as a screen's tap sends it."""
        self.bridge._submit(cid, job)

    def _pad_open(self) -> bool:
        return self._found("stopCodePad")

    def _found(self, name: str) -> bool:
        return find_item(self.window, name) is not None


def _start_dc(s: StationService, cid: str) -> None:
    """A fleet card's session already running on the DC charger: the overview shows it."""
    s.select(cid)
    s.choose_payment(cid, PaymentMethod.ACCOUNT_TOKEN)
    s.present_token(FLEET_CARD, cid)
    charger: Any = s.charger
    charger.arrive(cid, PERFORMANCE_800V, 18, 80)
    s.tick()
