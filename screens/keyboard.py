"""The on-screen keyboard, docked under the screens: a numeric pad or the Indonesian full layout.

It is Kivy's `VKeyboard` with our JSON layouts (assets/keyboards), placed in the root layout rather
than floating over it, so the screen above shrinks and the field being typed stays visible. Keys go
to the `KioskInput` that has the focus; touching the keyboard never takes that focus away.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from kivy.clock import Clock
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ObjectProperty, OptionProperty
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.behaviors import FocusBehavior
from kivy.uix.screenmanager import Screen
from kivy.uix.textinput import TextInput
from kivy.uix.vkeyboard import VKeyboard

from screens.widgets import load_kv, scroll_view_of

KEYBOARDS = Path(__file__).resolve().parent.parent / "assets" / "keyboards"
LAYOUTS = {"numeric": str(KEYBOARDS / "numeric.json"), "text": str(KEYBOARDS / "indonesian.json")}
#: on a short screen (800 px or less) letters come in four rows, so keys stay big and the question in view
SHORT_TEXT_LAYOUT = str(KEYBOARDS / "indonesian_compact.json")
SHORT_SCREEN_PX = 800
MIN_KEY_PX = 64
#: which keyboard each catalog field type gets
KEYBOARD_FOR_TYPE = {"nik": "numeric", "kk": "numeric", "phone": "numeric", "postal_code": "numeric",
                     "number": "numeric", "date": "numeric"}
KEY_HEIGHT_DP = 80
NUMERIC_PAD_WIDTH_DP = 760
TEXT_KEYBOARD_WIDTH_DP = 1600


class KioskInput(TextInput):
    """A text field that opens our docked keyboard (`keyboard_kind`) instead of a system one."""

    keyboard_kind = OptionProperty("text", options=tuple(LAYOUTS))
    #: what to scroll into view above the keyboard (the whole question, not just the box)
    reveal = ObjectProperty(None, allownone=True, rebind=True)

    def on_focus(self, instance, focused: bool) -> None:
        from kivy.app import App

        app = App.get_running_app()
        if app is not None and app.keyboard is not None:
            if focused:
                app.keyboard.attach(self)
            else:
                app.keyboard.detach_later(self)


class KioskKeyboard(VKeyboard):
    """A VKeyboard that fills the box it is given and leaves the focused field focused."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.do_translation = self.do_rotation = self.do_scale = False
        self._refresh = Clock.create_trigger(lambda *_: self.refresh(True))
        self.bind(size=self._refresh)

    def on_touch_down(self, touch) -> bool | None:
        handled = super().on_touch_down(touch)
        # A key grabs its touch exclusively, so the window never sees it end and never unfocuses the
        # field; only a touch on the keyboard's margin must be kept from unfocusing it. (Listing the
        # key touches too would keep every one of them alive: the window removes them on touch end.)
        if self.collide_point(*touch.pos) and not touch.grab_exclusive_class:
            FocusBehavior.ignored_touch.append(touch)
        return handled


class KeyboardDock(AnchorLayout):
    """The strip at the bottom of the window that holds the keyboard while a field has the focus."""

    target = ObjectProperty(None, allownone=True, rebind=True)
    kind = OptionProperty("text", options=tuple(LAYOUTS))
    #: the keyboard is on screen (short screens then hide the step header to keep the field in view)
    shown = BooleanProperty(False)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # one keyboard per layout, kept: switching a VKeyboard's layout rebuilds every key's label
        # and texture, several times per citizen (numeric for the NIK, text for the name, ...)
        self._keyboards: dict[str, KioskKeyboard] = {}
        self.keyboard = self._keyboard_for("text")
        self._pending_detach = None
        #: where the dock sits when a screen has no `keyboard_slot` (the bottom of the window)
        self.home = None

    def _keyboard_for(self, kind: str) -> KioskKeyboard:
        layout = self._layout_for(kind)
        if layout not in self._keyboards:
            keyboard = KioskKeyboard(layout=layout, size_hint=(None, 1))
            keyboard.bind(on_textinput=self._typed, on_key_down=self._special)
            self._keyboards[layout] = keyboard
        return self._keyboards[layout]

    # -- showing and hiding ---------------------------------------------------------------

    def attach(self, field: KioskInput) -> None:
        if self._pending_detach is not None:
            self._pending_detach.cancel()
            self._pending_detach = None
        self.target = field
        self.kind = field.keyboard_kind
        self._move_to_slot_of(field)
        keyboard = self._keyboard_for(self.kind)
        if keyboard is not self.keyboard and self.keyboard.parent is not None:
            self.remove_widget(self.keyboard)
        self.keyboard = keyboard
        if self.keyboard.parent is None:
            self.add_widget(self.keyboard)
        self.height = self._height_for(self.kind)
        self.shown = True
        # a numeric pad as wide as the screen is a long reach; keep it about hand-sized
        wanted = dp(NUMERIC_PAD_WIDTH_DP) if self.kind == "numeric" else dp(TEXT_KEYBOARD_WIDTH_DP)
        self.keyboard.width = min(wanted, self.width - dp(16))
        Clock.schedule_once(lambda *_: self._reveal(field, tries=3), 0)

    def _move_to_slot_of(self, field: KioskInput) -> None:
        """Into the field's screen's `keyboard_slot` (above its Kembali/Lanjut bar, which then never moves
        when a keyboard opens, closes or changes), else to the bottom of the window."""
        if self.home is None:
            self.home = self.parent
        screen = _screen_of(field)
        slot = screen.ids.get("keyboard_slot") if screen is not None else None
        place = slot if slot is not None else self.home
        if place is not None and self.parent is not place:
            if self.parent is not None:
                self.parent.remove_widget(self)
            place.add_widget(self)

    def detach_later(self, field: KioskInput) -> None:
        """Hides the keyboard on the next frame unless another field took the focus meanwhile."""
        if self.target is field:
            self._pending_detach = Clock.schedule_once(lambda *_: self.hide(), 0)

    def hide(self) -> None:
        self._pending_detach = None
        self.target = None
        if self.keyboard.parent is not None:
            self.remove_widget(self.keyboard)
        self.height = 0
        self.shown = False

    @property
    def visible(self) -> bool:
        return self.keyboard.parent is not None

    @staticmethod
    def _layout_for(kind: str) -> str:
        from kivy.core.window import Window

        return SHORT_TEXT_LAYOUT if kind == "text" and Window.height <= SHORT_SCREEN_PX else LAYOUTS[kind]

    def _height_for(self, kind: str) -> float:
        from kivy.core.window import Window

        rows = _rows(self.keyboard.layout)
        wanted = rows * dp(KEY_HEIGHT_DP + 8) + dp(40)  # 8 dp between keys; the margins
        # on a short screen the keys shrink to leave the question in view, but never below 64 px
        # (8 dp key margins, 2 % keyboard margins, the dock's 8 dp padding)
        floor = rows * (MIN_KEY_PX + dp(8)) / 0.96 + dp(20)
        return max(floor, min(wanted, Window.height * 0.45))

    def _reveal(self, field: KioskInput, tries: int) -> None:
        """Scrolls the question into view above the keyboard, again once the layout has settled.

        The whole question (label, hint, field, error) when it fits; else its lower part, so that
        the field and its error stay in view with as much of the label as there is room for.
        """
        scroll = scroll_view_of(field)
        if scroll is None or field.get_root_window() is None or self.target is not field:
            return
        whole = field.reveal
        if whole is None:
            scroll.scroll_to(field, padding=dp(8), animate=False)
        elif whole.height + dp(8) <= scroll.height:
            scroll.scroll_to(whole, padding=dp(4), animate=False)
        else:
            _show_bottom_of(scroll, whole)
        if tries > 1:
            Clock.schedule_once(lambda *_: self._reveal(field, tries - 1), 0)

    # -- typing ---------------------------------------------------------------------------

    def _typed(self, _keyboard: VKeyboard, text: str) -> None:
        if self.target is not None:
            self.target.insert_text(text)

    def _special(self, _keyboard: VKeyboard, keycode: str, _internal: str | None, _modifiers: list) -> None:
        field = self.target
        if field is None:
            return
        if keycode == "backspace":
            field.do_backspace()
        elif keycode == "enter":
            following = self._field_after(field)
            if following is not None:
                following.focus = True
            else:
                field.focus = False

    @staticmethod
    def _field_after(field: KioskInput) -> KioskInput | None:
        """The next text field on the same screen (Enter moves on; after the last one it closes)."""
        screen = _screen_of(field) or field
        fields = [w for w in screen.walk(restrict=True) if isinstance(w, KioskInput)]
        index = fields.index(field) if field in fields else len(fields)
        return fields[index + 1] if index + 1 < len(fields) else None


def _screen_of(widget) -> Screen | None:
    while widget is not None and not isinstance(widget, Screen):
        widget = widget.parent
    return widget


def _show_bottom_of(scroll, widget) -> None:
    """Scrolls so that `widget`'s bottom edge sits at the bottom of the view."""
    content = scroll._viewport
    if content is None or content.height <= scroll.height:
        return
    spare = content.height - scroll.height
    bottom_in_content = content.to_widget(*widget.to_window(widget.x, widget.y))[1]
    scroll.scroll_y = max(0.0, min(1.0, (bottom_in_content - dp(4)) / spare))


@lru_cache(maxsize=8)
def _rows(layout_path: str) -> int:
    with open(layout_path, encoding="utf-8") as source:
        return int(json.load(source)["rows"])


load_kv(__file__)
