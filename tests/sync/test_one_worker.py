"""One sync worker per terminal process: whatever asks for a round ("sync now", a status look-up, the
dashboard's probe) gets it from the runtime's worker, after the round that runs, never beside it."""

from __future__ import annotations

import threading
import time

from kiosk.terminal import Terminal
from loket import dashboard
from loket.runtime import Runtime
from sync.client import Timeouts
from tests.sync.conftest import FAST_BACKOFF, file_many
from tests.sync.faultproxy import Fault, FaultProxy

UPLOADS = "/api/v1/applications/batch"
STALL_S = 1.5


def _sync_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "loket-sync"]


def test_sync_now_during_a_running_round_waits_for_it_on_the_same_worker(behind_proxy: Terminal,
                                                                          proxy: FaultProxy) -> None:
    file_many(behind_proxy, 2)
    uploads: list[float] = []
    first_upload = threading.Event()

    def plan(method: str, path: str) -> Fault:
        if path != UPLOADS:
            return Fault.PASS
        uploads.append(time.monotonic())
        first_upload.set()
        return Fault.STALL if len(uploads) == 1 else Fault.PASS

    proxy.plan, proxy.stall_s = plan, STALL_S
    runtime = Runtime(terminal=behind_proxy)
    try:
        worker = runtime.start_sync(interval_s=3600, backoff=FAST_BACKOFF, timeouts=Timeouts(connect_s=2, read_s=5))
        assert worker is not None and first_upload.wait(10), "the background round never started"
        report = dashboard.sync_now(runtime)  # the technician's button, while that round hangs
        threads = _sync_threads()
        assert runtime.worker is worker and worker.running
    finally:
        runtime.close()
    assert report.accepted == 2 and report.remaining == 0
    # the second upload left only once the stalled round was over: no second round ran beside it
    assert len(uploads) >= 2 and uploads[1] - uploads[0] >= STALL_S - 0.1
    assert len(threads) == 1


def test_a_worker_nobody_started_runs_the_rounds_asked_of_it_and_then_ends(enrolled: Terminal) -> None:
    file_many(enrolled, 1)
    runtime = Runtime(terminal=enrolled)
    try:
        probe, round_ = runtime.probe(), runtime.sync_now()
        assert probe.result(20).reachable and round_.result(20).accepted == 1
        pulled = runtime.pull_status().result(20)
        assert pulled.sent == 0 and pulled.reachable
        deadline = time.monotonic() + 5  # (the thread stops counting as running, closes its queue, then ends)
        while (runtime.worker.running or _sync_threads()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not runtime.worker.running and not _sync_threads()
        assert runtime.sync_now().result(20).ok  # asked again: the same worker comes back for it
    finally:
        runtime.close()
