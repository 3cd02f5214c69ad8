"""Idle reset: a warning the citizen can dismiss with one tap, then back to Welcome with nothing left."""

from __future__ import annotations

import time

from kiosk.samples import sample_answers


def fill_first_page(kiosk):
    kiosk.tap(kiosk.screen.ids.file_button)
    kiosk.tap(next(c for c in kiosk.screen.cards() if c.service.code == "SKD"))
    service = kiosk.app.journey.service
    kiosk.answer_page(sample_answers(service))
    return kiosk.screen


def warning_shown(app) -> bool:
    return app.idle_dialog is not None and app.idle_dialog.parent is not None


def wait_idle(kiosk, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        kiosk.frames(1)
        time.sleep(0.02)


def test_idle_warns_then_resets_and_clears_every_widget_and_the_journey(kiosk):
    app = kiosk.app
    form = fill_first_page(kiosk)
    kiosk.tap(app.root.ids.language_button)  # the citizen chose English
    assert form.row("nik").input.text and app.journey.answers
    app.idle.timeout_s, app.idle.warning_s = 0.4, 2.0

    assert kiosk.wait_until(lambda: warning_shown(app), timeout_s=3)
    assert app.idle_dialog.seconds_left >= 1
    assert "Still there?" in app.idle_dialog.ids.message.text
    kiosk.screenshot("idle-warning")

    assert kiosk.wait_until(lambda: kiosk.screen_name == "welcome", timeout_s=5)
    assert app.idle_dialog.parent is None
    assert app.journey.is_blank and app.journey.answers == {}
    assert app.lang == "id", "the next citizen starts in the default language"
    assert all(field.text == "" for field in kiosk.inputs())
    assert form.rows() == []
    assert not app.keyboard.visible


def test_one_tap_on_still_here_keeps_everything(kiosk):
    app = kiosk.app
    form = fill_first_page(kiosk)
    app.idle.timeout_s, app.idle.warning_s = 0.3, 5
    assert kiosk.wait_until(lambda: warning_shown(app), timeout_s=3)

    kiosk.tap(app.idle_dialog.ids.still_here_button)
    assert app.idle_dialog.parent is None
    assert kiosk.screen_name == "form" and form.row("nik").input.text == "3273015708900003"
    assert app.journey.answers["nik"] == "3273015708900003"


def test_the_welcome_screen_never_times_out(kiosk):
    app = kiosk.app
    app.idle.timeout_s, app.idle.warning_s = 0.1, 0.1
    wait_idle(kiosk, 0.4)
    assert kiosk.screen_name == "welcome"
    assert app.idle_dialog is None or app.idle_dialog.parent is None
