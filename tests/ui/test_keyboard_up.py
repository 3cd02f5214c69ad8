"""With the on-screen keyboard up, at 1280x800 and 1024x600: the question's label, its hint and what
is typed (a multi-line field's last line too) stay on screen above the keyboard, Back and Next stay
reachable (below the keyboard, where they were before it opened), and every key is at least 64 px tall."""

from __future__ import annotations

import pytest

from tests.ui.fitting import window_rect

SIZES = [(1280, 800), (1024, 600)]
LONG_ADDRESS = "Jl. Braga No. 12 RT 003 RW 005 Kelurahan Braga Kecamatan Sumur Bandung Kota Bandung Jawa Barat"
#: (field, page of the SKD form, what the citizen types)
FIELDS = [("full_name", 0, "Siti Aminah"), ("nik", 0, "3273015708900003"), ("address", 1, LONG_ADDRESS)]


def open_page(kiosk, ui_terminal, page: int):
    app = kiosk.app
    kiosk.tap(kiosk.screen.ids.file_button)
    kiosk.tap(next(c for c in kiosk.screen.cards() if c.service.code == "SKD"))
    app.journey.page = page
    app.go("form")
    kiosk.frames(2)
    return kiosk.screen


def assert_visible_above(widget, keyboard_top: float, screen, what: str) -> None:
    x0, y0, x1, y1 = window_rect(widget)
    sx0, sy0, sx1, sy1 = window_rect(screen.ids.scroll)
    assert y0 >= keyboard_top - 1, f"{what} is under the keyboard ({y0:.0f} < {keyboard_top:.0f})"
    assert y0 >= sy0 - 1 and y1 <= sy1 + 1, \
        f"{what} is scrolled out of view ({y0:.0f}..{y1:.0f} in {sy0:.0f}..{sy1:.0f})"
    assert x0 >= sx0 - 1 and x1 <= sx1 + 1, f"{what} is cut off at the side"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(("field", "page", "typed"), FIELDS, ids=[f[0] for f in FIELDS])
def test_the_question_and_what_is_typed_stay_in_view_above_the_keyboard(kiosk, ui_terminal, size, field, page,
                                                                        typed):
    kiosk.resize(*size)
    form = open_page(kiosk, ui_terminal, page)
    row = form.row(field)
    kiosk.tap(row.input)
    kiosk.type(typed)
    kiosk.frames(4)
    dock = kiosk.app.keyboard
    assert dock.visible and dock.target is row.input
    top = dock.to_window(dock.x, dock.top)[1]

    assert row.input.text == typed
    assert_visible_above(row.ids.label, top, form, f"the label {row.ids.label.text!r}")
    assert_visible_above(row.ids.help, top, form, f"the hint {row.ids.help.text!r}")
    assert_visible_above(row.input, top, form, "the field")
    # the cursor sits after the last character typed: that line is inside the box, on screen
    cx, cy = row.input.to_window(*row.input.cursor_pos)
    x0, y0, x1, y1 = window_rect(row.input)
    line = row.input.line_height
    assert y0 - 1 <= cy - line and cy <= y1 + 1, f"the last typed line is cut off ({cy - line:.0f}..{cy:.0f})"
    if row.input.multiline:
        assert len(row.input._lines) >= 2, "the long address should wrap over several lines"
    for button in (form.ids.nav.ids.back_button, form.ids.nav.ids.next_button):
        bx0, by0, bx1, by1 = window_rect(button)
        bottom = dock.to_window(dock.x, dock.y)[1]
        clear_of_keyboard = by0 >= top - 1 or by1 <= bottom + 1
        assert by0 >= -1 and by1 <= size[1] + 1 and clear_of_keyboard and button.height >= 48, "Back/Next not reachable"
    kiosk.screenshot(f"keyboard-{size[0]}x{size[1]}-{field}")


@pytest.mark.parametrize("field", ["nik", "full_name"])
def test_keyboard_keys_are_at_least_64_px_on_a_1024x600_screen(kiosk, ui_terminal, field):
    kiosk.resize(1024, 600)
    form = open_page(kiosk, ui_terminal, 0)
    kiosk.tap(form.row(field).input)
    keyboard = kiosk.app.keyboard.keyboard
    layout = keyboard.available_layouts[keyboard.layout]
    keys = [size for line in range(1, layout["rows"] + 1) for _pos, size in keyboard.layout_geometry[f"LINE_{line}"]]
    assert min(h for _w, h in keys) >= 64
    assert min(w for w, _h in keys) >= 64


def test_an_error_under_the_field_being_typed_is_in_view_on_a_short_screen(kiosk, ui_terminal):
    kiosk.resize(1024, 600)
    form = open_page(kiosk, ui_terminal, 0)
    nik = form.row("nik")
    kiosk.tap(nik.input)
    kiosk.type("3273")
    kiosk.tap(form.ids.nav.ids.next_button)  # checks the page: the NIK is too short
    kiosk.tap(nik.input)
    kiosk.type("0")
    kiosk.frames(4)
    assert nik.error is None  # typing clears the message until the field is checked again
    kiosk.tap(form.ids.nav.ids.next_button)
    kiosk.tap(nik.input)
    kiosk.frames(4)
    dock = kiosk.app.keyboard
    top = dock.to_window(dock.x, dock.top)[1]
    assert nik.error is not None
    assert_visible_above(nik.ids.error_line, top, form, "the error")
    assert_visible_above(nik.input, top, form, "the field")
    assert_visible_above(nik.ids.label, top, form, "the label")
    kiosk.screenshot("keyboard-1024x600-error")
