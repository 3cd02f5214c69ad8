"""Each layout, printed the way a 203 dpi head would: the QR decodes and verifies, the text is all there."""

from __future__ import annotations

import dataclasses
import io
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.units import mm

from kiosk.store import Application
from kiosk.terminal import Terminal
from printing import BadSignature, render_receipt_pdf, verify_qr_payload
from printing.content import build_receipt
from printing.layouts import render_pdf
from tests.printing.conftest import decode_qr, file_sample, pdf_text, pdf_to_png

PAPERS = ["58mm", "80mm", "a4"]


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("language", ["id", "en"])
def test_printed_qr_decodes_at_203_dpi_and_its_signature_verifies(
    terminal: Terminal, filed: Application, tmp_path: Path, paper: str, language: str,
) -> None:
    pdf = render_receipt_pdf(terminal, filed, language, paper)
    payloads = decode_qr(pdf_to_png(pdf, tmp_path))
    assert len(payloads) == 1
    receipt = verify_qr_payload(payloads[0], {"K7Q2": terminal.identity.verify_key})
    assert (receipt.reference, receipt.service_code) == (filed.reference, "SKU")


@pytest.mark.parametrize("paper", PAPERS)
def test_tampered_payload_from_a_printed_receipt_fails(
    terminal: Terminal, filed: Application, tmp_path: Path, paper: str,
) -> None:
    payload = decode_qr(pdf_to_png(render_receipt_pdf(terminal, filed, "id", paper), tmp_path))[0]
    tampered = payload.replace(":SKU:", ":SKD:")
    with pytest.raises(BadSignature):
        verify_qr_payload(tampered, {"K7Q2": terminal.identity.verify_key})


@pytest.mark.parametrize("paper", PAPERS)
def test_receipt_text_names_office_service_reference_dates_documents_and_privacy(
    terminal: Terminal, filed: Application, paper: str,
) -> None:
    text = pdf_text(render_receipt_pdf(terminal, filed, "id", paper))
    for expected in ("Kelurahan Braga", "TANDA TERIMA PERMOHONAN", filed.reference, "Surat Keterangan Usaha",
                     "Maret 2026", "Jumat, 27 Maret 2026", "Foto tempat usaha", "Cek status", "terenkripsi",
                     "Terminal K7Q2"):
        assert expected in text, f"{expected!r} missing from the {paper} receipt"
    for personal in ("3273015708900003", "Siti Aminah", "Jl. Braga No. 12"):
        assert personal not in text


def test_english_receipt_text_is_english(terminal: Terminal, filed: Application) -> None:
    text = pdf_text(render_receipt_pdf(terminal, filed, "en", "80mm"))
    assert "APPLICATION RECEIPT" in text and "Friday, 27 March 2026" in text and "Business certificate" in text
    assert "TANDA TERIMA" not in text


@pytest.mark.parametrize("paper,width", [("58mm", 58 * mm), ("80mm", 80 * mm), ("a4", 210 * mm)])
def test_page_is_as_wide_as_the_paper_and_one_page_long(
    terminal: Terminal, filed: Application, paper: str, width: float,
) -> None:
    reader = PdfReader(io.BytesIO(render_receipt_pdf(terminal, filed, "id", paper)))
    assert len(reader.pages) == 1
    assert float(reader.pages[0].mediabox.width) == pytest.approx(width, abs=0.5)


def test_thermal_receipt_grows_with_its_content(terminal: Terminal, filed: Application) -> None:
    receipt = build_receipt(terminal.identity, terminal.catalog.service("SKU"), filed, "id")
    longer = dataclasses.replace(receipt, documents=receipt.documents * 3)

    def height(r: object) -> float:
        return float(PdfReader(io.BytesIO(render_pdf(r, "58mm"))).pages[0].mediabox.height)

    assert height(longer) > height(receipt) + 20


def test_text_outside_latin_1_is_printed_with_an_embedded_font(
    terminal: Terminal, filed: Application, tmp_path: Path,
) -> None:
    receipt = build_receipt(terminal.identity, terminal.catalog.service("SKU"), filed, "id")
    receipt = dataclasses.replace(receipt, office_name="Kelurahan Tāmān Ŝari")
    pdf = render_pdf(receipt, "58mm")
    assert "Kelurahan Tāmān Ŝari" in pdf_text(pdf)
    assert decode_qr(pdf_to_png(pdf, tmp_path)) == [receipt.qr_payload]


def test_receipt_without_a_logo_still_renders(terminal: Terminal, filed: Application, tmp_path: Path) -> None:
    receipt = build_receipt(terminal.identity, terminal.catalog.service("SKU"), filed, "id")
    for paper in PAPERS:
        pdf = render_pdf(receipt, paper, logo=None)
        assert decode_qr(pdf_to_png(pdf, tmp_path)) == [receipt.qr_payload]


def test_every_service_receipt_decodes_from_black_and_white_58mm(terminal: Terminal, tmp_path: Path) -> None:
    """Thermal heads print dots, not grey: the QR must survive a hard black/white rasterisation."""
    for service in terminal.catalog.services:
        app = file_sample(terminal, service.code)
        pdf = tmp_path / "receipt.pdf"
        pdf.write_bytes(render_receipt_pdf(terminal, app, "id", "58mm"))
        subprocess.run(["pdftoppm", "-r", "203", "-mono", "-singlefile", str(pdf), str(tmp_path / "mono")], check=True)
        with Image.open(tmp_path / "mono.pbm") as image:
            found = [c.text for c in zxingcpp.read_barcodes(image.convert("L"))]
        assert len(found) == 1, service.code
        assert verify_qr_payload(found[0], {"K7Q2": terminal.identity.verify_key}).service_code == service.code


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(office=st.text(st.characters(whitelist_categories=("L", "N", "P", "Zs")), min_size=1, max_size=120),
       paper=st.sampled_from(PAPERS))
def test_any_office_name_gives_a_one_page_receipt_for_any_paper(
    terminal: Terminal, filed: Application, office: str, paper: str,
) -> None:
    receipt = build_receipt(terminal.identity, terminal.catalog.service("SKU"), filed, "id")
    pdf = render_pdf(dataclasses.replace(receipt, office_name=office, footer=office), paper)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert filed.reference in reader.pages[0].extract_text()
