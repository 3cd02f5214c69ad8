"""The CUPS backend against a real scheduler: lp → cups-pdf → a PDF whose QR verifies; faults are caught."""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from kiosk.crypto import OfficeKeypair
from kiosk.reference import ALPHABET
from kiosk.store import Application
from kiosk.terminal import Terminal
from printing import PrinterError, print_receipt, receipt_for, reprint_receipt, verify_qr_payload
from printing.backends import CupsBackend
from tests.printing.conftest import decode_qr, file_sample, pdf_text, pdf_to_png
from tests.printing.cups_server import PrivateCups


@pytest.fixture
def cups(cups_server: PrivateCups, monkeypatch: pytest.MonkeyPatch) -> PrivateCups:
    monkeypatch.setenv("CUPS_SERVER", cups_server.env["CUPS_SERVER"])
    return cups_server


@pytest.fixture
def queue(cups: PrivateCups) -> Iterator[str]:
    name = cups.add_pdf_queue(f"loket_{uuid.uuid4().hex[:8]}")
    yield name
    cups.remove_queue(name)


@pytest.fixture
def office_terminal(tmp_path: Path, office: OfficeKeypair, queue: str) -> Iterator[Terminal]:
    """A terminal printing to the CUPS queue; its random code keeps cups-pdf's file names unique."""
    t = Terminal(tmp_path / "office-terminal")
    t.provision_offline(terminal_code="".join(random.choices(ALPHABET, k=4)), office_code="3273010001",
                        office_name="Kelurahan Braga", office_key=office.public_key)
    t.update_settings(printer_backend="cups", printer_cups_queue=queue, printer_paper="a4")
    yield t
    t.close()


@pytest.fixture
def application(office_terminal: Terminal) -> Iterator[Application]:
    app = file_sample(office_terminal)
    yield app
    for leftover in cups_pdf_files(app.reference):
        leftover.unlink()


def cups_pdf_files(reference: str) -> list[Path]:
    from tests.printing.cups_server import cups_pdf_output_folder

    return list(cups_pdf_output_folder().glob(f"*{reference}*.pdf"))


@pytest.mark.parametrize("paper", ["a4", "80mm"])
def test_receipt_printed_through_lp_comes_out_with_a_verifiable_qr(
    cups: PrivateCups, office_terminal: Terminal, application: Application, tmp_path: Path, paper: str,
) -> None:
    office_terminal.update_settings(printer_paper=paper)
    job = print_receipt(office_terminal, application)
    assert job.backend == "cups" and job.job_id.startswith(office_terminal.settings.printer_cups_queue)
    assert "printed on CUPS queue" in job.description
    printed = cups.find_output(application.reference, job.job_id)
    assert application.reference in pdf_text(printed)
    page_width_mm = float(PdfReader(printed).pages[0].mediabox.width) * 25.4 / 72
    assert page_width_mm == pytest.approx(80 if paper == "80mm" else 210, abs=1)  # roll paper: media=Custom
    payloads = decode_qr(pdf_to_png(printed, tmp_path))
    receipt = verify_qr_payload(payloads[0], {office_terminal.identity.terminal_code:
                                              office_terminal.identity.verify_key})
    assert receipt.reference == application.reference


def test_stopped_queue_is_a_clear_error_nothing_waits_and_reprint_works_once_enabled(
    cups: PrivateCups, queue: str, office_terminal: Terminal, application: Application,
) -> None:
    cups.run("cupsdisable", queue)
    with pytest.raises(PrinterError, match=f"CUPS queue '{queue}' is stopped") as raised:
        print_receipt(office_terminal, application)
    assert f"cupsenable {queue}" in str(raised.value)
    assert cups.jobs_not_completed(queue) == []  # nothing left to print twice later
    assert office_terminal.store.get(application.reference).state == "queued"

    cups.run("cupsenable", queue)
    job = reprint_receipt(office_terminal, application.reference)
    assert "CETAK ULANG" in pdf_text(cups.find_output(application.reference, job.job_id))


def test_unplugged_printer_is_a_clear_error_and_the_waiting_job_is_cancelled(
    cups: PrivateCups, queue: str, office_terminal: Terminal, application: Application,
) -> None:
    # a USB printer that is not there: CUPS keeps the job "waiting for printer to become available"
    cups.run("lpadmin", "-p", queue, "-v", "usb://Loket/Unplugged")
    backend = CupsBackend(queue, wait_s=1.5)
    receipt = receipt_for(office_terminal, application)
    with pytest.raises(PrinterError, match=f"the printer of CUPS queue '{queue}' did not print the receipt within 2 s"
                                          r" \(Waiting for printer to become available\); job .* was cancelled"):
        backend.print(receipt, "a4", None)
    assert cups.jobs_not_completed(queue) == []
    assert office_terminal.store.get(application.reference).state == "queued"


def test_queue_stopped_while_the_job_waits_cancels_it(
    cups: PrivateCups, queue: str, office_terminal: Terminal, application: Application,
) -> None:
    cups.run("lpadmin", "-p", queue, "-v", "usb://Loket/Unplugged")
    stopper = threading.Timer(0.5, cups.run, args=("cupsdisable", queue))
    stopper.start()
    try:
        with pytest.raises(PrinterError, match=f"CUPS queue '{queue}' is stopped.*was cancelled"):
            CupsBackend(queue, wait_s=20).print(receipt_for(office_terminal, application), "a4", None)
    finally:
        stopper.join()
    assert cups.jobs_not_completed(queue) == []


def test_queue_rejecting_jobs_is_a_clear_error(
    cups: PrivateCups, queue: str, office_terminal: Terminal, application: Application,
) -> None:
    cups.run("cupsreject", queue)
    with pytest.raises(PrinterError, match=f"CUPS queue '{queue}' is not accepting jobs: `cupsaccept {queue}`"):
        print_receipt(office_terminal, application)


def test_unknown_queue_names_the_setting(cups: PrivateCups, office_terminal: Terminal,
                                         application: Application) -> None:
    office_terminal.update_settings(printer_cups_queue="NoSuchPrinter")
    with pytest.raises(PrinterError, match="there is no CUPS queue named 'NoSuchPrinter'.*lpstat -p"):
        print_receipt(office_terminal, application)


def test_no_queue_set_names_the_setting(cups: PrivateCups, office_terminal: Terminal,
                                        application: Application) -> None:
    office_terminal.update_settings(printer_cups_queue="")
    with pytest.raises(PrinterError, match="no CUPS queue is set: set printer_cups_queue"):
        print_receipt(office_terminal, application)


def test_scheduler_not_running_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terminal: Terminal, filed: Application,
) -> None:
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "no-cupsd.sock"))
    terminal.update_settings(printer_backend="cups", printer_cups_queue="PDF")
    with pytest.raises(PrinterError, match="the CUPS scheduler is not running"):
        print_receipt(terminal, filed)
