"""A kiosk's sync worker in a process of its own, for tests that SIGKILL it mid-sync.

    python -m tests.sync.sync_child HOME DONE_FILE

Runs the real `SyncWorker` thread with short test backoffs until DONE_FILE exists (nothing more will
be filed) and a clean round left nothing queued; prints one line per round with running totals.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

from sync.backoff import Backoff
from sync.client import Timeouts
from sync.report import SyncReport
from sync.worker import SyncWorker

BATCH_SIZE = 25  # small batches: more requests, so more of them meet a fault
START_LINE = "kiosk sync process started"


def main(home: Path, done_file: Path) -> int:
    totals = {"accepted": 0, "duplicate": 0, "rejected": 0, "failed_rounds": 0}

    def count(report: SyncReport) -> None:
        totals["accepted"] += report.accepted
        totals["duplicate"] += report.duplicate
        totals["rejected"] += len(report.rejected)
        totals["failed_rounds"] += bool(report.errors)
        print(f"totals: {json.dumps(totals)} round: {report.summary()} (queued {report.remaining})", flush=True)

    worker = SyncWorker(home, batch_size=BATCH_SIZE, backoff=Backoff(base_s=0.05, cap_s=0.5),
                        timeouts=Timeouts(connect_s=1.0, read_s=1.0), interval_s=0.2, on_report=count)
    print(START_LINE, flush=True)
    worker.start()
    all_filed_by: dt.datetime | None = None
    while worker.running:
        time.sleep(0.05)
        if all_filed_by is None and done_file.exists():
            all_filed_by = dt.datetime.now(dt.UTC)
        report = worker.last_report
        # only a round that began after the last filing can tell that everything went
        if all_filed_by and report and report.started_at > all_filed_by and report.ok and report.remaining == 0:
            worker.stop()
            return 0
    return 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
