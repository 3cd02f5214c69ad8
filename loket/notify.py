"""Telling systemd how a Loket service is (the `sd_notify` protocol, through the `sdnotify` library).

`READY=1` once the service does its job (the kiosk: Welcome is on screen); `WATCHDOG=1` pings at
half of `WatchdogSec=` while it still does (the kiosk pings from its Kivy main loop, so a blocked UI
thread stops them and systemd restarts the session). Outside systemd (`NOTIFY_SOCKET` unset) every
call does nothing. The kiosk's main process is cage, so `WATCHDOG_PID` names cage, not us: the unit
has `NotifyAccess=all` and the pid is not checked here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import sdnotify


class ServiceNotifier:
    """What this process tells systemd; inactive when systemd did not ask (no `NOTIFY_SOCKET`)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        environ = os.environ if environ is None else environ
        self.active = bool(environ.get("NOTIFY_SOCKET"))
        usec = environ.get("WATCHDOG_USEC", "")
        #: how often to ping: half the watchdog's timeout (systemd's advice), None without a watchdog
        self.ping_interval_s: float | None = int(usec) / 2e6 if self.active and usec.isdigit() and int(usec) else None
        self.ready_sent = False
        self._notifier = sdnotify.SystemdNotifier() if self.active else None

    def _send(self, message: str) -> None:
        if self._notifier is not None:
            self._notifier.notify(message)

    def ready(self, status: str) -> None:
        """Once: the service is up (`status` is what `systemctl status` shows)."""
        if not self.ready_sent:
            self.ready_sent = True
            self._send(f"READY=1\nSTATUS={status}")

    def ping(self) -> None:
        self._send("WATCHDOG=1")

    def status(self, status: str) -> None:
        self._send(f"STATUS={status}")

    def stopping(self) -> None:
        self._send("STOPPING=1")
