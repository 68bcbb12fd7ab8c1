"""The e-receipt as a PDF (fpdf2), with an embedded DejaVu font for € and accents.

The font is the kiosk's own (`assets/fonts`, the same files its printed receipts embed),
or Debian's DejaVu when the backend runs without the kiosk's assets.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from fpdf import FPDF

from backend.web.receipt_model import Receipt

__all__ = ["FONT_DIRS", "ReceiptFontMissing", "render_receipt_pdf"]

FONT_DIRS: Final = (
    Path(__file__).resolve().parents[2] / "assets" / "fonts",
    Path("/usr/share/fonts/truetype/dejavu"),
)
_FILES: Final = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
_FAMILY: Final = "DejaVu"
_INK: Final = (17, 24, 39)
_MUTED: Final = (75, 85, 99)


class ReceiptFontMissing(RuntimeError):
    """No DejaVu font where the backend looks for one."""


def _font_dir() -> Path:
    for folder in FONT_DIRS:
        if all((folder / name).is_file() for name in _FILES.values()):
            return folder
    raise ReceiptFontMissing(f"DejaVuSans.ttf not found in {', '.join(map(str, FONT_DIRS))}")


def render_receipt_pdf(receipt: Receipt, *, language: str, created: datetime) -> bytes:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    folder = _font_dir()
    for style, name in _FILES.items():
        pdf.add_font(_FAMILY, style=style, fname=folder / name)
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_title(receipt.title)
    pdf.set_creator("EV charging backend")
    pdf.set_lang(language)
    pdf.set_creation_date(created.astimezone(UTC))
    pdf.add_page()
    width = pdf.epw

    def row(label: str, value: str, *, bold: bool = False, size: float = 10.5) -> None:
        pdf.set_font(_FAMILY, "B" if bold else "", size)
        pdf.set_text_color(*(_INK if bold else _MUTED))
        pdf.cell(width * 0.55, 7, label)
        pdf.set_text_color(*_INK)
        pdf.cell(width * 0.45, 7, value, align="R", new_x="LMARGIN", new_y="NEXT")

    pdf.set_font(_FAMILY, "B", 18)
    pdf.set_text_color(*_INK)
    pdf.cell(width, 11, receipt.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FAMILY, "", 10)
    for seller_line in receipt.seller:
        pdf.cell(width, 5.5, seller_line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for label, value in receipt.facts:
        row(label, value)
    if receipt.lines:
        pdf.ln(3)
        pdf.set_draw_color(*_MUTED)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
        pdf.ln(2)
        for line in receipt.lines:
            label = f"{line.label}  {line.detail}" if line.detail else line.label
            row(label, line.amount)
    pdf.ln(2)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(2)
    row(receipt.total_label, receipt.total, bold=True, size=13)
    for label, value in receipt.vat:
        row(label, value, size=9.5)
    if receipt.payment:
        pdf.ln(3)
        for label, value in receipt.payment:
            row(label, value)
    return bytes(pdf.output())
