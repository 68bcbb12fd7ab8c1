"""Receipts: the model of a finished session's receipt and its renderers.

`build_receipt` makes a `Receipt` from the session, its payment and its final price;
`render_text` prints it for a thermal printer or a log (32 or 48 columns),
`render_html` makes the e-receipt page, with a QR code of its URL, and
`kiosk.receipts.render_pdf` its PDF. That one is imported from its module, not from
here: fpdf2 takes a third of a second to load, and every kiosk command that imports
the receipts (reports, the ledger check, the simulation) would pay for it.
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
from kiosk.receipts.render_text import render_text

__all__ = [
    "SUPPORTED_LANGUAGES",
    "Receipt",
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
    "render_text",
]
