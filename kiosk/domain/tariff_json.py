"""A Tariff back to its OCPI 2.2.1 JSON form (what a CDR embeds)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kiosk.domain.tariff import (
    DayOfWeek,
    Price,
    PriceComponent,
    Tariff,
    TariffElement,
    TariffRestrictions,
)

__all__ = ["tariff_to_json"]


def _dt(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _price(p: Price) -> dict[str, Any]:
    out: dict[str, Any] = {"excl_vat": p.excl_vat}
    if p.incl_vat is not None:
        out["incl_vat"] = p.incl_vat
    return out


def _component(pc: PriceComponent) -> dict[str, Any]:
    out: dict[str, Any] = {"type": pc.type.value, "price": pc.price, "step_size": pc.step_size}
    if pc.vat is not None:
        out["vat"] = pc.vat
    return out


def _restrictions(r: TariffRestrictions) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if r.start_time is not None:
        out["start_time"] = _hhmm(r.start_time)
    if r.end_time is not None:
        out["end_time"] = _hhmm(r.end_time)
    if r.start_date is not None:
        out["start_date"] = r.start_date.isoformat()
    if r.end_date is not None:
        out["end_date"] = r.end_date.isoformat()
    for key in (
        "min_kwh",
        "max_kwh",
        "min_current",
        "max_current",
        "min_power",
        "max_power",
        "min_duration",
        "max_duration",
    ):
        value = getattr(r, key)
        if value is not None:
            out[key] = value
    if r.day_of_week:
        out["day_of_week"] = [DayOfWeek(d).name for d in sorted(r.day_of_week)]
    if r.reservation is not None:
        out["reservation"] = r.reservation.value
    return out


def _element(e: TariffElement) -> dict[str, Any]:
    out: dict[str, Any] = {"price_components": [_component(pc) for pc in e.price_components]}
    if e.restrictions is not None:
        out["restrictions"] = _restrictions(e.restrictions)
    return out


def tariff_to_json(t: Tariff, *, customer_groups: bool = True) -> dict[str, Any]:
    """OCPI JSON (Decimals kept exact; write with jsonio.dumps_numbers).

    customer_groups=False leaves the group rules out: for a tariff that is already
    the price one group pays (a CDR embeds what was charged, not the rules).
    """
    out: dict[str, Any] = {
        "country_code": t.country_code,
        "party_id": t.party_id,
        "id": t.id,
        "currency": t.currency,
    }
    if t.type is not None:
        out["type"] = t.type.value
    if t.tariff_alt_text:
        out["tariff_alt_text"] = [
            {"language": d.language, "text": d.text} for d in t.tariff_alt_text
        ]
    if t.tariff_alt_url is not None:
        out["tariff_alt_url"] = t.tariff_alt_url
    if t.min_price is not None:
        out["min_price"] = _price(t.min_price)
    if t.max_price is not None:
        out["max_price"] = _price(t.max_price)
    out["elements"] = [_element(e) for e in t.elements]
    if t.start_date_time is not None:
        out["start_date_time"] = _dt(t.start_date_time)
    if t.end_date_time is not None:
        out["end_date_time"] = _dt(t.end_date_time)
    if t.energy_mix is not None:
        out["energy_mix"] = dict(t.energy_mix)
    if t.last_updated is not None:  # None only in a tariff parsed just to be priced
        out["last_updated"] = _dt(t.last_updated)
    ext: dict[str, Any] = {}
    fee = t.extensions.idle_fee
    if fee is not None:
        ext["idle_fee"] = {
            "price_per_minute": fee.price_per_minute,
            "grace_minutes": fee.grace_minutes,
            "step_size": fee.step_size,
        }
        if fee.vat is not None:
            ext["idle_fee"]["vat"] = fee.vat
        if fee.max_fee is not None:
            ext["idle_fee"]["max_fee"] = fee.max_fee
    if customer_groups and t.extensions.customer_groups:
        groups: dict[str, Any] = {}
        for name, rule in t.extensions.customer_groups.items():
            if rule.tariff_id is not None:
                groups[name] = {"tariff_id": rule.tariff_id}
            elif rule.discount_percent is not None:
                groups[name] = {"discount_percent": rule.discount_percent}
            else:
                groups[name] = {"energy_discount_per_kwh": rule.energy_discount_per_kwh}
        ext["customer_groups"] = groups
    if ext:
        out["x_kiosk"] = ext
    return out
