"""`POST /v1/events`: a station's outbox, applied once per event key, in order.

One transaction per batch, bulk reads and inserts (a batch is up to 500 events). Every
event is kept as received: the first one under a key in `events` (accepted or
rejected), a later one with another payload in `event_conflicts`. A completed session
becomes a `sessions` row, its CDR priced again with kiosk.domain (a different total is
flagged), and a contract session is billed to its account once.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.api.fields import moment, money, text
from backend.errors import ApiError
from backend.models import (
    Account,
    AccountCharge,
    ChargeSession,
    Event,
    EventConflict,
    Station,
    Token,
)
from backend.tariffs import current_tariffs
from kiosk.domain import jsonio
from kiosk.domain.periods import decode_cdr
from kiosk.domain.pricing import NoActiveTariff, TariffPricer, price_session, select_tariff
from kiosk.domain.tariff import Tariff, TariffError, parse_tariffs

__all__ = ["MAX_EVENTS", "PricingCache", "ingest", "reprice"]

log = logging.getLogger(__name__)

MAX_EVENTS: Final = 500
_KEY: Final = re.compile(r"[\x20-\x7e]{1,256}")
_TOPIC: Final = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
_CURRENCY: Final = re.compile(r"[A-Z]{3}")
_ATTEMPTS: Final = 3  # a batch racing the same batch on another instance is read again


# --- pricing --------------------------------------------------------------------------


@dataclass
class _Compiled:
    tariffs: tuple[Tariff, ...]
    pricers: dict[str, TariffPricer]


@dataclass
class PricingCache:
    """Tariffs repeat across a batch's CDRs: parse and compile each list once."""

    by_raw: dict[bytes, _Compiled | str] = field(default_factory=dict)
    zones: dict[str, ZoneInfo] = field(default_factory=dict)

    def compiled(self, raw: bytes) -> _Compiled:
        hit = self.by_raw.get(raw)
        if hit is None:
            try:
                tariffs = parse_tariffs(jsonio.loads(raw), require_identity=False)
                hit = _Compiled(tariffs, {t.id: TariffPricer(t) for t in tariffs})
            except (TariffError, ValueError) as exc:
                hit = f"invalid tariff: {exc}"
            if len(self.by_raw) > 1000:
                self.by_raw.clear()
            self.by_raw[raw] = hit
        if isinstance(hit, str):
            raise ValueError(hit)
        return hit

    def zone(self, name: str) -> ZoneInfo:
        zone = self.zones.get(name)
        if zone is None:
            zone = self.zones[name] = ZoneInfo(name)
        return zone


def reprice(
    cdr: Mapping[str, Any],
    tz: str,
    fallback: Callable[[], list[Any]],
    cache: PricingCache,
    *,
    cdr_text: bytes | None = None,
) -> Decimal:
    """The CDR's total incl. VAT as kiosk.domain prices it: with the tariffs the CDR
    embeds, else with `fallback()` (the connector's tariffs). ValueError when it cannot."""
    parsed, embedded = decode_cdr(cdr_text if cdr_text is not None else _encode(cdr))
    raw = embedded
    if raw is None or raw.strip() in (b"[]", b"null"):
        tariffs = fallback()
        if not tariffs:
            raise ValueError("no tariff: none embedded in the CDR and none for the connector")
        raw = _encode(tariffs)
    compiled = cache.compiled(raw)
    tariff = select_tariff(compiled.tariffs, parsed.start, parsed.periods[0].tariff_id)
    if parsed.currency is not None and parsed.currency != tariff.currency:
        raise ValueError(
            f"the CDR is in {parsed.currency}, tariff {tariff.id!r} in {tariff.currency}"
        )
    breakdown = price_session(
        parsed.periods,
        start=parsed.start,
        end=parsed.end,
        tz=cache.zone(tz),
        pricer=compiled.pricers[tariff.id],
        extra_tariffs={
            k: p for k, p in compiled.pricers.items() if p.tariff.currency == tariff.currency
        },
        explain=False,
    )
    return breakdown.total_cost.incl_vat


# --- events ---------------------------------------------------------------------------


class _Rejected(Exception):
    pass


# exact JSON numbers for Decimals (as received); C speed: a batch holds 500 CDRs
_encode = msgspec.json.Encoder(decimal_format="number").encode
_canonical = msgspec.json.Encoder(decimal_format="number", order="sorted").encode


def _text(value: object) -> str:
    return _encode(value).decode()


def _digest(topic: str, payload: object) -> str:
    digest = hashlib.sha256(topic.encode() + b"\n")
    digest.update(_canonical(payload))
    return digest.hexdigest()


@dataclass
class _Incoming:
    index: int
    key: str
    topic: str
    aggregate_id: str | None
    created_at: datetime | None
    payload: dict[str, Any]
    digest: str


def _envelope(index: int, raw: object) -> _Incoming | dict[str, Any]:
    """The event, or its `rejected` result when even its envelope is unusable."""
    key = raw.get("idempotency_key") if isinstance(raw, dict) else None
    shown = key if isinstance(key, str) and len(key) <= 256 else None

    def refuse(why: str) -> dict[str, Any]:
        return {"idempotency_key": shown, "status": "rejected", "error": f"events[{index}]: {why}"}

    if not isinstance(raw, dict):
        return refuse("an event must be an object")
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        return refuse("idempotency_key: 1-256 printable ASCII characters")
    topic = raw.get("topic")
    if not isinstance(topic, str) or not _TOPIC.fullmatch(topic):
        return refuse("topic: 1-100 characters of A-Z a-z 0-9 _ . : -")
    payload = raw.get("payload")
    if not isinstance(payload, dict):
        return refuse("payload: must be an object")
    try:
        aggregate_id = text(raw, "aggregate_id", required=False, max_len=256)
        created_at = moment(raw, "created_at", required=False)
    except ApiError as exc:
        return refuse(exc.message)
    return _Incoming(index, key, topic, aggregate_id, created_at, payload, _digest(topic, payload))


def _session_row(
    station: Station,
    event: _Incoming,
    now: datetime,
    cache: PricingCache,
    tariffs_of: Callable[[str], list[Any]],
) -> dict[str, Any]:
    payload = event.payload
    raw = payload.get("session")
    if not isinstance(raw, dict):
        raise _Rejected("payload.session: must be an object")
    cdr = payload.get("cdr")
    if not isinstance(cdr, dict):
        raise _Rejected("payload.cdr: must be an OCPI CDR object")
    try:
        session_id = text(raw, "id", max_len=128, path="session")
        connector_id = text(raw, "connector_id", max_len=36, path="session")
        currency = text(raw, "currency", max_len=3, path="session")
        energy = money(raw, "energy_kwh", path="session")
        cost = money(raw, "cost", path="session")
        row: dict[str, Any] = {
            "station_id": station.id,
            "session_id": session_id,
            "connector_id": connector_id,
            "evse_id": text(raw, "evse_id", required=False, max_len=64, path="session"),
            "started_at": moment(raw, "started_at", required=False, path="session"),
            "ended_at": moment(raw, "ended_at", required=False, path="session"),
            "energy_kwh": energy,
            "cost": cost,
            "currency": currency,
            "stop_reason": text(raw, "stop_reason", required=False, max_len=64, path="session"),
            "token_type": text(raw, "token_type", required=False, max_len=32, path="session"),
            "contract_id": text(raw, "contract_id", required=False, max_len=64, path="session"),
            "customer_group": text(
                raw, "customer_group", required=False, max_len=64, path="session"
            ),
            "payment_method": text(
                raw, "payment_method", required=False, max_len=32, path="session"
            ),
            "payment_ref": text(raw, "payment_ref", required=False, max_len=64, path="session"),
            "receipt_token": text(raw, "receipt_token", required=False, max_len=64, path="session")
            or text(payload, "receipt_token", required=False, max_len=64),
        }
        tz = text(raw, "tz", required=False, max_len=64, path="session") or station.time_zone
    except ApiError as exc:
        raise _Rejected(exc.message) from None
    if currency is None or not _CURRENCY.fullmatch(currency):
        raise _Rejected("session.currency: an ISO 4217 code like EUR")
    assert connector_id is not None
    assert cost is not None
    backend_cost: Decimal | None = None
    note: str | None = None
    cdr_text = _encode(cdr)
    try:
        backend_cost = reprice(cdr, tz, lambda: tariffs_of(connector_id), cache, cdr_text=cdr_text)
    except NoActiveTariff as exc:
        note = f"not priced: no active tariff: {exc}"
    except (ValueError, ArithmeticError, LookupError, RecursionError) as exc:
        note = f"not priced: {str(exc)[:300]}"
    mismatch = backend_cost is None or backend_cost != cost
    if backend_cost is not None and mismatch:
        note = f"the station charged {cost}, the backend prices {backend_cost}"
    row.update(
        cdr_json=cdr_text.decode(),
        session_json=_text(raw),
        backend_cost=backend_cost,
        price_mismatch=mismatch,
        price_note=note,
        received_at=now,
    )
    return row


def _chunks(items: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _known_events(session: Session, station_id: str, keys: Sequence[str]) -> dict[str, Any]:
    known: dict[str, Any] = {}
    for chunk in _chunks(sorted(set(keys))):
        for row in session.execute(
            select(Event.idempotency_key, Event.payload_sha256, Event.status, Event.error).where(
                Event.station_id == station_id, Event.idempotency_key.in_(chunk)
            )
        ):
            known[row.idempotency_key] = (row.payload_sha256, row.status, row.error)
    return known


def _existing(session: Session, column: Any, where: Any, values: Iterable[str]) -> set[str]:
    found: set[str] = set()
    wanted = sorted({v for v in values if v})
    for chunk in _chunks(wanted):
        found.update(session.scalars(select(column).where(where, column.in_(chunk))))
    return found


def _accounts(session: Session, contracts: set[str]) -> dict[str, str]:
    """contract id -> account id, by the account's contract or a token's account."""
    found: dict[str, str] = {}
    wanted = sorted(contracts)
    for chunk in _chunks(wanted):
        for token_contract, token_account in session.execute(
            select(Token.contract_id, Token.account_id).where(
                Token.contract_id.in_(chunk), Token.account_id.is_not(None)
            )
        ):
            if token_account is not None:
                found[token_contract] = token_account
        for contract, account_id in session.execute(
            select(Account.contract_id, Account.id).where(Account.contract_id.in_(chunk))
        ):
            found[contract] = account_id
    return found


def _apply(
    session: Session, station: Station, raw_events: Sequence[object], now: datetime
) -> list[dict[str, Any]]:
    cache = PricingCache()
    tariff_lists: dict[str, list[Any]] = {}

    def tariffs_of(connector_id: str) -> list[Any]:
        if connector_id not in tariff_lists:
            tariff_lists[connector_id] = current_tariffs(session, station.id, connector_id)
        return tariff_lists[connector_id]

    parsed = [_envelope(i, raw) for i, raw in enumerate(raw_events)]
    incoming = [p for p in parsed if isinstance(p, _Incoming)]
    known = _known_events(session, station.id, [e.key for e in incoming])
    session_ids: list[str] = []
    tokens: list[str] = []
    for e in incoming:
        raw = e.payload.get("session")
        if e.topic == "session.completed" and isinstance(raw, dict):
            if isinstance(raw.get("id"), str):
                session_ids.append(raw["id"])
            for holder in (raw, e.payload):
                if isinstance(holder.get("receipt_token"), str):
                    tokens.append(holder["receipt_token"])
    recorded = _existing(
        session, ChargeSession.session_id, ChargeSession.station_id == station.id, session_ids
    )
    used_tokens = _existing(session, ChargeSession.receipt_token, True, tokens)

    results: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    conflicts: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    for item in parsed:
        if not isinstance(item, _Incoming):
            log.warning("events: %s %s", station.id, item["error"])
            results.append(item)
            continue
        seen = known.get(item.key)
        if seen is not None:
            digest, status, error = seen
            if digest == item.digest:
                result = {"idempotency_key": item.key, "status": "duplicate"}
                if status == "rejected":
                    result = {"idempotency_key": item.key, "status": "rejected", "error": error}
                results.append(result)
                continue
            log.warning("events: %s conflict on key %r (another payload)", station.id, item.key)
            conflicts.append(
                {
                    "station_id": station.id,
                    "idempotency_key": item.key,
                    "topic": item.topic,
                    "received_at": now,
                    "payload_json": _text(item.payload),
                    "payload_sha256": item.digest,
                }
            )
            results.append(
                {
                    "idempotency_key": item.key,
                    "status": "conflict",
                    "error": "this key was sent before with another payload: kept, not applied",
                }
            )
            continue
        status, error = "accepted", None
        if item.topic == "session.completed":
            try:
                row = _session_row(station, item, now, cache, tariffs_of)
                if row["session_id"] in recorded:
                    raise _Rejected(f"session {row['session_id']!r} is recorded already")
                if row["receipt_token"] is not None and row["receipt_token"] in used_tokens:
                    raise _Rejected("receipt_token is used by another session")
                recorded.add(row["session_id"])
                if row["receipt_token"] is not None:
                    used_tokens.add(row["receipt_token"])
                sessions.append(row)
            except _Rejected as exc:
                status, error = "rejected", str(exc)
                log.warning("events: %s rejected %r: %s", station.id, item.key, error)
        known[item.key] = (item.digest, status, error)
        events.append(
            {
                "station_id": station.id,
                "idempotency_key": item.key,
                "topic": item.topic,
                "aggregate_id": item.aggregate_id,
                "created_at": item.created_at,
                "received_at": now,
                "payload_json": _text(item.payload),
                "payload_sha256": item.digest,
                "status": status,
                "error": error,
            }
        )
        result = {"idempotency_key": item.key, "status": status}
        if error is not None:
            result["error"] = error
        results.append(result)

    if events:
        session.execute(insert(Event), events)
    if conflicts:
        session.execute(insert(EventConflict), conflicts)
    if sessions:
        session.execute(insert(ChargeSession), sessions)
        _bill(session, station.id, sessions, now)
    return results


def _bill(session: Session, station_id: str, sessions: list[dict[str, Any]], now: datetime) -> None:
    contracts = {s["contract_id"] for s in sessions if s["contract_id"]}
    if not contracts:
        return
    accounts = _accounts(session, contracts)
    charges = [
        {
            "account_id": accounts[s["contract_id"]],
            "station_id": station_id,
            "session_id": s["session_id"],
            "amount": s["cost"],
            "currency": s["currency"],
            "created_at": now,
        }
        for s in sessions
        if s["contract_id"] in accounts
    ]
    for s in sessions:
        if s["contract_id"] and s["contract_id"] not in accounts:
            log.info(
                "events: %s session %s: no account for its contract", station_id, s["session_id"]
            )
    if charges:
        session.execute(insert(AccountCharge), charges)


def ingest(
    session: Session, station_id: str, raw_events: Sequence[object], now: datetime
) -> list[dict[str, Any]]:
    """Apply a batch; one result per event, in order. Flushed, not committed.

    When another instance writes the same events at the same moment, the unique keys
    refuse one of the two: the batch is rolled back and read again (then duplicates).
    """
    if len(raw_events) > MAX_EVENTS:
        raise ApiError(422, "too_many_events", f"at most {MAX_EVENTS} events a call")
    for attempt in range(_ATTEMPTS):
        station = session.get(Station, station_id)
        if station is None:
            raise ApiError(404, "not_found", f"no station {station_id!r}")
        try:
            with session.begin_nested():
                return _apply(session, station, raw_events, now)
        except IntegrityError:
            if attempt == _ATTEMPTS - 1:
                raise
            log.info("events: %s batch raced another writer, read again", station_id)
    raise AssertionError("unreachable")
