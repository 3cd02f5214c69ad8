"""The interface every printer backend implements, and what a print job reports back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from printing.content import Receipt


@dataclass(frozen=True)
class PrintJob:
    """A receipt handed to a printer: what happened, in one line, and the PDF if one was written."""

    description: str
    reference: str
    backend: str
    pdf_path: Path | None = None
    job_id: str = ""


@dataclass(frozen=True)
class PrinterState:
    """Whether a printer can print right now, and why not, in one line a technician can act on."""

    ready: bool
    text: str


class Backend(Protocol):
    name: str

    def check(self) -> PrinterState:
        """Whether the printer can print right now, without printing anything (never raises)."""
        ...

    def print(self, receipt: Receipt, paper: str, logo: Path | None) -> PrintJob:
        """Hands the receipt to the printer; raises `PrinterError` when it cannot."""
        ...
