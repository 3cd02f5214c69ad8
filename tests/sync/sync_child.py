"""A kiosk's sync worker in a process of its own, for tests that SIGKILL it mid-sync.

    python -m tests.sync.sync_child HOME DONE_FILE

Runs the real `SyncWorker` thread with short test backoffs until DONE_FILE exists (nothing more will
be filed) and a clean round left nothing queued; prints one line per round.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

from sync.backoff import Backoff
from sync.client import Timeouts
from sync.worker import SyncWorker

BATCH_SIZE = 25  # small batches: more requests, so more of them meet a fault


def main(home: Path, done_file: Path) -> int:
    worker = SyncWorker(home, batch_size=BATCH_SIZE, backoff=Backoff(base_s=0.05, cap_s=0.5),
                        timeouts=Timeouts(connect_s=1.0, read_s=1.0), interval_s=0.2)
    worker.start()
    shown = None
    all_filed_by: dt.datetime | None = None
    while worker.running:
        time.sleep(0.05)
        if all_filed_by is None and done_file.exists():
            all_filed_by = dt.datetime.now(dt.UTC)
        report = worker.last_report
        if report is None or report is shown:
            continue
        shown = report
        print(f"round: {report.summary()} (queued {report.remaining})", flush=True)
        # only a round that began after the last filing can tell that everything went
        if all_filed_by and report.started_at > all_filed_by and report.ok and report.remaining == 0:
            worker.stop()
            return 0
    return 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
