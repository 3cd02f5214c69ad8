"""Exactly once through every fault: 2 000 applications, a hostile network, central killed and
restarted, the kiosk's sync process SIGKILLed mid-sync and restarted. Nothing lost, nothing twice."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from central.devserver import REPO
from kiosk.terminal import Terminal
from sync.protocol import PATH_APPLICATIONS
from tests.fixtures.central import CentralHarness
from tests.sync.conftest import CentralView, file_many
from tests.sync.faultproxy import Fault, FaultProxy, RandomFaults, Scripted
from tests.sync.sync_child import START_LINE

TOTAL = 2000
FILED_BEFORE_START = 1000
FAULTS = {Fault.DROP_BEFORE: 0.07, Fault.DROP_AFTER: 0.08, Fault.STALL: 0.03, Fault.HTTP_500: 0.04,
          Fault.HTTP_503: 0.04, Fault.HTTP_429: 0.04, Fault.CAPTIVE_PORTAL: 0.02}
DEADLINE_S = 150


class KioskSync:
    """The kiosk's sync worker as a separate process that can be SIGKILLed."""

    def __init__(self, home: Path, done_file: Path, log: Path) -> None:
        self.home, self.done_file, self.log = home, done_file, log
        self.process: subprocess.Popen | None = None
        self.kills = 0
        self.left_sending: list[int] = []

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "tests.sync.sync_child", str(self.home),
                                             str(self.done_file)], cwd=REPO, stdout=out, stderr=subprocess.STDOUT)

    def kill_mid_sync(self, terminal: Terminal, deadline: float, attempts: int = 5) -> None:
        """SIGKILL while a batch is claimed (`sending`): the worst moment for the terminal.

        A batch can finish between seeing it claimed and the signal landing; such a kill missed its
        moment (harmless, and the process is started again), so it is tried again, a few times."""
        for _ in range(attempts):
            wait_for(lambda: terminal.store.counts()["sending"] > 0, "a batch in flight", deadline)
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
            left = terminal.store.counts()["sending"]
            if left:
                break
            self.start()
        self.kills += 1
        self.left_sending.append(left)

    def finished(self) -> bool:
        return self.process.poll() is not None


def synced(terminal: Terminal) -> int:
    return terminal.store.counts()["synced"]


def wait_for(condition: Callable[[], bool], what: str, deadline: float) -> None:
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.slow
def test_every_application_arrives_exactly_once_through_faults_restarts_and_kills(
        enrolled: Terminal, central: CentralHarness, tmp_path: Path) -> None:
    # every kind of fault at least once on an upload early on, then at random on any request
    plan = Scripted(list(FAULTS), lambda m, p: p == PATH_APPLICATIONS, then=RandomFaults(FAULTS, seed=20261124))
    deadline = time.monotonic() + DEADLINE_S
    with FaultProxy(central.server.port, plan, stall_s=1.5, retry_after_s=1) as proxy:
        enrolled.update_settings(server_url=proxy.url)
        filed = file_many(enrolled, FILED_BEFORE_START)
        kiosk = KioskSync(enrolled.paths.home, tmp_path / "all-filed", tmp_path / "kiosk-sync.log")
        kiosk.start()

        # the citizen queue keeps coming while the worker drains, in another process
        for start in range(FILED_BEFORE_START, TOTAL, 100):
            filed.update(file_many(enrolled, 100, start=start))
            if start == 1200:
                wait_for(lambda: synced(enrolled) >= 300, "300 synced before the first kill", deadline)
                kiosk.kill_mid_sync(enrolled, deadline)  # maybe a batch central committed goes unanswered
                kiosk.start()
            if start == 1500:
                wait_for(lambda: synced(enrolled) >= 700, "700 synced before central dies", deadline)
                central.kill()  # a power cut at central, mid-transaction as likely as not
                time.sleep(1.0)
                central.start()
        (tmp_path / "all-filed").touch()

        wait_for(lambda: synced(enrolled) >= 1500, "1500 synced before the second kill", deadline)
        kiosk.kill_mid_sync(enrolled, deadline)
        kiosk.start()
        wait_for(kiosk.finished, "the kiosk to drain its queue", deadline)
        assert kiosk.process.returncode == 0, (tmp_path / "kiosk-sync.log").read_text()[-3000:]

    assert len(filed) == TOTAL
    assert enrolled.store.counts() == {"queued": 0, "sending": 0, "synced": TOTAL, "rejected": 0}
    assert all(proxy.counts[fault] > 0 for fault in FAULTS), proxy.counts
    assert kiosk.kills == 2 and all(kiosk.left_sending), kiosk.left_sending  # both kills hit a batch in flight
    # each run of the kiosk process prints running totals; the last line of each run counts
    runs = (tmp_path / "kiosk-sync.log").read_text().split(START_LINE)
    last_totals = [json.loads(re.findall(r"totals: (\{.*?\})", run)[-1]) for run in runs if "totals" in run]
    resent = sum(t["duplicate"] for t in last_totals)
    assert resent > 0  # answers were lost after central committed, and the resends were recognised
    assert sum(t["rejected"] for t in last_totals) == 0

    view = CentralView(central.db_url)
    try:
        assert view.count_by_id() == dict.fromkeys(filed, 1)  # zero lost, zero duplicated
        for app_id, values in filed.items():
            opened = view.opened(app_id)
            assert opened["personal_data"]["answers"] == values
            assert opened["reference"] == enrolled.store.get_by_id(app_id).reference
    finally:
        view.close()
