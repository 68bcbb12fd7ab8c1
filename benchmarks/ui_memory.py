"""UI memory benchmark: the kiosk's RSS over 1,000 complete sessions through the screens.

The real kiosk is built in this process as `ui.app.run_gui` builds it (the demo
station: two AC and one DC connector, the real ledger, the simulated PSP), offscreen,
and driven through the bridge's slots as the screens and the demo's developer panel
drive it: connector, price, payment step, a bank card (every seventh declined first,
then paid), an RFID card or a QR payment, the simulated car plugged in, 20 minutes of
charging in 20 one-minute steps (a snapshot and a chart point each), stop, unplug,
receipt, back to the overview. Every step waits until the QML shows the screen. The
time is a simulated clock moved on by the script (as `kiosk demo --autoplay` does), so
a session takes about as long as its screens take to show, not 20 minutes.

The run also reports how many references to True were lost: PySide6 6.12.0 on Python
3.11 lost one on every `Signal.emit()` (about 150 a session here) and the interpreter
aborted ("bool_dealloc: deallocating True or False") around session 70. pyproject.toml
keeps PySide6 below 6.12 (tests/ui/test_signal_refcounts.py); the figure must be 0.

RSS (VmRSS of this process) is sampled before the first session and after every 50th;
the trend is the least-squares slope of the second half of the samples, in MB per
100 sessions. "No upward trend" here means under 0.5 MB per 100 sessions (5 MB per
1,000). MB = 10^6 bytes.

Run: .venv/bin/python benchmarks/ui_memory.py [--sessions N] [--every K]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ui.frames import wait_until

_TARGET_RSS_MB = 250.0
_FLAT_MB_PER_100 = 0.5
_TOKENS = ("04A1B2C3D4", "04F1EE7A01", "0455AFF001")  # member, fleet, staff
_METHODS = ("card", "rfid", "qr")


def sqlite_mb() -> float:
    """Memory SQLite holds now (page caches of every open connection, ...), in MB.

    sqlite3_memory_used() of the libsqlite3 this process loaded; 0 if it is linked in
    statically (no libsqlite3 in /proc/self/maps).
    """
    import ctypes

    for line in Path("/proc/self/maps").read_text().splitlines():
        if "libsqlite3" in line:
            used = ctypes.CDLL(line.split()[-1]).sqlite3_memory_used
            used.restype = ctypes.c_int64
            return int(used()) / 1e6
    return 0.0


def rss_mb() -> float:
    """This process's resident set size now, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError("no VmRSS in /proc/self/status")


def slope_per_100(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of (sessions, MB), in MB per 100 sessions."""
    n = len(points)
    if n < 2:
        return float("nan")
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    return 100 * sxy / sxx


class Driver:
    """Plays one session after another through the bridge, as a driver and a car would."""

    def __init__(self, app: Any, window: Any, bridge: Any, worker: Any) -> None:
        from kiosk.charger.clock import SimulatedClock

        self.app = app
        self.window = window
        self.bridge = bridge
        self.worker = worker
        self.clock = SimulatedClock(worker.service.now())
        self.job(lambda s: setattr(s, "clock", self.clock))

    def wait_until(self, ready: Callable[[], bool], timeout_s: float) -> bool:
        """Run the GUI's event loop (timers, queued snapshots, rendering) until `ready`.

        A real event loop (QEventLoop.exec, as the kiosk's app.exec), not processEvents():
        processEvents() never runs deferred deletes, so every screen the Loader replaced
        would stay in memory (about 1 MB a session) and the figure would be the driver's.
        """
        return wait_until(self.app, ready, timeout_s)

    def job(self, fn: Callable[[Any], Any]) -> None:
        """Run `fn` on the station thread; return when its snapshot has been emitted."""
        done = threading.Event()
        self.worker.submit("", fn)
        self.worker.submit("", lambda _s: done.set())
        if not self.wait_until(done.is_set, 30):
            raise RuntimeError("the station thread did not answer")

    def advance(self, seconds: float) -> None:
        def step(s: Any) -> None:
            self.clock.advance(seconds)
            s.tick()

        self.job(step)

    def on(self, screen: str, ready: Callable[[], bool] | None = None) -> None:
        def shown() -> bool:
            return (
                self.bridge.property("screen") == screen
                and self.window.property("shownScreen") == screen
                and (ready is None or ready())
            )

        if not self.wait_until(shown, 30):
            raise RuntimeError(f"never reached {screen} (on {self.bridge.property('screen')})")

    def session(self, n: int, connectors: list[str]) -> None:
        b = self.bridge
        cid = connectors[n % len(connectors)]
        method = _METHODS[(n // len(connectors)) % len(_METHODS)]
        b.selectConnector(cid)
        self.on("price")
        b.toPayment()
        self.on("payment")
        if method == "card":
            b.choosePayment("card")
            self.on("terminal")
            if n % 7 == 0:
                b.payByCard("mc-funds")
                self.on("declined")
                b.back()
                self.on("payment")
                b.choosePayment("card")
                self.on("terminal")
            b.payByCard("visa-ok")
        elif method == "rfid":
            b.choosePayment("rfid")
            self.on("waitCard")
            b.tapCard(_TOKENS[n % len(_TOKENS)])
        else:
            b.choosePayment("qr")
            self.on("qr")
            b.qrPaid()
        self.on("plugIn")
        b.devPlugIn(cid)
        self.on("charging")
        for _ in range(20):
            self.advance(60)
        b.stopCharging()
        self.on("finishing")
        b.devUnplug(cid)
        self.on("receipt", ready=lambda: bool(b.property("receipt")))
        b.receiptDone()
        self.on("overview")


def run(sessions: int, every: int, folder: Path) -> int:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    import shiboken6
    from PySide6.QtGui import QGuiApplication

    from kiosk.config import demo_settings
    from ui.app import build_station, load_screens

    settings = demo_settings(folder / "memory.sqlite")
    app = QGuiApplication.instance() or QGuiApplication(["ui_memory"])
    kiosk = build_station(settings, speed=1.0)
    screens = load_screens(app, settings, lambda: kiosk.service, demo=True)
    engine, window, bridge, worker = screens.engine, screens.window, screens.bridge, screens.worker
    # as the kiosk wires it: payments on the device threads, the card at the ZVT simulator
    kiosk.service.runner = worker.loop.runner
    bridge.present_card = kiosk.present_card
    if kiosk.terminal_simulator is not None:
        kiosk.terminal_simulator.step_delay_s = 0.0
    warnings = screens.warnings
    worker.start()
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; {sessions} sessions, "
        f"RSS every {every}",
        flush=True,
    )
    samples: list[tuple[int, float]] = []
    sqlite: list[tuple[int, float]] = []
    refs_at_start = sys.getrefcount(True)
    started = time.monotonic()
    done = 0
    try:
        if not wait_until(
            app, lambda: bool(window.property("ready") and bridge.property("live")), 30
        ):
            print("the overview never appeared")
            return 1
        driver = Driver(app, window, bridge, worker)
        connectors = [c.id for c in settings.connectors]
        samples.append((0, rss_mb()))
        sqlite.append((0, sqlite_mb()))
        print(
            f"{0:6d} sessions  RSS {samples[-1][1]:7.1f} MB  SQLite {sqlite[-1][1]:5.1f} MB",
            flush=True,
        )
        for n in range(sessions):
            driver.session(n, connectors)
            done = n + 1
            if done % every == 0 or done == sessions:
                samples.append((done, rss_mb()))
                sqlite.append((done, sqlite_mb()))
                elapsed = time.monotonic() - started
                print(
                    f"{done:6d} sessions  RSS {samples[-1][1]:7.1f} MB  "
                    f"SQLite {sqlite[-1][1]:5.1f} MB  "
                    f"({elapsed:.0f} s, {done / elapsed:.2f} sessions/s)",
                    flush=True,
                )
    except RuntimeError as exc:
        print(f"stopped after {done} sessions: {exc}")
    finally:
        worker.stop()
        shiboken6.delete(engine)
        kiosk.close()

    elapsed = time.monotonic() - started
    lost = refs_at_start - sys.getrefcount(True)
    print(f"references to True lost (PySide6 6.12.0 emit bug; must be 0): {lost}")
    second_half = [p for p in samples if p[0] >= samples[-1][0] / 2]
    trend = slope_per_100(second_half)
    final = samples[-1][1]
    print(f"\n{done} sessions in {elapsed:.0f} s ({done / elapsed:.2f} sessions/s)")
    print("RSS series (sessions: MB): " + ", ".join(f"{s}: {mb:.1f}" for s, mb in samples))
    print(
        f"final RSS {final:.1f} MB (target <= {_TARGET_RSS_MB:g}: "
        f"{'met' if final <= _TARGET_RSS_MB else 'MISSED'}); whole-run slope "
        f"{slope_per_100(samples):+.2f} MB/100 sessions"
    )
    print(
        f"trend over the second half ({second_half[0][0]}-{second_half[-1][0]} sessions, "
        f"{len(second_half)} samples): {trend:+.2f} MB per 100 sessions "
        f"({'no upward trend' if trend < _FLAT_MB_PER_100 else 'UPWARD TREND'}, "
        f"flat means < {_FLAT_MB_PER_100} MB per 100)"
    )
    # SQLite's page caches fill up to their bound (cache_size, 2 MB a connection by
    # default) as the ledger grows; what is left is everything else the kiosk holds
    rest = [(n, mb - lite) for (n, mb), (_, lite) in zip(samples, sqlite, strict=True)]
    rest_half = [p for p in rest if p[0] >= rest[-1][0] / 2]
    rest_trend = slope_per_100(rest_half)
    print("SQLite series (sessions: MB): " + ", ".join(f"{s}: {mb:.1f}" for s, mb in sqlite))
    print(
        f"RSS minus SQLite over the second half: {rest_trend:+.2f} MB per 100 sessions "
        f"({'no upward trend' if rest_trend < _FLAT_MB_PER_100 else 'UPWARD TREND'})"
    )
    if warnings:
        print("QML warnings:\n" + "\n".join(warnings))
        return 3
    return 0 if done == sessions else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--every", type=int, default=50, help="sample RSS every K sessions")
    parser.add_argument("--dir", type=Path, help="where the ledger goes (default: a temp folder)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kiosk-ui-memory-", dir=args.dir))
    try:
        return run(args.sessions, args.every, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
