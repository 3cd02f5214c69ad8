"""`print_receipt` and `reprint_receipt` with the default PDF-folder backend: faults, reprints, the audit log."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from kiosk.errors import BadReference, LoketError
from kiosk.reference import make_reference
from kiosk.store import Application
from kiosk.terminal import Terminal
from printing import (
    MalformedPayload,
    PrinterError,
    print_receipt,
    print_test_receipt,
    render_receipt_pdf,
    reprint_receipt,
    verify_qr_payload,
)
from tests.printing.conftest import decode_qr, pdf_text, pdf_to_png


def test_default_backend_saves_the_receipt_in_the_terminals_receipts_folder(
    terminal: Terminal, filed: Application,
) -> None:
    job = print_receipt(terminal, filed, language="id")
    assert job.pdf_path == terminal.paths.receipts / f"{filed.reference}.pdf"
    assert job.backend == "pdf"
    assert str(job.pdf_path) in job.description
    assert filed.reference in pdf_text(job.pdf_path)


def test_pdf_folder_setting_and_paper_are_honoured(terminal: Terminal, filed: Application, tmp_path: Path) -> None:
    terminal.update_settings(printer_pdf_dir=str(tmp_path / "out"), printer_paper="58mm")
    job = print_receipt(terminal, filed)
    assert job.pdf_path.parent == tmp_path / "out"
    with Image.open(pdf_to_png(job.pdf_path, tmp_path)) as png:
        assert abs(png.width - round(58 / 25.4 * 203)) <= 1


def test_print_from_a_background_thread(terminal: Terminal, filed: Application) -> None:
    jobs = []
    worker = threading.Thread(target=lambda: jobs.append(print_receipt(terminal, filed, "en")))
    worker.start()
    worker.join(30)
    assert jobs and jobs[0].pdf_path.exists()
    assert "APPLICATION RECEIPT" in pdf_text(jobs[0].pdf_path)


def test_folder_that_is_a_file_is_a_printer_error_then_reprint_works_once_fixed(
    terminal: Terminal, filed: Application, tmp_path: Path,
) -> None:
    blocker = tmp_path / "receipts-usb"
    blocker.write_text("not a folder")
    terminal.update_settings(printer_pdf_dir=str(blocker))
    with pytest.raises(PrinterError, match=f"cannot write the receipt to {blocker}"):
        print_receipt(terminal, filed)
    assert terminal.store.get(filed.reference).state == "queued"
    # kept for the next heartbeat (central's Terminals page), without probing the printer again
    assert terminal.store.values.printer_state.startswith(f"cannot write the receipt to {blocker}")

    with pytest.raises(PrinterError):
        reprint_receipt(terminal, filed.reference)

    blocker.unlink()
    job = reprint_receipt(terminal, filed.reference)
    assert terminal.store.values.printer_state == "ok"
    assert job.pdf_path == blocker / f"{filed.reference}-reprint-1.pdf"
    text = pdf_text(job.pdf_path)
    assert "CETAK ULANG" in text and filed.reference in text
    actions = [e["action"] for e in terminal.store.audit_entries() if e["action"].startswith("receipt.")]
    assert actions == ["receipt.reprint_failed", "receipt.reprinted"]


def test_reprint_is_audited_and_keeps_earlier_copies(terminal: Terminal, filed: Application) -> None:
    first = print_receipt(terminal, filed)
    second = reprint_receipt(terminal, filed.reference.lower().replace("-", " "), actor="staff")
    third = reprint_receipt(terminal, filed.reference)
    assert first.pdf_path.exists() and second.pdf_path != third.pdf_path
    entries = [e for e in terminal.store.audit_entries() if e["action"] == "receipt.reprinted"]
    assert [e["actor"] for e in entries] == ["staff", "technician"]
    assert all(filed.reference in e["detail"] for e in entries)


def test_reprint_to_a_file_writes_that_layout(terminal: Terminal, filed: Application, tmp_path: Path) -> None:
    target = tmp_path / "copy" / "receipt.pdf"
    job = reprint_receipt(terminal, filed.reference, to=target, paper="a4", language="en")
    assert job.pdf_path == target
    assert "REPRINT" in pdf_text(target)
    assert len(decode_qr(pdf_to_png(target, tmp_path))) == 1
    assert not any(terminal.paths.receipts.iterdir())


def test_reprint_of_a_mistyped_or_unknown_reference_says_so(terminal: Terminal, filed: Application) -> None:
    with pytest.raises(BadReference, match="typing mistake"):
        reprint_receipt(terminal, filed.reference[:-1] + ("A" if filed.reference[-1] != "A" else "B"))
    missing = make_reference("K7Q2", dt.date(2026, 3, 1), 77)
    with pytest.raises(LoketError, match=f"no application {missing} on this terminal"):
        reprint_receipt(terminal, missing)


def test_printer_test_page_is_marked_and_its_qr_can_never_pass_as_a_receipt(
    terminal: Terminal, tmp_path: Path,
) -> None:
    job = print_test_receipt(terminal, "id")
    text = pdf_text(job.pdf_path)
    assert "TES PRINTER - BUKAN TANDA TERIMA" in text and "K7Q2-TEST" in text
    payload = decode_qr(pdf_to_png(job.pdf_path, tmp_path))[0]
    assert payload.startswith("LOKET-TEST K7Q2 ")
    with pytest.raises(MalformedPayload):
        verify_qr_payload(payload, {"K7Q2": terminal.identity.verify_key})
    assert terminal.store.counts()["queued"] == 0
    assert [e["action"] for e in terminal.store.audit_entries()][-1] == "printer.tested"


def test_printer_test_with_the_printer_down_is_a_printer_error_and_audited(terminal: Terminal) -> None:
    terminal.update_settings(printer_backend="escpos", printer_escpos_url="tcp://127.0.0.1:9")
    with pytest.raises(PrinterError, match="cannot reach the receipt printer"):
        print_test_receipt(terminal, "en")
    assert [e["action"] for e in terminal.store.audit_entries()][-1] == "printer.test_failed"


def test_an_offices_own_logo_replaces_the_default_emblem(terminal: Terminal, filed: Application) -> None:
    assert b"/Subtype /Image" not in render_receipt_pdf(terminal, filed, "id", "80mm")  # the emblem is vectors
    logo = Image.new("L", (120, 120), 255)
    ImageDraw.Draw(logo).ellipse((10, 10, 110, 110), fill=0)
    logo.save(terminal.paths.home / "logo.png")
    for paper in ("58mm", "80mm", "a4"):
        assert b"/Subtype /Image" in render_receipt_pdf(terminal, filed, "id", paper)


def test_printer_faults_and_prints_reach_the_terminals_log(
    terminal: Terminal, filed: Application, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="loket")
    print_receipt(terminal, filed)
    terminal.update_settings(printer_backend="escpos", printer_escpos_url="tcp://127.0.0.1:9")
    with pytest.raises(PrinterError):
        print_receipt(terminal, filed)
    records = [(r.name, r.levelname, r.getMessage()) for r in caplog.records if r.name == "loket.printing"]
    assert records[0][:2] == ("loket.printing", "INFO") and "saved as" in records[0][2]
    assert records[1][:2] == ("loket.printing", "WARNING") and "cannot reach the receipt printer" in records[1][2]
