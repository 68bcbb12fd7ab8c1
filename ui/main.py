"""The `kiosk` command: the Qt run modes here, every other subcommand in kiosk.cli.

Qt is imported only by `demo` and `run`, so the headless commands start fast and
work on machines without Qt's system libraries.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]


def _parser(command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"kiosk {command}")
    if command == "demo":
        parser.description = "the kiosk UI on simulated hardware"
        parser.add_argument("--speed", type=float, default=10.0, help="simulated time speed-up")
        parser.add_argument("--autoplay", action="store_true", help="play every screen and exit")
        parser.add_argument("--screenshots", type=Path, help="with --autoplay: PNG folder")
        parser.add_argument("--quit-after-ready", action="store_true")
        parser.add_argument("--db", type=Path, help="the demo's ledger (default: a temp folder)")
        parser.add_argument(
            "--no-backend",
            action="store_true",
            help="without the embedded backend (RFID and QR pay by the simulators)",
        )
    else:
        parser.description = "production: fullscreen on the configured station"
        parser.add_argument("--config", type=Path, required=True)
        parser.add_argument(
            "--quit-after-ready",
            action="store_true",
            help="build the configured devices, open the station, and exit (0: it is live)",
        )
    parser.add_argument("--orientation", choices=("portrait", "landscape"), default="portrait")
    parser.add_argument("--lang", choices=("en", "de", "fr", "nl"), default="en")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "devices":
        from payment_drivers.devices_cli import main as devices  # noqa: PLC0415 - no Qt

        return devices(args[1:])
    if args and args[0] == "backend":
        from backend.cli import main as backend_cli  # noqa: PLC0415 - no Qt

        return backend_cli(args[1:])
    if not args or args[0] not in ("demo", "run"):
        from kiosk import cli as core_cli  # noqa: PLC0415 - not needed by the Qt run modes

        return core_cli.main(args)
    command, rest = args[0], args[1:]
    opts = _parser(command).parse_args(rest)
    from kiosk.domain.redaction import install_log_redaction  # noqa: PLC0415

    install_log_redaction()  # no card data in any log line, whoever handles it
    from ui.app import has_display, run_gui, settings_from  # noqa: PLC0415

    if command == "demo":
        autoplay = opts.autoplay or opts.screenshots is not None
        if not autoplay and not opts.quit_after_ready and not has_display():
            print(
                "no display here (no DISPLAY or WAYLAND_DISPLAY): playing the demo offscreen "
                "and saving a screenshot of every screen instead"
            )
            autoplay = True
        shots = opts.screenshots or Path("out/screenshots")
        if autoplay or opts.quit_after_ready:
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        settings = settings_from(None, opts.db)
        from kiosk.logs import configure_logging  # noqa: PLC0415

        configure_logging(settings.database.parent)  # kiosk.log beside the demo's ledger
        backend = None
        # the autoplay's script plays the simulated QR and accounts (its screenshots are
        # the docs'); the QR paid at the backend is played by tests/ui/test_backend_e2e
        if not opts.no_backend and not autoplay:
            from ui.demo_backend import with_backend  # noqa: PLC0415

            settings, backend = with_backend(settings)
            print(f"demo backend: {backend.url} (the QR code's checkout page opens in a browser)")
        code = run_gui(
            settings=settings,
            speed=opts.speed if not autoplay else 60.0,
            demo=True,
            fullscreen=False,
            orientation=opts.orientation,
            language=opts.lang,
            autoplay_dir=shots if autoplay else None,
            quit_after_ready=opts.quit_after_ready,
            demo_backend=backend,
        )
        if backend is not None:
            backend.stop()
        if autoplay and code == 0:
            print(f"screenshots are in {shots.resolve()}")
        return code
    from kiosk.domain.errors import UserFacingError  # noqa: PLC0415

    try:
        settings = settings_from(opts.config, None)
    except UserFacingError as exc:
        print(f"kiosk run: {exc.message}", file=sys.stderr)
        return 2
    if settings.devices is None:  # never a simulator the configuration did not name
        print(
            f"kiosk run: {opts.config} names no [devices]: say which charger, card reader and"
            " terminal this station has (see assets/config/station.example.toml)",
            file=sys.stderr,
        )
        return 2
    if opts.quit_after_ready:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from kiosk.logs import configure_logging  # noqa: PLC0415

    configure_logging(settings.database.parent)  # kiosk.log beside the ledger
    return run_gui(
        settings=settings,
        speed=1.0,
        demo=False,
        fullscreen=not opts.quit_after_ready,
        orientation=opts.orientation,
        language=opts.lang,
        quit_after_ready=opts.quit_after_ready,
    )


if __name__ == "__main__":
    raise SystemExit(main())
