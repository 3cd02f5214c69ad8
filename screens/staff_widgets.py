"""What the staff and technician screens share: choice buttons, figure rows, and work off the UI thread.

Enrolling, syncing, probing central or a CUPS printer can take seconds; `in_background` runs such
work on a thread with its own `Terminal` (SQLite connections are per thread) and hands the result,
or the `LoketError` it raised, back on the Kivy clock. The app's own terminal then re-reads the
settings and catalog the work may have changed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.errors import LoketError
from kiosk.settings import PAPER_SIZES, load_settings
from kiosk.terminal import Terminal
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
                  done: Callable[[Result | LoketError], None]) -> threading.Thread:
    """Runs `work(terminal)` on a thread; `done(result or error)` runs on the UI thread afterwards."""
    home = Path(app.terminal.paths.home)

    def run() -> None:
        terminal = Terminal(home)
        try:
            outcome: Any = work(terminal)
        except LoketError as e:
            outcome = e
        except Exception as e:  # a bug must end as a message on the screen, not a silent dead button
            log.exception("maintenance work failed")
            outcome = LoketError(f"unexpected error: {e!r}")
        finally:
            terminal.close()
        Clock.schedule_once(lambda *_: _finish(app, done, outcome))

    thread = threading.Thread(target=run, name="loket-staff-work", daemon=True)
    thread.start()
    return thread


def _finish(app: Any, done: Callable[[Any], None], outcome: Any) -> None:
    refresh_terminal(app)
    done(outcome)


def refresh_terminal(app: Any) -> None:
    """The app's terminal re-reads what another thread or process may have saved (the store caches its identity)."""
    terminal = app.terminal
    terminal.settings = load_settings(terminal.paths.settings_file)
    terminal.store.reload_identity()  # enrolled or provisioned again on the other thread
    try:
        terminal.reload_catalog()
    except LoketError as e:
        log.error("the catalog cannot be read: %s", e)
    app.idle.timeout_s = terminal.settings.idle_timeout_s
    app.idle.warning_s = terminal.settings.idle_warning_s


load_kv(__file__)
