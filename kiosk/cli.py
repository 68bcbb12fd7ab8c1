"""The `kiosk` command: one subcommand per job, each returning an exit code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from kiosk import tariff_commands

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="EV charging payment kiosk")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    tariff = commands.add_parser("tariff", help="check and price OCPI 2.2.1 tariffs")
    tariff_commands_ = tariff.add_subparsers(dest="tariff_command", required=True, metavar="ACTION")
    check = tariff_commands_.add_parser("check", help="validate a tariff file and summarize it")
    check.add_argument("file", type=Path)
    price = tariff_commands_.add_parser(
        "price", help="price an OCPI CDR (or a batch of them) with a tariff"
    )
    price.add_argument("--tariff", type=Path, help="tariff JSON (default: the CDR's own tariffs)")
    price.add_argument("--cdr", type=Path, help="OCPI 2.2.1 CDR JSON")
    price.add_argument("--tz", help="the station's IANA time zone, e.g. Europe/Berlin")
    price.add_argument("--json", action="store_true", help="print one JSON object")
    price.add_argument("--batch", type=Path, help='JSON lines of {"tariff", "cdr", "tz"}')
    price.add_argument("--out", type=Path, help="write the batch results here (default stdout)")

    demo = commands.add_parser("demo", help="run the demo on simulated hardware")
    demo.add_argument("--tz", default="Europe/Berlin", help="station time zone for the demo")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    out, err = sys.stdout, sys.stderr
    if args.command == "tariff":
        if args.tariff_command == "check":
            return tariff_commands.check(args.file, out=out)
        if args.batch is not None:
            if args.cdr is not None or args.tariff is not None:
                parser.error("--batch takes its tariffs and CDRs from the file")
            return tariff_commands.price_batch(args.batch, args.out, out=out, err=err)
        if args.cdr is None or args.tz is None:
            parser.error("tariff price needs --cdr and --tz (or --batch FILE)")
        return tariff_commands.price_one(args.tariff, args.cdr, args.tz, as_json=args.json, out=out)
    if args.command == "demo":
        from kiosk import pricing_demo  # noqa: PLC0415 - only the demo needs it

        status: int = pricing_demo.run(tz=args.tz, out=out)
        return status
    parser.error(f"unknown command {args.command}")
    return 2  # pragma: no cover - parser.error exits
