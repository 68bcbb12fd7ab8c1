"""`kiosk backend ...`: serve the reference backend and manage what it knows.

Exit codes: 0 done, 1 refused (exists already, invalid content), 2 usage.
The default database is `backend.sqlite` in the data directory: `--data-dir`, else
$KIOSK_DATA_DIR, else ~/.local/share/ev-kiosk (kiosk.paths has no data-dir helper).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from backend.errors import ApiError
from backend.settings import BackendSettings, utc_now

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from backend.connectors import ConnectorSpec

__all__ = ["default_db_url", "main"]

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def _data_dir(given: str | None) -> Path:
    if given:
        return Path(given)
    env = os.environ.get("KIOSK_DATA_DIR")
    if env:
        return Path(env)
    return Path.home() / ".local" / "share" / "ev-kiosk"


def default_db_url(data_dir: str | None = None) -> str:
    return f"sqlite:///{_data_dir(data_dir) / 'backend.sqlite'}"


def _db_url(args: argparse.Namespace) -> str:
    if args.db:
        return str(args.db)
    folder = _data_dir(args.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return default_db_url(str(folder))


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _Usage(f"{self.prog}: {message}")


class _Usage(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kiosk backend", description="The reference backend.")
    common = _Parser(add_help=False)
    common.add_argument("--db", help="database URL (sqlite:///… or postgresql+psycopg://…)")
    common.add_argument("--data-dir", help="where backend.sqlite is (default: see --help)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    serve = sub.add_parser("serve", parents=[common], help="run the HTTP server")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--public-url", help="base of checkout links (default http://HOST:PORT)")
    serve.add_argument("--workers-limit", type=int, default=200, help="concurrent connections")

    sub.add_parser("openapi", help="print the OpenAPI document")

    station = sub.add_parser("station", help="stations").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    add = station.add_parser("add", parents=[common], help="add a station; prints its secret")
    add.add_argument("id")
    add.add_argument("--name")
    add.add_argument("--time-zone", help="IANA zone its CDRs are priced in (default UTC)")
    conn = station.add_parser(
        "connectors",
        parents=[common],
        help="a station's connectors: set the whole list, or print it (without --connector)",
    )
    conn.add_argument("id")
    conn.add_argument(
        "--connector",
        action="append",
        type=_connector_spec,
        metavar="ID=LABEL[=EVSE]",
        help="e.g. 1=A=DE*KIO*E0001*A (the kiosk's id, what it shows, the printed EVSE id)",
    )

    operator = sub.add_parser("operator", help="operators").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    add = operator.add_parser("add", parents=[common], help="add an operator; prints the token")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=("admin", "viewer"))

    token = sub.add_parser("token", help="RFID tokens").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    add = token.add_parser("add", parents=[common], help="add or replace a token")
    add.add_argument("uid")
    add.add_argument("--contract", required=True)
    add.add_argument("--group")
    add.add_argument(
        "--whitelist", default="ALLOWED", choices=("ALWAYS", "ALLOWED", "ALLOWED_OFFLINE", "NEVER")
    )
    add.add_argument("--expires", help="RFC 3339 time with an offset")
    add.add_argument("--blocked", action="store_true")

    account = sub.add_parser("account", help="web-app accounts").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    add = account.add_parser("add", parents=[common], help="add an account holder")
    add.add_argument("email")
    add.add_argument("--password-file", required=True, help="a file holding the password")
    add.add_argument("--contract", required=True)
    add.add_argument("--group")
    add.add_argument("--name")

    tariff = sub.add_parser("tariff", help="tariffs").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    put = tariff.add_parser("set", parents=[common], help="a connector's OCPI tariff list")
    put.add_argument("station")
    put.add_argument("connector")
    put.add_argument("file")
    return parser


def _connector_spec(text: str) -> ConnectorSpec:
    from backend.connectors import ConnectorSpec  # noqa: PLC0415

    connector_id, sep, rest = text.partition("=")
    label, _, evse = rest.partition("=")
    if not sep or not connector_id or not label:
        raise argparse.ArgumentTypeError(f"{text!r} is not ID=LABEL or ID=LABEL=EVSE")
    return ConnectorSpec(connector_id, label, evse or None)


def _connectors(args: argparse.Namespace, session: Session, out: TextIO) -> None:
    from backend import connectors  # noqa: PLC0415

    if args.connector is None:
        rows = connectors.station_connectors(session, args.id)
    else:
        rows = connectors.put_connectors(session, args.id, args.connector)
        session.commit()
    out.write(f"{args.id}: {len(rows)} connector(s)\n")
    for c in rows:
        out.write(f"{c.connector_id}\t{c.label}\t{c.evse_id or '-'}\n")


def _serve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import uvicorn  # noqa: PLC0415 (only the server needs it)

    from backend.app import create_app  # noqa: PLC0415
    from backend.db import DatabaseProblem  # noqa: PLC0415

    public = args.public_url or f"http://{args.host}:{args.port}"
    try:
        app = create_app(BackendSettings(db_url=_db_url(args), public_url=public))
    except DatabaseProblem as exc:
        err.write(f"error: {exc}\n")
        return EXIT_REFUSED
    out.write(f"backend on http://{args.host}:{args.port} (public {public})\n")
    out.flush()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        timeout_keep_alive=5,
        limit_concurrency=args.workers_limit,
        proxy_headers=False,
        server_header=False,
        log_level="info",
    )
    return EXIT_OK


def _openapi(out: TextIO) -> int:
    from backend.app import create_app  # noqa: PLC0415

    app = create_app(BackendSettings(db_url="sqlite://", public_url="http://127.0.0.1:8765"))
    out.write(json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    app.state.engine.dispose()
    return EXIT_OK


def _manage(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415
    from sqlalchemy.orm import Session  # noqa: PLC0415

    from backend import stations, tariffs, tokens  # noqa: PLC0415
    from backend.api.fields import parse_moment  # noqa: PLC0415
    from backend.db import DatabaseProblem, make_engine, migrate, storage_fault  # noqa: PLC0415
    from kiosk.domain import jsonio  # noqa: PLC0415

    engine = make_engine(_db_url(args))
    try:
        migrate(engine)
        now = utc_now()
        with Session(engine) as session:
            if args.command == "station" and args.action == "connectors":
                _connectors(args, session, out)
            elif args.command == "station":
                secret = stations.add_station(
                    session, args.id, name=args.name, time_zone=args.time_zone, now=now
                )
                session.commit()
                out.write(f"{args.id}\n{secret}\n")
            elif args.command == "operator":
                token = stations.add_operator(session, args.name, args.role, now)
                session.commit()
                out.write(f"{token}\n")
            elif args.command == "token":
                try:
                    expires = None if args.expires is None else parse_moment(args.expires)
                except ValueError:
                    err.write(f"error: --expires {args.expires!r}: not an RFC 3339 time\n")
                    return EXIT_USAGE
                token_row, version = tokens.put_token(
                    session,
                    args.uid,
                    contract_id=args.contract,
                    group=args.group,
                    whitelist=args.whitelist,
                    valid=not args.blocked,
                    expires_at=expires,
                    now=now,
                )
                session.commit()
                out.write(f"{token_row.uid} allow-list version {version}\n")
            elif args.command == "account":
                from backend.web.app_auth import hash_password  # noqa: PLC0415

                try:
                    password = Path(args.password_file).read_text(encoding="utf-8").strip("\r\n")
                except OSError as exc:
                    err.write(f"error: cannot read {args.password_file}: {exc.strerror}\n")
                    return EXIT_REFUSED
                if len(password) < 8:
                    err.write("error: the password needs at least 8 characters\n")
                    return EXIT_REFUSED
                account_id = stations.add_account(
                    session,
                    args.email,
                    password_hash=hash_password(password),
                    contract_id=args.contract,
                    group=args.group,
                    name=args.name,
                    now=now,
                )
                session.commit()
                out.write(f"{account_id}\n")
            elif args.command == "tariff":
                try:
                    data = Path(args.file).read_bytes()
                except OSError as exc:
                    err.write(f"error: cannot read {args.file}: {exc.strerror}\n")
                    return EXIT_REFUSED
                try:
                    value = jsonio.loads(data)
                except ValueError as exc:
                    err.write(f"error: {args.file}: {exc}\n")
                    return EXIT_REFUSED
                version = tariffs.set_connector_tariffs(
                    session, args.station, args.connector, value, now
                )
                session.commit()
                out.write(f"{args.station} connector {args.connector}: tariff version {version}\n")
    except ApiError as exc:
        err.write(f"error: {exc.message}\n")
        return EXIT_REFUSED
    except DatabaseProblem as exc:  # damaged, newer, read-only, unreachable: one line
        err.write(f"error: {exc}\n")
        return EXIT_REFUSED
    except SQLAlchemyError as exc:
        fault = storage_fault(exc)
        if fault is None:
            raise  # a bug: its traceback is wanted
        err.write(f"error: {fault.reason}; nothing was changed\n")
        return EXIT_REFUSED
    finally:
        engine.dispose()
    return EXIT_OK


def main(argv: Sequence[str], *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one subcommand; returns the exit code."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    try:
        args = _parser().parse_args(list(argv))
    except _Usage as exc:
        err.write(f"{exc}\n")
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return EXIT_OK if exc.code in (0, None) else EXIT_USAGE
    if args.command == "serve":
        return _serve(args, out, err)
    if args.command == "openapi":
        return _openapi(out)
    return _manage(args, out, err)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
