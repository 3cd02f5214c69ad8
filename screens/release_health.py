"""The kiosk's side of updates: it marks its release up once Welcome is on screen (the store is open and
migrated by then), and says whether a citizen is mid-journey, so an update waits for a free screen and
keeps a new release only if it comes up (loket/updates)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kivy.core.window import Window

from kiosk import __version__
from loket.updates.state import mark_journey, mark_up

log = logging.getLogger("loket.screens")


def report_release_health(data: Path, screen_manager: Any) -> None:
    """Marks this release up after the first frame that shows Welcome; then follows the journey."""

    def after_flip(*_args: Any) -> None:
        if screen_manager.current == "welcome":
            Window.unbind(on_flip=after_flip)
            _quietly(mark_up, data, __version__)

    def on_screen(_manager: Any, name: str) -> None:
        _quietly(mark_journey, data, name not in ("welcome", "not_provisioned", "provisioning"))

    Window.bind(on_flip=after_flip)
    screen_manager.bind(current=on_screen)


def _quietly(write: Any, *args: Any) -> None:
    try:
        write(*args)
    except OSError as e:  # a full or read-only disk shows elsewhere; the kiosk keeps serving
        log.warning("could not record the release's state: %s", e)
