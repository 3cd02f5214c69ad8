"""Fixtures for receipts: a filed application, a PDF→PNG→QR reader, and a loopback ESC/POS printer."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from kiosk.applications import file_application
from kiosk.samples import sample_answers
from kiosk.store import Application
from kiosk.terminal import Terminal

#: filed on a Tuesday at noon UTC, so the local date is the same in every Indonesian time zone
FILED_AT = dt.datetime(2026, 3, 17, 12, 0, 5, tzinfo=dt.UTC)


def file_sample(terminal: Terminal, service: str = "SKU", now: dt.datetime = FILED_AT) -> Application:
    answers = sample_answers(terminal.catalog.service(service))
    return file_application(terminal.store, terminal.catalog, service, answers, now=now)


@pytest.fixture
def filed(terminal: Terminal) -> Application:
    """A business-certificate application (3 working days, 4 documents) on the `terminal` fixture."""
    return file_sample(terminal)


def pdf_to_png(pdf: bytes | Path, folder: Path, dpi: int = 203) -> Path:
    """Rasterises the first page the way a 203 dpi thermal head would (poppler's pdftoppm)."""
    source = folder / "receipt.pdf"
    if isinstance(pdf, Path):
        source = pdf
    else:
        source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(source), str(folder / "receipt")],
                   check=True, capture_output=True)
    return folder / "receipt.png"


def decode_qr(png: Path) -> list[str]:
    with Image.open(png) as image:
        return [c.text for c in zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)]


def pdf_text(pdf: bytes | Path) -> str:
    reader = PdfReader(pdf if isinstance(pdf, Path) else io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


class LoopbackPrinter:
    """A network ESC/POS printer on 127.0.0.1: keeps every byte it gets and answers paper-status requests."""

    PAPER_OK = b"\x12"
    PAPER_OUT = b"\x72"

    def __init__(self, port: int = 0, paper: bytes = PAPER_OK) -> None:
        self.paper = paper
        self.jobs: list[bytes] = []
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", port))
        self.server.listen(4)
        self.port = self.server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            received = b""
            with conn:
                while chunk := conn.recv(65536):
                    if b"\x10\x04\x04" in chunk:
                        conn.sendall(self.paper)
                    received += chunk
            self.jobs.append(received)

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[bytes]:
        deadline = dt.datetime.now() + dt.timedelta(seconds=timeout)
        while len(self.jobs) < count and dt.datetime.now() < deadline:
            threading.Event().wait(0.01)
        return self.jobs

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def loopback_printer() -> Iterator[LoopbackPrinter]:
    printer = LoopbackPrinter()
    yield printer
    printer.close()


def free_port() -> int:
    """A loopback port with nothing listening on it (a printer that is switched off)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def cups_server() -> Iterator[object]:
    """A private cupsd for this test session (see tests/printing/cups_server.py)."""
    from tests.printing.cups_server import missing_requirements, private_cups

    missing = missing_requirements()
    if missing:
        pytest.skip(missing)
    # not under pytest's tmp folders: CUPS filters run as the `lp` user and must reach the spool
    root = Path(tempfile.mkdtemp(prefix="loket-cups-"))
    root.chmod(0o755)
    try:
        yield from private_cups(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
