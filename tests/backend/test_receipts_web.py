"""The e-receipt pages over real HTTP: HTML and PDF from the ingested session and its CDR."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.domain.receipt_number import receipt_id_for
from tests.backend.chromium import TIMEOUT, Stack, running_backend, sample_cdr

S1 = "DE-KIO-S1"
TOKEN = "rcpt_Zx81kP0qLm3vN7aB"
PDFTOTEXT = shutil.which("pdftotext")
SELLER = {  # as the kiosk sends it with session.completed
    "operator": "Stadtwerke Musterstadt",
    "vat_id": "DE123456789",
    "station_name": "Marktplatz",
    "address_lines": ["Marktplatz 1", "12345 Musterstadt"],
    "connector_label": "A",
}


def plain(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with running_backend(f"sqlite:///{tmp_path / 'backend.db'}") as stack:
        stack.station(S1)
        intent = stack.create_qr()
        stack.pay(intent["id"])
        stack.call(S1, "POST", f"/v1/payment-intents/{intent['id']}/capture", {"amount": "6.13"})
        start = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
        stack.ingest_session(
            S1,
            "s-42",
            intent["id"],
            cost="6.13",
            energy="12.5",
            cdr=sample_cdr(start),
            receipt_token=TOKEN,
            session={"seller": SELLER, "tz": "Europe/Berlin"},
        )
        yield stack


def get(stack: Stack, path: str, **headers: Any) -> requests.Response:
    return requests.get(stack.base + path, headers=headers, timeout=TIMEOUT)


def test_html_receipt_has_the_priced_lines_vat_and_payment(stack: Stack) -> None:
    r = get(stack, f"/r/{TOKEN}")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "private, no-store"
    assert r.headers["x-robots-tag"].startswith("noindex")
    body = plain(r.text)
    assert "Energy 12.500 kWh €6.13" in body  # the CDR priced again by kiosk.domain
    assert "Total €6.13" in body
    assert "VAT 19" in body
    assert "Net €5.15" in body
    assert "VISA •••• 4242" in body
    assert "Reserved €30.00" in body
    assert "Charged €6.13" in body
    assert "03/12/2026" in body or "3 Dec 2026" in body
    # who sold it, as the printed receipt says
    assert (
        "Stadtwerke Musterstadt Marktplatz Marktplatz 1 12345 Musterstadt VAT ID DE123456789"
        in body
    )
    assert "Connector A · DE*KIO*E0001*1" in body  # the label the station sent
    # the number the station printed, derived from the same session as the station does
    number = receipt_id_for("s-42", datetime(2026, 12, 3, 8, 50, tzinfo=UTC), "Europe/Berlin")
    assert f"Receipt no. {number}" in body
    de = plain(get(stack, f"/r/{TOKEN}?lang=de").text)
    assert "USt-IdNr. DE123456789" in de
    assert "Energie 12,500 kWh 6,13 €" in de
    assert "Gesamt 6,13 €" in de


def test_pdf_receipt_is_a_pdf_with_the_amount(stack: Stack, tmp_path: Path) -> None:
    r = get(stack, f"/r/{TOKEN}.pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["cache-control"] == "private, no-store"
    assert r.content.startswith(b"%PDF-")
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text not checked")
    path = tmp_path / "receipt.pdf"
    path.write_bytes(r.content)
    done = subprocess.run([PDFTOTEXT, str(path), "-"], capture_output=True, check=True, timeout=30)
    text = plain(done.stdout.decode())
    assert "€6.13" in text
    assert "VISA •••• 4242" in text
    assert "Receipt" in text
    assert "Stadtwerke Musterstadt" in text
    assert "VAT ID DE123456789" in text
    de = get(stack, f"/r/{TOKEN}.pdf?lang=de")
    path.write_bytes(de.content)
    done = subprocess.run([PDFTOTEXT, str(path), "-"], capture_output=True, check=True, timeout=30)
    assert "6,13 €" in plain(done.stdout.decode())
    assert "Beleg" in done.stdout.decode()


@pytest.mark.parametrize("path", ["/r/rcpt_unknown00000000", "/r/rcpt_unknown00000000.pdf", "/r/x"])
def test_unknown_receipt_is_a_404_page(stack: Stack, path: str) -> None:
    r = get(stack, path)
    assert r.status_code == 404
    assert "Receipt not found" in r.text
    assert r.headers["cache-control"] == "private, no-store"


def test_a_session_without_a_priceable_cdr_still_has_its_receipt(stack: Stack) -> None:
    start = datetime.now(UTC) - timedelta(hours=2)
    cdr = {**sample_cdr(start), "tariffs": []}
    stack.ingest_session(
        S1, "s-43", "pi_none", cost="4.20", energy="8", cdr=cdr, receipt_token="rcpt_NoTariff0001"
    )
    body = plain(get(stack, "/r/rcpt_NoTariff0001").text)
    assert "Total €4.20" in body
    assert "8.000 kWh" in body


def test_a_hostile_seller_is_shown_as_short_plain_text(stack: Stack) -> None:
    start = datetime.now(UTC) - timedelta(hours=2)
    seller = {
        "operator": "<script>alert(1)</script>" + "x" * 5000,
        "vat_id": ["not", "text"],
        "station_name": 42,
        "address_lines": ["line\n\tone", {"x": 1}, *["more"] * 50],
        "connector_label": "B" * 100,
    }
    hostile = {"seller": seller, "tz": "Not/AZone"}
    stack.ingest_session(
        S1,
        "s-44",
        "pi_none",
        cost="1.00",
        energy="2",
        cdr=sample_cdr(start),
        receipt_token="rcpt_Hostile00001",
        session=hostile,
    )
    r = get(stack, "/r/rcpt_Hostile00001")
    assert r.status_code == 200
    assert "<script>alert" not in r.text
    assert "&lt;script&gt;" in r.text
    seller_html = r.text.split('id="seller">', 1)[1].split("</address>", 1)[0]
    assert len(seller_html) < 500  # cut to a few short lines
    assert "line one" in seller_html
    assert "VAT ID" not in seller_html
    assert "B" * 17 not in r.text
    assert "Receipt no." not in r.text  # an unknown time zone: no number rather than a wrong one
    junks: list[dict[str, Any]] = [{"seller": "text"}, {"seller": None}, {}]
    for n, junk in enumerate(junks):
        token = f"rcpt_JunkSeller000{n}"
        stack.ingest_session(
            S1,
            f"s-45-{n}",
            "pi_none",
            cost="1.00",
            energy="2",
            cdr=sample_cdr(start),
            receipt_token=token,
            session=junk,
        )
        page = get(stack, f"/r/{token}")
        assert page.status_code == 200
        assert 'id="seller"' not in page.text  # nothing to say: no empty block
