"""UI start-up benchmark: process spawn to the overview's first frame, source and frozen.

Each variant is a child process, timed from just before it is spawned until it has
exited (so interpreter start, imports, the ledger's migrations check, the QML load,
the first frame and the teardown are all inside the figure), offscreen
(QT_QPA_PLATFORM=offscreen, Qt Quick's software renderer):

  source  python -m ui.main demo --quit-after-ready   (the `kiosk` console script)
  frozen  dist/kiosk/kiosk demo --quit-after-ready    (skipped when not built: bash .ci/build)
  hello   a bare Qt Quick hello world from source: a 1080x1920 Window with one Text,
          quitting on its first frameSwapped (the same Python, Qt and platform)

The kiosk quits when the overview (with its connector cards) has been swapped to the
screen; it also prints its own figure, from `run_gui` to that frame, reported as
"in-app". The runs are interleaved (source, frozen, hello, source, ...) after one
warm-up run of each, so drift on the machine falls on all three alike; each kiosk
variant keeps one ledger across its runs, as a kiosk restarting on its own database.
The ratios are of the medians. Also prints the bundle size (du -sm dist/kiosk).

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

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine

app = QGuiApplication(sys.argv[:1])
engine = QQmlApplicationEngine()
engine.load(QUrl.fromLocalFile(sys.argv[1]))
window = engine.rootObjects()[0]
window.frameSwapped.connect(lambda: QTimer.singleShot(0, app.quit))
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
_IN_APP = re.compile(r"first overview frame after ([0-9.]+) s")


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float | None]:
    """Seconds from spawn to exit, and the app's own figure when it prints one."""
    started = time.perf_counter()
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, check=False, timeout=120
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    found = _IN_APP.search(done.stdout)
    return elapsed, float(found.group(1)) if found else None


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
    in_app: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, command in variants.items():
            wall, own = run_once(command, env)
            walls[name].append(wall)
            if own is not None:
                in_app[name].append(own)

    print(f"\n{'variant':8} {'median':>8} {'min':>8} {'max':>8}   runs (s, spawn to exit)")
    for name, values in walls.items():
        listed = " ".join(f"{v:.3f}" for v in values)
        print(
            f"{name:8} {statistics.median(values):8.3f} {min(values):8.3f} "
            f"{max(values):8.3f}   {listed}"
        )
    for name, values in in_app.items():
        if values:
            print(
                f"{name:8} in-app (run_gui to first frame): median {statistics.median(values):.3f}"
                f" s, min {min(values):.3f} s"
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
