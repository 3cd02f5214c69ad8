"""The maintenance dashboard: every figure a technician needs on one screen, and the actions beside it.

The figures come from `loket.dashboard.read_dashboard` (central and the printer are probed off the
UI thread); each action calls one `loket.dashboard` function, which writes the audit entry. Actions
that need a choice (a reference, a printer, a timeout, a USB folder) open a panel in the right
column instead of the action buttons (`screens.maintenance_actions`).
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kivy
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty

from kiosk.clock import clock_warning
from kiosk.errors import LoketError
from kiosk.terminal import Terminal
from kiosk.timezones import in_zone, zone_label
from loket import dashboard
from loket.dashboard import Dashboard, describe_age, describe_bytes
from screens import maintenance_actions
from screens.staff_widgets import FigureRow, in_background
from screens.widgets import KioskScreen, load_kv

LOW_DISK_BYTES = 200 * 1024 * 1024
OLD_UNSYNCED_S = 3600


def leave_app(app: Any, restart: bool) -> None:
    """Stops the kiosk; for a restart the process then replaces itself with a fresh copy."""
    if restart:
        atexit.register(os.execv, sys.executable, [sys.executable, *sys.argv])
    app.stop()


def local_time(stamp: str | None, zone: dt.tzinfo) -> str:
    """A stored UTC stamp on the office's clock, with the zone's name."""
    if not stamp:
        return "-"
    try:
        local = in_zone(dt.datetime.fromisoformat(stamp), zone)
        return f"{local:%Y-%m-%d %H:%M:%S} {zone_label(zone, local)}"
    except ValueError:
        return stamp


class MaintenanceScreen(KioskScreen):
    board: Dashboard | None = ObjectProperty(None, allownone=True, rebind=True)
    #: the action running now ("" when none): its button shows it, the others wait
    busy = StringProperty("")
    refreshing = BooleanProperty(False)
    result = StringProperty("")
    result_ok = BooleanProperty(True)
    panel = StringProperty("actions")
    log_lines = ListProperty([])
    #: where USB sticks are looked for (tests point it at a temporary folder)
    usb_roots: tuple[Path, ...] = dashboard.USB_ROOTS
    #: the release keys a bundle from a stick must be signed by (pinned by the installer)
    release_keys: Path = Path("/etc/loket/release-keys")
    #: what "exit to desktop" and "restart" finally do (tests record instead of stopping the process)
    leave: Callable[[Any, bool], None] = staticmethod(leave_app)
    _leaving = ""

    def enter(self) -> None:
        self.result = ""
        self.show_panel("actions")
        self.refresh()

    def clear(self) -> None:
        if self.manager is not None and self.manager.current == self.name:
            # the idle reset (or Leave) is taking the dashboard away: note who left it open how long
            self.app.terminal.store.record_audit("maintenance.left", self._leaving or "idle reset",
                                                 actor=dashboard.TECHNICIAN)
        self._leaving = ""
        self.board = None
        self.result = ""
        self.log_lines = []
        self.show_panel("actions")
        self.ids.figures.clear_widgets()

    # -- the figures -------------------------------------------------------------------------

    def refresh(self) -> None:
        self.refreshing = True
        versions = {"kivy": kivy.__version__}
        runtime = self.app.runtime
        in_background(self.app, lambda _t: dashboard.read_dashboard(runtime, extra_versions=versions), self._refreshed)

    def _refreshed(self, outcome: Dashboard | LoketError) -> None:
        self.refreshing = False
        if self.app.screen_manager.current != self.name:
            return
        if isinstance(outcome, LoketError):
            self.say(str(outcome), ok=False)
            return
        self.board = outcome
        figures = self.ids.figures
        figures.clear_widgets()
        for label, value, problem in self.figure_rows(outcome):
            figures.add_widget(FigureRow(label=self.app.t(label), value=value, problem=problem))

    def figure_rows(self, board: Dashboard) -> list[tuple[str, str, bool]]:
        """(gettext label, value, needs attention) for each line of the dashboard."""
        t = self.app.t
        queue = " · ".join(f"{t(state)} {count}" for state, count in board.queue.items() if count) or "0"
        reach = {True: t("yes"), False: t("NO"), None: t("not set")}[board.server_reachable]
        oldest = board.oldest_unsynced_age_s
        waiting = f"{board.unsynced}" + (f" ({t('oldest')} {describe_age(oldest)})" if board.unsynced else "")
        rows = [
            ("Terminal", f"{board.terminal_code}  ({board.terminal_id})", False),
            ("Office", f"{board.office_name} ({board.office_code})", False),
            ("Central server", board.server_url or "-", False),
            ("Server reachable", f"{reach}: {self._reach_words(board)}", board.server_reachable is False),
            ("Versions", " · ".join(f"{name} {version}" for name, version in board.versions.items()), False),
            ("Catalog version", board.catalog_version or t("cannot be read"), board.catalog_version is None),
            ("Queue", queue, False),
            ("Waiting to send", waiting, bool(oldest and oldest > OLD_UNSYNCED_S)),
            ("Not exported", str(board.unexported), False),
            ("Last sync attempt", local_time(board.last_sync_attempt, self.app.terminal.zone), False),
            ("Last sync error", board.last_sync_error or t("none"), bool(board.last_sync_error)),
            ("Disk free", describe_bytes(board.disk_free_bytes), board.disk_free_bytes < LOW_DISK_BYTES),
            ("Printer", board.printer.text, not board.printer.ready),
            ("Idle timeout", f"{board.settings.idle_timeout_s} s", False),
            ("Clock", clock_warning(board.clock_wrong_by_s, self.app.lang) or t("right"),
             clock_warning(board.clock_wrong_by_s) is not None),
        ]
        rows += [("Settings problem", problem, True) for problem in board.problems]
        return rows

    # -- actions -------------------------------------------------------------------------------

    def say(self, text: str, *, ok: bool) -> None:
        self.result_ok = ok
        self.result = text

    def run(self, action: str, work: Callable[[Terminal], Any], describe: Callable[[Any], str]) -> None:
        """Runs `work` off the UI thread; its outcome shows under the actions, then the figures refresh."""
        if self.busy:
            return
        self.busy = action
        self.result = ""

        def done(outcome: Any) -> None:
            self.busy = ""
            if isinstance(outcome, LoketError):
                self.say(str(outcome), ok=False)
            else:  # a sync round that met errors comes back as a report, not an exception
                self.say(describe(outcome), ok=not getattr(outcome, "errors", None))
            self.refresh()

        in_background(self.app, work, done)

    def sync_now(self) -> None:
        runtime = self.app.runtime
        self.run("sync_now", lambda _terminal: dashboard.sync_now(runtime), self._sync_words)

    def update_catalog(self) -> None:
        runtime = self.app.runtime
        self.run("update_catalog", lambda _terminal: dashboard.update_catalog_now(runtime), self._sync_words)

    def _reach_words(self, board: Dashboard) -> str:
        """Whether central answered, in the staff member's language (a failure's technical detail as is)."""
        if board.server_reachable is True:
            return self.app.t("central at {url} answered", url=board.server_url)
        if board.server_reachable is None:
            return self.app.t("no central server is set (provisioned offline)")
        return board.server_detail

    def _sync_words(self, report: Any) -> str:
        """One or two lines: what was sent, or why nothing was; the catalog when it changed."""
        t = self.app.t
        if report.errors:
            words = t("problem: {detail}", detail="; ".join(report.errors))
        elif report.reachable:
            words = t("sent {sent}: {accepted} accepted, {duplicate} duplicate, {rejected} rejected",
                      sent=report.sent, accepted=report.accepted, duplicate=report.duplicate,
                      rejected=len(report.rejected))
        else:
            words = t("central not reached")
        words += "; " + self.app.t("still waiting: {n}", n=report.remaining)
        if report.catalog_updated:
            words += "; " + self.app.t("catalog updated to {version}", version=report.catalog_updated)
        return words

    def test_print(self) -> None:
        self.run("test_print", dashboard.printer_test, lambda job: job.description)

    def reprint(self, reference: str) -> None:
        self.run("reprint", lambda t: dashboard.reprint(t, reference),
                 lambda job: f"{job.reference}: {job.description}")

    def change_printer(self, choice: Any, paper: str) -> None:
        self.run("change_printer", lambda t: dashboard.change_printer(t, choice, paper),
                 lambda s: self.app.t("Printer saved: {printer} ({paper})", printer=choice.label,
                                      paper=s.printer_paper))
        self.show_panel("actions")

    def change_idle_timeout(self, seconds: int) -> None:
        self.run("change_idle_timeout", lambda t: dashboard.change_idle_timeout(t, seconds),
                 lambda s: self.app.t("Idle timeout saved: {seconds} s", seconds=s.idle_timeout_s))
        self.show_panel("actions")

    def export_to(self, folder: Path) -> None:
        self.run("export", lambda t: dashboard.export_queue(t, folder),
                 lambda e: self.app.t("{count} applications and {surveys} survey answers exported to {path}",
                                      count=e.applications, surveys=e.surveys, path=e.path))
        self.show_panel("actions")

    def update_from(self, bundle: Path) -> None:
        self.run("update_from_usb", lambda t: dashboard.update_from_usb(t, bundle, self.release_keys), str)
        self.show_panel("actions")

    def view_log(self) -> None:
        def shown(lines: list[str]) -> str:
            self.log_lines = lines or [self.app.t("The log file is empty.")]
            self.show_panel("log")
            return self.app.t("{n} log lines", n=len(lines))

        self.run("view_log", dashboard.view_log, shown)

    def reprovision(self) -> None:
        try:
            dashboard.begin_reprovision(self.app.terminal)
        except LoketError as e:
            self.say(str(e), ok=False)
            return
        self.app.go("provisioning")

    def exit_to_desktop(self) -> None:
        dashboard.exit_to_desktop(self.app.terminal)
        self.leave(self.app, False)

    def restart(self) -> None:
        dashboard.restart(self.app.terminal)
        self.leave(self.app, True)

    def leave_maintenance(self) -> None:
        self._leaving = "left by the technician"
        self.app.reset()

    # -- panels --------------------------------------------------------------------------------

    def show_panel(self, name: str) -> None:
        """Shows the action buttons, or the panel of an action that needs a choice first."""
        if name != "actions":
            self.result = ""
        panels = self.ids.panels
        panel = panels.get_screen(name)
        if hasattr(panel, "prepare"):
            panel.prepare(self)
        panels.current = name
        self.panel = name


maintenance_actions.register()
load_kv(__file__)
