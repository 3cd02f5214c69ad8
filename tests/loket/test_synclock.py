"""One sync worker per terminal across processes: the headless `loket sync --watch` (loket-sync.service)
and the kiosk's runtime share the terminal's sync lock, against a real central on loopback."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from kiosk.terminal import Terminal
from loket.runtime import Runtime
from loket.synclock import SyncLock
from tests.loket.test_runtime import enrolled, wait_for  # noqa: F401  (the fixture)
from tests.sync.conftest import file_many

ROOT = Path(__file__).resolve().parents[2]


class Watch:
    """`loket sync --watch` in a child process, its output read line by line."""

    def __init__(self, home: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "loket.cli", "--home", str(home), "sync", "--watch"],
                                        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(line) for line in self.process.stdout], daemon=True).start()

    def wait_for_line(self, start: str, timeout_s: float = 30) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if line.startswith(start) or start in line:
                return line
        raise AssertionError(f"no line with {start!r} within {timeout_s} s")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(20)


def synced(terminal: Terminal) -> int:
    terminal.refresh()
    return terminal.store.counts().get("synced", 0)


def test_the_kiosk_leaves_sync_to_the_service_and_takes_over_when_it_dies(enrolled: Terminal) -> None:  # noqa: F811
    home = enrolled.paths.home
    service = Watch(home)
    runtime = Runtime(home)
    try:
        service.wait_for_line("syncing")
        service.wait_for_line("(queued 0)")  # its first round is done
        assert SyncLock(home).holder_pid() == service.process.pid
        assert runtime.start_sync() is None and runtime.worker is None, "the UI must not start a second worker"

        file_many(runtime.terminal, 3)
        runtime.wake_sync()  # what a citizen's submit does: the service's worker goes now, not in 30 s
        assert wait_for(lambda: synced(runtime.terminal) == 3, timeout_s=15)

        service.process.kill()  # SIGKILL: the kernel drops the lock with the process
        service.process.wait(10)
        assert wait_for(lambda: runtime.start_sync() is not None, timeout_s=5)
        file_many(runtime.terminal, 2, start=3)
        runtime.wake_sync()
        assert wait_for(lambda: synced(runtime.terminal) == 5, timeout_s=15), "the UI's own worker syncs now"

        restarted = Watch(home)  # systemd restarts the service: it waits for the UI's worker
        try:
            restarted.wait_for_line("waiting: another process")
            runtime.stop_sync()
            restarted.wait_for_line("syncing")
            assert SyncLock(home).holder_pid() == restarted.process.pid
        finally:
            assert restarted.stop() == 0
    finally:
        service.stop()
        runtime.close()


def test_sync_once_asks_the_running_service_instead_of_syncing_beside_it(enrolled: Terminal) -> None:  # noqa: F811
    home = enrolled.paths.home
    service = Watch(home)
    try:
        service.wait_for_line("(queued 0)")
        file_many(enrolled, 2)
        done = subprocess.run([sys.executable, "-m", "loket.cli", "--home", str(home), "sync", "--once"], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert f"another process (pid {service.process.pid}) syncs this terminal; it was asked" in done.stdout
        assert wait_for(lambda: synced(enrolled) == 2, timeout_s=15)
    finally:
        assert service.stop() == 0
    assert not os.path.exists(home / "sync.wake"), "the wake socket goes with its holder"
