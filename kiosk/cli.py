"""The `kiosk` command: one subcommand per job, each returning an exit code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from kiosk import tariff_commands
from kiosk.domain.errors import KnownError, UserFacingError
from kiosk.domain.redaction import install_log_redaction

if TYPE_CHECKING:
    from kiosk.config import Settings

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="EV charging payment kiosk")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # handled by ui.main (they need Qt); listed here so that `kiosk --help` shows them
    commands.add_parser("demo", help="the kiosk on simulated hardware (kiosk demo --help)")
    commands.add_parser("run", help="the kiosk on its configured hardware (kiosk run --help)")
    commands.add_parser(
        "devices", help="list and try the card reader and terminal (kiosk devices --help)"
    )

    tariff = commands.add_parser("tariff", help="check and price OCPI 2.2.1 tariffs")
    tariff_commands_ = tariff.add_subparsers(dest="tariff_command", required=True, metavar="ACTION")
    check = tariff_commands_.add_parser(
        "check", help="validate tariff files and summarize each (exit 1 if any is invalid)"
    )
    check.add_argument("files", type=Path, nargs="+", metavar="file")
    price = tariff_commands_.add_parser(
        "price", help="price an OCPI CDR (or a batch of them) with a tariff"
    )
    price.add_argument("--tariff", type=Path, help="tariff JSON (default: the CDR's own tariffs)")
    price.add_argument("--cdr", type=Path, help="OCPI 2.2.1 CDR JSON")
    price.add_argument("--tz", help="the station's IANA time zone, e.g. Europe/Berlin")
    price.add_argument("--json", action="store_true", help="print one JSON object")
    price.add_argument("--batch", type=Path, help='JSON lines of {"tariff", "cdr", "tz"}')
    price.add_argument("--out", type=Path, help="write the batch results here (default stdout)")

    tariff_demo = tariff_commands_.add_parser(
        "demo", help="the pricing engine on the sample tariffs, headless"
    )
    tariff_demo.add_argument("--tz", default="Europe/Berlin", help="station time zone")

    simulate = commands.add_parser(
        "simulate", help="run N sessions through the real flow on simulated hardware"
    )
    simulate.add_argument("--sessions", type=int, required=True)
    simulate.add_argument("--seed", type=int, default=1)
    simulate.add_argument(
        "--db", type=Path, default=Path("kiosk.sqlite"), help="the ledger (default: kiosk.sqlite)"
    )
    simulate.add_argument(
        "--speed", type=float, default=0, help="simulated seconds per real second (0: flat out)"
    )

    def ledger(parser_: argparse.ArgumentParser) -> None:
        parser_.add_argument(
            "--db", type=Path, help="the ledger (default: --config's, else ./kiosk.sqlite)"
        )
        parser_.add_argument("--config", type=Path, help="station configuration (TOML)")

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    check_db = db_commands.add_parser(
        "check",
        help="integrity and ledger invariants, read-only (exit 0 ok, 1 findings, 2 cannot check)",
    )
    ledger(check_db)
    check_db.add_argument("--json", action="store_true")
    check_db.add_argument(
        "--key",
        type=Path,
        help="the station key that verifies the keyed audit chain"
        " (default: the configured secret_file with --config, else the .key beside the ledger)",
    )

    sessions = commands.add_parser("sessions", help="list or show sessions")
    session_commands = sessions.add_subparsers(dest="sessions_command", required=True)
    listing = session_commands.add_parser("list")
    ledger(listing)
    listing.add_argument("--state")
    listing.add_argument("--limit", type=int, default=50)
    show = session_commands.add_parser("show")
    ledger(show)
    show.add_argument("id")

    receipt = commands.add_parser("receipt", help="print a session's receipt")
    ledger(receipt)
    receipt.add_argument("id")
    receipt.add_argument("--pdf", type=Path, help="also write the PDF e-receipt here")
    receipt.add_argument("--html", type=Path, help="also write the HTML e-receipt here")
    receipt.add_argument("--lang", default="en")

    export = commands.add_parser("export", help="export data")
    export_commands = export.add_subparsers(dest="export_command", required=True)
    cdrs = export_commands.add_parser("cdrs", help="completed sessions as OCPI CDRs (JSON lines)")
    ledger(cdrs)
    cdrs.add_argument("--since", help="RFC 3339 time; sessions that ended at or after it")
    cdrs.add_argument("--out", type=Path)

    report = commands.add_parser("report", help="reports from the ledger")
    report_commands = report.add_subparsers(dest="report_command", required=True)
    daily = report_commands.add_parser("daily")
    ledger(daily)
    daily.add_argument(
        "--date", help="the station's local date (default: the latest day with sessions)"
    )
    daily.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; output piped into `head` that closes early ends it quietly."""
    try:
        return _main(argv)
    except BrokenPipeError:
        # the reader went away: nothing more to say, and no traceback (Python docs,
        # "Note on SIGPIPE": point stdout at devnull so the exit flush cannot fail)
        import os  # noqa: PLC0415

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _main(argv: Sequence[str] | None = None) -> int:
    install_log_redaction()  # no card data in any log line, whoever handles it
    parser = _parser()
    args = parser.parse_args(argv)
    out, err = sys.stdout, sys.stderr
    if args.command == "tariff":
        if args.tariff_command == "demo":
            from kiosk import pricing_demo  # noqa: PLC0415 - only the demo needs it

            status: int = pricing_demo.run(tz=args.tz, out=out)
            return status
        if args.tariff_command == "check":
            codes = []
            for i, path in enumerate(args.files):
                if len(args.files) > 1:
                    print(f"{'' if i == 0 else chr(10)}== {path}", file=out)
                codes.append(tariff_commands.check(path, out=out))
            return max(codes)
        if args.batch is not None:
            if args.cdr is not None or args.tariff is not None:
                parser.error("--batch takes its tariffs and CDRs from the file")
            return tariff_commands.price_batch(args.batch, args.out, out=out, err=err)
        if args.cdr is None or args.tz is None:
            parser.error("tariff price needs --cdr and --tz (or --batch FILE)")
        return tariff_commands.price_one(args.tariff, args.cdr, args.tz, as_json=args.json, out=out)
    if args.command in ("demo", "run", "devices"):  # reached only when called without ui.main
        parser.error(f"`kiosk {args.command}` needs the kiosk's UI: run it as `kiosk`")
    if args.command in ("simulate", "db", "sessions", "receipt", "export", "report"):
        return _ledger_command(args, out, err)
    parser.error(f"unknown command {args.command}")
    return 2  # pragma: no cover - parser.error exits


def _ledger_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The ledger's commands. A storage fault (full disk, read-only medium, damaged or
    locked ledger) ends each of them with one line on stderr and exit 2, no traceback
    (kiosk/faults.py); `db check` reports its own (kiosk/ledger_commands.py)."""
    from kiosk import ledger_commands  # noqa: PLC0415 - SQLAlchemy loads only when needed

    if args.command == "simulate":
        from kiosk.simulate import run_simulation  # noqa: PLC0415

        if args.sessions < 0:
            out.write("error: --sessions must be >= 0\n")
            return 2
        return run_simulation(
            sessions=args.sessions,
            seed=args.seed,
            db_path=args.db,
            speed=args.speed,
            out=out,
            err=err,
        )
    try:
        settings = ledger_commands.settings_for(args.config, args.db)
    except UserFacingError as exc:
        out.write(f"error: {exc.message}\n")
        return 2
    if args.command == "db":
        if args.key is not None:
            key_file = args.key
        elif args.config is not None:
            key_file = settings.secret_file
        else:
            key_file = settings.database.with_suffix(".key")
        return ledger_commands.db_check(
            settings.database,
            as_json=args.json,
            out=out,
            key_file=key_file,
            key_required=args.key is not None,
        )
    from kiosk.faults import ledger_damage, stop_line  # noqa: PLC0415
    from kiosk.store.errors import StorageCorrupt  # noqa: PLC0415

    try:
        return _reading_command(args, settings, out)
    except KnownError as exc:
        line = stop_line(exc, settings.database)
    except Exception:
        damage = ledger_damage(settings.database)
        if damage is None:
            raise  # not a damaged page: a bug, with its traceback
        line = stop_line(StorageCorrupt(damage), settings.database)
    err.write(line + "\n")
    return 2


def _reading_command(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from kiosk import ledger_commands  # noqa: PLC0415

    if args.command == "sessions":
        if args.sessions_command == "list":
            return ledger_commands.session_list(
                settings, state=args.state, limit=args.limit, out=out
            )
        return ledger_commands.session_show(settings, args.id, out=out)
    if args.command == "receipt":
        return ledger_commands.receipt(
            settings, args.id, pdf=args.pdf, html=args.html, language=args.lang, out=out
        )
    if args.command == "export":
        return ledger_commands.export_cdrs(settings, since=args.since, out_path=args.out, out=out)
    return ledger_commands.report_daily(settings, day=args.date, as_json=args.json, out=out)
