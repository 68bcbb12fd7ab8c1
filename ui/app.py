"""The composition root: settings, store, hardware, station thread, bridge, QML.

`kiosk demo` and `kiosk run` build the station `ui.wiring` composes from the
configuration's `[devices]` (the demo's names the simulators); `kiosk run` runs it
fullscreen, with an excepthook that logs and restarts the UI. Nothing else in the code
base builds objects: everything is passed in from here.

Start-up order: the GUI thread loads only the settings (connectors and tariffs: the
overview's prices) and Qt, and shows the overview; the station thread starts once that
first frame is on the screen and imports the store, opens the ledger and recovers, and
its first snapshot turns the cards' "starting" into their real state.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO

from kiosk.config import Settings, demo_settings, load_settings
from kiosk.paths import assets_dir
from ui.wiring import Kiosk, build_station

if TYPE_CHECKING:
    from kiosk.services.station_service import StationService
    from ui.bridge import Bridge
    from ui.worker import StationWorker

__all__ = [
    "Kiosk",
    "Screens",
    "build_station",
    "load_screens",
    "prepare_engine",
    "route_qt_messages",
    "run_gui",
    "translator",
]

log = logging.getLogger(__name__)

QML_DIR = Path(__file__).resolve().parent / "qml"
# Out of service after a storage fault (full disk, read-only medium, damaged ledger), the
# station opens its ledger again this often: the screen says why meanwhile (README.md).
STATION_RETRY_S = 30.0


def _qml_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    return Path(bundle) / "ui" / "qml" if bundle else QML_DIR


def _translations() -> Path:
    return assets_dir() / "translations"


def translator(app: Any, engine: Any) -> Callable[[str], None]:
    """The bridge's `retranslate`: load `kiosk_<code>.qm` and refresh every qsTr()."""
    from PySide6.QtCore import QLocale, QTranslator  # noqa: PLC0415 - Qt only here

    loaded = QTranslator(app)

    def retranslate(code: str) -> None:
        app.removeTranslator(loaded)
        if code != "en":
            if loaded.load(f"kiosk_{code}", str(_translations())):
                app.installTranslator(loaded)
            else:
                log.warning("no translation kiosk_%s.qm in %s", code, _translations())
        QLocale.setDefault(QLocale(code))
        engine.retranslate()

    return retranslate


def prepare_engine(engine: Any, bridge: Bridge, *, fullscreen: bool) -> list[str]:
    """What Main.qml expects: context properties and image providers; returns the
    list that collects the engine's warnings (empty while the QML is sound)."""
    from PySide6.QtCore import QUrl  # noqa: PLC0415 - Qt only here

    from ui.images import QrImageProvider  # noqa: PLC0415

    engine.addImageProvider("qr", QrImageProvider())
    context = engine.rootContext()
    context.setContextProperty("bridge", bridge)
    context.setContextProperty("kioskFullscreen", fullscreen)
    # icons and fonts: a file URL that works from source and from a PyInstaller bundle
    context.setContextProperty("assetsDir", QUrl.fromLocalFile(str(assets_dir())).toString())
    warnings: list[str] = []
    engine.warnings.connect(lambda errs: warnings.extend(e.toString() for e in errs))
    return warnings


def main_qml() -> Path:
    return _qml_dir() / "Main.qml"


@dataclass
class Screens:
    """The UI over a station thread that is not started yet (`worker.start()`)."""

    engine: Any  # QQmlApplicationEngine
    window: Any  # the QQuickWindow of Main.qml
    bridge: Bridge
    worker: StationWorker
    retranslate: Callable[[str], None]
    warnings: list[str]  # the engine's warnings; empty while the QML is sound


def load_screens(
    app: Any,
    settings: Settings,
    open_station: Callable[[], StationService],
    *,
    demo: bool,
    orientation: str = "portrait",
    fullscreen: bool = False,
    close_station: Callable[[StationService], None] | None = None,
    retry_s: float | None = STATION_RETRY_S,
) -> Screens:
    """The station worker, the bridge and Main.qml, wired as the kiosk runs them (the app,
    its tests and benchmarks); RuntimeError with the engine's warnings if the QML fails.

    A storage fault takes the station out of service; the worker then closes it with
    `close_station` and opens it again every `retry_s` seconds (None: never)."""
    from PySide6.QtCore import QUrl  # noqa: PLC0415 - Qt only here
    from PySide6.QtQml import QQmlApplicationEngine  # noqa: PLC0415

    from ui.bridge import Bridge  # noqa: PLC0415
    from ui.worker import StationWorker  # noqa: PLC0415

    worker = StationWorker(
        open_station, close_station=close_station, database=settings.database, retry_s=retry_s
    )
    engine = QQmlApplicationEngine()
    retranslate = translator(app, engine)
    bridge = Bridge(worker, settings, retranslate=retranslate, demo=demo, orientation=orientation)
    warnings = prepare_engine(engine, bridge, fullscreen=fullscreen)
    engine.load(QUrl.fromLocalFile(str(main_qml())))
    if not engine.rootObjects():
        raise RuntimeError("the user interface did not load:\n" + "\n".join(warnings))
    return Screens(engine, engine.rootObjects()[0], bridge, worker, retranslate, warnings)


def run_gui(
    *,
    settings: Settings,
    speed: float,
    demo: bool,
    fullscreen: bool,
    orientation: str,
    language: str,
    autoplay_dir: Path | None = None,
    quit_after_ready: bool = False,
    out: TextIO = sys.stdout,
    demo_backend: Any = None,
) -> int:
    """Start Qt, the station thread and the QML; returns the exit code.

    `demo_backend` (ui.demo_backend.EmbeddedBackend): the demo's backend in this
    process, which the developer panel pays the QR at and takes away for an outage.

    A storage fault takes the station out of service: the station thread logs its one
    line (an error: on stderr where no logging is configured), the screen says why, and
    the station opens its ledger again every STATION_RETRY_S seconds; the exit code is
    then 2 (when the window closes while out of service). The autoplay and
    --quit-after-ready do not wait for that: they exit 2 at once, and so does a second
    instance on a ledger another process holds (LedgerLocked).
    """
    started = time.perf_counter()
    import shiboken6  # noqa: PLC0415
    from PySide6.QtCore import Qt, QTimer  # noqa: PLC0415 - Qt only here
    from PySide6.QtGui import QGuiApplication  # noqa: PLC0415

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    app.setApplicationName("EV Charging Kiosk")
    route_qt_messages()
    opened: list[Kiosk] = []
    interactive = not quit_after_ready and autoplay_dir is None

    loops: list[Any] = []  # the station loop, once the screens have made it
    bridges: list[Bridge] = []

    def open_station() -> StationService:  # on the station thread
        kiosk = build_station(settings, speed=speed, runner=loops[0].runner, loop=loops[0])
        opened.append(kiosk)
        bridges[0].present_card = kiosk.present_card
        bridges[0].receipt_token = kiosk.service.keys.receipt_token
        if demo_backend is not None:
            bridges[0].pay_qr = demo_backend.pay
            bridges[0].backend_outage = demo_backend.set_outage
        if not interactive and kiosk.terminal_simulator is not None:
            kiosk.terminal_simulator.step_delay_s = 0.0  # a scripted run: no one reads it
        if kiosk.reader is not None:
            kiosk.reader.start(bridges[0].reader_event)  # its own thread from here on
        return kiosk.service

    def close_station(service: StationService) -> None:  # on the station thread
        for kiosk in [k for k in opened if k.service is service]:
            opened.remove(kiosk)
            kiosk.close()

    try:
        screens = load_screens(
            app,
            settings,
            open_station,
            demo=demo,
            orientation=orientation,
            fullscreen=fullscreen,
            close_station=close_station,
            retry_s=STATION_RETRY_S if interactive else None,
        )
    except RuntimeError as exc:
        out.write(f"error: {exc}\n")
        return 1
    engine, window, bridge, worker = screens.engine, screens.window, screens.bridge, screens.worker
    loops.append(worker.loop)
    bridges.append(bridge)
    warnings = screens.warnings
    if language != "en":
        bridge.setLanguage(language)
    faults: list[str] = []  # the line of each fault, in order (GUI thread)

    def on_fault(kind: str, line: str) -> None:  # the bridge's signal: the GUI thread
        faults.append(line)
        if kind == "in_use" and interactive:
            app.exit(2)  # a second instance: the ledger stays with the first one

    bridge.stationFaulted.connect(on_fault)
    # the station thread starts once the overview is on the screen (or after 2 s at most)
    window.frameSwapped.connect(worker.start, Qt.ConnectionType.QueuedConnection)
    QTimer.singleShot(2000, worker, worker.start)
    code = 0
    try:
        if quit_after_ready:
            from ui.frames import wait_first_frame, wait_until  # noqa: PLC0415

            elapsed = wait_first_frame(app, window, started)
            frame_at = time.monotonic() - (time.perf_counter() - started - elapsed)
            live = wait_until(app, lambda: bool(bridge.property("live") or faults), 30)
            live = live and not faults
            out.write(
                f"first overview frame after {elapsed:.3f} s (monotonic {frame_at:.6f}); "
                "station live after "
                + (f"{time.perf_counter() - started:.3f} s\n" if live else "never\n")
            )
            code = 2 if faults else 0 if live else 1
        elif autoplay_dir is not None:
            from ui.autoplay import Autoplay  # noqa: PLC0415
            from ui.frames import wait_until  # noqa: PLC0415

            wait_until(app, lambda: bool(bridge.property("live") or faults), 60)
            if faults:
                code = 2
            else:
                code = Autoplay(app, window, bridge, settings, worker, autoplay_dir, out).run()
        else:
            if fullscreen:
                _production_mode(app, engine)
            code = app.exec()
            if bridge.property("stationFault"):
                code = code or 2  # closed while out of service
    finally:
        worker.stop()
        # the QML goes first: left to Python's teardown, the bridge could go before the
        # bindings that read it, and every one of them would log a TypeError
        shiboken6.delete(engine)
        for kiosk in opened:
            kiosk.close()
    if warnings:
        out.write("QML warnings:\n" + "\n".join(warnings) + "\n")
        code = code or 3
    return code


def _production_mode(app: Any, engine: Any) -> None:
    """No cursor, no frame, and a bug reloads the screens instead of ending the kiosk."""
    from PySide6.QtCore import Qt  # noqa: PLC0415
    from PySide6.QtGui import QCursor  # noqa: PLC0415

    app.setOverrideCursor(QCursor(Qt.CursorShape.BlankCursor))

    def restart() -> None:
        for root in engine.rootObjects():
            root.deleteLater()
        engine.clearComponentCache()
        engine.load(str(main_qml()))

    install_excepthook(restart)


def route_qt_messages() -> None:
    """Qt's own messages (QML, the platform plugin) into the `qt` logger: the log file
    and its redaction get them like every other line."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler  # noqa: PLC0415

    from kiosk.domain.redaction import redact  # noqa: PLC0415

    qt_log = logging.getLogger("qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind: QtMsgType, context: Any, message: str) -> None:
        where = f" ({context.file}:{context.line})" if context.file else ""
        qt_log.log(levels.get(kind, logging.WARNING), "%s%s", redact(message), where)

    qInstallMessageHandler(handler)


def install_excepthook(restart: Callable[[], None]) -> None:
    """Production: a bug is logged with its traceback and the UI starts again."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.critical("unhandled error, restarting the UI", exc_info=(kind, value, tb))
        restart()

    sys.excepthook = hook


def demo_database() -> Path:
    """The demo's ledger: a fresh folder of its own for each run (`KIOSK_DEMO_DIR` names
    one to keep), so two demos or two checkouts on one machine never share a ledger or
    wait on each other's lock."""
    named = os.environ.get("KIOSK_DEMO_DIR")
    if named:
        folder = Path(named)
        folder.mkdir(parents=True, exist_ok=True)
    else:
        folder = Path(tempfile.mkdtemp(prefix="kiosk-demo-"))
    log.info("demo data in %s", folder)
    return folder / "demo.sqlite"


def settings_from(config: Path | None, database: Path | None) -> Settings:
    if config is None:
        return demo_settings(database or demo_database())
    settings = load_settings(config)
    if database is not None:
        settings = replace(settings, database=database)
    return settings


def has_display() -> bool:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform in ("offscreen", "minimal", "vnc"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
