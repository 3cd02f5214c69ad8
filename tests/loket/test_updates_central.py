"""v2 delivered by a real central over HTTP to a kiosk the installer set up with v1: the kiosk's own sync
downloads it in the background (a sync killed mid-piece leaves v1 booting and the download resumes), the
applier takes it from the spool, v2 comes up; central then shows 2.0.0 and every application filed before
and after arrives exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from central.db import Database
from central.models import Application
from central.models import Terminal as TerminalRow
from sync.updates import DEFAULT_BUDGET_BYTES
from tests.fixtures.appliance import SKD, InstalledKiosk, install_with_installer

pytestmark = pytest.mark.slow


def kill_mid_download(kiosk: InstalledKiosk, part: Path) -> int:
    """Runs sync rounds (`loket sync --once`, the sync service's work) until one is SIGKILLed while the
    bundle's `.part` grows; returns the bytes the `.part` held after the kill."""
    for _ in range(8):
        start = part.stat().st_size if part.exists() else 0
        process = subprocess.Popen([kiosk.program(), "--home", str(kiosk.paths.data), "sync", "--once"],
                                   env=kiosk.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while process.poll() is None:
            have = part.stat().st_size if part.exists() else 0
            if start < have < start + DEFAULT_BUDGET_BYTES:  # a piece half written
                process.send_signal(signal.SIGKILL)
                process.wait()
                return part.stat().st_size
            time.sleep(0.002)
    raise AssertionError("no sync round was caught downloading")


def test_v2_from_central_survives_a_kill_mid_download_then_is_applied_and_reported(central, releases,
                                                                                    xvfb_display, tmp_path):
    keys = releases.trusted_keys_file(tmp_path / "central-config")
    kiosk = InstalledKiosk(install_with_installer(releases, "v1", tmp_path), tmp_path / "kiosk.log", xvfb_display)
    kiosk.loket("provision", "--server", central.url, "--code", central.enrollment_code())
    kiosk.loket("submit", *SKD)
    upload = subprocess.run([sys.executable, "-m", "central.cli", "--db", central.db_url, "release", "upload",
                             str(releases.bundle("v2")), "--share", "100"], capture_output=True, text=True,
                            env={**os.environ, "LOKET_CENTRAL_RELEASE_KEYS": str(keys)}, timeout=300)
    assert upload.returncode == 0, upload.stderr
    spooled = kiosk.paths.spool / "loket-2.0.0.loket-release"
    part = spooled.with_name(spooled.name + ".part")
    kept = kill_mid_download(kiosk, part)  # the kiosk is off: this round is the one syncing
    assert 0 < kept < releases.bundle("v2").stat().st_size and not spooled.exists()
    kiosk.restart()  # the power came back: v1 boots, the part stays for the next round
    try:
        kiosk.wait_up("1.0.0")
        assert kiosk.paths.layout.current_version() == "1.0.0" and part.stat().st_size >= kept
        deadline = time.monotonic() + 300
        while not spooled.exists():  # the kiosk's sync fetches a piece per round; `sync --once` asks for a round
            assert time.monotonic() < deadline, kiosk.loket("sync", "--once", check=False).stdout
            kiosk.loket("sync", "--once", check=False)
        assert not list(kiosk.paths.spool.glob("*.part"))

        done = kiosk.update("--spool")
        assert done.returncode == 0, done.stdout + done.stderr
        assert (kiosk.state().state, kiosk.paths.layout.current_version()) == ("good", "2.0.0")
        assert not spooled.exists()
        kiosk.loket("submit", *SKD)
        deadline = time.monotonic() + 120
        while json.loads(kiosk.loket("status", "--json").stdout)["queue"].get("synced", 0) < 2:
            assert time.monotonic() < deadline
            kiosk.loket("sync", "--once", check=False)
        kiosk.loket("sync", "--once", check=False)  # one more heartbeat carries the state "good"
    finally:
        kiosk.stop()
    db = Database(central.db_url)
    with db.transaction() as session:
        row = session.scalars(select(TerminalRow)).one()
        assert (row.app_version, row.update_state, row.update_version) == ("2.0.0", "good", "2.0.0")
        per_id = session.execute(select(Application.id, func.count()).group_by(Application.id)).all()
        assert len(per_id) == 2 and all(n == 1 for _, n in per_id)
    db.dispose()
