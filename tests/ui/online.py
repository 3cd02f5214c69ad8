"""A kiosk UI connected to a real central: a terminal enrolled there whose runtime (and so its one sync
worker) the app uses for the test; the `kiosk` fixture puts the UI runtime back afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk.terminal import Terminal
from loket.runtime import Runtime
from sync.client import Timeouts
from sync.enrollment import enroll_terminal
from sync.worker import SyncWorker


@contextmanager
def online_kiosk(app: Any, central: Any, folder: Path) -> Iterator[tuple[Terminal, Runtime, SyncWorker]]:
    """(terminal, runtime, its started worker); a long interval, so only a wake or a request explains a round."""
    terminal = Terminal(folder)
    enroll_terminal(terminal, central.url, central.enrollment_code())
    runtime = Runtime(terminal=terminal)
    worker = runtime.start_sync(interval_s=3600, timeouts=Timeouts(connect_s=2, read_s=2))
    assert worker is not None
    app.runtime = runtime
    try:
        yield terminal, runtime, worker
    finally:
        runtime.stop_sync()
        terminal.close()
