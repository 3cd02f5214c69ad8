"""Drives a running `LoketApp` the way a citizen would: real touches on real widgets, frame by frame.

Used by the UI tests and the UI benchmark. It runs the app without `App.run()`'s blocking loop:
`start()` builds it into the window, and every `tap()` dispatches a touch down and up at the
widget's centre, then renders frames. Needs a display (Xvfb in CI).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.input.motionevent import MotionEvent
from kivy.uix.widget import Widget

from screens.keyboard import KioskInput
from screens.widgets import scroll_view_of


class Touch(MotionEvent):
    """One finger at a window position (what kivy.tests.common.UnitTestTouch does, without pytest)."""

    def __init__(self, x: float, y: float) -> None:
        super().__init__("DriverTouch", 99, {"x": x / (Window.width - 1.0), "y": y / (Window.height - 1.0)},
                         is_touch=True, type_id="touch")
        self.profile = ["pos"]

    def depack(self, args: dict) -> None:
        self.sx, self.sy = args["x"], args["y"]
        super().depack(args)

    def down(self) -> None:
        EventLoop.post_dispatch_input("begin", self)

    def up(self) -> None:
        EventLoop.post_dispatch_input("end", self)


class Driver:
    def __init__(self, app, screenshots: Path | None = None) -> None:
        self.app = app
        self.screenshots = screenshots
        self.taken: list[Path] = []
        #: every touch made so far (taps and keyboard keys), for counting a journey's effort
        self.touches = 0

    def start(self) -> Driver:
        EventLoop.ensure_window()
        self.app._run_prepare()
        self.frames(3)
        return self

    def stop(self) -> None:
        self.app.stop()

    # -- time and frames -------------------------------------------------------------------

    def frames(self, count: int = 2) -> None:
        for _ in range(count):
            EventLoop.idle()

    # -- looking -----------------------------------------------------------------------------

    @property
    def screen(self):
        return self.app.screen_manager.current_screen

    @property
    def screen_name(self) -> str:
        return self.app.screen_manager.current

    def walk(self) -> Iterator[Widget]:
        yield from Window.walk(restrict=False)

    def inputs(self) -> list[KioskInput]:
        """Every text field anywhere in the app, shown or not."""
        found = []
        for screen in self.app.screen_manager.screens:
            found += [w for w in screen.walk(restrict=True) if isinstance(w, KioskInput)]
        return found

    def screenshot(self, name: str) -> Path | None:
        """Saves the window as `name`NNNN.png (Kivy adds the counter); returns the path it wrote."""
        if self.screenshots is None:
            return None
        self.frames(2)
        self.screenshots.mkdir(parents=True, exist_ok=True)
        path = Window.screenshot(name=str(self.screenshots / f"{name}.png"))
        self.taken.append(Path(path))
        return Path(path)

    # -- acting ------------------------------------------------------------------------------

    def touch_at(self, x: float, y: float, *, frames: int = 2) -> None:
        self.touches += 1
        touch = Touch(x, y)
        touch.down()
        touch.up()
        self.frames(frames)

    def tap(self, widget: Widget, *, frames: int = 2) -> None:
        """Touches the centre of `widget`, scrolling it into view first when it sits in a ScrollView."""
        self.frames(1)  # a screen just shown is laid out on its first frame
        self._scroll_into_view(widget)
        x, y = widget.to_window(*widget.center)
        if not (0 <= x < Window.width and 0 <= y < Window.height):
            raise AssertionError(f"{widget!r} is off screen at {x:.0f},{y:.0f}")
        self.touch_at(x, y, frames=frames)

    def _scroll_into_view(self, widget: Widget) -> None:
        scroll = scroll_view_of(widget)
        if scroll is None:
            return
        for _attempt in range(5):
            x, y = widget.to_window(*widget.center)
            left, bottom = scroll.to_window(scroll.x, scroll.y)
            if left <= x <= left + scroll.width and bottom <= y <= bottom + scroll.height:
                return
            scroll.scroll_to(widget, padding=20, animate=False)
            self.frames(2)
        raise AssertionError(f"could not scroll {widget!r} into view")

    def type(self, text: str) -> None:
        """Types `text` on the docked on-screen keyboard, key by key (caps lock for capitals)."""
        keyboard = self.app.keyboard.keyboard
        if keyboard.parent is None:
            raise AssertionError("the on-screen keyboard is not shown: focus a field first")
        for char in text:
            want_caps = char.isalpha() and char.isupper()
            if want_caps != keyboard.have_capslock and self._key_position(keyboard, None, "capslock"):
                self._press(keyboard, None, "capslock")
                self.frames(1)  # the keyboard swaps to its capitals on the next frame
            self._press(keyboard, char, None)
        if keyboard.have_capslock:
            self._press(keyboard, None, "capslock")
            self.frames(1)

    def press_special(self, name: str) -> None:
        self._press(self.app.keyboard.keyboard, None, name)

    def _press(self, keyboard, char: str | None, special: str | None) -> None:
        position = self._key_position(keyboard, char, special)
        if position is None:
            raise AssertionError(f"no key {char or special!r} on the {self.app.keyboard.kind} keyboard")
        self.touch_at(*position, frames=0)

    @staticmethod
    def _key_position(keyboard, char: str | None, special: str | None) -> tuple[float, float] | None:
        layout = keyboard.available_layouts[keyboard.layout]
        geometry = keyboard.layout_geometry
        for line in range(1, layout["rows"] + 1):
            keys = layout[f"{keyboard.layout_mode}_{line}"]
            for index, (_shown, internal, special_name, _width) in enumerate(keys):
                if (char is not None and internal == char) or (special is not None and special_name == special):
                    (x, y), (w, h) = geometry[f"LINE_{line}"][index]
                    return keyboard.to_window(*keyboard.to_parent(x + w / 2, y + h / 2))
        return None

    # -- a citizen's whole journey ---------------------------------------------------------------

    def wait_until(self, condition, timeout_s: float = 10.0) -> bool:
        """Renders frames until `condition()` holds (background work lands via the Clock)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if condition():
                return True
            self.frames(1)
            time.sleep(0.01)
        return condition()

    def answer_page(self, answers: dict[str, str]) -> None:
        """Answers every question on the form page shown: taps a choice, or types on the keyboard."""
        for row in self.screen.rows():
            value = answers.get(row.field.name, "")
            if row.field.type == "choice":
                button = next(b for b in row.choice_buttons if b.value == value)
                self.tap(button)
            elif value:
                self.tap(row.input)
                if self.app.keyboard.kind == "numeric":
                    value = value.replace(" ", "")
                self.type(value)
        self.frames(1)

    def file(self, service_code: str, answers: dict[str, str], *, shoot: str | None = None) -> None:
        """From Welcome to the receipt: choose the service, answer every page, agree and submit."""
        def shot(step: str) -> None:
            if shoot:
                self.screenshot(f"{shoot}-{step}")

        shot("welcome")
        self.tap(self.screen.ids.file_button)
        shot("services")
        self.tap(next(c for c in self.screen.cards() if c.service.code == service_code))
        page = 1
        while self.screen_name == "form":
            self.answer_page(answers)
            shot(f"form-page{page}")
            self.tap(self.screen.ids.nav.ids.next_button)
            page += 1
        for step in ("documents", "review"):
            if self.screen_name != step:
                raise AssertionError(f"expected the {step} screen, got {self.screen_name}")
            shot(step)
            self.tap(self.screen.ids.nav.ids.next_button)
        self.tap(self.screen.ids.agree_button)
        shot("consent")
        self.tap(self.screen.ids.nav.ids.next_button)
        if self.screen_name != "receipt":
            raise AssertionError(f"expected the receipt, got {self.screen_name}: {self.app.journey.errors}")

    def resize(self, width: int, height: int) -> None:
        Window.size = (width, height)
        self.frames(4)
