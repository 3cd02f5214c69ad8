"""The whole journey at 1024x600 and in portrait (1080x1920) with the keyboard up: every question's
label and the last typed line stay in view, an error is never under the navigation bar, and no
control moves when a keyboard opens, closes or changes (a tap meant for Lanjut never lands in a key)."""

from __future__ import annotations

import pytest

from kiosk.samples import sample_answers
from tests.ui.fitting import window_rect

SIZES = [(1024, 600), (1080, 1920)]


def ids(size) -> str:
    return f"{size[0]}x{size[1]}"


def visible_in(widget, area) -> tuple[bool, str]:
    x0, y0, x1, y1 = window_rect(widget)
    ax0, ay0, ax1, ay1 = area
    ok = y0 >= ay0 - 1 and y1 <= ay1 + 1 and x0 >= ax0 - 1 and x1 <= ax1 + 1
    return ok, f"{y0:.0f}..{y1:.0f} in {ay0:.0f}..{ay1:.0f}"


def page_area(kiosk, screen) -> tuple[float, float, float, float]:
    """What the citizen sees of the page: inside its scroll view and above the keyboard."""
    x0, y0, x1, y1 = window_rect(screen.ids.scroll)
    dock = kiosk.app.keyboard
    if dock.shown:
        y0 = max(y0, dock.to_window(dock.x, dock.top)[1])
    return x0, y0, x1, y1


def nav_positions(screen) -> dict[str, tuple[float, float, float, float]]:
    nav = screen.ids.nav.ids
    return {name: tuple(round(v) for v in window_rect(nav[name])) for name in ("back_button", "next_button")}


@pytest.mark.parametrize("size", SIZES, ids=ids)
def test_every_label_and_the_last_typed_line_stay_in_view_and_no_button_moves(kiosk, ui_terminal, size):
    kiosk.resize(*size)
    service = ui_terminal.catalog.service("SKD")
    answers = sample_answers(service)
    kiosk.tap(kiosk.screen.ids.file_button)
    kiosk.tap(next(c for c in kiosk.screen.cards() if c.service.code == "SKD"))
    for page in range(10):
        if kiosk.screen_name != "form":
            break
        form = kiosk.screen
        kiosk.frames(2)
        for row in form.rows():  # the page as it rests, no keyboard: where Kembali and Lanjut are
            if row.input is not None:
                row.input.focus = False
        kiosk.frames(6)
        assert not kiosk.app.keyboard.shown
        resting = nav_positions(form)
        for row in form.rows():
            if row.input is None:
                kiosk.tap(next(b for b in row.choice_buttons if b.value == answers[row.field.name]))
                continue
            kiosk.tap(row.input)
            kiosk.type(answers.get(row.field.name, "").replace(" ", "") if kiosk.app.keyboard.kind == "numeric"
                       else answers.get(row.field.name, "") or "x")
            kiosk.frames(4)
            area = page_area(kiosk, form)
            ok, where = visible_in(row.ids.label, area)
            assert ok, f"page {page}: the label {row.ids.label.text!r} is cut off ({where})"
            cx, cy = row.input.to_window(*row.input.cursor_pos)
            line = row.input.line_height
            assert area[1] - 1 <= cy - line and cy <= area[3] + 1, f"{row.field.name}: the last typed line is hidden"
            assert nav_positions(form) == resting, \
                f"page {page}, {row.field.name} ({kiosk.app.keyboard.kind} keyboard): Kembali/Lanjut moved"
            kiosk.screenshot(f"journey-{ids(size)}-{row.field.name}")
        kiosk.tap(form.ids.nav.ids.next_button)
    assert kiosk.screen_name == "documents", kiosk.app.journey.errors


@pytest.mark.parametrize("size", SIZES, ids=ids)
def test_an_error_is_above_the_navigation_bar_with_the_keyboard_up(kiosk, ui_terminal, size):
    kiosk.resize(*size)
    kiosk.tap(kiosk.screen.ids.file_button)
    kiosk.tap(next(c for c in kiosk.screen.cards() if c.service.code == "SKD"))
    form = kiosk.screen
    kiosk.tap(form.row("nik").input)
    kiosk.type("3273")
    kiosk.tap(form.row("full_name").input)
    kiosk.frames(4)
    row = form.row("nik")
    assert row.error is not None
    kiosk.tap(row.input)
    kiosk.frames(4)
    for widget, what in ((row.ids.error_line, "the error"), (row.ids.label, "the label")):
        ok, where = visible_in(widget, page_area(kiosk, form))
        assert ok, f"{what} is cut off ({where})"
    kiosk.screenshot(f"journey-{ids(size)}-error")


@pytest.mark.parametrize("size", SIZES, ids=ids)
def test_cek_status_instructions_and_fields_are_in_view_with_the_keyboard_up(kiosk, size):
    kiosk.resize(*size)
    kiosk.tap(kiosk.screen.ids.status_button)
    status = kiosk.screen
    kiosk.frames(4)
    assert kiosk.app.keyboard.shown
    area = page_area(kiosk, status)
    for widget, what in ((status.ids.instructions, "the instructions"), (status.ids.reference_input, "the number"),
                         (status.ids.pin_input, "the PIN"), (status.ids.look_up_button, "Periksa")):
        ok, where = visible_in(widget, area)
        assert ok, f"{what} is not in view ({where})"
    heading = window_rect(status.ids.header)
    assert window_rect(status.ids.instructions)[3] <= heading[1] + 1, "the instructions sit under the heading"
    kiosk.screenshot(f"journey-{ids(size)}-status")
