"""Receipts: the model of a finished session's receipt and its renderers.

`build_receipt` makes a `Receipt` from the session, its payment and its final price;
`render_text` prints it for a thermal printer or a log (32 or 48 columns),
`render_html` and `render_pdf` make the e-receipt, with a QR code of its URL.
"""

from kiosk.receipts.model import (
    SUPPORTED_LANGUAGES,
    Receipt,
    ReceiptFormat,
    ReceiptLine,
    ReceiptLineKind,
    ReceiptPayment,
    StationInfo,
    VatBreakdownLine,
    build_receipt,
    mask_reference,
    receipt_id_for,
)
from kiosk.receipts.render_html import render_html
from kiosk.receipts.render_pdf import Paper, ReceiptFontMissing, render_pdf
from kiosk.receipts.render_text import render_text

__all__ = [
    "SUPPORTED_LANGUAGES",
    "Paper",
    "Receipt",
    "ReceiptFontMissing",
    "ReceiptFormat",
    "ReceiptLine",
    "ReceiptLineKind",
    "ReceiptPayment",
    "StationInfo",
    "VatBreakdownLine",
    "build_receipt",
    "mask_reference",
    "receipt_id_for",
    "render_html",
    "render_pdf",
    "render_text",
]
