"""`kiosk report daily`: what a station did on one local day, from the ledger."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.config import Settings
from kiosk.domain import jsonio
from kiosk.domain.pricing import LineKind
from kiosk.domain.session import SessionState
from kiosk.receipts import StationInfo, build_receipt
from kiosk.store import Database

__all__ = ["DailyReport", "daily_report", "render_report"]

_ZERO = Decimal(0)


@dataclass
class DailyReport:
    day: date | None  # None: everything in the ledger
    currency: str
    sessions: Counter[str] = field(default_factory=Counter)
    stop_reasons: Counter[str] = field(default_factory=Counter)
    energy_kwh: Decimal = _ZERO
    revenue_by_method: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    revenue_by_tariff: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    vat: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # rate -> net, vat
    idle_fees: Decimal = _ZERO
    open_payments: int = 0
    declined: int = 0

    @property
    def revenue(self) -> Decimal:
        return sum(self.revenue_by_method.values(), _ZERO)

    def to_json(self) -> dict[str, Any]:
        return {
            "day": None if self.day is None else self.day.isoformat(),
            "currency": self.currency,
            "sessions": dict(self.sessions),
            "stop_reasons": dict(self.stop_reasons),
            "energy_kwh": str(self.energy_kwh),
            "revenue": str(self.revenue),
            "revenue_by_method": {k: str(v) for k, v in sorted(self.revenue_by_method.items())},
            "revenue_by_tariff": {k: str(v) for k, v in sorted(self.revenue_by_tariff.items())},
            "vat": {k: {n: str(x) for n, x in v.items()} for k, v in sorted(self.vat.items())},
            "idle_fees_net": str(self.idle_fees),
            "open_payments": self.open_payments,
            "declined": self.declined,
        }


def _window(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    return start, end


def daily_report(db: Database, settings: Settings, day: date | None) -> DailyReport:
    zone = ZoneInfo(settings.station.time_zone)
    since = until = None
    if day is not None:
        since, until = _window(day, zone)
    currency = settings.tariffs[settings.connectors[0].id][0].currency
    report = DailyReport(day=day, currency=currency)
    station = StationInfo.from_config(settings.station, settings.connectors)
    with db.unit_of_work(write=False) as uow:
        sessions = uow.sessions.list(since=since, until=until, limit=None)
        payments = {p.session_id: p for p in uow.payments.list_all()}
    for s in sessions:
        report.sessions[s.state.value] += 1
        if s.stop_reason is not None:
            report.stop_reasons[s.stop_reason.value] += 1
        p = payments.get(s.id)
        if p is not None:
            if not p.state.is_final:
                report.open_payments += 1
            if p.state.value == "declined":
                report.declined += 1
            report.revenue_by_method[p.method.value] += p.captured
            report.revenue_by_tariff[s.tariff_id] += p.captured
        if s.state is SessionState.COMPLETED and s.totals is not None:
            report.energy_kwh += s.totals.energy_kwh
            breakdown = s.final_breakdown()
            for line in breakdown.lines:
                if line.kind is LineKind.IDLE_FEE:
                    report.idle_fees += line.cost.excl_vat
            # VAT as the driver's receipt states it: after any min/max price and rounding.
            receipt = build_receipt(s, p, breakdown, station)
            for v in receipt.vat_breakdown:
                key = "none" if v.rate is None else f"{v.rate}%"
                sums = report.vat.setdefault(key, {"net": _ZERO, "vat": _ZERO})
                sums["net"] += v.net
                sums["vat"] += v.vat
    return report


def render_report(r: DailyReport, *, as_json: bool = False) -> str:
    if as_json:
        return jsonio.dumps(r.to_json(), indent=2) + "\n"
    title = "all days" if r.day is None else r.day.isoformat()
    total = sum(r.sessions.values())
    lines = [f"report for {title}: {total} session(s)"]
    lines.append("  " + ", ".join(f"{k} {v}" for k, v in sorted(r.sessions.items())))
    if r.stop_reasons:
        lines.append(
            "  stop reasons: " + ", ".join(f"{k} {v}" for k, v in r.stop_reasons.most_common())
        )
    lines.append(f"  energy {r.energy_kwh.quantize(Decimal('0.001'))} kWh")
    lines.append(f"  revenue {r.revenue} {r.currency} (captured)")
    for method, amount in sorted(r.revenue_by_method.items()):
        lines.append(f"    by {method}: {amount}")
    for tariff, amount in sorted(r.revenue_by_tariff.items()):
        lines.append(f"    tariff {tariff}: {amount}")
    for rate, sums in sorted(r.vat.items()):
        lines.append(f"  VAT {rate}: net {sums['net']}, VAT {sums['vat']}")
    lines.append(f"  idle fees (net) {r.idle_fees}")
    lines.append(f"  declined {r.declined}, open payments {r.open_payments}")
    return "\n".join(lines) + "\n"
