"""An e-receipt's content, from the ingested session and its OCPI CDR, priced again with
`kiosk.domain` so the lines are the engine's own (what the kiosk charged, item by item).

The HTML page and the PDF both render this one model: they cannot disagree.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from backend.payments.models import PaymentIntent
from backend.web.i18n import Texts
from backend.web.records import ConnectorView, FinishedSession
from kiosk.domain.periods import parse_cdr
from kiosk.domain.pricing import CostBreakdown, LineKind, TariffPricer, price_session
from kiosk.domain.tariff import TariffError, parse_tariffs, select_tariff

__all__ = ["Receipt", "ReceiptLine", "build_receipt", "price_cdr"]

log = logging.getLogger(__name__)

_UNITS = {
    LineKind.ENERGY: "unit.kwh",
    LineKind.TIME: "unit.h",
    LineKind.PARKING_TIME: "unit.h",
    LineKind.RESERVATION_TIME: "unit.h",
    LineKind.IDLE_FEE: "unit.min",
}


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    label: str
    detail: str
    amount: str


@dataclass(frozen=True, slots=True)
class Receipt:
    title: str
    seller: tuple[str, ...]  # operator, station, address lines, VAT id: who sold it
    facts: tuple[tuple[str, str], ...]  # (label, value): station, connector, times, energy
    lines: tuple[ReceiptLine, ...]  # the priced items; empty when the CDR cannot be priced
    total_label: str
    total: str
    vat: tuple[tuple[str, str], ...]  # ("VAT 19%", "€0.77"), ("Net", "€4.07")
    payment: tuple[tuple[str, str], ...]  # method, card, reserved, charged, refunded


def price_cdr(cdr: dict[str, object], tz: str) -> CostBreakdown | None:
    """The CDR priced with its embedded tariff; None when it cannot be (kept as sent)."""
    try:
        parsed = parse_cdr(cdr)
        raw = cdr.get("tariffs")
        if not raw:
            return None
        tariffs = parse_tariffs(raw, require_identity=False)
        tariff = select_tariff(
            tariffs, parsed.start, parsed.periods[0].tariff_id if parsed.periods else None
        )
        others = {t.id: TariffPricer(t) for t in tariffs if t.currency == tariff.currency}
        return price_session(
            parsed.periods,
            start=parsed.start,
            end=parsed.end,
            tz=tz,
            pricer=others[tariff.id],
            extra_tariffs=others,
        )
    except (TariffError, LookupError, ValueError) as exc:
        log.info("receipt: CDR not priced again (%s): the session's figures are shown", exc)
        return None


def _duration(done: FinishedSession) -> str:
    if done.started_at is None or done.ended_at is None:
        return "–"
    minutes = max(0, int((done.ended_at - done.started_at).total_seconds() // 60))
    return f"{minutes // 60}:{minutes % 60:02d} h"


def _connector(done: FinishedSession, connector: ConnectorView | None) -> str:
    """ "A · DE*KIO*E0001*A" as the kiosk shows it; the label the station sent, or the
    session's codes, when the connector is not provisioned."""
    label = connector.label if connector is not None else None
    if label is None and done.seller is not None:
        label = done.seller.connector_label or None
    evse = done.evse_id or (connector.evse_id if connector is not None else None)
    if label is None:
        return evse or done.connector_id
    return f"{label} · {evse}" if evse else label


def _seller(done: FinishedSession, t: Texts) -> tuple[str, ...]:
    s = done.seller
    if s is None:
        return ()
    vat = (t("receipt.vat_id", id=s.vat_id),) if s.vat_id else ()
    return tuple(x for x in (s.operator, s.station_name, *s.address_lines) if x) + vat


def build_receipt(
    done: FinishedSession,
    intent: PaymentIntent | None,
    t: Texts,
    tz: str,
    connector: ConnectorView | None = None,
) -> Receipt:
    cur = done.currency
    number = [(t("receipt.number"), done.receipt_id)] if done.receipt_id else []
    facts = [
        *number,
        (t("receipt.station"), done.station_id),
        (t("receipt.connector"), _connector(done, connector)),
        (t("receipt.session"), done.session_id),
        (t("receipt.start"), t.when(done.started_at, tz)),
        (t("receipt.end"), t.when(done.ended_at, tz)),
        (t("receipt.duration"), _duration(done)),
        (t("receipt.energy"), f"{t.number(done.energy_kwh, 3)} {t('unit.kwh')}"),
    ]
    lines: list[ReceiptLine] = []
    vat: list[tuple[str, str]] = []
    breakdown = price_cdr(done.cdr, tz) if done.cdr else None
    if breakdown is not None and breakdown.currency == cur:
        for line in breakdown.lines:
            unit = _UNITS.get(line.kind)
            places = 3 if line.kind is LineKind.ENERGY else 2
            detail = f"{t.number(line.volume, places)} {t(unit)}" if unit else ""
            lines.append(
                ReceiptLine(t(f"line.{line.kind.value}"), detail, t.money(line.cost.incl_vat, cur))
            )
        for v in breakdown.vat_lines:
            rate = (
                t("receipt.no_vat") if v.rate is None else t("receipt.vat", rate=t.percent(v.rate))
            )
            vat.append((rate, t.money(v.vat, cur)))
        net = sum((v.net for v in breakdown.vat_lines), Decimal(0))
        vat.append((t("receipt.net"), t.money(net, cur)))
    payment: list[tuple[str, str]] = []
    if done.payment_method:
        method = t(f"receipt.method.{done.payment_method}")
        payment.append((t("receipt.payment"), method))
    if intent is not None:
        if intent.masked_ref:
            payment.append(("", intent.masked_ref))
        if intent.authorized_amount is not None:
            payment.append(
                (t("receipt.authorized"), t.money(intent.authorized_amount, intent.currency))
            )
        if intent.captured_amount is not None:
            payment.append(
                (t("receipt.captured"), t.money(intent.captured_amount, intent.currency))
            )
        if intent.refunded_amount:
            payment.append(
                (t("receipt.refunded"), t.money(intent.refunded_amount, intent.currency))
            )
    return Receipt(
        title=t("receipt.title"),
        seller=_seller(done, t),
        facts=tuple(facts),
        lines=tuple(lines),
        total_label=t("receipt.total"),
        total=t.money(done.cost, cur),
        vat=tuple(vat),
        payment=tuple(payment),
    )
