"""The way into maintenance: a hidden long press on the top-left corner, then the PIN keypad.

Holding a finger five seconds on the corner (where the office name sits, which does nothing on a
tap) opens the keypad. The PIN is checked by `kiosk.maintenance.MaintenanceGate`: five wrong PINs
lock maintenance for five minutes, doubling after each lockout, and every try is audited.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kivy.metrics import dp
from kivy.properties import NumericProperty, StringProperty

from kiosk.errors import LoketError
from kiosk.maintenance import PIN_MAX_DIGITS, MaintenanceGate, PinAttempt
from screens import staff_widgets  # noqa: F401  (loads StaffTitle, used in pin_pad.kv)
from screens.widgets import KioskScreen, load_kv

HOLD_S = 5.0
CORNER_DP = 120
#: screens where the gesture does nothing: already in maintenance, or setting the terminal up
NO_GESTURE_SCREENS = ("maintenance_pin", "maintenance", "provisioning")


class HiddenCorner:
    """Watches the window for a press of `hold_s` seconds or more on its top-left corner."""

    def __init__(self, on_hold: Callable[[], None], *, hold_s: float = HOLD_S, size_dp: float = CORNER_DP,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.on_hold = on_hold
        self.hold_s = hold_s
        self.size_dp = size_dp
        self.now = now
        self._pressed: dict[Any, float] = {}

    def watch(self, window: Any) -> None:
        window.bind(on_touch_down=self._down, on_touch_up=self._up)

    def in_corner(self, window: Any, x: float, y: float) -> bool:
        side = dp(self.size_dp)
        return x <= side and y >= window.height - side

    def _down(self, window: Any, touch: Any) -> None:
        if self.in_corner(window, *touch.pos):
            self._pressed[touch.uid] = self.now()

    def _up(self, window: Any, touch: Any) -> None:
        started = self._pressed.pop(touch.uid, None)
        if started is not None and self.in_corner(window, *touch.pos) and self.now() - started >= self.hold_s:
            self.on_hold()


def watch_hidden_corner(app: Any) -> HiddenCorner:
    """Installs the gesture on the window for `app`; kept as `app.hidden_corner`."""
    from kivy.core.window import Window

    def open_pin_pad() -> None:
        if app.screen_manager.current in NO_GESTURE_SCREENS or not app.provisioned:
            return
        app.dismiss_dialogs()
        app.go("maintenance_pin")

    app.hidden_corner = HiddenCorner(open_pin_pad)
    app.hidden_corner.watch(Window)
    return app.hidden_corner


def wait_words(seconds: int) -> tuple[str, dict[str, int]]:
    """A lockout's wait as a gettext id and its values: minutes and seconds, or seconds alone."""
    if seconds >= 60:
        return "{minutes} min {seconds} s", {"minutes": seconds // 60, "seconds": seconds % 60}
    return "{seconds} s", {"seconds": seconds}


class MaintenancePinScreen(KioskScreen):
    """A big keypad; the digits typed show only as dots."""

    digits = StringProperty("")
    #: gettext id and values of what to tell the technician
    message = StringProperty("")
    message_values: dict[str, Any] = {}
    locked_s = NumericProperty(0)

    def enter(self) -> None:
        self.digits = ""
        self._say("")
        until = self._gate().locked_until() if self._pin_hash() else None
        if until is not None:
            self._locked(PinAttempt(False, until, 0).seconds_locked())

    def clear(self) -> None:
        self.digits = ""
        self._say("")

    def press(self, digit: str) -> None:
        if len(self.digits) < PIN_MAX_DIGITS:
            self.digits += digit

    def backspace(self) -> None:
        self.digits = self.digits[:-1]

    def submit(self) -> None:
        if not self._pin_hash():
            self._say("No maintenance PIN is set on this kiosk. Set one over SSH: loket maintenance set-pin")
            return
        if not self.digits:
            self._say("Type the maintenance PIN, then press OK.")
            return
        try:
            attempt = self._gate().try_pin(self.digits)
        except LoketError as e:
            self._say("{error}", error=str(e))
            return
        finally:
            self.digits = ""
        if attempt.accepted:
            self.app.go("maintenance")
        elif attempt.locked_until is not None:
            self._locked(attempt.seconds_locked())
        else:
            self._say("Wrong PIN. {n} tries left before maintenance locks.", n=attempt.attempts_left)

    def cancel(self) -> None:
        self.app.reset()

    def message_text(self, _lang: str, message: str) -> str:
        if not message:
            return ""
        values = dict(self.message_values)
        if "wait" in values:
            wait_id, wait_values = values["wait"]
            values["wait"] = self.app.t(wait_id, **wait_values)
        return self.app.t(message, **values)

    def _locked(self, seconds: int) -> None:
        self.locked_s = seconds
        self._say("Too many wrong PINs. Maintenance is locked: try again in {wait}.", wait=wait_words(seconds))

    def _say(self, message: str, **values: Any) -> None:
        self.message_values = values
        self.message = ""  # the same words again must still re-render
        self.message = message
        if not message:
            self.locked_s = 0

    def _pin_hash(self) -> str:
        return self.app.terminal.settings.maintenance_pin_hash

    def _gate(self) -> MaintenanceGate:
        return MaintenanceGate(self.app.terminal.store, self._pin_hash())


load_kv(__file__)
