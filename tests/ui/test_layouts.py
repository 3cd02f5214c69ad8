"""The screens work at 1920x1080, 1080x1920 (portrait) and 1024x600: nothing off screen, targets big enough."""

from __future__ import annotations

import pytest
from kivy.metrics import dp

from kiosk.samples import sample_answers

SIZES = [(1920, 1080), (1080, 1920), (1024, 600)]


def visible_buttons(kiosk):
    from screens.widgets import KioskButton

    screen = kiosk.screen
    return [w for w in screen.walk(restrict=True) if isinstance(w, KioskButton) and w.opacity > 0 and not w.disabled
            and w.get_root_window() is not None]


def assert_inside_window(widget, size):
    x, y = widget.to_window(widget.x, widget.y)
    assert x >= -1 and y >= -1, widget
    assert x + widget.width <= size[0] + 1 and y + widget.height <= size[1] + 1, widget


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_welcome_and_form_fit_the_screen_with_large_targets(kiosk, size):
    kiosk.resize(*size)
    from kivy.core.window import Window

    if tuple(Window.size) != size:
        pytest.skip(f"the display cannot make a {size} window (got {tuple(Window.size)})")
    welcome = kiosk.screen
    for button in (welcome.ids.file_button, welcome.ids.status_button, welcome.ids.help_button):
        assert_inside_window(button, size)
        assert button.height >= dp(80)
    if size[1] > size[0]:  # portrait: the actions sit in the lower two-thirds, within reach
        assert welcome.ids.file_button.to_window(0, welcome.ids.file_button.top)[1] <= size[1] * 2 / 3
    kiosk.screenshot(f"layout-{size[0]}x{size[1]}-welcome")

    kiosk.tap(welcome.ids.file_button)
    kiosk.tap(next(c for c in kiosk.screen.cards() if c.service.code == "SKD"))
    form = kiosk.screen
    kiosk.tap(form.row("full_name").input)
    kiosk.type("Siti")
    name = form.row("full_name").input
    dock = kiosk.app.keyboard
    assert dock.visible
    x, y = name.to_window(name.x, name.y)
    assert y >= dock.top - 1 and y + name.height <= size[1], "the field being typed is hidden by the keyboard"
    for button in (form.ids.nav.ids.back_button, form.ids.nav.ids.next_button):
        assert_inside_window(button, size)
        assert button.height >= dp(48)
    kiosk.screenshot(f"layout-{size[0]}x{size[1]}-form-keyboard")

    for button in visible_buttons(kiosk):
        assert button.height >= dp(48) and button.width >= dp(48), button


@pytest.mark.parametrize("size", [(1080, 1920), (1024, 600)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_whole_journey_works_in_portrait_and_on_a_small_screen(kiosk, ui_terminal, size):
    kiosk.resize(*size)
    service = ui_terminal.catalog.service("SKTM")
    kiosk.file("SKTM", sample_answers(service))
    assert ui_terminal.store.get(kiosk.screen.reference) is not None
    assert_inside_window(kiosk.screen.ids.reference, size)
    kiosk.screenshot(f"layout-{size[0]}x{size[1]}-receipt")


def test_large_text_and_high_contrast_apply_everywhere(kiosk):
    app = kiosk.app
    welcome = kiosk.screen
    normal_size = welcome.ids.file_button.font_size
    kiosk.tap(app.root.ids.text_size_button)
    kiosk.tap(app.root.ids.contrast_button)
    assert welcome.ids.file_button.font_size == pytest.approx(normal_size * 1.3)
    assert app.theme.name == "high_contrast"
    kiosk.tap(welcome.ids.file_button)
    card = kiosk.screen.cards()[0]
    assert card.children[-1].font_size == pytest.approx(dp(30) * 1.3, rel=0.01) or card.children[-1].font_size > 30
    kiosk.screenshot("services-large-text-high-contrast")
    kiosk.app.reset()
    assert app.theme.name == "normal" and app.text_scale == app.base_text_scale
