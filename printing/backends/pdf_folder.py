"""The PDF-folder backend: each receipt becomes `<reference>.pdf` in a folder (demos, archiving, e-mail)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from printing.backends.base import PrinterState, PrintJob
from printing.content import Receipt
from printing.errors import PrinterError
from printing.layouts import render_pdf


def write_pdf(pdf: bytes, target: Path) -> Path:
    """Writes `pdf` to `target` whole or not at all; raises `PrinterError` naming the file."""
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(pdf)
        os.replace(tmp, target)
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise PrinterError(f"cannot write the receipt to {target}: {e.strerror or e}") from e
    return target


class PdfFolderBackend:
    name = "pdf"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def check(self) -> PrinterState:
        if not self.folder.is_dir() or not os.access(self.folder, os.W_OK):
            return PrinterState(False, f"PDF folder {self.folder} is missing or not writable")
        return PrinterState(True, f"PDF folder {self.folder}: ready")

    def target_for(self, receipt: Receipt) -> Path:
        """`<reference>.pdf`; a reprint gets `<reference>-reprint-N.pdf` so the first copy stays."""
        if not receipt.reprint_label:
            return self.folder / f"{receipt.reference}.pdf"
        n = 1
        while (self.folder / f"{receipt.reference}-reprint-{n}.pdf").exists():
            n += 1
        return self.folder / f"{receipt.reference}-reprint-{n}.pdf"

    def print(self, receipt: Receipt, paper: str, logo: Path | None) -> PrintJob:
        path = write_pdf(render_pdf(receipt, paper, logo), self.target_for(receipt))
        return PrintJob(f"saved as {path}", receipt.reference, self.name, pdf_path=path)
