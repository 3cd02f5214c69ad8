"""What the staff and technician screens share: choice buttons, figure rows, and work off the UI thread.

Enrolling, syncing, probing central or a CUPS printer can take seconds; `in_background` runs such
work on one of the runtime's work threads, with that thread's own `Terminal` (SQLite connections
never cross threads), and hands the result, or the `LoketError` it raised, back on the Kivy clock.
The app's own terminal then re-reads the settings, identity and catalog the work may have changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.errors import LoketError
from kiosk.settings import PAPER_SIZES
from kiosk.terminal import Terminal
from screens.ui_thread import when_done
from screens.widgets import KioskButton, load_kv

log = logging.getLogger("loket.screens")
Result = TypeVar("Result")


class OptionButton(KioskButton):
    """One of several options (a printer, a paper size, a timeout); shown selected when `chosen`."""

    value = ObjectProperty(None, allownone=True)
    chosen = BooleanProperty(False)


def fill_options(box: Any, options: list[tuple[str, Any]], chosen: Any, on_pick: Callable[[Any], None]) -> None:
    """Fills `box` with one `OptionButton` per (text, value); a tap marks it alone as chosen, then `on_pick(value)`."""
    def picked(button: OptionButton) -> None:
        for other in box.children:
            other.chosen = other is button
        on_pick(button.value)

    box.clear_widgets()
    for text, value in options:
        button = OptionButton(text=text, value=value, chosen=value == chosen)
        button.bind(on_release=picked)
        box.add_widget(button)


def paper_options() -> list[tuple[str, str]]:
    return [(paper.upper() if paper == "a4" else paper, paper) for paper in PAPER_SIZES]


class FigureRow(BoxLayout):
    """A dashboard line: what (muted) and its value; `problem` marks a value that needs attention."""

    label = StringProperty("")
    value = StringProperty("")
    problem = BooleanProperty(False)


def in_background(app: Any, work: Callable[[Terminal], Result],
                  done: Callable[[Result | LoketError], None]) -> Future:
    """Runs `work(terminal)` off the UI thread (the runtime's work threads, each with its own terminal);
    `done(result or error)` runs on the UI thread afterwards, once the app's terminal has re-read."""
    return when_done(app.runtime.in_background(work), lambda outcome: _finish(app, done, outcome))


def _finish(app: Any, done: Callable[[Any], None], outcome: Any) -> None:
    app.refresh_terminal()
    done(outcome)


load_kv(__file__)
