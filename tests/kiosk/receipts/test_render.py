"""The renderings: text widths, well-formed escaped HTML, a real PDF, QR codes that scan."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from kiosk.receipts import (
    SUPPORTED_LANGUAGES,
    Receipt,
    StationInfo,
    build_receipt,
    render_html,
    render_text,
)
from kiosk.receipts.qr import QUIET_ZONE
from kiosk.receipts.render_pdf import ReceiptFontMissing, render_pdf
from tests.kiosk.receipts.sessions import (
    SCENARIOS,
    STATION,
    TOKEN,
    URL,
    Finished,
    receipt_of,
)

zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (the test extra) decodes QR codes")

PDFTOTEXT = shutil.which("pdftotext")
PDFTOPPM = shutil.which("pdftoppm")
# A card number is 13 to 19 digits; nothing on a receipt may look like one.
PAN_LIKE = re.compile(r"(?<!\d)\d{13,}")
PAN = "4111111111111111"

RENDERED = ["time_of_use", "member", "dc_max_price", "two_rates", "chf_min_price"]


@pytest.fixture(scope="module")
def finished() -> dict[str, Finished]:
    return {name: SCENARIOS[name]() for name in RENDERED}


@pytest.fixture(scope="module")
def receipts(finished: dict[str, Finished]) -> dict[tuple[str, str], Receipt]:
    return {
        (name, language): receipt_of(f, language)
        for name, f in finished.items()
        for language in SUPPORTED_LANGUAGES
    }


def _plain(text: str) -> str:
    """Collapse every kind of space (Babel uses no-break and narrow no-break spaces)."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: PDF text not checked")
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, check=True, timeout=30
    )
    return done.stdout.decode("utf-8")


def _no_card_number(*texts: str) -> None:
    for text in texts:
        assert not PAN_LIKE.search(text), PAN_LIKE.search(text)
        assert PAN not in re.sub(r"[\s\u00a0\u202f-]", "", text)


def _decode(image: Image.Image) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(image.convert("L"))]


# ---------------------------------------------------------------------- text


@pytest.mark.parametrize("width", [32, 48])
def test_text_fits_the_printer(receipts: dict[tuple[str, str], Receipt], width: int) -> None:
    for (name, language), r in receipts.items():
        text = render_text(r, width=width)
        lines = text.splitlines()
        assert all(len(line) <= width for line in lines), (name, language)
        assert text.endswith("\n")
        fmt = r.format()
        total = fmt.money(r.total)
        # amounts flush right: the total line ends exactly at the last column
        (total_line,) = [ln for ln in lines if ln.startswith(r.text("total").upper())]
        assert total_line.endswith(total)
        assert len(total_line) == width
        for line in r.shown_lines():
            assert any(ln.endswith(fmt.money(line.amount)) for ln in lines)
        assert r.receipt_id in text
        assert r.payment is not None
        assert r.payment.masked_ref is not None
        assert r.payment.masked_ref in text
        assert r.station_name in text
        _no_card_number(text)


def test_text_example_48_columns(receipts: dict[tuple[str, str], Receipt]) -> None:
    r = receipts[("time_of_use", "en")]
    text = render_text(r)
    assert "Energy                                     €4.64\n" in text
    assert "  2.404 kWh × €0.29/kWh · 22:00–06:00\n" in text
    assert "Rounding                                  -€0.01\n" in text
    assert "TOTAL                                      €9.73\n" in text
    assert "VISA •••• 4242" in text
    assert URL.split("//")[1][:20] in text


def test_text_too_narrow(receipts: dict[tuple[str, str], Receipt]) -> None:
    with pytest.raises(ValueError, match="columns"):
        render_text(receipts[("member", "en")], width=20)


# ---------------------------------------------------------------------- HTML


_VOID = {"meta", "br", "link", "img", "hr", "input"}


class _Checker(HTMLParser):
    """Fails on any mismatched tag; records tags, attributes and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.attrs: dict[str, list[dict[str, str | None]]] = {}
        self.text: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.setdefault(tag, []).append(dict(attrs))
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.setdefault(tag, []).append(dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Checker:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert not checker.errors, checker.errors
    assert not checker.stack, f"unclosed: {checker.stack}"
    return checker


def test_html_is_well_formed_in_every_language(
    receipts: dict[tuple[str, str], Receipt],
) -> None:
    for (name, language), r in receipts.items():
        html = render_html(r)
        assert html.startswith("<!DOCTYPE html>\n")
        page = _parse(html)
        assert page.attrs["html"] == [{"lang": language}], name
        assert "script" not in page.tags
        assert "img" not in page.tags  # self-contained: nothing to fetch
        assert not any(
            "src" in a or ("href" in a and not str(a["href"]).startswith(URL))
            for attrs in page.attrs.values()
            for a in attrs
        )
        text = _plain(" ".join(page.text))
        assert r.receipt_id in text
        assert _plain(r.format().money(r.total)) in text
        assert r.payment is not None
        assert r.payment.masked_ref is not None
        assert r.payment.masked_ref in text
        _no_card_number(html)


def test_html_escapes_every_text(finished: dict[str, Finished]) -> None:
    f = finished["time_of_use"]
    evil = StationInfo(
        name='Evil <script>alert("x")</script> & Co',
        address_lines=("<b>bold</b> street",),
        operator="O'Reilly <i>",
        vat_id='"><img src=x onerror=alert(1)>',
        connector_labels={"1": "<svg onload=alert(1)>"},
    )
    r = build_receipt(
        f.session, f.payment, f.breakdown, evil, e_receipt_base_url=URL, e_receipt_token=TOKEN
    )
    html = render_html(r)
    page = _parse(html)
    assert "script" not in page.tags
    assert "b" not in page.tags
    assert "i" not in page.tags
    assert "img" not in page.tags
    assert page.tags.count("svg") == 1  # the QR code only
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html
    text = " ".join(page.text)
    assert 'Evil <script>alert("x")</script> & Co' in text
    assert "<svg onload=alert(1)>" in text


def test_html_without_url_has_no_qr(finished: dict[str, Finished]) -> None:
    r = receipt_of(finished["member"], url=None)
    page = _parse(render_html(r))
    assert "svg" not in page.tags


def _svg_image(html: str) -> Image.Image:
    """Draw the HTML's QR code from its SVG path, as a browser would."""
    view = re.search(r'<svg[^>]*viewBox="0 0 (\d+) (\d+)"', html)
    path = re.search(r'<path fill="#000" d="([^"]+)"', html)
    assert view is not None
    assert path is not None
    side = int(view.group(1))
    scale = 8
    image = Image.new("L", (side * scale, side * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, n in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path.group(1)):
        x0, y0 = int(x) * scale, int(y) * scale
        draw.rectangle((x0, y0, x0 + int(n) * scale - 1, y0 + scale - 1), fill=0)
    assert len(re.findall(r"M", path.group(1))) == len(
        re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path.group(1))
    )
    return image


def test_html_qr_decodes_to_the_e_receipt_url(receipts: dict[tuple[str, str], Receipt]) -> None:
    r = receipts[("time_of_use", "en")]
    assert r.e_receipt_url is not None
    image = _svg_image(render_html(r))
    # the quiet zone is light
    first = [image.getpixel((x, 0)) for x in range(0, image.width, 8)]
    assert set(first) == {255}
    assert QUIET_ZONE == 4
    assert _decode(image) == [r.e_receipt_url]


# ----------------------------------------------------------------------- PDF


def test_pdf_is_a_pdf_with_the_total_and_the_id(
    receipts: dict[tuple[str, str], Receipt], tmp_path: Path
) -> None:
    for (name, language), r in receipts.items():
        pdf = render_pdf(r)
        assert pdf.startswith(b"%PDF-")
        assert pdf.rstrip().endswith(b"%%EOF")
        if PDFTOTEXT is None:
            continue
        text = _pdf_text(pdf, tmp_path)
        plain = _plain(text)
        fmt = r.format()
        assert r.receipt_id in plain, (name, language)
        assert _plain(fmt.money(r.total)) in plain, (name, language)
        assert r.station_name in plain
        assert r.payment is not None
        assert r.payment.masked_ref is not None
        assert r.payment.masked_ref in plain  # "•" survives: the font has it
        for line in r.shown_lines():
            assert line.label in plain, (name, language, line.label)
        _no_card_number(text)
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: PDF text not checked")


def test_pdf_text_is_accented_and_has_the_euro(
    receipts: dict[tuple[str, str], Receipt], tmp_path: Path
) -> None:
    text = _pdf_text(render_pdf(receipts[("time_of_use", "fr")]), tmp_path)
    assert "Énergie" in text
    assert "Frais d’occupation" in text
    assert "€" in text
    assert "Reçu" in text


def test_pdf_paper_sizes(receipts: dict[tuple[str, str], Receipt]) -> None:
    r = receipts[("dc_max_price", "en")]
    assert b"/MediaBox [0 0 595.28 841.89]" in render_pdf(r)  # A4
    assert b"/MediaBox [0 0 612.00 792.00]" in render_pdf(r, paper="letter")


def test_pdf_is_reproducible(receipts: dict[tuple[str, str], Receipt]) -> None:
    r = receipts[("member", "de")]
    assert render_pdf(r) == render_pdf(r)


def _pdf_pages(pdf: bytes, tmp_path: Path, dpi: int) -> Iterator[Image.Image]:
    if PDFTOPPM is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: PDF not rasterized")
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        [PDFTOPPM, "-png", "-r", str(dpi), str(path), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    for page in sorted(tmp_path.glob("page*.png")):
        with Image.open(page) as image:
            yield image.copy()


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_pdf_is_one_page_and_its_qr_decodes(
    receipts: dict[tuple[str, str], Receipt], tmp_path: Path, paper: str
) -> None:
    r = receipts[("two_rates", "de")]
    pages = list(_pdf_pages(render_pdf(r, paper=paper), tmp_path, 150))  # type: ignore[arg-type]
    assert len(pages) == 1
    assert _decode(pages[0]) == [r.e_receipt_url]


def test_pdf_needs_the_shipped_font(
    receipts: dict[tuple[str, str], Receipt], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIOSK_ASSETS", str(tmp_path))
    with pytest.raises(ReceiptFontMissing, match="DejaVuSans"):
        render_pdf(receipts[("member", "en")])


# --------------------------------------------------------- no card number


def test_no_card_number_anywhere_even_from_a_careless_provider(
    finished: dict[str, Finished], tmp_path: Path
) -> None:
    f = finished["member"]
    f.payment.masked_ref = f"VISA {PAN}"
    try:
        r = build_receipt(
            f.session,
            f.payment,
            f.breakdown,
            STATION,
            e_receipt_base_url=URL,
            e_receipt_token=TOKEN,
        )
    finally:
        f.payment.masked_ref = "VISA •••• 4242"
    assert r.payment is not None
    assert r.payment.masked_ref == "VISA •••• 1111"
    outputs = [render_text(r), render_text(r, width=32), render_html(r)]
    if PDFTOTEXT is not None:
        outputs.append(_pdf_text(render_pdf(r), tmp_path))
    _no_card_number(*outputs, repr(r))


def test_long_texts_wrap_in_every_format(finished: dict[str, Finished], tmp_path: Path) -> None:
    f = finished["dc_max_price"]
    station = dataclasses.replace(
        STATION,
        name="Ladepark Autobahnraststätte Irschenberg Süd – Schnellladestation Nord-West",
        connector_labels={"3": "Hochleistungsladepunkt CCS Combo 2 (rechts, barrierefrei)"},
    )
    r = build_receipt(
        f.session,
        f.payment,
        f.breakdown,
        station,
        language="de",
        e_receipt_base_url=URL,
        e_receipt_token=TOKEN,
    )
    for width in (32, 48):
        assert all(len(ln) <= width for ln in render_text(r, width=width).splitlines())
    pdf = render_pdf(r)
    if PDFTOTEXT is not None:
        assert "Irschenberg" in _pdf_text(pdf, tmp_path)
    assert Decimal(r.total_gross) == Decimal("75.00")


def test_qr_svg_is_standalone() -> None:
    from kiosk.receipts.qr import qr_svg

    svg = qr_svg("https://example.org/r/1", label="E-receipt <1>")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "&lt;1&gt;" in svg
    image = _svg_image(svg)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    assert _decode(Image.open(buffer)) == ["https://example.org/r/1"]
