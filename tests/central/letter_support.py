"""Shared by the letter tests: citizens' answers for five services, filing them through a real central,
moving them in process, and reading letters back (PDF text, PNG, QR)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import zxingcpp
from PIL import Image
from pypdf import PdfReader

from central.db import Database
from central.letters.office_settings import update_settings
from central.offices import get_office
from kiosk.catalog import DEFAULT_CATALOG, load_catalog
from kiosk.validation import check_form
from tests.central.status_support import move_to
from tests.fixtures.central import CentralHarness
from tests.harness.simterminal import SimulatedTerminal

DOCS_LETTERS = Path(__file__).resolve().parents[2] / "docs" / "letters"

#: what five citizens typed at the kiosk (made-up people; structurally valid numbers)
ANSWERS: dict[str, dict[str, str]] = {
    "SKD": {"nik": "3273015708900003", "full_name": "Siti Rahmawati", "address": "Jl. Braga No. 12, Bandung",
            "rt_rw": "003/005", "living_since": "17-08-2015", "purpose": "bank", "consent": "yes"},
    "SKU": {"nik": "3273011203850002", "full_name": "Budi Santoso", "business_name": "Warung Kopi Braga",
            "business_kind": "makanan", "business_address": "Jl. Braga No. 40, Bandung", "since_year": "2018",
            "consent": "yes"},
    "SKTM": {"nik": "3273016510780001", "full_name": "Dewi Lestari", "kk_number": "3273012001150007",
             "purpose": "sekolah", "dependants": "4", "consent": "yes"},
    "SKCK": {"nik": "3273010101990004", "full_name": "Agus Pratama", "purpose": "kerja", "consent": "yes"},
    "SKBM": {"nik": "3273014402000005", "full_name": "Rina Marlina", "purpose": "nikah", "consent": "yes"},
}
SIGNER = {"government": "PEMERINTAH KOTA BANDUNG", "district": "KECAMATAN SUMUR BANDUNG", "place": "Bandung",
          "head_title": "Lurah Braga", "short_code": "KEL-BRG", "signer_name": "Drs. H. Asep Sunandar, M.Si.",
          "signer_nip": "19750312 200003 1 004", "address": "Jl. Braga No. 1, Bandung 40111",
          "phone": "(022) 4201234"}


def checked_answers(service: str, answers: dict[str, str] | None = None) -> dict[str, str]:
    """The answers as the kiosk stores them (validated and normalised by the catalog)."""
    checked = check_form(load_catalog(DEFAULT_CATALOG).service(service), answers or ANSWERS[service])
    assert checked.ok, checked.errors
    return checked.values


def set_up_office(harness: CentralHarness, *, name: str = "Kelurahan Braga") -> tuple[str, SimulatedTerminal]:
    """A new office whose letters point at this central, and a terminal enrolled with it."""
    office = harness.create_office(name=name)
    db = Database(harness.db_url)
    try:
        with db.transaction() as session:
            update_settings(session, get_office(session, office), {"public_url": harness.url, **SIGNER})
    finally:
        db.dispose()
    terminal = SimulatedTerminal(harness.url)
    terminal.enroll(harness.enrollment_code(office))
    return office, terminal


def file_in_process(harness: CentralHarness, terminal: SimulatedTerminal, services: list[str],
                    status: str = "in_process") -> list[str]:
    """Files one application per service through the terminal API, then moves them to `status`."""
    uploads = [terminal.application(service_code=s, answers=checked_answers(s)) for s in services]
    for start in range(0, len(uploads), 50):
        answer = terminal.upload(uploads[start:start + 50])
        assert {r.outcome for r in answer.results} == {"accepted"}
    db = Database(harness.db_url)
    try:
        with db.transaction() as session:
            for upload in uploads:
                move_to(session, upload.reference, status)
    finally:
        db.dispose()
    return [u.reference for u in uploads]


def pdf_text(pdf: Path | bytes) -> str:
    reader = PdfReader(pdf if isinstance(pdf, Path) else io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_to_png(pdf: Path, png: Path, dpi: int) -> Path:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(pdf), str(png.with_suffix(""))],
                   check=True, capture_output=True)
    return png


def decode_qr(png: Path) -> list[str]:
    with Image.open(png) as image:
        return [c.text for c in zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)]
