"""The ledger's commands: simulate, db check, sessions, receipts, CDR export, reports."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO, cast
from zoneinfo import ZoneInfo

from kiosk.config import Settings, demo_settings, load_settings
from kiosk.domain import jsonio
from kiosk.domain.errors import KnownError
from kiosk.domain.payment import Payment
from kiosk.domain.session import ChargingSession, SessionState
from kiosk.domain.tariff import parse_datetime
from kiosk.ledger_check import check_ledger, render_check, render_error
from kiosk.reports import daily_report, render_report
from kiosk.station_keys import load_station_keys
from kiosk.store import Database, StorageError, open_database
from kiosk.store.database import head_revision

_MILLI = Decimal("0.001")

__all__ = [
    "db_check",
    "export_cdrs",
    "report_daily",
    "session_list",
    "session_show",
    "settings_for",
]


DEFAULT_LEDGER = "kiosk.sqlite"


def settings_for(config: Path | None, db: Path | None) -> Settings:
    """The configured station, or the demo station; --db overrides the database."""
    if config is not None:
        settings = load_settings(config)
    else:  # the one default ledger of every command: kiosk.sqlite here (simulate's too)
        settings = demo_settings(Path.cwd() / DEFAULT_LEDGER)
    if db is not None:
        settings = replace(settings, database=db)
    return settings


def _open(path: Path) -> Database:
    """The ledger for a reading command: read-only, so a running kiosk's lock is no bar.

    A ledger at an older revision is opened as a writer once, which migrates it (as
    these commands always did); that needs the kiosk to be stopped. A ledger that
    cannot be opened raises its StorageError: kiosk/cli.py turns it into one line on
    stderr and exit 2.
    """
    if not path.exists():
        raise StorageError(
            f"no database at {path}: name the ledger with --db FILE (or --config), "
            "or make one here with `kiosk simulate`"
        )
    db = open_database(path, read_only=True)
    if db.revision == head_revision():
        return db
    db.close()
    return open_database(path)


def db_check(
    path: Path,
    *,
    as_json: bool,
    out: TextIO,
    key_file: Path | None = None,
    key_required: bool = False,
) -> int:
    """`kiosk db check`: 0 all checks passed, 1 findings, 2 the file cannot be checked.

    Read-only: the ledger is opened with `open_database(read_only=True)` (nothing is
    created, migrated or checkpointed) and the station key, from `key_file` (default
    the ledger's name with `.key`, as in the configuration), is only read. Without a
    key, keyed audit entries are listed as not verified (exit 0 if nothing else is
    wrong); with `key_required` (`--key` given) a missing key file is exit 2.
    """
    key_path = path.with_suffix(".key") if key_file is None else key_file
    try:
        db = open_database(path, read_only=True)
    except KnownError as exc:
        out.write(render_error(str(exc), as_json=as_json))
        return 2
    with db:
        try:
            keys = load_station_keys(key_path, create=False)
        except KnownError as exc:
            out.write(render_error(str(exc), as_json=as_json))
            return 2
        if keys is None and key_required:
            out.write(render_error(f"no station key at {key_path}", as_json=as_json))
            return 2
        try:
            result = check_ledger(db, keys=keys, key_source=key_path)
        except KnownError as exc:  # the file went away or became unreadable meanwhile
            out.write(render_error(str(exc), as_json=as_json))
            return 2
        except Exception as exc:  # the check is total; if it is not, say so in one line
            out.write(
                render_error(
                    f"the check itself failed on {path} ({type(exc).__name__}: {exc});"
                    " please report this",
                    as_json=as_json,
                )
            )
            return 2
    out.write(render_check(result, as_json=as_json))
    return 0 if result.ok else 1


_LIST_HEAD = (
    f"{'SESSION':<36}  {'CREATED (LOCAL)':<16}  {'POINT':<5}  {'STATE':<12} "
    f"{'ENERGY':>12} {'TOTAL':>12}  STOPPED"
)


def _line(s: ChargingSession, zone: ZoneInfo, labels: dict[str, str]) -> str:
    when = s.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    cost = "" if s.totals is None else f"{s.totals.cost_incl_vat} {s.currency}"
    energy = "" if s.totals is None else f"{s.totals.energy_kwh.quantize(_MILLI)} kWh"
    reason = "" if s.stop_reason is None else s.stop_reason.value
    state = s.state.value
    point = labels.get(s.connector_id, s.connector_id)
    return f"{s.id}  {when}  {point:<5}  {state:<12} {energy:>12} {cost:>12}  {reason}"


def session_list(settings: Settings, *, state: str | None, limit: int, out: TextIO) -> int:
    zone = ZoneInfo(settings.station.time_zone)
    try:
        wanted = None if state is None else SessionState(state)
    except ValueError:
        out.write(
            f"error: unknown state {state!r}; one of {', '.join(s.value for s in SessionState)}\n"
        )
        return 2
    db = _open(settings.database)
    with db, db.unit_of_work(write=False) as uow:
        sessions = uow.sessions.list(state=wanted, limit=limit)
    labels = {c.id: c.label for c in settings.connectors}  # "A", "DC": as the screen says
    out.write(_LIST_HEAD + "\n")
    for s in sessions:
        out.write(_line(s, zone, labels) + "\n")
    if not sessions:
        out.write("(no sessions)\n")
    return 0


def session_show(settings: Settings, session_id: str, *, out: TextIO) -> int:
    loaded = _session_and_payment(settings, session_id, out)
    if loaded is None:
        return 2
    s, p = loaded
    zone = ZoneInfo(settings.station.time_zone)
    rows = [
        ("session", s.id),
        ("state", s.state.value),
        ("connector", f"{s.connector_id} ({s.evse_id})"),
        ("tariff", s.tariff_id),
        ("customer group", s.customer_group or "—"),
        ("token", s.token_type.value),
        ("created", s.created_at.astimezone(zone).isoformat()),
        ("plugged in", "—" if s.plugged_at is None else s.plugged_at.astimezone(zone).isoformat()),
        ("ended", "—" if s.ended_at is None else s.ended_at.astimezone(zone).isoformat()),
        ("stop reason", "—" if s.stop_reason is None else s.stop_reason.value),
        ("periods", str(len(s.periods))),
    ]
    if s.totals is not None:
        rows += [
            ("energy", f"{s.totals.energy_kwh} kWh"),
            (
                "cost",
                f"{s.totals.cost_incl_vat} {s.currency} incl. VAT ({s.totals.cost_excl_vat} excl.)",
            ),
        ]
    if p is not None:
        rows += [
            ("payment", f"{p.method.value} {p.state.value} {p.masked_ref or ''}"),
            ("authorized", f"{p.authorized} {p.currency}"),
            ("captured", f"{p.captured} {p.currency}"),
        ]
        rows += [
            (f"  {op.kind.value}", f"{op.state.value} {op.amount} key={op.idempotency_key}")
            for op in p.operations
        ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        out.write(f"{key:<{width}}  {value}\n")
    return 0


def _receipt_token(settings: Settings, session_id: str) -> str | None:
    """The e-receipt's name, when the station's key is there to make it."""
    try:
        keys = load_station_keys(settings.secret_file, create=False)
    except KnownError:
        return None
    return None if keys is None else keys.receipt_token(session_id)


def export_cdrs(
    settings: Settings, *, since: str | None, out_path: Path | None, out: TextIO
) -> int:
    try:
        moment = datetime(1970, 1, 1, tzinfo=UTC) if since is None else parse_datetime(since)
    except ValueError as exc:
        out.write(f"error: --since: {exc}\n")
        return 2
    st = settings.station
    try:
        sink = out if out_path is None else out_path.open("w", encoding="utf-8")
    except OSError as exc:
        out.write(f"error: cannot write {out_path}: {exc.strerror or exc}\n")
        return 2
    count = 0
    try:
        db = _open(settings.database)
        with db, db.unit_of_work(write=False) as uow:
            for s in uow.sessions.completed_since(moment):
                loc = settings.cdr_location(s.connector_id, s.evse_id)
                cdr = s.cdr(country_code=st.country_code, party_id=st.party_id, location=loc)
                sink.write(jsonio.dumps_numbers({"tariff": None, "cdr": cdr, "tz": s.tz}) + "\n")
                count += 1
    finally:
        if sink is not out:
            sink.close()
    if out_path is not None:
        out.write(f"exported {count} CDR(s) to {out_path}\n")
    return 0


def report_daily(settings: Settings, *, day: str | None, as_json: bool, out: TextIO) -> int:
    zone = ZoneInfo(settings.station.time_zone)
    try:
        chosen = None if day is None else date.fromisoformat(day)
    except ValueError:
        out.write(f"error: --date must look like 2026-11-24, not {day!r}\n")
        return 2
    db = _open(settings.database)
    with db:
        if chosen is None:  # the latest day with a finished session, in station time
            with db.unit_of_work(write=False) as uow:
                latest = uow.sessions.latest_ended_at()
            if latest is None:
                out.write("no finished sessions in this ledger yet: nothing to report\n")
                return 0
            chosen = latest.astimezone(zone).date()
        report = daily_report(db, settings, chosen)
    out.write(render_report(report, as_json=as_json))
    return 0


def _session_and_payment(
    settings: Settings, wanted: str, out: TextIO
) -> tuple[ChargingSession, Payment | None] | None:
    """The session `wanted` names (see _find_session) and its payment; None: said why."""
    db = _open(settings.database)
    with db, db.unit_of_work(write=False) as uow:
        found = _find_session(uow, wanted.strip(), settings.station.time_zone)
        if isinstance(found, str):
            out.write(f"error: {found}\n")
            return None
        return found, uow.payments.get_by_session(found.id)


def _find_session(uow: Any, wanted: str, tz: str) -> ChargingSession | str:
    """A session by its id, a unique id prefix (8+ characters) or its receipt number
    ("R-20261124-7F3K9QXA"); else what went wrong."""
    from kiosk.domain.receipt_number import receipt_id_for  # noqa: PLC0415

    s = uow.sessions.get(wanted)
    if s is not None:
        return cast("ChargingSession", s)
    m = re.fullmatch(r"R-(\d{4})(\d{2})(\d{2})-[0-9A-Z]{8}", wanted.upper())
    if m is not None:
        zone = ZoneInfo(tz)
        day = datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=zone)
        for s in uow.sessions.completed_between(
            (day - timedelta(hours=1)).astimezone(UTC),
            (day + timedelta(days=1, hours=1)).astimezone(UTC),
        ):
            if s.ended_at is not None and receipt_id_for(s.id, s.ended_at, tz) == wanted.upper():
                return cast("ChargingSession", s)
        return f"no receipt {wanted}"
    if len(wanted) >= 8:
        ids = uow.sessions.ids_starting(wanted.lower())
        if len(ids) == 1:
            return cast("ChargingSession", uow.sessions.get(ids[0]))
        if len(ids) > 1:
            return f"{wanted} is the start of several sessions: give more of the id"
    return f"no session {wanted} (a session id, its first 8+ characters, or a receipt number)"


def receipt(
    settings: Settings,
    session_id: str,
    *,
    pdf: Path | None,
    html: Path | None,
    language: str,
    out: TextIO,
) -> int:
    """Print a completed session's receipt; optionally write the PDF / HTML e-receipt."""
    from kiosk.receipts import (  # noqa: PLC0415 - fpdf2 loads only for receipts
        StationInfo,
        build_receipt,
        render_html,
        render_text,
    )
    from kiosk.receipts.render_pdf import render_pdf  # noqa: PLC0415

    loaded = _session_and_payment(settings, session_id, out)
    if loaded is None:
        return 2
    s, p = loaded
    if s.state is not SessionState.COMPLETED:
        out.write(f"error: session {session_id} is {s.state.value}: no receipt\n")
        return 2
    try:
        r = build_receipt(
            s,
            p,
            s.final_breakdown(),
            StationInfo.from_config(settings.station, settings.connectors),
            language=language,
            e_receipt_base_url=settings.e_receipt_base_url,
            e_receipt_token=_receipt_token(settings, s.id),
        )
    except ValueError as exc:
        out.write(f"error: {exc}\n")
        return 2
    out.write(render_text(r))
    try:
        if pdf is not None:
            pdf.write_bytes(render_pdf(r))
            out.write(f"PDF e-receipt written to {pdf}\n")
        if html is not None:
            html.write_text(render_html(r), encoding="utf-8")
            out.write(f"HTML e-receipt written to {html}\n")
    except (OSError, KnownError) as exc:
        out.write(f"error: {exc}\n")
        return 2
    return 0
