""""Data saya" on the kiosk's screen, with the real parts: a real central on loopback, a terminal enrolled
with it that files and syncs, an operator who opens the personal data through the console's login and
button over HTTP, and Cek Status (number + receipt PIN) leading to the record in plain words.
Screenshots at 1920x1080 and 1024x600 (docs/privacy/)."""

from __future__ import annotations

import shutil
from pathlib import Path

from central.console.accounts import add_staff
from central.db import Database
from kiosk.applications import file_application
from kiosk.receipt_code import verify_qr_payload
from kiosk.samples import sample_answers
from kiosk.status_pin import LookupGuard, status_pin
from loket.runtime import Runtime
from tests.central.console.conftest import PASSWORD, ConsoleClient
from tests.central.console.test_browser import enrolled_kiosk
from tests.central.letter_support import decode_qr, pdf_text, pdf_to_png
from tests.ui.test_status_pin_ui import ask

DOCS = Path(__file__).resolve().parents[2] / "docs" / "privacy"
OFFICE = "3273010001"


def keep(shot: Path | None, name: str) -> None:
    assert shot is not None and shot.exists()
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, DOCS / f"{name}.png")


def look_up(kiosk, status, reference: str, pin: str) -> None:
    """Cek Status: the number and the PIN typed on the on-screen keyboard, then "Cek"."""
    status.guard = LookupGuard()
    ask(kiosk, status, reference, pin)


def test_data_saya_shows_the_operators_opening_by_role_after_the_pin(kiosk, central, tmp_path, ui_runtime):
    enrolled = enrolled_kiosk(central, OFFICE, tmp_path)
    terminal = enrolled.terminal
    app = file_application(terminal.store, terminal.catalog, "SKD", sample_answers(terminal.catalog.service("SKD")))
    enrolled.sync()
    db = Database(central.db_url, migrate_schema=False)
    with db.transaction() as session:
        add_staff(session, OFFICE, "rina", "operator", PASSWORD)
    db.dispose()
    console = ConsoleClient(central.url)
    console.log_in("rina")
    assert console.post(f"/staff/applications/{app.reference}/personal-data").status_code == 200
    console.http.close()

    runtime = Runtime(terminal=terminal)
    kiosk.app.runtime = runtime  # the window now runs on the enrolled terminal (the fixture puts its own back)
    try:
        kiosk.app.reset()
        kiosk.tap(kiosk.screen.ids.status_button)
        status = kiosk.screen
        look_up(kiosk, status, app.reference, status_pin(terminal.store, app.id))
        assert status.result is not None and status.result.found, (kiosk.screen_name, status.problem)
        kiosk.tap(status.ids.my_data_button)
        assert kiosk.screen_name == "my_data"
        my_data = kiosk.screen
        assert kiosk.wait_until(lambda: my_data.state == "shown", timeout_s=15), my_data.state
        kiosk.frames(3)
        rows = [w.text for w in my_data.ids.events.children[::-1]]
        assert rows[0].endswith("Anda mengajukan permohonan di anjungan")
        assert rows[1].endswith("Kelurahan Braga menerimanya")
        assert any("Data pribadi Anda dibuka oleh petugas Kelurahan Braga, untuk: pemrosesan permohonan" in r
                   for r in rows)
        assert not any("rina" in r for r in rows)  # a role, never the name
        keep(kiosk.screenshot("my-data-1920x1080"), "my-data-1920x1080")
        kiosk.resize(1024, 600)
        kiosk.frames(4)
        keep(kiosk.screenshot("my-data-1024x600"), "my-data-1024x600")
        kiosk.resize(1920, 1080)

        # "Cetak catatan ini": the record on the receipt printer, its QR the receipt's signed code
        terminal.update_settings(printer_backend="pdf", printer_pdf_dir=str(tmp_path / "printed"))
        kiosk.tap(my_data.ids.nav.ids.next_button)
        assert kiosk.wait_until(lambda: my_data.state in ("printed", "print_failed"), timeout_s=20)
        assert my_data.state == "printed" and "Ambil catatan" in my_data.ids.problem.text
        [pdf] = list((tmp_path / "printed").glob("*.pdf"))
        assert "CATATAN DATA SAYA" in pdf_text(pdf) and "NIK" not in pdf_text(pdf)
        [code] = decode_qr(pdf_to_png(pdf, tmp_path / "printed.png", dpi=203))
        identity = terminal.identity
        assert verify_qr_payload(code, {identity.terminal_code: identity.verify_key}).reference == app.reference
        assert any(e["action"] == "citizen.record_printed" for e in terminal.store.audit_entries())
        kiosk.app.reset()
        assert my_data.lines == [] and my_data.ids.events.children == []  # nothing stays for the next citizen
    finally:
        kiosk.app.runtime = ui_runtime
        runtime.close()


def test_data_saya_says_so_when_the_office_cannot_be_reached(kiosk, ui_terminal):
    mine = ui_terminal.store.get(file_application(ui_terminal.store, ui_terminal.catalog, "SKU",
                                                  sample_answers(ui_terminal.catalog.service("SKU"))).reference)
    kiosk.tap(kiosk.screen.ids.status_button)
    status = kiosk.screen
    look_up(kiosk, status, mine.reference, status_pin(ui_terminal.store, mine.id))
    kiosk.tap(status.ids.my_data_button)
    my_data = kiosk.screen
    assert kiosk.wait_until(lambda: my_data.state not in ("", "loading"), timeout_s=15)
    assert "tidak dapat dihubungi" in my_data.ids.problem.text and my_data.lines == []
