""""Kabari saya lewat SMS" at the review step: offered only while the office sends text messages and a
mobile number was given; ticking it files the application with the flag that asks central for one.
Screenshots at 1920x1080 and 1024x600 (docs/privacy/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.notify import NOTIFY_SMS_FLAG
from kiosk.samples import sample_answers

DOCS = Path(__file__).resolve().parents[2] / "docs" / "privacy"


@pytest.fixture
def office_sends_sms(ui_terminal):
    ui_terminal.store.values.office_sends_sms = True
    yield
    ui_terminal.store.values.office_sends_sms = False


def to_review(kiosk, terminal, answers: dict[str, str], code: str = "SKD"):
    kiosk.tap(kiosk.screen.ids.file_button)
    kiosk.tap(next(c for c in kiosk.screen.cards() if c.service.code == code))
    while kiosk.screen_name == "form":
        kiosk.answer_page(answers)
        kiosk.tap(kiosk.screen.ids.nav.ids.next_button)
    kiosk.tap(kiosk.screen.ids.nav.ids.next_button)  # documents
    assert kiosk.screen_name == "review"
    return kiosk.screen


def keep(shot: Path | None, name: str) -> None:
    assert shot is not None and shot.exists()
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, DOCS / f"{name}.png")


def test_ticking_sms_at_the_review_files_the_application_asking_for_a_message(kiosk, ui_terminal, office_sends_sms):
    review = to_review(kiosk, ui_terminal, sample_answers(ui_terminal.catalog.service("SKD")))
    button = review.ids.sms_button
    assert review.ids.sms.height > 0 and "Kabari saya lewat SMS" in button.text
    assert "Ke 081234567890." in review.ids.sms_note.text  # as typed on the keypad
    assert "\u2610" in button.text
    kiosk.tap(button)
    assert "\u2611" in button.text and kiosk.app.journey.notify_sms
    keep(kiosk.screenshot("review-sms-1920x1080"), "review-sms-1920x1080")
    kiosk.resize(1024, 600)
    kiosk.frames(4)
    assert button.y >= 0 and button.top <= review.height  # still in view on the small screen
    keep(kiosk.screenshot("review-sms-1024x600"), "review-sms-1024x600")
    kiosk.resize(1920, 1080)
    kiosk.tap(review.ids.nav.ids.next_button)
    kiosk.tap(kiosk.screen.ids.agree_button)
    kiosk.tap(kiosk.screen.ids.nav.ids.next_button)
    assert kiosk.screen_name == "receipt", kiosk.app.journey.errors
    filed = ui_terminal.store.get(kiosk.app.journey.filed.reference)
    assert NOTIFY_SMS_FLAG in filed.flags


def test_no_sms_offered_without_a_modem_or_without_a_mobile_number(kiosk, ui_terminal, office_sends_sms):
    answers = sample_answers(ui_terminal.catalog.service("SKD"))
    answers.pop("phone")
    review = to_review(kiosk, ui_terminal, answers)
    assert review.sms_number == "" and review.ids.sms.height == 0 and review.ids.sms_button.disabled
    kiosk.app.reset()
    kiosk.frames(2)
    ui_terminal.store.values.office_sends_sms = False
    review = to_review(kiosk, ui_terminal, sample_answers(ui_terminal.catalog.service("SKD")))
    assert review.sms_number == "" and review.ids.sms.height == 0
    kiosk.tap(review.ids.nav.ids.next_button)
    kiosk.tap(kiosk.screen.ids.agree_button)
    kiosk.tap(kiosk.screen.ids.nav.ids.next_button)
    assert NOTIFY_SMS_FLAG not in ui_terminal.store.get(kiosk.app.journey.filed.reference).flags
