"""Every printer backend answers `check()` with a `PrinterState`, without printing and without raising."""

from __future__ import annotations

import socket
from pathlib import Path

from printing.backends import CupsBackend, PdfFolderBackend, PrinterState
from printing.backends.escpos import EscposBackend


def test_a_pdf_folder_is_ready_when_it_exists_and_is_writable(tmp_path: Path) -> None:
    assert PdfFolderBackend(tmp_path).check() == PrinterState(True, f"PDF folder {tmp_path}: ready")
    missing = tmp_path / "gone"
    assert PdfFolderBackend(missing).check() == PrinterState(False, f"PDF folder {missing} is missing or not writable")


def test_a_cups_backend_without_a_queue_says_what_to_set() -> None:
    state = CupsBackend("").check()
    assert not state.ready and "printer_cups_queue" in state.text


def test_an_escpos_printer_that_answers_is_ready_and_one_that_does_not_is_named(tmp_path: Path) -> None:
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(1)
        port = listening.getsockname()[1]
        state = EscposBackend(f"tcp://127.0.0.1:{port}").check()
    assert state == PrinterState(True, f"receipt printer tcp://127.0.0.1:{port}: answers")
    closed = EscposBackend(f"tcp://127.0.0.1:{port}").check()  # nobody listens there any more
    assert not closed.ready and f"127.0.0.1:{port}" in closed.text
