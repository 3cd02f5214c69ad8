"""The one way a screen hears how work done off the UI thread ended: `when_done(future, done)` calls
`done(result or LoketError)` on the UI thread once the future is settled (a print job, a maintenance
action, a sync round the runtime's worker ran)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from kivy.clock import Clock

from kiosk.errors import LoketError

log = logging.getLogger("loket.screens")
Result = TypeVar("Result")


def outcome_of(future: Future[Result]) -> Result | LoketError:
    """The future's result, or the `LoketError` it raised; any other error as a `LoketError` (logged):
    a bug must end as a message on the screen, not a silent dead button."""
    try:
        return future.result()
    except LoketError as e:
        return e
    except Exception as e:
        log.error("work off the UI thread failed", exc_info=e)
        return LoketError(f"unexpected error: {e!r}")


def when_done(future: Future[Result], done: Callable[[Any], None]) -> Future[Result]:
    """Calls `done(outcome_of(future))` on the UI thread when `future` is settled; returns `future`."""
    def settled(finished: Future[Result]) -> None:
        outcome = outcome_of(finished)
        Clock.schedule_once(lambda *_: done(outcome))

    future.add_done_callback(settled)
    return future


__all__ = ["outcome_of", "when_done"]
