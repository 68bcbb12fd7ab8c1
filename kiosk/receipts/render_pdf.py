"""A receipt as a PDF e-receipt (fpdf2), on A4 or US letter.

The layout is one column whose widths follow the page's printable width, with
margins that fit both paper sizes, so the same receipt prints on either. DejaVu Sans
is embedded (subset) from the kiosk's own `assets/fonts/`, never a system font, so
"€", "•" and accented text render everywhere. The QR code of the e-receipt URL is
drawn as vector squares: sharp at any zoom and on any printer.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Final, Literal

from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, WrapMode, XPos, YPos

from kiosk.domain.errors import KnownError
from kiosk.paths import assets_dir
from kiosk.receipts.model import Receipt, ReceiptFormat
from kiosk.receipts.qr import QUIET_ZONE, dark_runs, qr_matrix

__all__ = ["FONT_FILES", "Paper", "ReceiptFontMissing", "render_pdf"]

Paper = Literal["A4", "letter"]

FONT_FILES: Final = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
_FAMILY: Final = "DejaVu"
_MARGIN: Final = 18.0  # mm; the column fits A4 (210 mm) and letter (215.9 mm) alike
_INK: Final = (17, 24, 39)
_MUTED: Final = (75, 85, 99)
_RULE: Final = (209, 213, 219)
_LINE_H: Final = 5.2
_QR_MM: Final = 34.0
_SIDE_W: Final = 118.0  # VAT and payment column; the QR code takes the rest


class ReceiptFontMissing(KnownError):
    """The receipt font is not where the kiosk's assets should be."""


def _font_dir() -> Path:
    return assets_dir() / "fonts"


def render_pdf(receipt: Receipt, *, paper: Paper = "A4") -> bytes:
    """The receipt as the bytes of a PDF document."""
    pdf = _Pdf(receipt, paper)
    pdf.draw()
    return bytes(pdf.output())


class _Pdf(FPDF):
    def __init__(self, receipt: Receipt, paper: Paper) -> None:
        super().__init__(orientation="portrait", unit="mm", format=paper)
        self.receipt = receipt
        self.fmt: ReceiptFormat = receipt.format()
        folder = _font_dir()
        for style, name in FONT_FILES.items():
            path = folder / name
            if not path.is_file():
                raise ReceiptFontMissing(f"receipt font missing: {path}")
            self.add_font(_FAMILY, style=style, fname=path)
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.set_auto_page_break(auto=True, margin=_MARGIN)
        t = self.fmt.t
        self.set_title(f"{t('title')} {receipt.receipt_id}")
        self.set_subject(receipt.station_name)
        self.set_author(receipt.operator or receipt.station_name)
        self.set_creator("EV charging kiosk")
        self.set_lang(receipt.language)
        # The receipt's own time, so that a reprint is the same document.
        self.set_creation_date(receipt.ended_at.astimezone(UTC))

    # ------------------------------------------------------------------ helpers

    def font(self, size: float, *, bold: bool = False, muted: bool = False) -> None:
        self.set_font(_FAMILY, "B" if bold else "", size)
        self.set_text_color(*(_MUTED if muted else _INK))

    def text_line(
        self,
        text: str,
        *,
        size: float = 9.5,
        bold: bool = False,
        muted: bool = False,
        align: Align = Align.L,
        h: float = _LINE_H,
    ) -> None:
        self.font(size, bold=bold, muted=muted)
        self.multi_cell(self.epw, h, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def rule(self, *, heavy: bool = False, gap: float = 2.0) -> None:
        self.ln(gap / 2)
        if heavy:
            self.set_draw_color(*_INK)
            self.set_line_width(0.5)
        else:
            self.set_draw_color(*_RULE)
            self.set_line_width(0.2)
        self.line(self.l_margin, self.y, self.l_margin + self.epw, self.y)
        self.ln(gap / 2)

    def heading(self, text: str, x: float, width: float) -> None:
        self.ln(3)
        self.set_x(x)
        self.font(9, bold=True, muted=True)
        self.cell(width, _LINE_H, text.upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(0.5)

    def ensure(self, height: float) -> None:
        if self.will_page_break(height):
            self.add_page()

    def pairs(self, rows: list[tuple[str, str]], x: float, width: float) -> float:
        """Label left, value right in a column; returns the y below it."""
        y = self.y
        for label, value in rows:
            self.font(9.5, muted=True)
            label_w = min(self.get_string_width(label) + 2, width * 0.55)
            label_h = self.height(label_w, label)
            self.font(9.5)
            value_h = self.height(width - label_w, value)
            if self.will_page_break(max(label_h, value_h)):
                self.add_page()
                y = self.y
            self.font(9.5, muted=True)
            self.set_xy(x, y)
            self.multi_cell(label_w, _LINE_H, label)
            self.font(9.5)
            self.set_xy(x + label_w, y)
            self.multi_cell(width - label_w, _LINE_H, value, align=Align.R)
            y += max(label_h, value_h, _LINE_H)
        self.set_xy(self.l_margin, y)
        return y

    def height(self, width: float, text: str, line_h: float = _LINE_H) -> float:
        """The height `text` takes in a multi_cell of `width`, in the current font."""
        if not text:
            return 0.0
        h = self.multi_cell(width, line_h, text, dry_run=True, output=MethodReturnValue.HEIGHT)
        assert isinstance(h, float | int)
        return float(h)

    # --------------------------------------------------------------- the page

    def draw(self) -> None:
        r = self.receipt
        fmt = self.fmt
        t = fmt.t
        self.add_page()

        # Station
        self.text_line(r.station_name, size=16, bold=True, h=7.5)
        for line in r.station_address:
            self.text_line(line, size=9.5, muted=True)
        operator = [r.operator] if r.operator else []
        if r.operator_vat_id:
            operator.append(f"{t('vat_id')} {r.operator_vat_id}")
        if operator:
            self.text_line(" · ".join(operator), size=9.5, muted=True)
        self.rule(heavy=True, gap=5)

        # Title and id
        self.font(14, bold=True)
        y = self.y
        self.cell(self.epw / 2, 7, t("title"), new_x=XPos.RIGHT, new_y=YPos.TOP)
        self.font(11, bold=True)
        self.set_xy(self.l_margin + self.epw / 2, y)
        self.cell(self.epw / 2, 7, r.receipt_id, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

        # Session details, two columns
        left = [
            (t("connector"), r.connector_label),
            (t("evse_id"), r.evse_id),
            (t("started"), fmt.moment(r.started_at)),
            (t("ended"), fmt.moment(r.ended_at)),
        ]
        right = [
            (t("energy"), fmt.kwh(r.energy_kwh)),
            (t("charging_time"), fmt.duration(r.charging_s)),
        ]
        if r.parking_s:
            right.append((t("parking_time"), fmt.duration(r.parking_s)))
        if r.idle_s:
            right.append((t("idle_time"), fmt.duration(r.idle_s)))
        if r.stop_reason_text:
            right.append((t("stop"), r.stop_reason_text))
        gutter = 8.0
        col = (self.epw - gutter) / 2
        top = self.y
        end_left = self.pairs(left, self.l_margin, col)
        self.set_y(top)
        end_right = self.pairs(right, self.l_margin + col + gutter, col)
        self.set_y(max(end_left, end_right))
        self.text_line(t("times_in").format(tz=r.tz), size=8, muted=True)

        self.items()
        # VAT and payment in a right-hand column, the QR code beside them on the left.
        side_w = min(self.epw, _SIDE_W)
        side_x = self.l_margin + self.epw - side_w
        payment_rows = self.payment_rows()
        needed = 2 * 9.0 + (len(r.vat_breakdown) + 2 + len(payment_rows)) * (_LINE_H + 0.6)
        self.ensure(max(needed, _QR_MM + 30))
        top = self.y
        self.vat_table(side_x, side_w)
        self.payment(payment_rows, side_x, side_w)
        bottom = self.y
        qr_w = self.epw - side_w - 6
        if r.e_receipt_url and qr_w >= _QR_MM:
            self.set_y(top + 3.5 + _LINE_H + 0.5)  # level with the VAT table
            self.qr(r.e_receipt_url, qr_w)
        elif r.e_receipt_url:  # a narrow page: the QR code below
            self.set_y(bottom + 6)
            self.ensure(_QR_MM + 20)
            self.qr(r.e_receipt_url, self.epw)
        self.set_y(max(self.y, bottom))
        self.ln(8)
        self.ensure(8)
        self.text_line(t("thanks"), size=10.5, bold=True, align=Align.C)

    def columns(self) -> tuple[float, float, float, float, float]:
        """Widths of item, quantity, unit price, VAT, amount."""
        quantity, unit, vat, amount = 27.0, 30.0, 14.0, 27.0
        return self.epw - quantity - unit - vat - amount, quantity, unit, vat, amount

    def items(self) -> None:
        r = self.receipt
        fmt = self.fmt
        t = fmt.t
        self.ln(4)
        widths = self.columns()
        heads = (t("items"), t("quantity"), t("unit_price"), t("vat"), t("amount"))
        aligns = (Align.L, Align.R, Align.R, Align.R, Align.R)
        self.font(8, bold=True, muted=True)
        x = self.l_margin
        y = self.y
        for w, head, align in zip(widths, heads, aligns, strict=True):
            self.set_xy(x, y)
            self.cell(w, _LINE_H, head, align=align)
            x += w
        self.set_xy(self.l_margin, y + _LINE_H)
        self.rule(gap=1.5)

        shown = r.shown_lines()
        for n, line in enumerate(shown, start=1):
            item_w = widths[0] - 2
            self.font(9.5)
            label_h = self.height(item_w, line.label)
            self.font(8)
            note_h = self.height(item_w, line.note, 4.2) + self.height(item_w, line.step_note, 4.2)
            self.ensure(label_h + note_h + 2)
            y = self.y
            self.set_x(self.l_margin)
            self.font(9.5)
            self.multi_cell(item_w, _LINE_H, line.label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            if line.note:
                self.font(8, muted=True)
                self.multi_cell(item_w, 4.2, line.note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            if line.step_note:  # its own line: why billed and measured differ
                self.font(8, muted=True)
                self.multi_cell(item_w, 4.2, line.step_note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            bottom = self.y
            cells = (
                line.quantity,
                line.unit_price_text,
                fmt.percent(line.vat_rate) if line.vat_rate is not None else "",
                fmt.money(line.amount),
            )
            x = self.l_margin + widths[0]
            for i, (w, text) in enumerate(zip(widths[1:], cells, strict=True)):
                self.set_xy(x, y)
                self.font(9.5, bold=i == len(cells) - 1)
                self.cell(w, _LINE_H, text, align=Align.R)
                x += w
            self.set_xy(self.l_margin, max(bottom, y + _LINE_H))
            if n < len(shown):
                self.rule(gap=1.2)

        self.ensure(12)
        self.ln(1)
        self.set_draw_color(*_INK)
        self.set_line_width(0.5)
        self.line(self.l_margin, self.y, self.l_margin + self.epw, self.y)
        self.ln(1.5)
        y = self.y
        self.font(12.5, bold=True)
        self.cell(self.epw / 2, 7, t("total"))
        self.set_xy(self.l_margin + self.epw / 2, y)
        self.cell(
            self.epw / 2, 7, fmt.money(r.total), align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.text_line(t("prices_incl" if r.vat_included else "prices_excl"), size=8, muted=True)

    def vat_table(self, x0: float, width: float) -> None:
        r = self.receipt
        fmt = self.fmt
        t = fmt.t
        self.heading(t("vat"), x0, width)
        first = width - 3 * 28.0
        widths = (first, 28.0, 28.0, 28.0)
        rows: list[tuple[tuple[str, str, str, str], bool]] = [
            ((t("vat.rate"), t("vat.net"), t("vat"), t("vat.gross")), False)
        ]
        rows += [
            ((fmt.percent(v.rate), fmt.money(v.net), fmt.money(v.vat), fmt.money(v.gross)), False)
            for v in r.vat_breakdown
        ]
        rows.append(
            (
                (
                    t("total"),
                    fmt.money(r.total_net),
                    fmt.money(r.total_vat),
                    fmt.money(r.total_gross),
                ),
                True,
            )
        )
        for i, (cells, bold) in enumerate(rows):
            self.ensure(_LINE_H + 1)
            if bold:
                self.set_draw_color(*_RULE)
                self.set_line_width(0.2)
                self.line(x0, self.y, x0 + width, self.y)
            y = self.y
            x = x0
            for j, (w, text) in enumerate(zip(widths, cells, strict=True)):
                self.set_xy(x, y)
                if i == 0:
                    self.font(8, bold=True, muted=True)
                else:
                    self.font(9.5, bold=bold)
                self.cell(w, _LINE_H, text, align=Align.L if j == 0 else Align.R)
                x += w
            self.set_xy(self.l_margin, y + _LINE_H + 0.6)

    def payment_rows(self) -> list[tuple[str, str]]:
        payment = self.receipt.payment
        if payment is None:
            return []
        fmt = self.fmt
        t = fmt.t
        method = payment.method_label
        if payment.masked_ref:
            method = f"{method} · {payment.masked_ref}"
        rows = [(t("paid_with"), method)]
        if payment.captured:
            rows.append((t("captured"), fmt.money(payment.captured)))
        if payment.shows_hold:
            rows.append((t("hold"), fmt.money(payment.authorized)))
            if payment.released:
                rows.append((t("released"), fmt.money(payment.released)))
        return rows

    def payment(self, rows: list[tuple[str, str]], x0: float, width: float) -> None:
        payment = self.receipt.payment
        if payment is None:
            return
        self.heading(self.fmt.t("payment"), x0, width)
        self.pairs(rows, x0, width)
        if payment.status:
            self.set_x(x0)
            self.font(9.5, bold=True)
            self.multi_cell(
                width,
                _LINE_H,
                payment.status,
                align=Align.R,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )

    def qr(self, url: str, width: float) -> None:
        """The QR code at the left margin, "scan" and the URL under it, within `width`."""
        t = self.fmt.t
        matrix = qr_matrix(url)
        module = _QR_MM / (len(matrix) + 2 * QUIET_ZONE)
        x0, y0 = self.l_margin, self.y
        self.set_fill_color(255, 255, 255)
        self.rect(x0, y0, _QR_MM, _QR_MM, style="F")
        self.set_fill_color(0, 0, 0)
        for y, x, n in dark_runs(matrix):
            self.rect(
                x0 + (x + QUIET_ZONE) * module,
                y0 + (y + QUIET_ZONE) * module,
                n * module,
                module,
                style="F",
            )
        # The quiet zone is part of the square: the text lines up with the modules.
        pad = QUIET_ZONE * module - self.c_margin
        self.set_xy(x0 + pad, y0 + _QR_MM)
        self.font(8.5, bold=True)
        self.multi_cell(width - pad, 4.5, t("scan"), new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.font(7, muted=True)
        self.multi_cell(
            width - pad,
            3.6,
            url,
            link=url if url.startswith("https://") else None,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
            wrapmode=WrapMode.CHAR,
        )
