"""The kiosk's side of its systemd unit (`Type=notify`, `WatchdogSec=`): READY=1 with the first frame
that shows a resting screen (Welcome, or the notice of a terminal not yet provisioned, or the fault
screen), then WATCHDOG=1 from a Kivy `Clock` callback. The pings come from the main loop on purpose:
a UI thread that is blocked (a hung call, a deadlock) stops them, and systemd restarts the session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window

from loket.notify import ServiceNotifier


def report_to_systemd(resting_screen: Callable[[], str | None]) -> ServiceNotifier:
    """Starts reporting: `resting_screen()` names the screen on display when it is one a citizen may
    find the kiosk on (then READY goes out after that frame is flipped), else None."""
    notifier = ServiceNotifier()
    if not notifier.active:
        return notifier

    def after_flip(*_args: Any) -> None:
        screen = resting_screen()
        if screen is not None:
            Window.unbind(on_flip=after_flip)
            notifier.ready(f"on screen: {screen}")

    Window.bind(on_flip=after_flip)
    if notifier.ping_interval_s is not None:
        Clock.schedule_interval(lambda *_: notifier.ping(), notifier.ping_interval_s)
    return notifier
