"""Printer backends behind one small interface, chosen by `settings.printer_backend`.

Each backend takes a finished `Receipt` and either hands it to a printer or raises `PrinterError`
with one line a technician can act on; `check()` says whether it could print right now, without
printing. `pdf` writes a PDF folder (the default), `cups` prints through `lp` to any printer the
office has, `escpos` talks to a thermal printer directly.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.settings import Settings
from printing.backends.base import Backend, PrinterState, PrintJob
from printing.backends.cups import CupsBackend
from printing.backends.pdf_folder import PdfFolderBackend
from printing.errors import PrinterError


def backend_for(settings: Settings, receipts_folder: Path) -> Backend:
    """The backend the settings choose; `receipts_folder` is the PDF folder's default."""
    if settings.printer_backend == "pdf":
        return PdfFolderBackend(Path(settings.printer_pdf_dir).expanduser() if settings.printer_pdf_dir
                                else receipts_folder)
    if settings.printer_backend == "cups":
        return CupsBackend(settings.printer_cups_queue)
    if settings.printer_backend == "escpos":
        # imported on first use: python-escpos parses (and pickles) its printer capabilities on import,
        # a third of a second the kiosk's start-up would pay even with a PDF or CUPS printer
        from printing.backends.escpos import EscposBackend

        return EscposBackend(settings.printer_escpos_url)
    raise PrinterError(f"unknown printer backend {settings.printer_backend!r}: use pdf, cups or escpos")


__all__ = ["Backend", "CupsBackend", "PdfFolderBackend", "PrintJob", "PrinterState", "backend_for"]
