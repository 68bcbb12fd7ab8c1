"""What the web pages read from the backend's records: live figures, finished sessions,
accounts, prices. One place that knows the other tables' columns (`backend.models`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import tariffs
from backend.models import (
    Account,
    AccountCharge,
    ChargeSession,
    Command,
    Connector,
    LiveSession,
    Station,
)
from backend.payments.models import PaymentIntent
from backend.payments.service import AccountStatus
from kiosk.domain import jsonio
from kiosk.domain.receipt_number import receipt_id_for
from kiosk.domain.tariff import Tariff, TariffError, TariffType, parse_tariffs, select_tariff
from kiosk.domain.tariff_text import TariffDescription, describe

__all__ = [
    "ConnectorView",
    "FinishedSession",
    "LiveFigures",
    "account_status",
    "connector_label",
    "connector_labels",
    "connector_view",
    "live_for_payment",
    "price_description",
    "session_by_receipt",
    "session_for_payment",
    "station_label",
]


def _json(value: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    try:  # numbers as Decimals, as the pricing engine takes them
        loaded = jsonio.loads(value)
    except ValueError:
        return None
    return loaded if isinstance(loaded, dict) else None


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
    seller: Seller | None = None
    receipt_id: str | None = None  # the number the station printed: "R-20261203-QGVZ8KNG"


@dataclass(frozen=True, slots=True)
class Seller:
    """Who sold the energy, as the station's printed receipt says it (the station sends
    it with the session; older stations do not)."""

    operator: str
    vat_id: str
    station_name: str
    address_lines: tuple[str, ...]
    connector_label: str


def _text(value: Any, limit: int = 200) -> str:
    return " ".join(value.split())[:limit] if isinstance(value, str) else ""


def _receipt_id(row: ChargeSession, sent: dict[str, Any]) -> str | None:
    """The number the station printed, derived as the station derives it (in the
    station's time zone, which it sends with the session)."""
    if row.ended_at is None:
        return None
    tz = sent.get("tz")
    try:
        return receipt_id_for(row.session_id, row.ended_at, tz if isinstance(tz, str) else "UTC")
    except (ValueError, KeyError):  # a time zone this machine does not know
        return None


def _seller(sent: dict[str, Any]) -> Seller | None:
    """The session's `seller`, as plain short text; None when it has none."""
    raw = sent.get("seller")
    if not isinstance(raw, dict):
        return None
    lines = raw.get("address_lines")
    seller = Seller(
        operator=_text(raw.get("operator")),
        vat_id=_text(raw.get("vat_id"), 40),
        station_name=_text(raw.get("station_name")),
        address_lines=tuple(
            t for t in (_text(x) for x in (lines if isinstance(lines, list) else [])[:4]) if t
        ),
        connector_label=_text(raw.get("connector_label"), 16),
    )
    return seller if seller.operator or seller.station_name else None


def _finished(row: ChargeSession) -> FinishedSession:
    sent = _json(row.session_json) or {}  # the session as the station sent it
    return FinishedSession(
        station_id=row.station_id,
        session_id=row.session_id,
        connector_id=row.connector_id,
        evse_id=row.evse_id,
        started_at=row.started_at,
        ended_at=row.ended_at,
        energy_kwh=row.energy_kwh,
        cost=row.cost,
        currency=row.currency,
        stop_reason=row.stop_reason,
        payment_method=row.payment_method,
        payment_ref=row.payment_ref,
        contract_id=row.contract_id,
        receipt_token=row.receipt_token,
        cdr=_json(row.cdr_json),
        backend_cost=row.backend_cost,
        seller=_seller(sent),
        receipt_id=_receipt_id(row, sent),
    )


def _live(row: LiveSession) -> LiveFigures:
    return LiveFigures(
        session_id=row.session_id,
        connector_id=row.connector_id,
        state=row.state,
        energy_kwh=row.energy_kwh,
        cost=row.cost,
        currency=row.currency,
        updated_at=row.updated_at,
    )


def account_status(session: Session, contract_id: str) -> AccountStatus | None:
    """The account a contract id belongs to (for an account hold)."""
    account = session.scalars(select(Account).where(Account.contract_id == contract_id)).first()
    if account is None:
        return None
    return AccountStatus(account.id, account.blocked, account.customer_group)


def station_label(session: Session, station_id: str) -> str:
    name = session.scalar(select(Station.name).where(Station.id == station_id))
    return name or station_id


def station_time_zone(session: Session, station_id: str, default: str = "Europe/Berlin") -> str:
    """The station's IANA time zone (its receipts' local times)."""
    zone = session.scalar(select(Station.time_zone).where(Station.id == station_id))
    return zone or default


@dataclass(frozen=True, slots=True)
class ConnectorView:
    """A provisioned connector as the pages show it."""

    station_id: str
    connector_id: str
    label: str
    evse_id: str | None
    max_power_kw: Decimal | None


def _connector(row: Connector) -> ConnectorView:
    return ConnectorView(row.station_id, row.connector_id, row.label, row.evse_id, row.max_power_kw)


def connector_view(session: Session, station_id: str, connector_id: str) -> ConnectorView | None:
    """The connector as the operator provisioned it; None when it is not."""
    row = session.get(Connector, (station_id, connector_id))
    return None if row is None else _connector(row)


def connector_label(session: Session, station_id: str, connector_id: str) -> str:
    """What the kiosk calls the connector ("A"); its id when it is not provisioned."""
    found = connector_view(session, station_id, connector_id)
    return connector_id if found is None else found.label


def connector_labels(session: Session, station_ids: set[str]) -> dict[tuple[str, str], str]:
    """{(station id, connector id): label} of these stations' provisioned connectors."""
    if not station_ids:
        return {}
    rows = session.execute(
        select(Connector.station_id, Connector.connector_id, Connector.label).where(
            Connector.station_id.in_(sorted(station_ids))
        )
    ).all()
    return {(r.station_id, r.connector_id): r.label for r in rows}


def live_for_payment(session: Session, payment_ref: str) -> LiveFigures | None:
    row = session.scalars(
        select(LiveSession)
        .where(LiveSession.payment_ref == payment_ref)
        .order_by(LiveSession.updated_at.desc())
    ).first()
    return None if row is None else _live(row)


def live_for_session(session: Session, station_id: str, session_id: str) -> LiveFigures | None:
    row = session.get(LiveSession, (station_id, session_id))
    return None if row is None else _live(row)


def live_for_contract(
    session: Session, station_id: str, connector_id: str, contract_id: str
) -> LiveFigures | None:
    """The running session on the connector held for this contract's account."""
    row = session.scalars(
        select(LiveSession)
        .join(PaymentIntent, PaymentIntent.id == LiveSession.payment_ref)
        .where(
            LiveSession.station_id == station_id,
            LiveSession.connector_id == connector_id,
            PaymentIntent.contract_id == contract_id,
        )
        .order_by(LiveSession.updated_at.desc())
    ).first()
    return None if row is None else _live(row)


def session_for_payment(session: Session, payment_ref: str) -> FinishedSession | None:
    row = session.scalars(
        select(ChargeSession).where(ChargeSession.payment_ref == payment_ref)
    ).first()
    return None if row is None else _finished(row)


def session_by_receipt(session: Session, receipt_token: str) -> FinishedSession | None:
    row = session.scalars(
        select(ChargeSession).where(ChargeSession.receipt_token == receipt_token)
    ).first()
    return None if row is None else _finished(row)


def sessions_for_contract(
    session: Session, contract_id: str, limit: int = 20
) -> list[FinishedSession]:
    rows = session.scalars(
        select(ChargeSession)
        .where(ChargeSession.contract_id == contract_id)
        .order_by(ChargeSession.started_at.desc())
        .limit(limit)
    )
    return [_finished(r) for r in rows]


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


def _account(row: Account) -> AccountView:
    return AccountView(
        id=row.id,
        email=row.email,
        name=row.name or row.email,
        contract_id=row.contract_id,
        customer_group=row.customer_group,
        blocked=row.blocked,
        password_hash=row.password_hash,
    )


def account_by_email(session: Session, email: str) -> AccountView | None:
    row = session.scalars(select(Account).where(Account.email == email.strip().lower())).first()
    return None if row is None else _account(row)


def account_by_id(session: Session, account_id: str) -> AccountView | None:
    row = session.get(Account, account_id)
    return None if row is None else _account(row)


def find_connector(session: Session, evse_id: str) -> tuple[str, str] | None:
    """(station id, connector id) of an EVSE id: a provisioned connector's (as printed,
    or typed in lower case), else the one of the sessions last seen on it, else the id is
    "<station id>:<connector id>" of a known station."""
    for code in dict.fromkeys((evse_id, evse_id.upper())):
        row = session.execute(
            select(Connector.station_id, Connector.connector_id).where(Connector.evse_id == code)
        ).first()
        if row is not None:
            return row.station_id, row.connector_id
    row = session.execute(
        select(ChargeSession.station_id, ChargeSession.connector_id)
        .where(ChargeSession.evse_id == evse_id)
        .order_by(ChargeSession.started_at.desc())
    ).first()
    if row is not None:
        return row.station_id, row.connector_id
    # "<station id>:<connector id>" names a connector of a known station directly
    station_id, sep, connector_id = evse_id.rpartition(":")
    if sep and connector_id and session.get(Station, station_id) is not None:
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
    row = session.get(Command, command_id)
    if row is None or row.account_id != account_id:
        return None
    return CommandView(row.id, row.type, row.status, row.reason, row.session_id)


@dataclass(frozen=True, slots=True)
class ChargeView:
    session_id: str
    amount: Decimal  # what the session cost
    refunded: Decimal  # what refunds took off it since
    currency: str
    at: datetime | None


def charges_for_account(session: Session, account_id: str, limit: int = 20) -> list[ChargeView]:
    rows = session.scalars(
        select(AccountCharge)
        .where(AccountCharge.account_id == account_id)
        .order_by(AccountCharge.created_at.desc(), AccountCharge.id.desc())
        .limit(limit)
    )
    return [
        ChargeView(r.session_id, r.amount, r.refunded_amount, r.currency, r.created_at)
        for r in rows
    ]
