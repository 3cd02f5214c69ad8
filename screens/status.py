"""Status lookup: the citizen types an application number and its PIN, and sees where it stands.

A wrong PIN reads exactly like an unknown number; five misses in a row rest the lookup for a minute
(the count is the kiosk's, so walking away and back does not reset it).

The answer comes from the terminal's own queue (through kiosk/); when a sync worker runs, the screen
also asks it to pull the office's latest statuses in the background and reads the queue again.
"""

from __future__ import annotations

import logging
import threading

from kivy.clock import Clock
from kivy.properties import ObjectProperty, StringProperty

from kiosk.errors import BadReference, LoketError
from kiosk.journey import StatusLookup, look_up_status
from kiosk.status_pin import LookupCoolingDown, LookupGuard, look_up_with_pin
from kiosk.timezones import clock_in_zone, in_zone
from screens.widgets import KioskScreen, load_kv

log = logging.getLogger("loket.screens")
#: how long after asking the worker for fresh statuses the screen reads the queue again
REFRESH_DELAY_S = 3.0


class StatusScreen(KioskScreen):
    result: StatusLookup | None = ObjectProperty(None, allownone=True, rebind=True)
    problem = StringProperty("")
    refreshing = StringProperty("")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.guard = LookupGuard()

    def enter(self) -> None:
        self.ids.reference_input.focus = True

    def look_up(self) -> None:
        typed = self.ids.reference_input.text
        pin = self.ids.pin_input.text
        self.result = None
        self.problem = ""
        if not typed.strip():
            self.problem = "Type the number printed on your receipt."
            return
        if not pin.strip():
            self.problem = "Type the PIN printed beside the number on your receipt."
            self.ids.pin_input.focus = True
            return
        try:
            self.result = look_up_with_pin(self.app.terminal.store, self._catalog(), typed, pin, self.guard)
        except BadReference:
            self.problem = "This number is not right. Check it against your receipt."
            return
        except LookupCoolingDown:
            self.problem = "Too many tries. Please wait a minute, then try again."
            return
        if not self.result.found:
            self.problem = "No application with this number and PIN. Check both, or ask a staff member."
            return
        self._refresh_live(self.result.reference)

    def _catalog(self):
        try:
            return self.app.terminal.catalog
        except LoketError:
            return None

    def _refresh_live(self, reference: str) -> None:
        worker = self.app.sync_worker
        if worker is None:  # another process (loket-sync.service) syncs: its next round pulls
            self.app.runtime.wake_sync()
            return
        self.refreshing = reference
        threading.Thread(target=self._pull, args=(worker, reference), name="loket-status", daemon=True).start()

    def _pull(self, worker, reference: str) -> None:
        try:
            worker.refresh_status()
        except Exception as e:  # offline is normal: the local answer stays on screen
            log.info("status refresh failed: %s", e)
        Clock.schedule_once(lambda *_: self._reread(reference), REFRESH_DELAY_S)

    def _reread(self, reference: str) -> None:
        if self.refreshing != reference or self.result is None or self.result.reference != reference:
            return
        self.refreshing = ""
        try:
            self.result = look_up_status(self.app.terminal.store, self._catalog(), reference)
        except LoketError as e:
            log.error("status re-read failed: %s", e)

    def when(self, moment) -> str:
        """A time on the office's clock, with its zone: `27-11-2026 09.12 WITA`."""
        if not moment:
            return ""
        zone = self.app.terminal.zone
        return f"{in_zone(moment, zone):%d-%m-%Y} {clock_in_zone(moment, zone, self.app.lang)}"

    def clear(self) -> None:
        for field in (self.ids.reference_input, self.ids.pin_input):
            field.text = ""
            field.reset_undo()  # the undo history would keep what was typed
        self.result = None
        self.problem = ""
        self.refreshing = ""


load_kv(__file__)
