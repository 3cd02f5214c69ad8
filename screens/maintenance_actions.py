"""The right-hand column of the maintenance dashboard: the action buttons, and one panel per action
that needs a choice first (a receipt number, a printer and paper, an idle timeout, a USB folder),
plus the log tail. Each panel's `prepare(dashboard)` fills it when it is shown; the work itself is
done by `MaintenanceScreen` through `kiosk.dashboard`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.dashboard import usb_folders
from kiosk.provisioning import IDLE_TIMEOUT_CHOICES, current_printer, printer_choices
from kiosk.settings import PAPER_SIZES
from screens.staff_widgets import OptionButton
from screens.widgets import load_kv, scroll_to_top


class MaintenancePanel(Screen):
    dashboard = ObjectProperty(None, allownone=True, rebind=True)

    def prepare(self, dashboard: Any) -> None:
        self.dashboard = dashboard


class ActionsPanel(MaintenancePanel):
    pass


class ReprintPanel(MaintenancePanel):
    def prepare(self, dashboard: Any) -> None:
        super().prepare(dashboard)
        self.ids.reference_input.text = ""


class PrinterPanel(MaintenancePanel):
    """The printers the terminal can use and the paper sizes; saving also prints a test page."""

    chosen = ObjectProperty(None, allownone=True)
    paper = StringProperty("80mm")

    def prepare(self, dashboard: Any) -> None:
        super().prepare(dashboard)
        terminal = dashboard.app.terminal
        self.chosen = current_printer(terminal.settings, terminal)
        self.paper = terminal.settings.printer_paper
        choices = printer_choices(terminal)
        box = self.ids.printers
        box.clear_widgets()
        for choice in choices:
            button = OptionButton(text=choice.label, value=choice)
            button.chosen = choice.key == self.chosen.key
            button.bind(on_release=self._pick)
            box.add_widget(button)
        papers = self.ids.papers
        papers.clear_widgets()
        for paper in PAPER_SIZES:
            button = OptionButton(text=paper.upper() if paper == "a4" else paper, value=paper,
                                  chosen=paper == self.paper)
            button.bind(on_release=self._pick_paper)
            papers.add_widget(button)

    def _pick(self, button: OptionButton) -> None:
        self.chosen = button.value
        for other in self.ids.printers.children:
            other.chosen = other is button

    def _pick_paper(self, button: OptionButton) -> None:
        self.paper = button.value
        for other in self.ids.papers.children:
            other.chosen = other is button

    def save(self) -> None:
        if self.chosen is not None:
            self.dashboard.change_printer(self.chosen, self.paper)


class IdlePanel(MaintenancePanel):
    def prepare(self, dashboard: Any) -> None:
        super().prepare(dashboard)
        current = dashboard.app.terminal.settings.idle_timeout_s
        box = self.ids.choices
        box.clear_widgets()
        for seconds in sorted({*IDLE_TIMEOUT_CHOICES, current}):
            button = OptionButton(text=f"{seconds} s", value=seconds, chosen=seconds == current)
            button.bind(on_release=lambda b: self.dashboard.change_idle_timeout(b.value))
            box.add_widget(button)


class ExportPanel(MaintenancePanel):
    """USB sticks found under the mount roots, and the terminal's own exports folder last."""

    def prepare(self, dashboard: Any) -> None:
        super().prepare(dashboard)
        folders = [*usb_folders(dashboard.usb_roots), Path(dashboard.app.terminal.paths.exports)]
        box = self.ids.folders
        box.clear_widgets()
        for folder in folders:
            button = OptionButton(text=str(folder), value=folder)
            button.bind(on_release=lambda b: self.dashboard.export_to(b.value))
            box.add_widget(button)


class LogPanel(MaintenancePanel):
    def prepare(self, dashboard: Any) -> None:
        super().prepare(dashboard)
        scroll_to_top(self.ids.scroll)


def register() -> None:
    """Loads the panels' kv rules (before the dashboard's kv uses them)."""
    load_kv(__file__)
