"""Render the example receipts in this folder (text, HTML, PDF and a PNG of the PDF).

Run from the repository root: `.venv/bin/python docs/receipts/make_examples.py`.
The session is real (built through the domain by the receipt tests' helper): an
evening session on ac_time_of_use.json across the 22:00 price change, with an idle
fee, paid by bank card. `pdftoppm` (poppler-utils) makes the PNG.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from kiosk.receipts import build_receipt, render_html, render_pdf, render_text  # noqa: E402
from tests.kiosk.receipts.sessions import STATION, URL, charge  # noqa: E402


def main() -> None:
    finished = charge(
        "ac_time_of_use.json",
        start=datetime(2026, 11, 24, 20, 0, tzinfo=UTC),
        legs=((74 * 60, Decimal("10.3")),),
        idle_s=25 * 60,
        session_id="5f1c2a9e-7d3b-4c1e-9a2f-8b6d4e0c1a37",
    )
    receipt = build_receipt(
        finished.session,
        finished.payment,
        finished.breakdown,
        STATION,
        language="en",
        e_receipt_base_url=URL,
    )
    (HERE / "example.txt").write_text(
        render_text(receipt, width=48) + "\n" + render_text(receipt, width=32),
        encoding="utf-8",
    )
    (HERE / "example.html").write_text(render_html(receipt), encoding="utf-8")
    pdf = HERE / "example.pdf"
    pdf.write_bytes(render_pdf(receipt))
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        print("pdftoppm not found: example.png not made", file=sys.stderr)
        return
    subprocess.run(  # noqa: S603 - a fixed command on our own file
        [pdftoppm, "-png", "-r", "80", "-singlefile", str(pdf), str(HERE / "example")],
        check=True,
        timeout=60,
    )


if __name__ == "__main__":
    main()
