"""The consent screen states the terminal's retention, from its settings, in Indonesian and English."""

from __future__ import annotations

from kiosk.samples import sample_answers


def open_consent(kiosk, terminal, code: str = "SKU"):
    kiosk.tap(kiosk.screen.ids.file_button)
    kiosk.tap(next(c for c in kiosk.screen.cards() if c.service.code == code))
    answers = sample_answers(terminal.catalog.service(code))
    while kiosk.screen_name == "form":
        kiosk.answer_page(answers)
        kiosk.tap(kiosk.screen.ids.nav.ids.next_button)
    for _step in ("documents", "review"):
        kiosk.tap(kiosk.screen.ids.nav.ids.next_button)
    assert kiosk.screen_name == "consent"
    return kiosk.screen


def test_consent_says_how_long_the_kiosk_keeps_the_data_in_both_languages(kiosk, ui_terminal):
    consent = open_consent(kiosk, ui_terminal)
    retention = consent.ids.retention
    assert "dihapus 7 hari setelah kantor menerimanya" in retention.text and "setelah 180 hari" in retention.text
    kiosk.screenshot("consent-retention")
    before = ui_terminal.settings
    ui_terminal.update_settings(answers_retention_days=10, metadata_retention_days=90)
    try:
        consent.enter()
        kiosk.frames(2)
        assert retention.text == ("Di anjungan ini: data Anda yang terkunci dihapus 10 hari setelah kantor "
                                  "menerimanya; nomor permohonan dan statusnya setelah 90 hari.")
        kiosk.tap(kiosk.app.root.ids.language_button)
        assert "deleted 10 days after the office has received it" in retention.text
        assert "after 90 days" in retention.text
        kiosk.screenshot("consent-retention-en")
    finally:
        ui_terminal.update_settings(answers_retention_days=before.answers_retention_days,
                                    metadata_retention_days=before.metadata_retention_days)
