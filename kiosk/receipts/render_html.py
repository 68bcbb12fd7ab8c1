"""A receipt as one self-contained HTML page: the e-receipt a phone opens from the QR.

No external resource: the CSS is inline and the QR code is an inline SVG. The page
reads well on a phone, and prints on one A4 or letter page (`@media print`). Every
text that comes from data goes through `html.escape`.
"""

from __future__ import annotations

from html import escape
from typing import Final

from kiosk.receipts.model import Receipt, ReceiptFormat
from kiosk.receipts.qr import qr_svg

__all__ = ["render_html"]

_NOWRAP_MAX: Final = 28  # a detail this short is never broken ("22:00–06:00")

_CSS: Final = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; padding: 1rem; background: #f3f4f6; color: #111827;
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
.receipt { max-width: 30rem; margin: 0 auto; padding: 1.25rem 1.25rem 1.5rem;
  background: #fff; border-radius: .75rem; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
header { text-align: center; border-bottom: 2px solid #111827; padding-bottom: .75rem; }
h1 { font-size: 1.35rem; margin: 0 0 .25rem; overflow-wrap: anywhere; }
h2 { font-size: 1rem; margin: 1.1rem 0 .4rem; text-transform: uppercase;
  letter-spacing: .04em; color: #374151; }
header p { margin: .1rem 0; color: #374151; font-size: .9rem; }
dl { display: grid; grid-template-columns: minmax(5rem, 1fr) minmax(0, max-content);
  gap: .15rem 1rem; margin: 0; }
dt { color: #4b5563; }
dd { margin: 0; text-align: right; overflow-wrap: anywhere; }
.title { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0 .75rem; }
.id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-weight: 600;
  white-space: nowrap; }
table { width: 100%; border-collapse: collapse; }
th, td { padding: .3rem 0; vertical-align: top; text-align: left; }
tbody th { font-weight: 600; }
.vat tbody th { font-weight: 400; }
thead th { font-size: .8rem; color: #4b5563; font-weight: 600;
  border-bottom: 1px solid #d1d5db; }
tbody tr + tr td, tbody tr + tr th { border-top: 1px solid #f0f1f3; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums;
  padding-left: .75rem; }
.detail { display: block; color: #4b5563; font-size: .85rem; font-weight: 400; }
.nb { white-space: nowrap; }
section + section { margin-top: 1rem; }
.total th, .total td { font-size: 1.2rem; font-weight: 700;
  border-top: 2px solid #111827; padding-top: .5rem; }
.vat td, .vat th { font-size: .9rem; }
.vat tfoot td, .vat tfoot th { border-top: 1px solid #d1d5db; font-weight: 600; }
.note { color: #4b5563; font-size: .85rem; margin: .3rem 0 0; }
.status { font-weight: 600; }
.qr { text-align: center; margin-top: 1.25rem; }
.qr svg { width: 10rem; height: 10rem; }
.qr p { margin: .2rem 0; font-size: .85rem; color: #4b5563; }
.url { overflow-wrap: anywhere; }
.url a { color: inherit; }
footer { text-align: center; margin-top: 1rem; font-weight: 600; }
@media print {
  @page { margin: 15mm; }
  body { background: #fff; padding: 0; }
  .receipt { box-shadow: none; border-radius: 0; max-width: 120mm; padding: 0; }
}
"""


def render_html(receipt: Receipt) -> str:
    """The receipt as a complete HTML5 document (UTF-8 text)."""
    fmt = receipt.format()
    t = fmt.t
    e = escape
    parts: list[str] = [
        "<!DOCTYPE html>",
        f'<html lang="{e(receipt.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="robots" content="noindex">',
        f"<title>{e(t('title'))} {e(receipt.receipt_id)} – {e(receipt.station_name)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        '<main class="receipt">',
        "<header>",
        f"<h1>{e(receipt.station_name)}</h1>",
    ]
    if receipt.station_address:
        address = "<br>".join(e(line) for line in receipt.station_address)
        parts.append(f"<p>{address}</p>")
    operator = [e(receipt.operator)] if receipt.operator else []
    if receipt.operator_vat_id:
        operator.append(f'<span class="nb">{e(t("vat_id"))} {e(receipt.operator_vat_id)}</span>')
    if operator:
        parts.append(f"<p>{' · '.join(operator)}</p>")
    parts.append("</header>")

    parts.append("<section>")
    parts.append(
        f'<h2 class="title"><span>{e(t("title"))}</span> '
        f'<span class="id">{e(receipt.receipt_id)}</span></h2>'
    )
    parts.append(_details(receipt, fmt))
    parts.append("</section>")

    parts.append("<section>")
    parts.append(_items(receipt, fmt))
    parts.append("</section>")

    parts.append('<section class="vat">')
    parts.append(f"<h2>{e(t('vat'))}</h2>")
    parts.append(_vat(receipt, fmt))
    parts.append("</section>")

    payment = receipt.payment
    if payment is not None:
        parts.append("<section>")
        parts.append(f"<h2>{e(t('payment'))}</h2>")
        rows: list[tuple[str, str]] = [(t("paid_with"), payment.method_label)]
        if payment.masked_ref:
            rows.append(("", payment.masked_ref))
        if payment.captured:
            rows.append((t("captured"), fmt.money(payment.captured)))
        if payment.shows_hold:
            rows.append((t("hold"), fmt.money(payment.authorized)))
            if payment.released:
                rows.append((t("released"), fmt.money(payment.released)))
        parts.append(_dl(rows))
        if payment.status:
            parts.append(f'<p class="note status">{e(payment.status)}</p>')
        parts.append("</section>")

    url = receipt.e_receipt_url
    if url:
        parts.append('<section class="qr">')
        parts.append(qr_svg(url, label=f"{t('e_receipt')}: {url}"))
        parts.append(f"<p>{e(t('scan'))}</p>")
        if url.startswith(("https://", "http://")):
            parts.append(f'<p class="url"><a href="{e(url)}">{e(url)}</a></p>')
        else:
            parts.append(f'<p class="url">{e(url)}</p>')
        parts.append("</section>")

    parts.append(f"<footer>{e(t('thanks'))}</footer>")
    parts.append("</main>")
    parts.append("</body>")
    parts.append("</html>")
    return "\n".join(parts) + "\n"


def _dl(rows: list[tuple[str, str]]) -> str:
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    return f"<dl>{items}</dl>"


def _details(receipt: Receipt, fmt: ReceiptFormat) -> str:
    t = fmt.t
    connector = receipt.connector_label
    rows: list[tuple[str, str]] = [
        (t("connector"), connector),
        (t("evse_id"), receipt.evse_id),
        (t("started"), fmt.moment(receipt.started_at)),
        (t("ended"), fmt.moment(receipt.ended_at)),
        (t("energy"), fmt.kwh(receipt.energy_kwh)),
        (t("charging_time"), fmt.duration(receipt.charging_s)),
    ]
    if receipt.parking_s:
        rows.append((t("parking_time"), fmt.duration(receipt.parking_s)))
    if receipt.idle_s:
        rows.append((t("idle_time"), fmt.duration(receipt.idle_s)))
    if receipt.stop_reason_text:
        rows.append((t("stop"), receipt.stop_reason_text))
    note = escape(t("times_in").format(tz=receipt.tz))
    return _dl(rows) + f'<p class="note">{note}</p>'


def _items(receipt: Receipt, fmt: ReceiptFormat) -> str:
    t = fmt.t
    e = escape
    several_rates = len(receipt.vat_breakdown) > 1
    rows: list[str] = []
    for line in receipt.shown_lines():
        details: list[str] = []
        if line.quantity and line.unit_price_text:
            details.append(f"{line.quantity} × {line.unit_price_text}")
        elif line.quantity:
            details.append(line.quantity)
        if line.note:
            details.append(line.note)
        if several_rates:
            details.append(f"{t('vat')} {fmt.percent(line.vat_rate)}")
        pieces = [
            f'<span class="nb">{e(d)}</span>' if len(d) <= _NOWRAP_MAX else e(d) for d in details
        ]
        detail = f'<span class="detail">{" · ".join(pieces)}</span>' if details else ""
        if line.step_note:  # its own line: why billed and measured differ
            detail += f'<span class="detail">{e(line.step_note)}</span>'
        rows.append(
            f'<tr><th scope="row">{e(line.label)}{detail}</th>'
            f'<td class="num">{e(fmt.money(line.amount))}</td></tr>'
        )
    note = t("prices_incl" if receipt.vat_included else "prices_excl")
    return (
        "<table>"
        f'<thead><tr><th scope="col">{e(t("items"))}</th>'
        f'<th scope="col" class="num">{e(t("amount"))}</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody>"
        f'<tfoot><tr class="total"><th scope="row">{e(t("total"))}</th>'
        f'<td class="num">{e(fmt.money(receipt.total))}</td></tr></tfoot>'
        "</table>"
        f'<p class="note">{e(note)}</p>'
    )


def _vat(receipt: Receipt, fmt: ReceiptFormat) -> str:
    t = fmt.t
    e = escape

    def row(first: str, cells: tuple[str, str, str]) -> str:
        tds = "".join(f'<td class="num">{e(c)}</td>' for c in cells)
        return f'<tr><th scope="row">{e(first)}</th>{tds}</tr>'

    head = (
        f'<thead><tr><th scope="col">{e(t("vat.rate"))}</th>'
        f'<th scope="col" class="num">{e(t("vat.net"))}</th>'
        f'<th scope="col" class="num">{e(t("vat"))}</th>'
        f'<th scope="col" class="num">{e(t("vat.gross"))}</th></tr></thead>'
    )
    body = "".join(
        row(fmt.percent(v.rate), (fmt.money(v.net), fmt.money(v.vat), fmt.money(v.gross)))
        for v in receipt.vat_breakdown
    )
    foot = row(
        t("total"),
        (
            fmt.money(receipt.total_net),
            fmt.money(receipt.total_vat),
            fmt.money(receipt.total_gross),
        ),
    )
    return f"<table>{head}<tbody>{body}</tbody><tfoot>{foot}</tfoot></table>"
