"""UI start-up benchmark: process spawn to the overview's first frame, source and frozen.

Each variant is a child process, offscreen (QT_QPA_PLATFORM=offscreen, Qt Quick's
software renderer), timed from just before it is spawned until its first frame with
the overview was swapped: the child prints `time.monotonic()` at that swap, and on
Linux that clock is the same for every process (CLOCK_MONOTONIC). Interpreter start,
imports, settings and tariffs, the QML load and the first frame are inside the figure.

  source  python -m ui.main demo --quit-after-ready   (the `kiosk` console script)
  frozen  dist/kiosk/kiosk demo --quit-after-ready    (skipped when not built: bash .ci/build)
  hello   a bare Qt Quick hello world from source: a 1080x1920 Window with one Text,
          printing the time of its first frameSwapped (the same Python, Qt and platform)

The kiosk's first frame is the overview with every connector card and its price; the
station thread starts after it (imports the store, opens and checks the ledger,
recovers) and its first snapshot fills in each card's state: the kiosk prints when
that happened ("live", from spawn too) and only then exits. The runs are interleaved
(source, frozen, hello, source, ...) after one warm-up run of each, so drift on the
machine falls on all three alike; each kiosk variant keeps one ledger across its
runs, as a kiosk restarting on its own database. The ratios are of the medians.
Also prints the bundle size (du -sm dist/kiosk).

Run: .venv/bin/python benchmarks/ui_startup.py [--runs N] [--warmup W]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
_FROZEN = _ROOT / "dist" / "kiosk" / "kiosk"
_TARGET_SOURCE_S = 1.5
_TARGET_FROZEN_S = 2.0
_TARGET_RATIO = 1.5
_TARGET_BUNDLE_MIB = 150

_HELLO = '''\
"""A bare Qt Quick hello world: quits on its first swapped frame."""
import sys
import time

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine

app = QGuiApplication(sys.argv[:1])
engine = QQmlApplicationEngine()
engine.load(QUrl.fromLocalFile(sys.argv[1]))
window = engine.rootObjects()[0]
def swapped():
    print(f"first frame (monotonic {time.monotonic():.6f})", flush=True)
    QTimer.singleShot(0, app.quit)

window.frameSwapped.connect(swapped)
sys.exit(app.exec())
'''
_HELLO_QML = """\
import QtQuick
import QtQuick.Window

Window {
    width: 1080
    height: 1920
    visible: true
    color: "white"
    Text { anchors.centerIn: parent; text: "Hello, world"; font.pixelSize: 64 }
}
"""
_FRAME = re.compile(r"first (?:overview )?frame.*?\(monotonic ([0-9.]+)\)")
_LIVE = re.compile(r"station live after ([0-9.]+) s")


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float | None]:
    """Seconds from spawn to the first frame; for the kiosk also from spawn to live."""
    started = time.monotonic()
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, check=False, timeout=120
    )
    frame = _FRAME.search(done.stdout)
    if done.returncode != 0 or frame is None:
        raise SystemExit(
            f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    to_frame = float(frame.group(1)) - started
    live = _LIVE.search(done.stdout)
    frame_in_app = re.search(r"first overview frame after ([0-9.]+) s", done.stdout)
    if live is None or frame_in_app is None:
        return to_frame, None
    # the app's own figures run from run_gui's start; the frame links them to the spawn
    return to_frame, to_frame + float(live.group(1)) - float(frame_in_app.group(1))


def bundle_mib() -> int | None:
    folder = _FROZEN.parent
    if not folder.is_dir():
        return None
    done = subprocess.run(["du", "-sm", str(folder)], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[0])


def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs of each variant")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured runs of each first")
    args = parser.parse_args()

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-ui-startup-"))
    try:
        return measure(args.runs, args.warmup, env, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def measure(runs: int, warmup: int, env: dict[str, str], tmp: Path) -> int:
    (tmp / "hello.py").write_text(_HELLO, encoding="utf-8")
    (tmp / "hello.qml").write_text(_HELLO_QML, encoding="utf-8")
    variants: dict[str, list[str]] = {
        "source": [
            sys.executable,
            "-m",
            "ui.main",
            "demo",
            "--quit-after-ready",
            "--db",
            str(tmp / "source.sqlite"),
        ],
    }
    if _FROZEN.exists():
        variants["frozen"] = [
            str(_FROZEN),
            "demo",
            "--quit-after-ready",
            "--db",
            str(tmp / "frozen.sqlite"),
        ]
    else:
        print(f"frozen: skipped, {_FROZEN.relative_to(_ROOT)} is not built (bash .ci/build)")
    variants["hello"] = [sys.executable, str(tmp / "hello.py"), str(tmp / "hello.qml")]

    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        f"{warmup} warm-up + {runs} runs each, interleaved"
    )
    for _ in range(warmup):
        for command in variants.values():
            run_once(command, env)
    walls: dict[str, list[float]] = {name: [] for name in variants}
    lives: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, command in variants.items():
            wall, live = run_once(command, env)
            walls[name].append(wall)
            if live is not None:
                lives[name].append(live)

    print(f"\n{'variant':8} {'median':>8} {'min':>8} {'max':>8}   runs (s, spawn to first frame)")
    for name, values in walls.items():
        listed = " ".join(f"{v:.3f}" for v in values)
        print(
            f"{name:8} {statistics.median(values):8.3f} {min(values):8.3f} "
            f"{max(values):8.3f}   {listed}"
        )
    for name, values in lives.items():
        if values:
            print(
                f"{name:8} spawn to station live (cards show their state): median "
                f"{statistics.median(values):.3f} s, max {max(values):.3f} s"
            )

    hello = statistics.median(walls["hello"])
    source = statistics.median(walls["source"])
    print(
        f"\nsource: median {source:.3f} s (target <= {_TARGET_SOURCE_S} s: "
        f"{verdict(source, _TARGET_SOURCE_S)})"
    )
    print(
        f"ratio source / hello: {source / hello:.2f} (target <= {_TARGET_RATIO}: "
        f"{verdict(source / hello, _TARGET_RATIO)})"
    )
    if "frozen" in walls:
        frozen = statistics.median(walls["frozen"])
        print(
            f"frozen: median {frozen:.3f} s (target <= {_TARGET_FROZEN_S} s: "
            f"{verdict(frozen, _TARGET_FROZEN_S)})"
        )
        print(
            f"ratio frozen / hello: {frozen / hello:.2f} (target <= {_TARGET_RATIO}: "
            f"{verdict(frozen / hello, _TARGET_RATIO)})"
        )
    size = bundle_mib()
    if size is None:
        print("bundle: not built")
    else:
        print(
            f"bundle: {size} MiB (du -sm dist/kiosk; target <= {_TARGET_BUNDLE_MIB}: "
            f"{verdict(size, _TARGET_BUNDLE_MIB)})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
