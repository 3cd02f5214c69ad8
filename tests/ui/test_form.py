"""The form: inline validation that blocks Next, Back that keeps answers, and the docked keyboard."""

from __future__ import annotations

from kiosk.validation import NIK_LENGTH, REQUIRED


def open_form(kiosk, code: str = "SKD"):
    kiosk.tap(kiosk.screen.ids.file_button)
    kiosk.tap(next(c for c in kiosk.screen.cards() if c.service.code == code))
    assert kiosk.screen_name == "form"
    return kiosk.screen


def test_a_short_nik_shows_its_message_and_next_stays_on_the_page(kiosk):
    form = open_form(kiosk)
    nik = form.row("nik")
    kiosk.tap(nik.input)
    kiosk.type("32730157")
    kiosk.tap(form.ids.nav.ids.next_button)

    assert kiosk.screen_name == "form" and kiosk.app.journey.page == 0
    assert nik.error == NIK_LENGTH
    assert NIK_LENGTH.id in nik.ids.error_line.ids.error_text.text
    assert nik.ids.error_line.height > 0 and nik.ids.error_line.opacity == 1
    assert form.row("full_name").error == REQUIRED
    kiosk.screenshot("form-bad-nik")

    kiosk.tap(nik.input)
    for _ in range(8):
        kiosk.press_special("backspace")
    kiosk.type("3273015708900003")
    kiosk.tap(form.row("full_name").input)
    kiosk.type("Siti")
    kiosk.tap(form.ids.nav.ids.next_button)
    assert kiosk.app.journey.page == 1
    assert [r.field.name for r in form.rows()] == ["address", "rt_rw"]


def test_leaving_a_wrong_answer_checks_it_at_once(kiosk):
    form = open_form(kiosk)
    kiosk.tap(form.row("nik").input)
    kiosk.type("12")
    kiosk.tap(form.row("full_name").input)
    assert form.row("nik").error == NIK_LENGTH


def test_back_never_loses_what_was_typed(kiosk):
    form = open_form(kiosk)
    kiosk.tap(form.row("nik").input)
    kiosk.type("3273015708900003")
    kiosk.tap(form.row("full_name").input)
    kiosk.type("Siti Aminah")
    kiosk.tap(form.ids.nav.ids.next_button)
    kiosk.tap(form.row("rt_rw").input)
    kiosk.type("003/005")

    kiosk.tap(form.ids.nav.ids.back_button)
    assert form.row("nik").input.text == "3273015708900003"
    assert form.row("full_name").input.text == "Siti Aminah"
    kiosk.tap(form.ids.nav.ids.back_button)  # to the service list, and back into the same service
    assert kiosk.screen_name == "services"
    kiosk.tap(next(c for c in kiosk.screen.cards() if c.service.code == "SKD"))
    assert form.row("full_name").input.text == "Siti Aminah"
    kiosk.tap(form.ids.nav.ids.next_button)
    assert form.row("rt_rw").input.text == "003/005"


def test_each_question_gets_its_keyboard_and_keys_type_into_the_focused_field(kiosk):
    form = open_form(kiosk)
    dock = kiosk.app.keyboard
    kiosk.frames(2)
    # the page opens ready to type its first question
    assert form.row("nik").input.focus
    assert dock.visible and dock.kind == "numeric" and dock.target is form.row("nik").input
    kiosk.tap(form.row("nik").input)
    assert dock.visible and dock.kind == "numeric" and dock.target is form.row("nik").input
    kiosk.type("3273")
    kiosk.screenshot("form-numeric-keypad")
    kiosk.press_special("backspace")
    assert form.row("nik").input.text == "327"
    assert form.row("nik").input.focus, "touching a key must not take the focus away"
    from kivy.uix.behaviors import FocusBehavior

    assert FocusBehavior.ignored_touch == [], "finished key touches must not be kept (they leaked 0.3 MB a citizen)"

    name = form.row("full_name").input
    kiosk.tap(name)
    assert dock.kind == "text" and dock.target is name
    kiosk.type("Ani Wijaya")
    assert name.text == "Ani Wijaya"
    assert kiosk.app.journey.answers["full_name"] == "Ani Wijaya"
    kiosk.screenshot("form-text-keyboard")

    # the field being typed stays visible above the docked keyboard
    x, y = name.to_window(name.x, name.y)
    assert y >= dock.top and y + name.height <= kiosk.app.root.height

    kiosk.press_special("enter")  # the last field of the page: the keyboard goes away
    kiosk.frames(2)
    assert not dock.visible


def test_keyboard_keys_are_large_enough_to_touch(kiosk):
    from kivy.metrics import dp

    form = open_form(kiosk)
    kiosk.tap(form.row("nik").input)
    keyboard = kiosk.app.keyboard.keyboard
    keys = [size for line in range(1, 5) for _pos, size in keyboard.layout_geometry[f"LINE_{line}"]]
    assert min(h for _w, h in keys) >= dp(80)
    assert min(w for w, _h in keys) >= dp(80)
