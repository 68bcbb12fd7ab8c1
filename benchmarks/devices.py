"""Device benchmarks: what our code adds to a card tap, the station loop's stalls while a
terminal waits for a card, and how fast Cancel reaches the terminal.

(a) tap: the real pcscd with the vsmartcard-vpcd virtual reader and a scripted card
    (tests/payment_drivers/pcsc/vpcd.py), the real PC/SC driver and the kiosk's screens
    offscreen. Each round: connector 1 waits for a card, the card is put on the reader,
    the screen goes to "plug in" (the tap paid). pcscd's own detection is measured by a
    second, bare PC/SC client waiting on the same reader (SCardGetStatusChange); our
    code's share is screen-frame time minus that detection time: the driver's APDUs
    (UID), the reader thread, the bridge, the station loop, the account check on its
    device thread, the snapshot and the frame.
(b) stall: the station loop headless, as `kiosk run` builds it: five connectors, four
    charging (a meter sample and a checkpoint commit every second each), the fifth's
    bank-card pre-authorisation waiting 60 s at the ZVT simulator (over TCP, the real
    driver) for a card nobody presents. A probe thread submits an event every 5 ms and
    records how long each waited in the inbox and ran; the loop's longest single event
    is reported too.
(c) cancel: the driver presses Cancel while the terminal waits for the card; the time
    until the ZVT simulator has read the abort (06 B0), and until the connector is back
    on the payment choice.

Run: .venv/bin/python benchmarks/devices.py [tap|stall|cancel|all] [--rounds N] [--seconds S]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_TAP_P99_MS = 50.0
_STALL_P99_MS = 16.0
_CANCEL_S = 1.0


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _header(what: str) -> None:
    print(
        f"== {what}: Python {platform.python_version()}, {os.cpu_count()} CPUs, load "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )


def _settings(folder: Path, devices: str, extra: int = 0) -> Any:
    import msgspec

    from kiosk import config
    from kiosk.paths import assets_dir

    text = config.demo_config_text(devices)
    settings = config.load_settings_text(text, assets_dir(), folder / "bench.sqlite")
    first = settings.connectors[0]
    more = [
        msgspec.structs.replace(
            first, id=str(4 + n), label=chr(ord("D") + n), evse_id=f"DE*KIO*E000{4 + n}*1"
        )
        for n in range(extra)
    ]
    return replace(
        settings,
        connectors=(*settings.connectors, *more),
        tariffs={**settings.tariffs, **{c.id: settings.tariffs[first.id] for c in more}},
        tariff_texts={
            **settings.tariff_texts,
            **{c.id: settings.tariff_texts[first.id] for c in more},
        },
        checkpoint_s=1,
    )


# ------------------------------------------------------------------------- (a) tap


def tap(rounds: int, folder: Path) -> int:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from tests.payment_drivers.pcsc.vpcd import SLOTS, Pcscd, uid_script  # sets the socket

    _header("tap -> screen")
    pcscd = Pcscd()
    pcscd.start()
    try:
        return _tap(rounds, folder, pcscd, SLOTS[0], uid_script)
    finally:
        pcscd.close()


def _tap(rounds: int, folder: Path, pcscd: Any, slot: str, uid_script: Any) -> int:
    import shiboken6
    from PySide6.QtGui import QGuiApplication
    from smartcard import scard

    from ui.app import load_screens
    from ui.frames import wait_until
    from ui.wiring import build_station

    settings = _settings(
        folder,
        f'[devices]\ncharger = "simulated"\nqr = "none"\nreader = {{ driver = "pcsc",'
        f' pattern = "{slot}" }}\nterminal = {{ driver = "none" }}\n',
    )
    app = QGuiApplication.instance() or QGuiApplication(["devices"])
    opened: list[Any] = []
    made: list[Any] = []

    def open_station() -> Any:
        screens = made[0]
        kiosk = build_station(settings, speed=1.0, runner=screens.worker.loop.runner)
        assert kiosk.reader is not None
        kiosk.reader.start(screens.bridge.reader_event)
        opened.append(kiosk)
        return kiosk.service

    screens = load_screens(app, settings, open_station, demo=True, retry_s=None)
    made.append(screens)
    window, bridge = screens.window, screens.bridge
    shown: dict[str, float] = {}

    def on_frame() -> None:
        if bridge.property("screen") == "plugIn" and "frame" not in shown:
            shown["frame"] = time.monotonic()

    window.frameSwapped.connect(on_frame)
    screens.worker.start()

    # pcscd's own detection: a bare client waiting on the reader, as any client would
    detected: dict[str, float] = {}
    stop = threading.Event()

    def watch() -> None:
        _, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        state = scard.SCARD_STATE_UNAWARE
        while not stop.is_set():
            hresult, states = scard.SCardGetStatusChange(context, 200, [(slot, state)])
            if hresult != scard.SCARD_S_SUCCESS:
                continue
            state = states[0][1]
            if state & scard.SCARD_STATE_PRESENT and "card" not in detected:
                detected["card"] = time.monotonic()
        scard.SCardReleaseContext(context)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()

    def on(screen: str) -> bool:
        return wait_until(
            app,
            lambda: (
                bridge.property("screen") == screen and window.property("shownScreen") == screen
            ),
            15,
        )

    ours: list[float] = []
    totals: list[float] = []
    try:
        if not wait_until(app, lambda: bool(bridge.property("live")), 30):
            print("the station never came up")
            return 1
        wait_until(app, lambda: (bridge.property("devices") or {}).get("reader") == "ok", 10)
        for _ in range(rounds):
            bridge.selectConnector("1")
            on("price")
            bridge.toPayment()
            on("payment")
            bridge.choosePayment("rfid")
            if not on("waitCard"):
                print("never reached the card screen")
                return 1
            detected.clear()
            shown.clear()
            put = time.monotonic()
            card = pcscd.insert(uid_script("04A1B2C3D4E5F6"), slot=0)
            if not wait_until(app, lambda: "frame" in shown and "card" in detected, 10):
                print("the tap never reached the screen")
                return 1
            ours.append((shown["frame"] - detected["card"]) * 1000)
            totals.append((shown["frame"] - put) * 1000)
            bridge.back()  # cancelled before plugging in: the hold is released
            on("overview")
            card.remove()
            wait_until(app, lambda: False, 0.3)  # the reader sees the card go
    finally:
        stop.set()
        watcher.join(2)
        screens.worker.stop()
        shiboken6.delete(screens.engine)
        for kiosk in opened:
            kiosk.close()
    print(f"{rounds} taps on the real pcscd (vpcd), the real PC/SC driver, the screens offscreen")
    print(
        "card on the reader -> frame (pcscd's 400 ms vpcd poll included): "
        f"median {statistics.median(totals):.0f} ms, max {max(totals):.0f} ms"
    )
    p99 = _p(ours, 0.99)
    print(
        f"our code (pcscd's detection -> frame on screen): median {statistics.median(ours):.1f}"
        f" ms, p99 {p99:.1f} ms, max {max(ours):.1f} ms; target p99 <= {_TAP_P99_MS:.0f} ms:"
        f" {'met' if p99 <= _TAP_P99_MS else 'MISSED'}"
    )
    return 0


# ----------------------------------------------------------------------- (b) stall


def _headless(folder: Path, *, extra: int) -> tuple[Any, Any, Any, Any]:
    from kiosk.runtime.loop import StationLoop
    from ui.wiring import build_station

    settings = _settings(
        folder,
        '[devices]\ncharger = "simulated"\nqr = "none"\nreader = { driver = "none" }\n'
        'terminal = { driver = "simulated" }\n',
        extra=extra,
    )

    class Quiet:
        def snapshot(self, snap: Any) -> None:
            pass

        def failed(self, connector_id: str, message: str) -> None:
            print(f"failed: {connector_id} {message}")

        def bug(self, text: str) -> None:
            print(f"bug: {text}")

        def unavailable(self, kind: str, line: str) -> None:
            print(f"unavailable: {line}")

    kiosks: list[Any] = []

    def open_station() -> Any:
        kiosk = build_station(settings, speed=1.0, runner=loop.runner)
        kiosks.append(kiosk)
        return kiosk.service

    loop = StationLoop(open_station, Quiet(), retry_s=None)
    loop.start()
    deadline = time.monotonic() + 30
    while not loop.is_open and time.monotonic() < deadline:
        time.sleep(0.01)
    return loop, kiosks[0], settings, kiosks


def _on_loop(loop: Any, job: Callable[[Any], Any]) -> Any:
    done = threading.Event()
    out: list[Any] = []
    loop.submit("", lambda s: out.append(job(s)))
    loop.submit("", lambda _s: done.set())
    done.wait(30)
    return out[0] if out else None


def _plug(s: Any, cid: str) -> None:
    from ui.demo_wiring import developer_action

    developer_action(s.charger, s.settings, cid, "plug")


def stall(seconds: float, folder: Path) -> int:
    from kiosk.domain.payment import PaymentMethod
    from kiosk.station import FlowState

    _header("station loop stalls")
    loop, _kiosk, settings, kiosks = _headless(folder, extra=2)
    try:
        cards = ["04A1B2C3D4", "04F1EE7A01", "0455AFF001", "04A1B2C3D4E5F6"]
        charging = [c.id for c in settings.connectors[:4]]

        def arrive(s: Any, cid: str, uid: str) -> None:  # a member pays by card, plugs in
            s.select(cid)
            s.choose_payment(cid, PaymentMethod.ACCOUNT_TOKEN)
            s.present_token(uid, cid)

        for cid, uid in zip(charging, cards, strict=True):
            _on_loop(loop, partial(arrive, cid=cid, uid=uid))
            loop.runner.wait_idle(10)
            _on_loop(loop, partial(_plug, cid=cid))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            states = _on_loop(loop, lambda s: [s.view(c).state for c in charging])
            if all(x is FlowState.CHARGING for x in states):
                break
            time.sleep(0.1)
        waiting = settings.connectors[4].id
        _on_loop(loop, lambda s: s.select(waiting))
        _on_loop(loop, lambda s: s.choose_payment(waiting, PaymentMethod.BANK_CARD))
        loop.longest_job_s = 0.0
        waits: list[float] = []
        began = time.monotonic()
        while time.monotonic() - began < seconds:
            sent = time.perf_counter()
            ran = threading.Event()
            loop.call_soon(ran.set)
            ran.wait(5)
            waits.append((time.perf_counter() - sent) * 1000)
            time.sleep(0.005)
        state = _on_loop(loop, lambda s: s.view(waiting).state)
        energy = _on_loop(loop, lambda s: [s.view(c).energy_kwh for c in charging])
    finally:
        loop.stop()
        for k in kiosks:
            k.close()
    p99 = _p(waits, 0.99)
    print(
        f"{len(waits)} probes over {seconds:.0f} s; connector {waiting} {state.value} the whole"
        f" time (the pre-authorisation waiting for a card); four sessions charging:"
        f" {', '.join(f'{e:.3f}' for e in energy)} kWh"
    )
    print(
        f"event wait in the inbox + run: median {statistics.median(waits):.2f} ms, p99"
        f" {p99:.2f} ms, max {max(waits):.2f} ms; longest single event or tick"
        f" {loop.longest_job_s * 1000:.2f} ms; target p99 <= {_STALL_P99_MS:.0f} ms:"
        f" {'met' if p99 <= _STALL_P99_MS else 'MISSED'}"
    )
    return 0


# ---------------------------------------------------------------------- (c) cancel


def cancel(rounds: int, folder: Path) -> int:
    from kiosk.domain.payment import PaymentMethod
    from kiosk.sim.zvt_terminal import Command
    from kiosk.station import FlowState

    _header("cancel -> terminal abort")
    loop, kiosk, _, kiosks = _headless(folder, extra=0)
    simulator = kiosk.terminal_simulator
    to_abort: list[float] = []
    to_screen: list[float] = []
    try:
        for _ in range(rounds):
            _on_loop(loop, lambda s: s.select("1"))
            _on_loop(loop, lambda s: s.choose_payment("1", PaymentMethod.BANK_CARD))
            deadline = time.monotonic() + 10
            while not simulator.awaiting_card and time.monotonic() < deadline:
                time.sleep(0.002)
            before = len([c for c in simulator.commands if c == Command.ABORT.value])
            pressed = time.monotonic()
            loop.submit("1", lambda s: s.cancel_payment("1"))
            while len([c for c in simulator.commands if c == Command.ABORT.value]) == before:
                time.sleep(0.001)
            to_abort.append(time.monotonic() - pressed)
            while _on_loop(loop, lambda s: s.view("1").state) is not FlowState.CONNECTOR_CHOSEN:
                time.sleep(0.001)
            to_screen.append(time.monotonic() - pressed)
            _on_loop(loop, lambda s: s.back("1"))
    finally:
        loop.stop()
        for k in kiosks:
            k.close()
    worst = max(to_abort)
    print(
        f"{rounds} cancels while the terminal waits for the card: abort (06 B0) read by the"
        f" terminal after median {statistics.median(to_abort) * 1000:.1f} ms, max"
        f" {worst * 1000:.1f} ms; back on the payment choice after median"
        f" {statistics.median(to_screen) * 1000:.1f} ms, max {max(to_screen) * 1000:.1f} ms;"
        f" target <= {_CANCEL_S:.0f} s: {'met' if worst <= _CANCEL_S else 'MISSED'}"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=("tap", "stall", "cancel", "all"), nargs="?", default="all")
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    code = 0
    with tempfile.TemporaryDirectory(prefix="kiosk-devices-bench-") as tmp:
        folder = Path(tmp)
        if args.what in ("stall", "all"):
            (folder / "stall").mkdir()
            code |= stall(args.seconds, folder / "stall")
        if args.what in ("cancel", "all"):
            (folder / "cancel").mkdir()
            code |= cancel(min(args.rounds, 20), folder / "cancel")
        if args.what in ("tap", "all"):
            (folder / "tap").mkdir()
            code |= tap(args.rounds, folder / "tap")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
