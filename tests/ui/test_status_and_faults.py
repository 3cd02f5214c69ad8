"""Status lookup, a printer that fails, and a terminal that was never provisioned."""

from __future__ import annotations

from kiosk.samples import sample_answers
from kiosk.status_pin import status_pin


def file_one(kiosk, terminal, code: str = "SKBM") -> str:
    kiosk.file(code, sample_answers(terminal.catalog.service(code)))
    return kiosk.screen.reference


def open_status(kiosk):
    kiosk.tap(kiosk.screen.ids.status_button)
    assert kiosk.screen_name == "status"
    return kiosk.screen


def type_pin(kiosk, status, pin: str) -> None:
    kiosk.tap(status.ids.pin_input)
    assert kiosk.app.keyboard.kind == "numeric"
    kiosk.type(pin)


def pin_of(terminal, reference: str) -> str:
    return status_pin(terminal.store, terminal.store.get(reference).id)


def look_up_from_welcome(kiosk, terminal, reference: str):
    """A citizen back at Welcome opens Cek Status and looks up `reference` with its PIN."""
    kiosk.app.reset()
    kiosk.frames(2)
    status = open_status(kiosk)
    kiosk.type(reference)
    type_pin(kiosk, status, pin_of(terminal, reference))
    kiosk.tap(status.ids.look_up_button)
    return status


def test_a_citizen_types_their_number_and_pin_and_sees_the_local_status(kiosk, ui_terminal):
    reference = file_one(kiosk, ui_terminal)
    kiosk.wait_until(lambda: kiosk.screen.printing != "printing")
    assert kiosk.screen.ids.pin.text == f"PIN cek status: {pin_of(ui_terminal, reference)}"
    kiosk.tap(kiosk.screen.ids.nav.ids.next_button)
    kiosk.tap(kiosk.screen.ids.nav.ids.back_button)  # Lewati: no survey this time
    status = open_status(kiosk)
    assert kiosk.app.keyboard.visible and kiosk.app.keyboard.kind == "text"
    kiosk.type(reference.lower().replace("-", ""))  # sloppy typing is folded and checked
    type_pin(kiosk, status, pin_of(ui_terminal, reference))
    kiosk.tap(status.ids.look_up_button)

    assert status.result is not None and status.result.reference == reference
    assert status.ids.status_words.text == "Menunggu dikirim"
    assert status.problem == ""
    kiosk.screenshot("status-found")
    kiosk.tap(kiosk.app.root.ids.language_button)
    assert status.ids.status_words.text == "Waiting to send"


def test_the_office_status_is_shown_once_central_has_sent_it(kiosk, ui_terminal):
    import datetime as dt

    reference = file_one(kiosk, ui_terminal, "SKCK")
    ui_terminal.store.set_central_status(ui_terminal.store.get(reference).id, "ready", dt.datetime.now(dt.UTC))
    status = look_up_from_welcome(kiosk, ui_terminal, reference)
    assert status.ids.status_words.text == "Siap diambil"


def test_a_mistyped_number_says_what_to_do(kiosk):
    status = open_status(kiosk)
    kiosk.type("K7Q2-2611-0001-0")
    type_pin(kiosk, status, "1234")
    kiosk.tap(status.ids.look_up_button)
    assert status.result is None
    assert "tidak benar" in status.ids.problem.ids.error_text.text
    kiosk.screenshot("status-mistyped")


def test_a_printer_fault_still_leaves_the_number_on_screen(kiosk, ui_terminal, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the receipts folder should be")
    before = ui_terminal.settings
    ui_terminal.update_settings(printer_pdf_dir=str(blocker / "receipts"))
    try:
        reference = file_one(kiosk, ui_terminal, "ADUAN")
        receipt = kiosk.screen
        assert kiosk.wait_until(lambda: receipt.printing != "printing")
        assert receipt.printing == "failed"
        assert receipt.ids.reference.text == reference
        assert "Printer sedang bermasalah" in receipt.ids.printer_fault.ids.error_text.text
        assert ui_terminal.store.get(reference) is not None, "the application is queued whatever the printer does"
        kiosk.screenshot("receipt-printer-fault")
    finally:
        ui_terminal.update_settings(printer_pdf_dir=before.printer_pdf_dir)


def test_help_calls_staff_and_says_so(kiosk, ui_terminal):
    kiosk.tap(kiosk.screen.ids.help_button)
    dialog = kiosk.app.help_dialog
    assert dialog.parent is not None
    assert "Petugas sudah dipanggil" in dialog.ids.message.text
    assert any(e["action"] == "citizen.help_requested" for e in ui_terminal.store.audit_entries())
    kiosk.tap(dialog.ids.close_button)
    assert dialog.parent is None


def test_an_unprovisioned_terminal_says_so_instead_of_taking_applications(kiosk, tmp_path):
    from kiosk.terminal import Terminal
    from loket.runtime import Runtime

    blank = Terminal(tmp_path / "blank")
    kiosk.app.runtime = Runtime(terminal=blank)
    kiosk.app.reset()
    assert kiosk.screen_name == "not_provisioned"
    assert "belum siap" in kiosk.screen.ids.title.text
    kiosk.screenshot("not-provisioned")
    blank.close()


def test_a_declined_application_shows_the_offices_reason_in_the_citizens_language(kiosk, ui_terminal):
    import datetime as dt

    reference = file_one(kiosk, ui_terminal, "SKD")
    app_id = ui_terminal.store.get(reference).id
    ui_terminal.store.set_central_statuses([(app_id, "declined", dt.datetime.now(dt.UTC),
                                             "Fotokopi KK tidak terbaca [b]x[/b]")])
    status = look_up_from_welcome(kiosk, ui_terminal, reference)
    assert status.ids.status_words.text.endswith("Ditolak") and "\u26a0" in status.ids.status_words.text
    assert status.ids.decline_reason.text == "Alasan dari kantor: Fotokopi KK tidak terbaca &bl;b&br;x&bl;/b&br;"
    kiosk.screenshot("status-declined")
    kiosk.tap(kiosk.app.root.ids.language_button)
    assert status.ids.decline_reason.text.startswith("Reason from the office: Fotokopi KK")
