"""Every receipt (58 mm, 80 mm and A4 PDFs, ESC/POS) carries the status PIN beside the reference."""

from __future__ import annotations

from pathlib import Path

import pytest
from escpos.printer import Dummy
from PIL import Image

from kiosk.status_pin import status_pin
from kiosk.store import Application
from kiosk.terminal import Terminal
from printing import render_receipt_pdf
from printing.escpos_layout import write_receipt
from printing.layouts import DEFAULT_LOGO
from printing.receipts import ReceiptCodes, receipt_codes, receipt_for
from tests.printing.conftest import pdf_text, pdf_to_png


@pytest.mark.parametrize("paper", ["58mm", "80mm", "a4"])
@pytest.mark.parametrize("language, label", [("id", "PIN cek status"), ("en", "Status PIN")])
def test_a_printed_receipt_shows_the_pin_beside_the_reference(terminal: Terminal, filed: Application, tmp_path: Path,
                                                              paper: str, language: str, label: str) -> None:
    pin = status_pin(terminal.store, filed.id)
    pdf = render_receipt_pdf(terminal, filed, language, paper)
    text = pdf_text(pdf)
    assert f"{label}: {pin}" in text
    assert text.index(filed.reference) < text.index(pin), "the PIN follows the reference"
    with Image.open(pdf_to_png(pdf, tmp_path)) as page:
        assert page.size[0] > 300


@pytest.mark.parametrize("paper, width", [("58mm", 32), ("80mm", 48)])
def test_an_escpos_receipt_prints_the_pin_within_the_paper_width(terminal: Terminal, filed: Application,
                                                                 paper: str, width: int) -> None:
    printer = Dummy()
    write_receipt(printer, receipt_for(terminal, filed, "id"), paper, DEFAULT_LOGO)
    line = f"PIN cek status: {status_pin(terminal.store, filed.id)}".encode()
    assert line in printer.output and len(line) <= width


def test_each_application_has_its_own_pin_and_a_reprint_shows_the_same(terminal: Terminal, filed: Application) -> None:
    first = receipt_for(terminal, filed, "id")
    assert first.status_pin == receipt_for(terminal, filed, "id", reprint=True).status_pin
    assert len(first.status_pin) == 4 and first.status_pin.isdigit()


def test_the_paper_carries_the_codes_the_screen_shows_made_once(terminal: Terminal, filed: Application) -> None:
    codes = receipt_codes(terminal, filed)
    assert codes.status_pin == status_pin(terminal.store, filed.id)
    printed = receipt_for(terminal, filed, "id", codes=codes)
    assert (printed.qr_payload, printed.status_pin) == (codes.qr_payload, codes.status_pin)
    handed = ReceiptCodes("LK1:handed-over", "1234")  # given codes are used as they are, not made again
    assert (receipt_for(terminal, filed, "id", codes=handed).qr_payload,
            receipt_for(terminal, filed, "id", codes=handed).status_pin) == ("LK1:handed-over", "1234")
