"""A kiosk runs for months: what a citizen's journey builds is reused or let go, never piled up."""

from __future__ import annotations

from screens.widgets import PageScroll
from tests.ui.test_form import open_form


def test_moving_between_numeric_and_text_fields_rebuilds_no_keyboard(kiosk):
    form = open_form(kiosk)
    dock = kiosk.app.keyboard
    kiosk.tap(form.row("nik").input)
    numeric = dock.keyboard
    keys = [id(label) for label in numeric.children]
    kiosk.tap(form.row("full_name").input)
    text = dock.keyboard
    assert text is not numeric and dock.kind == "text"
    kiosk.tap(form.row("nik").input)
    assert dock.keyboard is numeric and dock.kind == "numeric"
    assert [id(label) for label in numeric.children] == keys, "the keys' labels were built again"
    kiosk.type("32")
    assert form.row("nik").input.text.endswith("32")


def test_freed_memory_goes_back_once_the_kiosk_rests_on_welcome_not_during_a_journey(kiosk):
    app = kiosk.app
    open_form(kiosk)
    app.memory_to_give_back = True  # as if the citizen's typing had freed memory
    kiosk.wait_until(lambda: False, timeout_s=0.6)  # the idle check runs every 0.25 s
    assert app.memory_to_give_back, "memory was trimmed while a citizen was on the form"
    app.reset()  # the citizen is gone (done, or the idle timeout)
    assert kiosk.screen_name == "welcome" and app.memory_to_give_back
    assert kiosk.wait_until(lambda: not app.memory_to_give_back, timeout_s=4)


def test_a_page_scrolled_and_laid_out_many_times_keeps_one_bar_colour_binding(kiosk):
    form = open_form(kiosk)
    scroll = next(w for w in form.walk() if isinstance(w, PageScroll))
    for _ in range(50):  # every layout and scroll of a page calls this; Kivy binds again each time
        scroll.update_from_scroll()
    kiosk.frames(2)
    bindings = [b for b in scroll.get_property_observers("bar_color", args=True) if b[0] == scroll._change_bar_color]
    assert len(bindings) <= 1
