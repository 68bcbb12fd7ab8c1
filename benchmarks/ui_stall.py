"""UI stall benchmark: the GUI event loop's longest waits while four sessions charge.

The real kiosk is built in this process as `ui.app.run_gui` builds it (settings, the
simulated station on a `ScaledClock` at speed 1, the station thread, the bridge, the
QML), offscreen (Qt Quick's software renderer, which renders on the GUI thread), with
the demo's three connectors plus a fourth (a copy of connector 1), `checkpoint_s = 1`
and the simulator's one-second meter interval: every second each session gets a
meter sample, its running cost, a checkpoint commit to the ledger (WAL,
synchronous=FULL) on the station thread, and the GUI a snapshot to show.

The four sessions are started through the bridge as a driver would (connector, price,
card payment, plug in). Then a QTimer on the GUI thread fires every 1 ms (PreciseTimer)
and records when it ran; a stall is the gap between two runs minus the 1 ms asked for.
Half of the time the overview is shown (four cards updating), the other half the DC
session's charging screen (cost, figures and the power chart updating).

The run also reports how fast references to True are lost: PySide6 6.12.0 lost one on
every `Signal.emit()` and aborted the interpreter within minutes here (pyproject.toml
keeps PySide6 below 6.12; tests/ui/test_signal_refcounts.py); it must print 0.

Run: .venv/bin/python benchmarks/ui_stall.py [--seconds S]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import msgspec

from kiosk.config import Settings, demo_settings

_TARGET_P99_MS = 16.0


def four_connectors(database: Path) -> Settings:
    """The demo station with a fourth connector (a copy of the first), checkpoint every 1 s."""
    base = demo_settings(database)
    first = base.connectors[0]
    fourth = msgspec.structs.replace(first, id="4", label="D", evse_id="DE*KIO*E0004*1")
    return replace(
        base,
        connectors=(*base.connectors, fourth),
        tariffs={**base.tariffs, "4": base.tariffs[first.id]},
        tariff_texts={**base.tariff_texts, "4": base.tariff_texts[first.id]},
        checkpoint_s=1,
    )


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(p / 100 * len(sorted_values) + 0.5 - 1e-9))
    return sorted_values[min(rank, len(sorted_values)) - 1]


class GcWatch:
    """Durations of the garbage collector's passes (any thread), by generation."""

    def __init__(self) -> None:
        self.started = 0.0
        self.passes: list[tuple[int, float]] = []

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.passes.append((int(info["generation"]), time.perf_counter() - self.started))


def run(seconds: float, folder: Path) -> int:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    import shiboken6
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtGui import QGuiApplication
    from sqlalchemy import event

    from ui.app import build_station, load_screens
    from ui.frames import wait_until

    settings = four_connectors(folder / "stall.sqlite")
    app = QGuiApplication.instance() or QGuiApplication(["ui_stall"])
    kiosk = build_station(settings, speed=1.0)
    screens = load_screens(app, settings, lambda: kiosk.service, demo=False)
    engine, window, bridge, worker = screens.engine, screens.window, screens.bridge, screens.worker
    # as the kiosk wires it: payments on the device threads, the card at the ZVT simulator
    kiosk.service.runner = worker.loop.runner
    bridge.present_card = kiosk.present_card
    if kiosk.terminal_simulator is not None:
        kiosk.terminal_simulator.step_delay_s = 0.0
    warnings = screens.warnings
    worker.start()

    counts = {"snapshots": 0, "commits": 0, "frames": 0}

    def count(name: str) -> Callable[..., None]:
        def bump(*_args: Any) -> None:
            counts[name] += 1

        return bump

    worker.snapshot.connect(count("snapshots"))
    window.frameSwapped.connect(count("frames"))
    from kiosk.store import Database

    ledger = kiosk.service.db
    assert isinstance(ledger, Database)  # the real SQLite ledger
    event.listen(ledger.engine, "commit", count("commits"))

    def on(screen: str) -> bool:
        return wait_until(
            app,
            lambda: (
                bridge.property("screen") == screen and window.property("shownScreen") == screen
            ),
            30,
        )

    try:
        if not wait_until(
            app, lambda: bool(window.property("ready") and bridge.property("live")), 30
        ):
            print("the overview never appeared")
            return 1
        connectors = [c.id for c in settings.connectors]
        for cid in connectors:  # a driver at each connector: price, card, plug in
            bridge.selectConnector(cid)
            steps: list[tuple[str, Callable[[], None]]] = [
                ("price", bridge.toPayment),
                ("payment", partial(bridge.choosePayment, "card")),
                ("terminal", partial(bridge.payByCard, "visa-ok")),
                ("plugIn", partial(bridge.devPlugIn, cid)),
                ("charging", bridge.goHome),
            ]
            for screen, action in steps:
                if not on(screen):
                    print(
                        f"connector {cid}: never reached {screen} (on {bridge.property('screen')})"
                    )
                    return 1
                action()
            if not on("overview"):
                return 1
        charging = [c["id"] for c in bridge.property("connectors") if c["charging"]]
        print(f"charging on {len(charging)} connectors: {', '.join(charging)}")
        if len(charging) != len(connectors):
            return 1

        ticks: list[float] = []
        timer = QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.setInterval(1)
        timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
        gc_watch = GcWatch()
        gc.callbacks.append(gc_watch)

        phases: dict[str, tuple[list[float], dict[str, int]]] = {}
        refs_before, measured_from = sys.getrefcount(True), time.perf_counter()
        for name, show in (
            ("overview", bridge.goHome),
            ("charging screen (DC)", lambda: bridge.openSession("3")),
        ):
            show()
            screen = "overview" if name == "overview" else "charging"
            if not on(screen):
                print(f"never reached {screen}")
                return 1
            before = dict(counts)
            ticks.clear()
            loop = QEventLoop()
            QTimer.singleShot(round(seconds * 500), loop.quit)
            timer.start()
            loop.exec()
            timer.stop()
            phases[name] = (list(ticks), {k: counts[k] - before[k] for k in counts})
        gc.callbacks.remove(gc_watch)
        lost_per_s = (refs_before - sys.getrefcount(True)) / (time.perf_counter() - measured_from)
    finally:
        worker.stop()
        shiboken6.delete(engine)
        kiosk.close()

    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; {seconds:g} s, "
        f"4 sessions charging, 1 ms timer on the GUI thread\n"
    )
    header = f"{'phase':22} {'ticks':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'>16ms':>6}"
    print(header + "   per second: snapshots, commits, frames")
    all_stalls: list[float] = []
    for name, (stamps, deltas) in phases.items():
        stalls = sorted(max(0.0, (b - a) - 0.001) * 1000 for a, b in itertools.pairwise(stamps))
        all_stalls.extend(stalls)
        span = stamps[-1] - stamps[0] if len(stamps) > 1 else float("nan")
        print(
            f"{name:22} {len(stamps):7d} {percentile(stalls, 50):7.3f} "
            f"{percentile(stalls, 99):7.3f} {max(stalls):7.2f} "
            f"{sum(1 for s in stalls if s > 16):6d}   "
            f"{deltas['snapshots'] / span:.2f}, {deltas['commits'] / span:.2f}, "
            f"{deltas['frames'] / span:.2f}"
        )
        print(f"{'':22} longest: {', '.join(f'{s:.1f}' for s in stalls[-5:][::-1])} ms")
    all_stalls.sort()
    p99 = percentile(all_stalls, 99)
    print(
        f"{'both':22} {len(all_stalls):7d} {percentile(all_stalls, 50):7.3f} "
        f"{p99:7.3f} {max(all_stalls):7.2f} {sum(1 for s in all_stalls if s > 16):6d}"
    )
    print(
        f"mean stall {statistics.fmean(all_stalls):.3f} ms; "
        f"p99 target <= {_TARGET_P99_MS:g} ms: {'met' if p99 <= _TARGET_P99_MS else 'MISSED'}"
    )
    gen2 = [d * 1000 for g, d in gc_watch.passes if g == 2]
    print(
        f"gc passes: {len(gc_watch.passes)} (generation 2: {len(gen2)}"
        + (f", longest {max(gen2):.1f} ms)" if gen2 else ")")
    )
    print(f"references to True lost (PySide6 6.12.0 emit bug; must be 0): {lost_per_s:.1f}/s")
    if warnings:
        print("QML warnings:\n" + "\n".join(warnings))
        return 3
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="measured time (2 phases)")
    parser.add_argument("--dir", type=Path, help="where the ledger goes (default: a temp folder)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kiosk-ui-stall-", dir=args.dir))
    try:
        return run(args.seconds, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
