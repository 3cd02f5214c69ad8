"""Status lookup: the citizen types an application number and its PIN, and sees where it stands.

A wrong PIN reads exactly like an unknown number; five misses in a row rest the lookup for a minute
(the count is the kiosk's, so walking away and back does not reset it).

The answer comes from the terminal's own queue (through kiosk/); when a sync worker runs, the screen
also asks it to pull the office's latest statuses and reads the queue again when that round ends.
"""

from __future__ import annotations

import logging

from kivy.clock import Clock
from kivy.metrics import dp
from kivy.properties import ObjectProperty, StringProperty

from kiosk.errors import BadReference, LoketError
from kiosk.journey import StatusLookup, look_up_status
from kiosk.status_pin import LookupCoolingDown, LookupGuard, look_up_with_pin
from kiosk.timezones import clock_in_zone, in_zone
from screens.ui_thread import when_done
from screens.widgets import KioskScreen, load_kv

log = logging.getLogger("loket.screens")


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
        self._show_answer()
        self._refresh_live(self.result.reference)

    def _show_answer(self) -> None:
        """The answer is what the citizen came for: the keyboard goes and the answer (a decline's reason
        last) is scrolled into view, not left below the fold."""
        for field in (self.ids.reference_input, self.ids.pin_input):
            field.focus = False
        Clock.schedule_once(lambda *_: self.ids.scroll.scroll_to(self.ids.answer, padding=dp(8), animate=False), 0)

    def can_rate(self, result: StatusLookup | None) -> bool:
        """A ready or done application whose result was not rated yet: its citizen can judge it now."""
        if result is None or not result.found or result.status not in ("ready", "done"):
            return False
        try:
            filed = self.app.terminal.store.get(result.reference)
            return filed is not None and filed.id not in self.app.terminal.store.values.result_rated
        except LoketError:
            return False

    def typing_changed(self) -> None:
        """The number or PIN changed: the answer shown was for the old ones, so it goes."""
        self.result = None
        self.problem = ""
        self.refreshing = ""

    def _catalog(self):
        try:
            return self.app.terminal.catalog
        except LoketError:
            return None

    def _refresh_live(self, reference: str) -> None:
        if self.app.sync_worker is None:  # another process (loket-sync.service) may sync: its next round pulls
            self.app.runtime.wake_sync()
            return
        self.refreshing = reference
        when_done(self.app.runtime.pull_status(), lambda outcome: self._reread(reference, outcome))

    def _reread(self, reference: str, pulled: object = None) -> None:
        """When the worker's round ends (offline is normal: the local answer stays on screen)."""
        if isinstance(pulled, LoketError):
            log.info("status refresh failed: %s", pulled)
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
