"""The building blocks every screen shares: big buttons, labels sized for reading, error lines.

Their looks (sizes in dp/sp times the text scale, theme colours) live in `widgets.kv`; the screens
compose them. `KioskScreen` is the base of every screen: `clear()` forgets what a citizen left on it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.lang import Builder
from kivy.metrics import dp, sp
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

SYMBOLS = "[font=Symbols]{}[/font]"


def symbol(character: str) -> str:
    """Markup for an icon from the symbol font (the text font lacks ✓ ⚠ ⌫ …)."""
    return SYMBOLS.format(character)


class KioskButton(ButtonBehavior, Label):
    """A large, rounded, wrapping button. `role` picks its colours: primary, secondary or quiet."""

    role = OptionProperty("secondary", options=("primary", "secondary", "quiet", "selected"))
    min_height = NumericProperty(dp(80))
    #: True: as wide as its words (set `width` from `texture_size` where used); False: wrap to the width
    fit_width = BooleanProperty(False)


class WholeLabel(Label):
    """Words always shown whole: at `largest` when they fit the box, else on two lines, else smaller
    (down to 14 sp) — never cut off with an ellipsis."""

    largest = NumericProperty(dp(26))

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._fit_trigger = Clock.create_trigger(lambda *_: self._fit())
        self.bind(size=self._fit_trigger, text=self._fit_trigger, largest=self._fit_trigger, bold=self._fit_trigger)

    def _fit(self) -> None:
        width, height = self.width - 2, self.height
        size = self.largest
        while size > sp(14):
            probe = CoreLabel(text=self.text, font_size=size, bold=self.bold, text_size=(width, None))
            probe.refresh()
            words_whole = all(len(w) == 0 or probe.get_extents(w)[0] <= width for w in self.text.split())
            if words_whole and probe.texture.height <= height and len(probe._cached_lines) <= 2:
                break
            size -= sp(2)
        self.font_size = size
        self.text_size = (width, None)


class KioskLabel(Label):
    """Body text: 24 sp times the text scale, wrapping to its width. `spoken`: read aloud with Suara."""

    spoken = BooleanProperty(False)


class Heading(KioskLabel):
    spoken = BooleanProperty(True)


class Muted(KioskLabel):
    pass


class BigNumber(KioskLabel):
    pass


class TextLabel(KioskLabel):
    """Shows catalog `Text` in the current language, after an optional `prefix` (e.g. a bullet)."""

    source = ObjectProperty(None, allownone=True, rebind=True)
    prefix = StringProperty("")


class ErrorLine(BoxLayout):
    """An error the citizen can act on: an icon and words, never colour alone (and spoken with Suara)."""

    message = StringProperty("")
    #: what the error is about (the question's label): "Bagian ini wajib diisi" alone does not say which
    subject = StringProperty("")

    def on_message(self, _line: ErrorLine, message: str) -> None:
        app = App.get_running_app()
        if message and app is not None and hasattr(app, "speak"):
            app.speak(f"{self.subject}: {message}" if self.subject else message, urgent=True)


class StepHeader(BoxLayout):
    """"Langkah i dari n" over the screen's title; the title is catalog `Text` or an English gettext id."""

    step = NumericProperty(0)
    steps = NumericProperty(0)
    title = ObjectProperty(None, allownone=True, rebind=True)
    hidden = BooleanProperty(False)
    title_id = StringProperty("")


class NavBar(BoxLayout):
    """Kembali bottom-left, the one primary action bottom-right, on every step of the journey."""

    back_text = StringProperty("")
    next_text = StringProperty("")
    next_enabled = BooleanProperty(True)
    show_back = BooleanProperty(True)
    show_next = BooleanProperty(True)
    __events__ = ("on_back", "on_next")

    def on_back(self) -> None:
        pass

    def on_next(self) -> None:
        pass


class KioskScreen(Screen):
    """Base of every screen."""

    app = ObjectProperty(None, rebind=True)

    def __init__(self, **kwargs) -> None:
        self.app = App.get_running_app()
        super().__init__(**kwargs)

    def clear(self) -> None:
        """Forget everything a citizen typed or saw here (idle reset, next citizen)."""

    def spoken_words(self) -> list[str]:
        """What Suara reads on arrival: the shown labels marked `spoken` (heading, step, instruction)."""
        return [w.text for w in self.walk(restrict=True)
                if isinstance(w, KioskLabel) and w.spoken and w.text and w.opacity > 0]


class PageScroll(ScrollView):
    """A screen's scrolling body. A page shorter than the view always sits at the top."""

    def update_from_scroll(self, *args: Any) -> None:
        # Kivy's ScrollView binds its bar colour again at every scroll update and unbinds it once, half
        # a second after the last: a page laid out many times keeps a binding each time, for months
        self.funbind("bar_color", self._change_bar_color)
        super().update_from_scroll(*args)

    def on_scroll_y(self, _scroll: ScrollView, value: float) -> None:
        content = self._viewport
        if content is not None and content.height <= self.height and value != 1:
            self.scroll_y = 1


def scroll_view_of(widget: Widget) -> ScrollView | None:
    """The ScrollView that holds `widget`, if any."""
    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, ScrollView):
            return parent
        parent = parent.parent
    return None


def scroll_to_top(scroll: ScrollView) -> None:
    """Shows the top of a list that was just (re)built, once its layout has settled."""
    scroll.scroll_y = 1
    Clock.schedule_once(lambda *_: setattr(scroll, "scroll_y", 1), 0)


def load_kv(module_file: str) -> None:
    """Loads the `.kv` that sits next to a screen module, once."""
    path = str(Path(module_file).with_suffix(".kv"))
    if path not in Builder.files:
        Builder.load_file(path)


load_kv(__file__)
