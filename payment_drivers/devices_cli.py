"""`kiosk devices`: what an installer runs on site to see and try the station's devices.

    kiosk devices list [--json] [--config FILE] [--zvt HOST:PORT]
    kiosk devices test reader [--reader PATTERN] [--timeout S]
    kiosk devices test terminal --zvt HOST:PORT [--amount 1.00] [--password 000000]

Headless (no Qt). Exit codes: 0 when what was asked works, 1 when a device is missing,
unreachable or refused, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk devices", description=__doc__.split("\n")[0])
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="the PC/SC readers and the configured terminal")
    listing.add_argument("--json", action="store_true", help="print one JSON object")
    listing.add_argument("--config", type=Path, help="the station's configuration ([devices])")
    listing.add_argument("--zvt", metavar="HOST:PORT", help="a ZVT terminal to reach")
    listing.add_argument("--timeout", type=float, default=3.0, help="seconds per terminal probe")
    test = actions.add_parser("test", help="try one device")
    what = test.add_subparsers(dest="device", required=True, metavar="DEVICE")
    reader = what.add_parser("reader", help="wait for one tap and show the card (UID masked)")
    reader.add_argument("--reader", metavar="PATTERN", help="a part of the reader's name")
    reader.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a tap")
    terminal = what.add_parser(
        "terminal", help="register, pre-authorise an amount, reverse it (exit 0 only if both)"
    )
    terminal.add_argument("--zvt", metavar="HOST:PORT", required=True)
    terminal.add_argument("--amount", default="1.00", help="the amount to pre-authorise")
    terminal.add_argument("--password", default="000000", help="the terminal's password")
    terminal.add_argument("--currency", default="EUR")
    terminal.add_argument(
        "--card-timeout", type=float, default=120.0, help="seconds to wait for the card"
    )
    return parser


def _host_port(text: str, parser: argparse.ArgumentParser) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        parser.error(f"--zvt {text!r}: give HOST:PORT, e.g. 192.168.1.50:20007")
    return host, int(port)


def _readers() -> dict[str, Any]:
    from payment_drivers.pcsc import PcscUnavailable, list_readers  # noqa: PLC0415

    try:
        found = list_readers()
    except PcscUnavailable as exc:
        return {"ok": False, "error": str(exc), "readers": []}
    return {
        "ok": True,
        "error": None,
        "readers": [
            {
                "name": r.name,
                "card_present": r.card_present,
                "atr": r.atr_hex,
                "card": None if r.card_kind is None else r.card_kind.value,
                "error": r.error,
            }
            for r in found
        ],
    }


def _terminal(host: str, port: int, password: str, timeout_s: float) -> dict[str, Any]:
    from payment_drivers.zvt import probe  # noqa: PLC0415

    found = probe(host, port, timeout_s, password=password)
    return {
        "driver": "zvt",
        "address": f"{host}:{port}",
        "reachable": found.reachable,
        "registered": found.registered,
        "terminal_id": found.terminal_id,
        "status": found.status,
        "detail": found.detail,
    }


def _list(args: argparse.Namespace, parser: argparse.ArgumentParser, out: TextIO) -> int:
    terminal: dict[str, Any] | None = None
    configured = None
    if args.config is not None:
        from kiosk.config import load_settings  # noqa: PLC0415
        from kiosk.domain.errors import UserFacingError  # noqa: PLC0415

        try:
            configured = load_settings(args.config).devices
        except UserFacingError as exc:
            out.write(f"error: {exc.message}\n")
            return 1
    if args.zvt is not None:
        host, port = _host_port(args.zvt, parser)
        terminal = _terminal(host, port, "000000", args.timeout)
    elif configured is not None and configured.terminal.driver == "zvt":
        t = configured.terminal
        terminal = _terminal(t.host or "", t.port, t.password, args.timeout)
    elif configured is not None:
        terminal = {"driver": configured.terminal.driver, "reachable": None}
    readers = _readers()
    # a terminal that answers but does not register (another service on the port, a
    # wrong password) is not usable either
    usable = terminal is None or terminal.get("driver") != "zvt" or terminal["registered"]
    ok = readers["ok"] and usable
    if args.json:
        out.write(json.dumps({"pcsc": readers, "terminal": terminal}, indent=2) + "\n")
        return 0 if ok else 1
    if not readers["ok"]:
        out.write(f"PC/SC: {readers['error']}\n")
    elif not readers["readers"]:
        out.write("PC/SC: pcscd runs, but no reader is connected\n")
    for r in readers["readers"]:
        card = "no card"
        if r["card_present"]:
            card = f"card present: {r['card'] or 'unknown'}, ATR {r['atr'] or '-'}"
        problem = f" ({r['error']})" if r["error"] else ""
        out.write(f"reader {r['name']}: {card}{problem}\n")
    if terminal is None:
        out.write("terminal: none configured (name one with --config or --zvt)\n")
    elif terminal.get("driver") != "zvt":
        out.write(f"terminal: {terminal['driver']} (nothing to reach)\n")
    else:
        state = "NOT reachable"
        extra = terminal["detail"]
        if terminal["registered"]:
            state, extra = "reachable", terminal["status"]
        elif terminal["reachable"]:
            state = "reachable but NOT registered"
        ident = f", terminal id {terminal['terminal_id']}" if terminal["terminal_id"] else ""
        out.write(f"terminal ZVT {terminal['address']}: {state}{ident}: {extra}\n")
    return 0 if ok else 1


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = sys.stdout if out is None else out
    parser = _parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.action == "list":
        return _list(args, parser, out)
    if args.device == "reader":
        from payment_drivers.pcsc import diagnostics  # noqa: PLC0415

        return diagnostics.test_reader(args.reader, args.timeout, out)
    from payment_drivers.zvt import diagnostics as zvt  # noqa: PLC0415

    host, port = _host_port(args.zvt, parser)
    try:
        amount = Decimal(args.amount)
    except InvalidOperation:
        parser.error(f"--amount {args.amount!r} is not an amount")
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        parser.error(f"--amount {args.amount}: a positive amount with at most two decimals")
    return zvt.test_terminal(
        host,
        port,
        amount=amount,
        password=args.password,
        out=out,
        currency=args.currency,
        card_timeout_s=args.card_timeout,
    )
