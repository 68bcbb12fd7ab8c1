"""A receipt as plain text, for a thermal printer (32 or 48 columns) and for logs.

Every line fits the width (long labels and the e-receipt URL are wrapped), amounts are
right-aligned, and the only payment detail is the masked reference. Characters are
Unicode ("€", "•", accents): a printer driver maps them to its code page.
"""

from __future__ import annotations

import textwrap
from typing import Final

from kiosk.receipts.model import Receipt, ReceiptFormat

__all__ = ["MIN_WIDTH", "render_text"]

MIN_WIDTH: Final = 24
_INDENT: Final = "  "


def render_text(receipt: Receipt, *, width: int = 48) -> str:
    """The receipt as lines of at most `width` characters, ending with a newline."""
    if width < MIN_WIDTH:
        raise ValueError(f"a receipt needs at least {MIN_WIDTH} columns, not {width}")
    fmt = receipt.format()
    t = fmt.t
    out: list[str] = []
    rule = "-" * width

    for text in (receipt.station_name, *receipt.station_address, receipt.operator):
        out += _center(text, width)
    if receipt.operator_vat_id:
        out += _center(f"{t('vat_id')} {receipt.operator_vat_id}", width)
    out.append("=" * width)
    out += _pair(t("title"), receipt.receipt_id, width)
    out += _pair(t("connector"), receipt.connector_label, width)
    out += _pair(t("evse_id"), receipt.evse_id, width)
    out += _pair(t("started"), fmt.moment(receipt.started_at), width)
    out += _pair(t("ended"), fmt.moment(receipt.ended_at), width)
    out += _wrap(t("times_in").format(tz=receipt.tz), width)
    out += _pair(t("energy"), fmt.kwh(receipt.energy_kwh), width)
    out += _pair(t("charging_time"), fmt.duration(receipt.charging_s), width)
    if receipt.parking_s:
        out += _pair(t("parking_time"), fmt.duration(receipt.parking_s), width)
    if receipt.idle_s:
        out += _pair(t("idle_time"), fmt.duration(receipt.idle_s), width)
    if receipt.stop_reason_text:
        out += _pair(t("stop"), receipt.stop_reason_text, width)

    out.append(rule)
    several_rates = len(receipt.vat_breakdown) > 1
    for line in receipt.shown_lines():
        out += _pair(line.label, fmt.money(line.amount), width)
        details: list[str] = []
        if line.quantity and line.unit_price_text:
            details.append(f"{line.quantity} × {line.unit_price_text}")
        elif line.quantity:
            details.append(line.quantity)
        if line.note:
            details.append(line.note)
        if several_rates:
            details.append(f"{t('vat')} {fmt.percent(line.vat_rate)}")
        if details:
            out += _wrap(" · ".join(details), width, indent=_INDENT)
        if line.step_note:  # its own line: why billed and measured differ
            out += _wrap(line.step_note, width, indent=_INDENT)
    out.append("=" * width)
    out += _pair(t("total").upper(), fmt.money(receipt.total), width)
    out += _wrap(t("prices_incl" if receipt.vat_included else "prices_excl"), width)
    out.append(rule)
    out += _vat_table(receipt, fmt, width)

    payment = receipt.payment
    if payment is not None:
        out.append(rule)
        out += _pair(t("paid_with"), payment.method_label, width)
        if payment.masked_ref:
            out += _pair("", payment.masked_ref, width)
        if payment.status:
            out += _wrap(payment.status, width)
        if payment.captured:
            out += _pair(t("captured"), fmt.money(payment.captured), width)
        if payment.shows_hold:
            out += _pair(t("hold"), fmt.money(payment.authorized), width)
            if payment.released:
                out += _pair(t("released"), fmt.money(payment.released), width)

    if receipt.e_receipt_url:
        out.append(rule)
        out += _wrap(t("e_receipt"), width)
        out += _wrap(receipt.e_receipt_url, width)
    out.append(rule)
    out += _center(t("thanks"), width)
    out = [line.rstrip() for line in out]
    assert all(len(line) <= width for line in out)
    return "\n".join(out) + "\n"


def _wrap(text: str, width: int, *, indent: str = "") -> list[str]:
    if not text:
        return []
    return textwrap.wrap(
        text,
        width,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=True,
        break_on_hyphens=False,
    )


def _center(text: str, width: int) -> list[str]:
    return [line.center(width).rstrip() for line in _wrap(text, width)]


def _pair(left: str, right: str, width: int) -> list[str]:
    """`left` and `right` on one line, `right` flush right; wrapped when too long."""
    if len(left) + 1 + len(right) <= width:
        gap = width - len(left) - len(right)
        return [left + " " * gap + right]
    if len(right) <= width // 2:
        lines = _wrap(left, width - len(right) - 1) or [""]
        last = lines[-1]
        return [*lines[:-1], last + " " * (width - len(last) - len(right)) + right]
    return _wrap(left, width) + [part.rjust(width) for part in _wrap(right, width)]


def _vat_table(receipt: Receipt, fmt: ReceiptFormat, width: int) -> list[str]:
    t = fmt.t
    header = (t("vat.rate"), t("vat.net"), t("vat"), t("vat.gross"))
    rows = [
        (fmt.percent(v.rate), fmt.number(v.net), fmt.number(v.vat), fmt.number(v.gross))
        for v in receipt.vat_breakdown
    ]
    if len(rows) > 1:
        rows.append(
            (
                t("total"),
                fmt.number(receipt.total_net),
                fmt.number(receipt.total_vat),
                fmt.number(receipt.total_gross),
            )
        )
    first = max(len(r[0]) for r in (header, *rows))
    other = max(len(cell) for r in (header, *rows) for cell in r[1:])
    spare = width - first - 3 * other
    if spare >= 3:
        other += (spare - 3) // 3  # spread the room over the amount columns
        return [
            (r[0].ljust(first) + "".join(" " + cell.rjust(other) for cell in r[1:])).rstrip()
            for r in (header, *rows)
        ]
    # Too narrow for a table: one block per rate.
    out: list[str] = []
    for r in rows:
        out += _pair(f"{t('vat')} {r[0]}" if r[0] != t("total") else r[0], "", width)
        for label, cell in zip(header[1:], r[1:], strict=True):
            out += _pair(_INDENT + label, cell, width)
    return out
