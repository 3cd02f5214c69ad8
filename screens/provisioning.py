"""First-boot setup for office staff: central server and code, office check, printer, PIN, idle time, language.

An unprovisioned terminal opens here instead of Welcome; maintenance's "Provision again" comes here
too. Each step calls one function of `loket.provisioning`; enrolling and the test print run off the
UI thread. After the last step the terminal serves citizens, and the runtime's sync worker starts.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty

from kiosk.errors import LoketError
from kiosk.store import TerminalIdentity
from loket import provisioning
from loket.provisioning import IDLE_TIMEOUT_CHOICES, PrinterChoice
from screens.staff_widgets import fill_options, in_background, paper_options
from screens.widgets import KioskScreen, load_kv

log = logging.getLogger("loket.screens")
STEPS = ("server", "office", "printer", "pin", "settings")
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def start_screen(terminal: Any) -> str:
    """Where the app starts for a terminal with an office: Welcome, or the setup begun and not finished."""
    return "provisioning" if provisioning.needs_setup(terminal) else "welcome"


class ProvisioningScreen(KioskScreen):
    step = StringProperty("server")
    step_number = NumericProperty(1)
    steps = NumericProperty(len(STEPS))
    busy = BooleanProperty(False)
    #: what went wrong, as a gettext id or a message from the core (English for staff)
    problem = StringProperty("")
    secure = BooleanProperty(True)
    identity: TerminalIdentity | None = ObjectProperty(None, allownone=True)
    chosen_printer: PrinterChoice | None = ObjectProperty(None, allownone=True)
    paper = StringProperty("80mm")
    tested = StringProperty("")  # the test page's outcome; "" until one printed on the chosen printer
    idle_timeout_s = ObjectProperty(60)
    language = StringProperty("id")
    #: opened from maintenance on a terminal that already serves an office: Back returns there
    reprovisioning = BooleanProperty(False)
    #: the office came from a provisioning file on a USB stick, not (yet) from central
    from_file = BooleanProperty(False)
    #: where USB sticks are looked for (tests point it at a temporary folder)
    usb_roots: tuple[Path, ...] = provisioning.USB_ROOTS

    # -- moving through the steps --------------------------------------------------------------

    def enter(self) -> None:
        self.clear()
        self.reprovisioning = self.app.provisioned and not provisioning.needs_setup(self.app.terminal)
        terminal = self.app.terminal
        settings = terminal.settings
        self.ids.server_host.text = settings.server_url.split("://", 1)[-1] if settings.server_url else ""
        self.secure = not settings.server_url.startswith("http://")
        if terminal.identity is not None and provisioning.needs_setup(terminal):
            # enrolled, then restarted before the end: the code is spent, so go on from the office check
            self.identity = terminal.identity
            self.show("office")

    def clear(self) -> None:
        self.problem = ""
        self.busy = False
        self.identity = None
        self.from_file = False
        self.tested = ""
        for name in ("server_host", "server_port", "code", "pin", "pin_again"):
            self.ids[name].text = ""
        self.show("server")

    def show(self, step: str) -> None:
        if self.app.keyboard is not None:
            self.app.keyboard.hide()
        self.problem = ""
        if step == "printer":
            self._offer_printers()
        elif step == "settings":
            self._offer_settings()
        self.ids.steps.current = step
        self.step_number = STEPS.index(step) + 1 if step in STEPS else 1
        self.step = step

    def back(self) -> None:
        if self.busy:
            return
        if self.step == "server":
            if self.reprovisioning:  # nothing changed yet: back to maintenance
                self.app.go("maintenance")
            return
        self.show(STEPS[STEPS.index(self.step) - 1] if self.step not in ("printer", "usb") else "server")

    def next(self) -> None:
        if self.busy:
            return
        try:
            getattr(self, f"_after_{self.step}")()
        except LoketError as e:
            self.problem = str(e)

    # -- 1: the server and the code ---------------------------------------------------------------

    def _after_server(self) -> None:
        url = provisioning.server_url(self.ids.server_host.text, secure=self.secure, port=self.ids.server_port.text)
        code = self.ids.code.text
        self.busy = True
        in_background(self.app, lambda terminal: provisioning.enroll(terminal, url, code), self._enrolled)

    def _enrolled(self, outcome: TerminalIdentity | LoketError) -> None:
        self.busy = False
        if isinstance(outcome, LoketError):
            self.problem = str(outcome)
            return
        self.identity = outcome
        self.from_file = False
        self.app.office_name = outcome.office_name
        self.show("office")

    # -- 1b: or a provisioning file from a USB stick (no network needed) -----------------------------

    def look_on_usb(self) -> None:
        self.show("usb")
        self._after_usb()

    def _after_usb(self) -> None:
        """(Re)lists the provisioning files on the sticks plugged in now."""
        files = provisioning.provisioning_files(self.usb_roots)
        fill_options(self.ids.usb_files, [(f"{path.name}   ({path.parent})", path) for path in files], None,
                     self.load_file)
        self.problem = "" if files else "No provisioning file found. Plug the USB stick in, wait a moment, look again."

    def load_file(self, path: Path) -> None:
        try:
            identity = provisioning.load_file(self.app.terminal, path)
        except LoketError as e:
            self.problem = str(e)
            return
        self.identity = identity
        self.from_file = True
        self.app.office_name = identity.office_name
        self.show("office")

    # -- 2: staff confirm the office central named --------------------------------------------------

    def _after_office(self) -> None:
        self.show("printer")

    def wrong_office(self) -> None:
        self.show("server")
        self.ids.code.text = ""
        self.problem = "Then this code belongs to another office: ask central staff for the right code."

    # -- 3: the printer and a test page --------------------------------------------------------------

    def _offer_printers(self) -> None:
        terminal = self.app.terminal
        choices = provisioning.printer_choices(terminal)
        current = provisioning.current_printer(terminal.settings, terminal)
        self.chosen_printer = next((c for c in choices if c.key == current.key), choices[0])
        self.paper = terminal.settings.printer_paper
        fill_options(self.ids.printers, [(c.label, c) for c in choices], self.chosen_printer,
                     lambda choice: setattr(self, "chosen_printer", choice))
        fill_options(self.ids.papers, paper_options(), self.paper, lambda paper: setattr(self, "paper", paper))

    def on_chosen_printer(self, *_args: Any) -> None:
        self.tested = ""

    def on_paper(self, *_args: Any) -> None:
        self.tested = ""

    def print_test_page(self) -> None:
        if self.busy or self.chosen_printer is None:
            return
        self.problem = ""
        try:
            provisioning.choose_printer(self.app.terminal, self.chosen_printer, self.paper)
        except LoketError as e:
            self.problem = str(e)
            return
        self.busy = True
        in_background(self.app, provisioning.print_test_page, self._test_printed)

    def _test_printed(self, outcome: Any) -> None:
        self.busy = False
        if isinstance(outcome, LoketError):
            self.problem = str(outcome)
            return
        self.tested = outcome.description

    def _after_printer(self) -> None:
        if not self.tested:
            self.problem = "Print a test page first, and check that it came out."
            return
        self.show("pin")

    # -- 4: the maintenance PIN ---------------------------------------------------------------------

    def _after_pin(self) -> None:
        pin, again = self.ids.pin.text, self.ids.pin_again.text
        self.ids.pin.text = self.ids.pin_again.text = ""
        provisioning.set_pin(self.app.terminal, pin, again)
        self.show("settings")

    # -- 5: idle timeout and language, then serve citizens ---------------------------------------------

    def _offer_settings(self) -> None:
        settings = self.app.terminal.settings
        self.idle_timeout_s = settings.idle_timeout_s
        self.language = settings.language
        choices = sorted({*IDLE_TIMEOUT_CHOICES, settings.idle_timeout_s})
        fill_options(self.ids.idle_choices, [(f"{s} s", s) for s in choices], self.idle_timeout_s,
                     lambda seconds: setattr(self, "idle_timeout_s", seconds))
        fill_options(self.ids.languages, [(name, code) for code, name in LANGUAGE_NAMES.items()], self.language,
                     lambda language: setattr(self, "language", language))

    def _after_settings(self) -> None:
        terminal = self.app.terminal
        provisioning.set_idle_timeout(terminal, int(self.idle_timeout_s))
        provisioning.set_language(terminal, self.language)
        provisioning.finish(terminal)
        self.app.refresh_terminal()
        self.app.runtime.start_sync()  # the runtime's worker: its rounds refresh this terminal too
        self.app.reset()


load_kv(__file__)
