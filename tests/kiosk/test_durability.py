"""Nothing promised is ever lost: SIGKILL at random moments, and a full disk, leave the queue whole."""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.store import Store
from kiosk.terminal import Terminal

ROUNDS = 25
CHILD = [sys.executable, "-m", "tests.kiosk.durability_child"]
ROOT = Path(__file__).resolve().parents[2]


def start_child(home: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([*CHILD, str(home), *extra], stdout=subprocess.PIPE, cwd=ROOT,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def read_promised(child: subprocess.Popen, seconds: float) -> list[str]:
    """Reads references for about `seconds`, then kills the child with SIGKILL mid-stream."""
    assert child.stdout.readline().strip() == b"ready"
    fd = child.stdout.fileno()
    deadline = time.monotonic() + seconds
    received = bytearray()
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.01)
        if ready:
            received += os.read(fd, 65536)
    child.send_signal(signal.SIGKILL)
    child.wait()
    while chunk := os.read(fd, 65536):
        received += chunk
    # A reference cut off mid-line was never fully promised; only whole lines count.
    return [line for line in received.decode().split("\n")[:-1] if line]


@pytest.mark.slow
def test_every_reference_printed_before_sigkill_is_in_the_queue(terminal: Terminal) -> None:
    home = terminal.paths.home
    terminal.close()
    rng = random.Random(20261124)
    promised: list[str] = []
    for _ in range(ROUNDS):
        promised += read_promised(start_child(home), rng.uniform(0.05, 0.4))
        with Store.open(home / "queue.db") as store:
            assert store.integrity_check() == "ok"
            assert not store.recovery_notes
            missing = [ref for ref in promised if store.get(ref) is None]
            assert missing == []
            partial = store.db.execute(
                "SELECT count(*) FROM applications a LEFT JOIN outbox o ON o.application_id = a.id "
                "WHERE a.state = 'queued' AND o.application_id IS NULL"
            ).fetchone()[0]
            orphans = store.db.execute(
                "SELECT count(*) FROM outbox o LEFT JOIN applications a ON a.id = o.application_id "
                "WHERE a.id IS NULL"
            ).fetchone()[0]
            assert (partial, orphans) == (0, 0)
            assert store.db.execute("SELECT count(*) FROM applications WHERE sealed IS NULL "
                                    "OR length(sealed) = 0").fetchone()[0] == 0
    assert len(promised) > ROUNDS  # the child really got work done between kills


@pytest.mark.slow
def test_a_full_disk_gives_a_clear_error_and_leaves_the_queue_intact(terminal: Terminal) -> None:
    home = terminal.paths.home
    terminal.close()
    size_now = sum(p.stat().st_size for p in home.glob("queue.db*"))
    child = start_child(home, "fsize", str(size_now + 1024 * 1024))
    out, _ = child.communicate(timeout=120)
    lines = out.decode().splitlines()
    assert child.returncode == 3
    assert lines[-1].startswith("error: StoreFull: the terminal's disk is full: the application was NOT recorded")
    promised = lines[1:-1]
    assert len(promised) > 10
    with Store.open(home / "queue.db") as store:
        assert store.integrity_check() == "ok"
        assert [ref for ref in promised if store.get(ref) is None] == []
        assert store.counts()["queued"] == len(promised)
