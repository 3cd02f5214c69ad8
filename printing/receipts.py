"""Printing a terminal's receipts: what the kiosk screens, maintenance and `loket reprint` call.

The application is already durably queued before any of this runs, so a printer fault only ever
costs a piece of paper: `print_receipt` raises `PrinterError` with one line, and the receipt can be
printed again (or written to a file) with `reprint_receipt`.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import LoketError, NotProvisioned, Text, UnknownService
from kiosk.lifecycle import WORDS
from kiosk.record_words import Event, describe_event, latest_status
from kiosk.reference import make_reference, parse_reference
from kiosk.status_pin import status_pin
from kiosk.store import Application
from kiosk.terminal import Terminal
from printing.backends import PrintJob, backend_for
from printing.backends.pdf_folder import write_pdf
from printing.content import Receipt, build_receipt, filed_moment
from printing.errors import PrinterError
from printing.layouts import DEFAULT_LOGO, render_pdf
from printing.qr import make_qr_payload

#: under "loket" so the terminal's log file (and the maintenance screen's log tail) shows printer faults
log = logging.getLogger("loket.printing")
#: One receipt at a time per process: a reprint from maintenance must not interleave its bytes with
#: the kiosk's receipt on the same thermal printer.
_PRINTER_LOCK = threading.Lock()

#: An office's own logo, when a technician puts one in the terminal's home, replaces the default emblem.
OFFICE_LOGO_NAME = "logo.png"


def office_logo(terminal: Terminal) -> Path:
    own = terminal.paths.home / OFFICE_LOGO_NAME
    return own if own.exists() else DEFAULT_LOGO


@dataclass(frozen=True)
class ReceiptCodes:
    """What a receipt proves and unlocks, made once per application: the screen shows the same codes
    the paper carries. `qr_payload` is signed with the terminal's key; `status_pin` opens Cek Status."""

    qr_payload: str
    status_pin: str


def receipt_codes(terminal: Terminal, app: Application) -> ReceiptCodes:
    """The QR payload and status PIN of one of this terminal's applications; raises `LoketError`."""
    identity = terminal.identity
    if identity is None:
        raise NotProvisioned()
    return ReceiptCodes(make_qr_payload(identity, app, terminal.receipt_url), status_pin(terminal.store, app.id))


def receipt_for(terminal: Terminal, app: Application, language: str = "id", *, reprint: bool = False,
                codes: ReceiptCodes | None = None) -> Receipt:
    """The receipt of one of this terminal's applications, signed with the terminal's key (`codes`:
    the ones the screen already shows, else they are made here)."""
    identity = terminal.identity
    if identity is None:
        raise NotProvisioned()
    try:
        service = terminal.catalog.service(app.service_code)
    except UnknownService:
        service = None
    codes = codes or receipt_codes(terminal, app)
    return build_receipt(identity, service, app, language, reprint_at=terminal.now() if reprint else None,
                         status_pin=codes.status_pin, zone=terminal.zone, qr_payload=codes.qr_payload)


def render_receipt_pdf(terminal: Terminal, app: Application, language: str = "id", paper: str | None = None) -> bytes:
    """The receipt as PDF bytes for `paper` (default: the terminal's `printer_paper`)."""
    return render_pdf(receipt_for(terminal, app, language), paper or terminal.settings.printer_paper,
                      office_logo(terminal))


def print_receipt(terminal: Terminal, app: Application, language: str = "id", *, reprint: bool = False,
                  codes: ReceiptCodes | None = None) -> PrintJob:
    """Renders the receipt for the terminal's paper and hands it to the printer its settings choose.

    Safe to call from a background thread. Raises `PrinterError` (one line) for any fault, including
    ones nobody foresaw: the kiosk then shows the reference and staff reprint later.
    """
    return _hand_to_printer(terminal, lambda: receipt_for(terminal, app, language, reprint=reprint, codes=codes),
                            app.reference)


#: the longest printer state kept for the heartbeat (sync.protocol.Heartbeat.printer)
PRINTER_STATE_CHARS = 200


def record_printer_state(terminal: Terminal, state: str) -> None:
    """Keeps the printer's state for the next heartbeat: "ok" or the fault in one line. Never raises:
    a full disk or a busy database must not turn a printed receipt into a failed one."""
    line = " ".join(state.split())[:PRINTER_STATE_CHARS] or "ok"
    try:
        if terminal.store.values.printer_state != line:
            terminal.store.values.printer_state = line
    except Exception:  # noqa: BLE001 - only a report; the receipt's own outcome stands
        log.warning("could not record the printer's state %r", line, exc_info=True)


def _hand_to_printer(terminal: Terminal, make_receipt: Callable[[], Receipt], what: str) -> PrintJob:
    try:
        receipt = make_receipt()
        backend = backend_for(terminal.settings, terminal.paths.receipts)
        with _PRINTER_LOCK:
            job = backend.print(receipt, terminal.settings.printer_paper, office_logo(terminal))
    except PrinterError as e:
        log.warning("receipt %s not printed: %s", what, e)
        record_printer_state(terminal, str(e))
        raise
    except Exception as e:
        log.exception("receipt %s could not be printed", what)
        record_printer_state(terminal, f"error: {e}")
        raise PrinterError(f"the receipt for {what} could not be printed: {e}") from e
    log.info("receipt %s: %s", what, job.description)
    record_printer_state(terminal, "ok")
    return job


RECORD_LABELS = {
    "title": Text("CATATAN DATA SAYA", "MY DATA RECORD"),
    "printed": Text("Dicetak", "Printed"),
    "status": Text("Status", "Status"),
    "events": Text("Catatan pemrosesan (waktu kantor):", "Processing record (office time):"),
    "none": Text("Belum ada catatan dari kantor.", "No record from the office yet."),
    "phone": Text("Lihat catatan ini di ponsel: pindai kode QR dan masukkan PIN dari tanda terima Anda.",
                  "See this record on a phone: scan the QR code and enter the PIN from your receipt."),
    "privacy": Text("Catatan ini tidak memuat data pribadi Anda. Setiap pembukaan data oleh petugas tercatat di sini.",
                    "This record holds none of your personal data. Every time staff open it is listed here."),
}


def record_receipt(terminal: Terminal, app: Application, events: Sequence[Event], language: str = "id"
                   ) -> Receipt:
    """"Data saya" on paper: the receipt's layout and its signed QR (the same code as the receipt's, so a
    phone opens the masked record with the PIN), the events in place of the documents, no PIN printed."""
    lang = "en" if language == "en" else "id"
    say = {key: text.in_language(lang) for key, text in RECORD_LABELS.items()}
    base = receipt_for(terminal, app, lang)
    lines = tuple(describe_event(event, lang, terminal.zone) for event in events)
    status = latest_status(events, app.central_status)
    status_text = Text(*WORDS[status]).in_language(lang) if status in WORDS else status
    return dataclasses.replace(
        base, title=say["title"], ready_label=say["printed"],
        ready_text=filed_moment(terminal.now(), lang, terminal.zone), ready_note="",
        fee_label=say["status"], fee_text=status_text,
        documents_label=say["events"] if lines else say["none"], documents=lines,
        status_text=say["phone"], privacy_text=say["privacy"], status_pin="", pin_label="")


def print_record(terminal: Terminal, app: Application, events: Sequence[Event], language: str = "id") -> PrintJob:
    """Prints "Data saya" on the terminal's printer; the audit log notes it (no personal data in it).
    Raises `PrinterError` (one line)."""
    job = _hand_to_printer(terminal, lambda: record_receipt(terminal, app, events, language),
                           f"the record of {app.reference}")
    terminal.store.record_audit("citizen.record_printed", app.reference, actor="citizen")
    return job


TEST_TITLE = {"id": "TES PRINTER - BUKAN TANDA TERIMA", "en": "PRINTER TEST - NOT A RECEIPT"}


def print_test_receipt(terminal: Terminal, language: str = "id", *, actor: str = "technician") -> PrintJob:
    """Prints a sample receipt, plainly marked as a test, through the configured printer.

    Its QR holds an unsigned `LOKET-TEST` text, so it can never pass as a real receipt at the counter.
    """
    identity = terminal.identity
    if identity is None:
        raise NotProvisioned()
    now = terminal.now()
    sample = Application("printer-test", make_reference(identity.terminal_code, now.date(), 1),
                         terminal.catalog.services[0].code, terminal.catalog.version, now, "queued")
    lang = "en" if language == "en" else "id"

    def test_receipt() -> Receipt:
        return dataclasses.replace(
            receipt_for(terminal, sample, lang), title=TEST_TITLE[lang], reference=f"{identity.terminal_code}-TEST",
            qr_payload=f"LOKET-TEST {identity.terminal_code} {now:%Y%m%d%H%M%S}",
        )

    try:
        job = _hand_to_printer(terminal, test_receipt, "the printer test")
    except PrinterError as e:
        terminal.store.record_audit("printer.test_failed", str(e), actor=actor)
        raise
    terminal.store.record_audit("printer.tested", job.description, actor=actor)
    return job


def reprint_receipt(terminal: Terminal, reference: str, *, language: str | None = None, to: Path | None = None,
                    paper: str | None = None, actor: str = "technician") -> PrintJob:
    """Prints one of this terminal's receipts again (marked as a reprint), or writes it to `to` as PDF.

    Every reprint, and every failed one, goes in the audit log.
    """
    canonical = parse_reference(reference)
    app = terminal.store.get(canonical)
    if app is None:
        raise LoketError(f"no application {canonical} on this terminal")
    language = language or terminal.settings.language
    store = terminal.store
    try:
        if to is not None:
            pdf = render_pdf(receipt_for(terminal, app, language, reprint=True),
                             paper or terminal.settings.printer_paper, office_logo(terminal))
            path = write_pdf(pdf, to)
            job = PrintJob(f"written to {path}", app.reference, "file", pdf_path=path)
        else:
            job = print_receipt(terminal, app, language, reprint=True)
    except PrinterError as e:
        store.record_audit("receipt.reprint_failed", f"{app.reference}: {e}", actor=actor)
        raise
    store.record_audit("receipt.reprinted", f"{app.reference}: {job.description}", actor=actor)
    return job
