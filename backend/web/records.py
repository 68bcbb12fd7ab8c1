"""What the web pages read from the backend's records: live figures, finished sessions,
accounts, prices. One place that knows the other tables' columns (`backend.models`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import RowMapping, Table, select
from sqlalchemy.orm import Session

from backend import models, tariffs
from backend.db import Base
from backend.payments.models import PaymentIntent
from backend.payments.service import AccountStatus
from kiosk.domain import jsonio
from kiosk.domain.tariff import Tariff, TariffError, TariffType, parse_tariffs, select_tariff
from kiosk.domain.tariff_text import TariffDescription, describe

__all__ = [
    "FinishedSession",
    "LiveFigures",
    "account_status",
    "connector_label",
    "live_for_payment",
    "price_description",
    "session_by_receipt",
    "session_for_payment",
    "station_label",
]

_ = models  # the tables below are declared there


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _decimal(value: object) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _utc(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _json(value: object) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes)):
        try:  # numbers as Decimals, as the pricing engine takes them
            loaded = jsonio.loads(value)
        except ValueError:
            return None
        return loaded if isinstance(loaded, dict) else None
    return value if isinstance(value, dict) else None


@dataclass(frozen=True, slots=True)
class LiveFigures:
    session_id: str
    connector_id: str
    state: str
    energy_kwh: Decimal
    cost: Decimal
    currency: str
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class FinishedSession:
    station_id: str
    session_id: str
    connector_id: str
    evse_id: str | None
    started_at: datetime | None
    ended_at: datetime | None
    energy_kwh: Decimal
    cost: Decimal
    currency: str
    stop_reason: str | None
    payment_method: str | None
    payment_ref: str | None
    contract_id: str | None
    receipt_token: str | None
    cdr: dict[str, Any] | None
    backend_cost: Decimal | None


def _finished(row: RowMapping) -> FinishedSession:
    backend_cost = row.get("backend_cost")
    return FinishedSession(
        station_id=str(row["station_id"]),
        session_id=str(row["session_id"]),
        connector_id=str(row.get("connector_id") or ""),
        evse_id=row.get("evse_id"),
        started_at=_utc(row.get("started_at")),
        ended_at=_utc(row.get("ended_at")),
        energy_kwh=_decimal(row.get("energy_kwh")),
        cost=_decimal(row.get("cost")),
        currency=str(row.get("currency") or "EUR"),
        stop_reason=row.get("stop_reason"),
        payment_method=row.get("payment_method"),
        payment_ref=row.get("payment_ref"),
        contract_id=row.get("contract_id"),
        receipt_token=row.get("receipt_token"),
        cdr=_json(row.get("cdr_json")),
        backend_cost=None if backend_cost is None else _decimal(backend_cost),
    )


def _live(row: RowMapping) -> LiveFigures:
    return LiveFigures(
        session_id=str(row["session_id"]),
        connector_id=str(row.get("connector_id") or ""),
        state=str(row.get("state") or ""),
        energy_kwh=_decimal(row.get("energy_kwh")),
        cost=_decimal(row.get("cost")),
        currency=str(row.get("currency") or "EUR"),
        updated_at=_utc(row.get("updated_at")),
    )


def account_status(session: Session, contract_id: str) -> AccountStatus | None:
    """The account a contract id belongs to (for an account hold)."""
    accounts = _table("accounts")
    row = session.execute(select(accounts).where(accounts.c.contract_id == contract_id)).first()
    if row is None:
        return None
    m = row._mapping
    return AccountStatus(str(m["id"]), bool(m["blocked"]), m.get("customer_group"))


def station_label(session: Session, station_id: str) -> str:
    stations = _table("stations")
    if "name" in stations.c:
        name = session.execute(
            select(stations.c.name).where(stations.c.id == station_id)
        ).scalar_one_or_none()
        if name:
            return str(name)
    return station_id


def station_time_zone(session: Session, station_id: str, default: str = "Europe/Berlin") -> str:
    """The station's IANA time zone (its receipts' local times)."""
    stations = _table("stations")
    if "time_zone" in stations.c:
        zone = session.execute(
            select(stations.c.time_zone).where(stations.c.id == station_id)
        ).scalar_one_or_none()
        if zone:
            return str(zone)
    return default


def connector_label(session: Session, station_id: str, connector_id: str) -> str:
    return connector_id


def live_for_payment(session: Session, payment_ref: str) -> LiveFigures | None:
    live = _table("live_sessions")
    row = session.execute(
        select(live).where(live.c.payment_ref == payment_ref).order_by(live.c.updated_at.desc())
    ).first()
    return None if row is None else _live(row._mapping)


def live_for_session(session: Session, station_id: str, session_id: str) -> LiveFigures | None:
    live = _table("live_sessions")
    row = session.execute(
        select(live).where(live.c.station_id == station_id, live.c.session_id == session_id)
    ).first()
    return None if row is None else _live(row._mapping)


def live_for_contract(
    session: Session, station_id: str, connector_id: str, contract_id: str
) -> LiveFigures | None:
    """The running session on the connector held for this contract's account."""
    live = _table("live_sessions")
    row = session.execute(
        select(live)
        .join(PaymentIntent, PaymentIntent.id == live.c.payment_ref)
        .where(
            live.c.station_id == station_id,
            live.c.connector_id == connector_id,
            PaymentIntent.contract_id == contract_id,
        )
        .order_by(live.c.updated_at.desc())
    ).first()
    return None if row is None else _live(row._mapping)


def session_for_payment(session: Session, payment_ref: str) -> FinishedSession | None:
    sessions = _table("sessions")
    row = session.execute(select(sessions).where(sessions.c.payment_ref == payment_ref)).first()
    return None if row is None else _finished(row._mapping)


def session_by_receipt(session: Session, receipt_token: str) -> FinishedSession | None:
    sessions = _table("sessions")
    row = session.execute(select(sessions).where(sessions.c.receipt_token == receipt_token)).first()
    return None if row is None else _finished(row._mapping)


def sessions_for_contract(
    session: Session, contract_id: str, limit: int = 20
) -> list[FinishedSession]:
    sessions = _table("sessions")
    rows = session.execute(
        select(sessions)
        .where(sessions.c.contract_id == contract_id)
        .order_by(sessions.c.started_at.desc())
        .limit(limit)
    ).all()
    return [_finished(r._mapping) for r in rows]


def tariff_for(
    session: Session, station_id: str, connector_id: str, at: datetime, *, regular: bool = False
) -> tuple[Tariff, tuple[Tariff, ...]] | None:
    """The tariff a driver on this connector sees (ad hoc for QR, regular for accounts),
    chosen as the kiosk's `tariff_for` does, with the connector's other tariffs."""
    raw = tariffs.current_tariffs(session, station_id, connector_id)
    if not raw:
        return None
    try:  # through strict JSON text: numbers become Decimals, whatever the rows gave
        parsed = parse_tariffs(jsonio.loads(jsonio.dumps_numbers(list(raw))))
    except (TariffError, jsonio.JsonInputError, TypeError, ValueError):
        return None
    kind = TariffType.REGULAR if regular else TariffType.AD_HOC_PAYMENT
    typed = [t for t in parsed if t.type in (kind, None)]
    try:
        return select_tariff(typed or list(parsed), at), parsed
    except LookupError:
        return None


def price_description(
    session: Session,
    station_id: str,
    connector_id: str,
    language: str,
    at: datetime,
    *,
    group: str | None = None,
) -> TariffDescription | None:
    """The kiosk price screen's words for this connector, in `language`."""
    chosen = tariff_for(session, station_id, connector_id, at, regular=group is not None)
    if chosen is None:
        return None
    tariff, others = chosen
    try:
        return describe(tariff, language, group, tariffs=others)
    except ValueError:
        return describe(tariff, language)


@dataclass(frozen=True, slots=True)
class AccountView:
    id: str
    email: str
    name: str
    contract_id: str | None
    customer_group: str | None
    blocked: bool
    password_hash: str


def _account(m: RowMapping) -> AccountView:
    return AccountView(
        id=str(m["id"]),
        email=str(m["email"]),
        name=str(m.get("name") or m["email"]),
        contract_id=m.get("contract_id"),
        customer_group=m.get("customer_group"),
        blocked=bool(m.get("blocked")),
        password_hash=str(m.get("password_hash") or ""),
    )


def account_by_email(session: Session, email: str) -> AccountView | None:
    accounts = _table("accounts")
    row = session.execute(select(accounts).where(accounts.c.email == email.strip().lower())).first()
    return None if row is None else _account(row._mapping)


def account_by_id(session: Session, account_id: str) -> AccountView | None:
    accounts = _table("accounts")
    row = session.execute(select(accounts).where(accounts.c.id == account_id)).first()
    return None if row is None else _account(row._mapping)


def find_connector(session: Session, evse_id: str) -> tuple[str, str] | None:
    """(station id, connector id) of an EVSE id: from the stations' connector records
    when the backend keeps them, else from the sessions seen on it, else the id is
    "<station id>:<connector id>" of a known station."""
    for name in ("station_connectors", "connectors"):
        table = Base.metadata.tables.get(name)
        if table is not None and "evse_id" in table.c:
            row = session.execute(
                select(table.c.station_id, table.c.connector_id).where(table.c.evse_id == evse_id)
            ).first()
            if row is not None:
                return str(row[0]), str(row[1])
    sessions = _table("sessions")
    row = session.execute(
        select(sessions.c.station_id, sessions.c.connector_id)
        .where(sessions.c.evse_id == evse_id)
        .order_by(sessions.c.started_at.desc())
    ).first()
    if row is not None:
        return str(row[0]), str(row[1])
    # "<station id>:<connector id>" names a connector of a known station directly
    station_id, sep, connector_id = evse_id.rpartition(":")
    if sep and connector_id:
        stations = _table("stations")
        known = session.execute(
            select(stations.c.id).where(stations.c.id == station_id)
        ).scalar_one_or_none()
        if known is not None:
            return station_id, connector_id
    return None


@dataclass(frozen=True, slots=True)
class CommandView:
    id: str
    type: str
    status: str  # pending, accepted, rejected, expired
    reason: str | None
    session_id: str | None


def command(session: Session, command_id: str, account_id: str) -> CommandView | None:
    commands = _table("commands")
    row = session.execute(
        select(commands).where(commands.c.id == command_id, commands.c.account_id == account_id)
    ).first()
    if row is None:
        return None
    m = row._mapping
    return CommandView(
        id=str(m["id"]),
        type=str(m["type"]),
        status=str(m.get("status") or "pending"),
        reason=m.get("reason"),
        session_id=m.get("session_id"),
    )


@dataclass(frozen=True, slots=True)
class ChargeView:
    session_id: str
    amount: Decimal
    currency: str
    at: datetime | None


def charges_for_account(session: Session, account_id: str, limit: int = 20) -> list[ChargeView]:
    charges = Base.metadata.tables.get("account_charges")
    if charges is None:
        return []
    order = charges.c.created_at.desc() if "created_at" in charges.c else charges.c.session_id
    rows = session.execute(
        select(charges).where(charges.c.account_id == account_id).order_by(order).limit(limit)
    ).all()
    out = []
    for r in rows:
        m = r._mapping
        out.append(
            ChargeView(
                session_id=str(m.get("session_id") or ""),
                amount=_decimal(m.get("amount")),
                currency=str(m.get("currency") or "EUR"),
                at=_utc(m.get("created_at")),
            )
        )
    return out
