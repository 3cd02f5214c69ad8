"""The right-hand column of the maintenance dashboard: the action buttons, and one panel per action
that needs a choice first (a receipt number, a printer and paper, an idle timeout, a USB folder),
plus the log tail. Each panel's `prepare(dashboard)` fills it when it is shown; the work itself is
done by `MaintenanceScreen` through `loket.dashboard`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from loket.dashboard import usb_folders
from loket.provisioning import IDLE_TIMEOUT_CHOICES, current_printer, printer_choices
from loket.updates.usb import bundles_on
from screens.staff_widgets import fill_options, paper_options
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
        current = current_printer(terminal.settings, terminal)
        choices = printer_choices(terminal)
        self.chosen = next((c for c in choices if c.key == current.key), current)
        self.paper = terminal.settings.printer_paper
        fill_options(self.ids.printers, [(c.label, c) for c in choices], self.chosen,
                     lambda choice: setattr(self, "chosen", choice))
        fill_options(self.ids.papers, paper_options(), self.paper, lambda paper: setattr(self, "paper", paper))

    def save(self) -> None:
        if self.chosen is not None:
            self.dashboard.change_printer(self.chosen, self.paper)


class IdlePanel(MaintenancePanel):
    def prepare(self, dashboard: Any) -> None:
        super().prepare(dashboard)
        current = dashboard.app.terminal.settings.idle_timeout_s
        fill_options(self.ids.choices, [(f"{s} s", s) for s in sorted({*IDLE_TIMEOUT_CHOICES, current})], current,
                     dashboard.change_idle_timeout)


class ExportPanel(MaintenancePanel):
    """USB sticks found under the mount roots, and the terminal's own exports folder last."""

    def prepare(self, dashboard: Any) -> None:
        super().prepare(dashboard)
        folders = [*usb_folders(dashboard.usb_roots), Path(dashboard.app.terminal.paths.exports)]
        fill_options(self.ids.folders, [(str(f), f) for f in folders], None, dashboard.export_to)


class UpdatePanel(MaintenancePanel):
    """Release bundles found on the USB sticks; tapping one checks it and hands it to the updater."""

    def prepare(self, dashboard: Any) -> None:
        super().prepare(dashboard)
        bundles = bundles_on(usb_folders(dashboard.usb_roots))
        fill_options(self.ids.bundles, [(b.name, b) for b in bundles], None, dashboard.update_from)


class LogPanel(MaintenancePanel):
    def prepare(self, dashboard: Any) -> None:
        super().prepare(dashboard)
        scroll_to_top(self.ids.scroll)


def register() -> None:
    """Loads the panels' kv rules (before the dashboard's kv uses them)."""
    load_kv(__file__)
