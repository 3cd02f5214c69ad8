"""Switching language re-labels the screen at once: fixed words, catalog words and error messages."""

from __future__ import annotations

from kiosk.validation import NIK_LENGTH


def test_switching_language_relabels_the_current_form_and_its_errors(kiosk):
    kiosk.tap(kiosk.screen.ids.file_button)
    kiosk.tap(next(c for c in kiosk.screen.cards() if c.service.code == "SKD"))
    form = kiosk.screen
    kiosk.tap(form.row("nik").input)
    kiosk.type("123")
    kiosk.tap(form.ids.nav.ids.next_button)
    nik = form.row("nik")
    assert form.ids.nav.ids.next_button.text == "Lanjut"
    assert form.ids.header.ids.step.text.startswith("Langkah 1 dari")
    assert form.ids.header.ids.title.text == "Surat Keterangan Domisili"
    assert NIK_LENGTH.id in nik.ids.error_line.ids.error_text.text

    kiosk.tap(kiosk.app.root.ids.language_button)

    assert kiosk.app.lang == "en" and kiosk.app.journey.language == "en"
    assert form.ids.nav.ids.next_button.text == "Next"
    assert form.ids.nav.ids.back_button.text == "Back"
    assert form.ids.header.ids.step.text.startswith("Step 1 of")
    assert form.ids.header.ids.title.text == "Certificate of domicile"
    assert NIK_LENGTH.en in nik.ids.error_line.ids.error_text.text
    assert nik.ids.label.text.startswith("NIK")
    assert nik.input.text == "123", "switching language keeps what was typed"
    kiosk.screenshot("form-english-error")


def test_the_welcome_language_buttons_relabel_welcome(kiosk):
    welcome = kiosk.screen
    assert welcome.ids.file_button.text == "Ajukan Permohonan"
    assert "Selamat datang di Layanan Mandiri Kelurahan Braga" in welcome.ids.title.text
    kiosk.tap(welcome.ids.language_en)
    assert welcome.ids.file_button.text == "File an application"
    assert welcome.ids.status_button.text == "Check application status"
    assert welcome.ids.help_button.text == "Ask a staff member for help"
    assert "Welcome to the Kelurahan Braga self-service kiosk" in welcome.ids.title.text
    kiosk.tap(welcome.ids.language_id)
    assert welcome.ids.file_button.text == "Ajukan Permohonan"


def test_the_service_list_relabels_its_catalog_words(kiosk):
    kiosk.tap(kiosk.screen.ids.file_button)
    card = next(c for c in kiosk.screen.cards() if c.service.code == "SKU")
    texts = lambda: [w.text for w in card.children]  # noqa: E731
    assert any("Gratis" in t for t in texts()) and "Surat Keterangan Usaha" in texts()
    kiosk.tap(kiosk.app.root.ids.language_button)
    assert any("Free" in t for t in texts()) and "Business certificate" in texts()
