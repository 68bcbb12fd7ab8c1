"""A one-screen technical summary of a tariff, for `kiosk tariff check`."""

from __future__ import annotations

from kiosk.domain.tariff import PriceComponent, Tariff, TariffRestrictions

__all__ = ["summarize"]

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_UNITS = {"ENERGY": "/kWh", "TIME": "/h charging", "PARKING_TIME": "/h parking", "FLAT": " once"}


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _restrictions(r: TariffRestrictions | None) -> str:
    if r is None:
        return "always"
    parts: list[str] = []
    if r.start_time is not None or r.end_time is not None:
        start = _hhmm(r.start_time) if r.start_time is not None else "00:00"
        end = _hhmm(r.end_time) if r.end_time is not None else "24:00"
        parts.append(f"{start}–{end}")
    if r.day_of_week:
        parts.append(",".join(_DAYS[d] for d in sorted(r.day_of_week)))
    if r.start_date or r.end_date:
        parts.append(f"dates [{r.start_date or '…'}, {r.end_date or '…'})")
    for name, low, high, unit in (
        ("energy", r.min_kwh, r.max_kwh, "kWh"),
        ("power", r.min_power, r.max_power, "kW"),
        ("current", r.min_current, r.max_current, "A"),
        ("duration", r.min_duration, r.max_duration, "s"),
    ):
        if low is not None or high is not None:
            lo = low if low is not None else 0
            hi = high if high is not None else "∞"
            parts.append(f"{name} [{lo}, {hi}) {unit}")
    if r.reservation is not None:
        parts.append(r.reservation.name.lower())
    return " ".join(parts) if parts else "always"


def _component(pc: PriceComponent, currency: str) -> str:
    vat = "no VAT given" if pc.vat is None else f"VAT {pc.vat}%"
    step = (
        ""
        if pc.type.name == "FLAT"
        else f", step {pc.step_size}{'Wh' if pc.type.name == 'ENERGY' else 's'}"
    )
    return f"{pc.type.name} {pc.price} {currency}{_UNITS[pc.type.name]} ({vat}{step})"


def summarize(tariff: Tariff) -> str:
    # country_code and party_id are None in a tariff parsed only to be priced
    name = "/".join(part or "?" for part in (tariff.country_code, tariff.party_id, tariff.id))
    lines = [f"tariff {name}: valid, {len(tariff.elements)} element(s), {tariff.currency}"]
    if tariff.type is not None:
        lines.append(f"  type {tariff.type.name}")
    if tariff.start_date_time or tariff.end_date_time:
        since = tariff.start_date_time.isoformat() if tariff.start_date_time else "always"
        until = tariff.end_date_time.isoformat() if tariff.end_date_time else "further notice"
        lines.append(f"  valid from {since} until {until}")
    for i, element in enumerate(tariff.elements):
        lines.append(f"  elements[{i}] {_restrictions(element.restrictions)}")
        for pc in element.price_components:
            lines.append(f"    {_component(pc, tariff.currency)}")
    for name, bound in (("min_price", tariff.min_price), ("max_price", tariff.max_price)):
        if bound is not None:
            incl = "" if bound.incl_vat is None else f" / {bound.incl_vat} incl. VAT"
            lines.append(f"  {name} {bound.excl_vat} excl. VAT{incl}")
    ext = tariff.extensions
    if ext.idle_fee is not None:
        fee = ext.idle_fee
        cap = "" if fee.max_fee is None else f", capped at {fee.max_fee}"
        per_minute = f"{fee.price_per_minute} {tariff.currency}/min"
        lines.append(f"  idle fee {per_minute} after {fee.grace_minutes} min grace{cap}")
    for name, rule in ext.customer_groups.items():
        if rule.tariff_id is not None:
            what = f"tariff {rule.tariff_id}"
        elif rule.discount_percent is not None:
            what = f"{rule.discount_percent}% off"
        else:
            what = f"{rule.energy_discount_per_kwh} {tariff.currency}/kWh off energy"
        lines.append(f"  group {name}: {what}")
    for text in tariff.tariff_alt_text:
        lines.append(f"  text [{text.language}] {text.text}")
    for warning in tariff.warnings:
        lines.append(f"  warning: {warning}")
    return "\n".join(lines) + "\n"
