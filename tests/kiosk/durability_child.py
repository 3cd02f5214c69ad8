"""A child process for the durability tests: files applications in a loop, printing each reference
only after `file_application()` has returned (so the parent knows which ones were promised)."""

from __future__ import annotations

import resource
import signal
import sys
from pathlib import Path

from kiosk import validation
from kiosk.applications import file_application
from kiosk.errors import StoreError
from kiosk.samples import sample_answers
from kiosk.terminal import Terminal


def main() -> None:
    home = Path(sys.argv[1])
    mode = sys.argv[2] if len(sys.argv) > 2 else "loop"
    terminal = Terminal(home)
    service = terminal.catalog.service("SKD")
    answers = sample_answers(service)
    if mode == "fsize":
        # A full disk, simulated by the file-size limit: writes past it fail with EFBIG.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limit = int(sys.argv[3])
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    validation.warm_up()  # as the kiosk does while idle: the kills must land while filing, not while importing
    print("ready", flush=True)
    try:
        while True:
            app = file_application(terminal.store, terminal.catalog, "SKD", answers)
            print(app.reference, flush=True)
    except StoreError as e:
        print(f"error: {type(e).__name__}: {e}", flush=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
