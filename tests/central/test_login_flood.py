"""A login flood does not slow terminals or logged-in staff (issue 23, finding 1), against the real central
on loopback with its default limits: 24 clients from 4 addresses post wrong logins as fast as they are
answered while a terminal syncs and a supervisor loads the inbox.

Bounds: the median sync round and the median inbox stay within 2x their quiet medians (plus 25 ms of
scheduler noise on a shared 2-core machine); central's memory stays under `MEMORY_BOUND_MIB`."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from central.console.accounts import add_staff
from central.db import Database
from tests.central.console.conftest import PASSWORD, ConsoleClient
from tests.fixtures.central import central_harness
from tests.harness.simterminal import SimulatedTerminal

REPO = Path(__file__).resolve().parents[2]
MEMORY_BOUND_MIB = 400  # about 150 MiB quiet; Argon2 takes 64 MiB per check, at most 2 at once
SAMPLES = 7
FLOOD_SAMPLES = 10
NOISE_S = 0.025


def _rss_mib(pid: int) -> float:
    """Resident memory of `pid` and its children (uvicorn's), in MiB."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if entry.name == str(pid) or fields.get("PPid", "").strip() == str(pid):
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total / 1024


def _timed(action) -> float:  # noqa: ANN001
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_a_login_flood_leaves_sync_and_the_inbox_within_twice_their_quiet_time(tmp_path, engine, request):
    url = (f"sqlite:///{tmp_path / 'central.db'}" if engine == "sqlite"
           else request.getfixturevalue("postgres_cluster").create_database(f"flood_{tmp_path.name[-8:].lower()}"))
    harness = central_harness(url, tmp_path, {})
    server = next(harness)
    try:
        office = server.create_office()
        database = Database(server.db_url, migrate_schema=False)
        with database.transaction() as session:
            add_staff(session, office, "lurah-flood", "supervisor", PASSWORD)
        database.dispose()
        terminal = SimulatedTerminal(server.url)
        terminal.enroll(server.enrollment_code(office))
        staff = ConsoleClient(server.url)
        assert staff.log_in("lurah-flood").status_code == 200

        def sync_round() -> None:
            answer = terminal.upload([terminal.application() for _ in range(3)])
            assert {r.outcome for r in answer.results} == {"accepted"}
            terminal.heartbeat()
            terminal.status_changes()

        def inbox() -> None:
            assert staff.get("/staff", allow_redirects=False).status_code == 200

        sync_round(), inbox()  # warm
        quiet_syncs = [_timed(sync_round) for _ in range(SAMPLES)]
        quiet_inboxes = [_timed(inbox) for _ in range(SAMPLES)]
        quiet_rss = _rss_mib(server.server.process.pid)

        flood = subprocess.Popen([sys.executable, "-m", "tests.harness.login_flood", server.url, "14", "24", "4"],
                                 cwd=REPO, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
        peak = [quiet_rss]
        stop = threading.Event()

        def watch() -> None:
            while not stop.wait(0.2):
                peak.append(_rss_mib(server.server.process.pid))

        watcher = threading.Thread(target=watch)
        watcher.start()
        time.sleep(3)  # the flood process started and its first burst (each address's allowance) answered
        flood_sync, flood_inbox = [], []
        for _ in range(FLOOD_SAMPLES):  # spread over the sustained flood
            flood_sync.append(_timed(sync_round))
            flood_inbox.append(_timed(inbox))
            time.sleep(0.8)
        out, _ = flood.communicate(timeout=60)
        stop.set()
        watcher.join()
        answers = json.loads(out)
        time.sleep(1)  # the paused refusals answered
        # quiet before and after: the machine's other load drifts over the test's half minute
        quiet_syncs += [_timed(sync_round) for _ in range(SAMPLES)]
        quiet_inboxes += [_timed(inbox) for _ in range(SAMPLES)]
        quiet_sync, quiet_inbox = statistics.median(quiet_syncs), statistics.median(quiet_inboxes)
        print(f"quiet sync {quiet_sync * 1000:.0f} ms, inbox {quiet_inbox * 1000:.0f} ms; flood sync "
              f"{statistics.median(flood_sync) * 1000:.0f} ms, inbox {statistics.median(flood_inbox) * 1000:.0f} ms; "
              f"rss {quiet_rss:.0f} -> peak {max(peak):.0f} MiB; flood answers {answers}; flood sync samples "
              f"{[round(x * 1000) for x in flood_sync]}, quiet {[round(x * 1000) for x in quiet_syncs]}")
        assert sum(answers.values()) > 200 and "500" not in answers and "0" not in answers
        assert statistics.median(flood_sync) <= 2 * quiet_sync + NOISE_S
        assert statistics.median(flood_inbox) <= 2 * quiet_inbox + NOISE_S
        assert max(peak) < MEMORY_BOUND_MIB
        terminal.close()
    finally:
        next(harness, None)
