"""Checks that a screen fits its window: nothing cut off at an edge, under the top bar or the keyboard.

A widget inside a scrolling page may sit beyond the visible part (the citizen scrolls to it), but
never wider than the page; everything else must lie inside the screen. Text must fit its widget.
"""

from __future__ import annotations

from kivy.core.window import Window
from kivy.uix.label import Label
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

from screens.widgets import scroll_view_of

TOLERANCE = 1.5


def window_rect(widget: Widget) -> tuple[float, float, float, float]:
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, x + widget.width, y + widget.height


def shown(widget: Widget) -> bool:
    node = widget
    while node is not None and node is not node.parent:
        if node.opacity == 0 or node.width <= 0 or node.height <= 0:
            return False
        node = node.parent
    return widget.get_root_window() is not None


def problems(screen: Widget, *, bottom: float | None = None) -> list[str]:
    """What does not fit on `screen` (empty when it all fits). `bottom`: the keyboard's top, if up."""
    left, floor, right, top = window_rect(screen)
    floor = max(floor, bottom or 0)
    found = []
    for widget in screen.walk(restrict=True):
        if not isinstance(widget, Label | TextInput) or not shown(widget):
            continue
        if isinstance(widget, Label) and not widget.text:
            continue
        x0, y0, x1, y1 = window_rect(widget)
        name = f"{type(widget).__name__}({getattr(widget, 'text', '')[:40]!r})"
        scroll = scroll_view_of(widget)
        if scroll is not None:
            sx0, _sy0, sx1, _sy1 = window_rect(scroll)
            if x0 < sx0 - TOLERANCE or x1 > sx1 + TOLERANCE:
                found.append(f"{name} wider than its page ({x0:.0f}..{x1:.0f} in {sx0:.0f}..{sx1:.0f})")
        elif x0 < left - TOLERANCE or x1 > right + TOLERANCE or y0 < floor - TOLERANCE or y1 > top + TOLERANCE:
            found.append(f"{name} cut off: {x0:.0f},{y0:.0f}..{x1:.0f},{y1:.0f} outside "
                         f"{left:.0f},{floor:.0f}..{right:.0f},{top:.0f}")
        if isinstance(widget, Label):
            tw, th = widget.texture_size
            if tw > widget.width + 2 or th > widget.height + 2:
                found.append(f"{name} text {tw:.0f}x{th:.0f} larger than its box "
                             f"{widget.width:.0f}x{widget.height:.0f}")
    if right > Window.width + TOLERANCE or top > Window.height + TOLERANCE:
        found.append("the screen itself is larger than the window")
    return found
