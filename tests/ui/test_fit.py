"""Every citizen screen fits 1024x600, 1280x800, 1920x1080, 1080x1920 and 720x1280 at normal and large text:
nothing cut off at an edge or under the top bar, no text larger than its box, the top bar whole."""

from __future__ import annotations

import pytest

from kiosk.samples import sample_answers
from tests.ui.fitting import problems, window_rect

SIZES = [(1024, 600), (1280, 800), (1920, 1080), (1080, 1920), (720, 1280)]


def top_bar_problems(app, size) -> list[str]:
    bar = app.root.ids.top_bar
    found = []
    for child in [app.root.ids.office_name, *app.root.ids.top_buttons.children]:
        if child.opacity == 0 or child.width == 0:
            continue
        x0, y0, x1, y1 = window_rect(child)
        if x0 < -1 or x1 > size[0] + 1 or y0 < window_rect(bar)[1] - 1 or y1 > window_rect(bar)[3] + 1:
            found.append(f"top bar {getattr(child, 'text', child)!r} cut off at {x0:.0f}..{x1:.0f}")
        if hasattr(child, "texture_size") and child.texture_size[0] > child.width + 2:
            found.append(f"top bar {child.text!r}: text wider than its button")
    return found


def visit(kiosk, name: str, found: dict, shot: str | None) -> None:
    kiosk.frames(3)
    screen = kiosk.screen
    assert kiosk.screen_name == name
    issues = problems(screen)
    if issues:
        found[name] = issues
    if shot:
        kiosk.screenshot(f"fit-{shot}-{name}")


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_citizen_screen_fits_the_window(kiosk, ui_terminal, size, large):
    from kivy.core.window import Window

    kiosk.resize(*size)
    if tuple(Window.size) != size:
        pytest.skip(f"the display cannot make a {size} window")
    app = kiosk.app
    if large:
        kiosk.tap(app.root.ids.text_size_button)
    shot = f"{size[0]}x{size[1]}-{'large' if large else 'normal'}"
    found: dict[str, list[str]] = {}
    bar = top_bar_problems(app, size)
    if bar:
        found["top bar"] = bar
    visit(kiosk, "welcome", found, shot)

    kiosk.tap(kiosk.screen.ids.file_button)
    visit(kiosk, "services", found, shot)
    service = ui_terminal.catalog.service("SKD")
    kiosk.tap(next(c for c in kiosk.screen.cards() if c.service.code == "SKD"))
    for name, value in sample_answers(service).items():
        if name != "consent":
            app.journey.set_answer(name, value)
    app.go("form")
    visit(kiosk, "form", found, shot)
    app.journey.page = 1
    app.go("form")  # the page with the multi-line address
    visit(kiosk, "form", found, None)
    for name in ("documents", "review", "consent"):
        app.go(name)
        visit(kiosk, name, found, shot)
    kiosk.tap(kiosk.screen.ids.agree_button)
    kiosk.tap(kiosk.screen.ids.nav.ids.next_button)
    visit(kiosk, "receipt", found, shot)
    kiosk.wait_until(lambda: kiosk.screen.printing != "printing")
    kiosk.tap(kiosk.screen.ids.nav.ids.next_button)
    visit(kiosk, "survey", found, shot)
    kiosk.tap(kiosk.screen.faces()[3])
    visit(kiosk, "survey", found, None)
    kiosk.tap(kiosk.screen.ids.more_button)
    visit(kiosk, "survey", found, f"{shot}-elements")
    app.reset()
    kiosk.tap(kiosk.screen.ids.status_button)
    visit(kiosk, "status", found, shot)
    assert not found, "\n".join(f"{screen}: {issue}" for screen, issues in found.items() for issue in issues)
