"""v2 delivered by a real central over HTTP to a kiosk the installer set up with v1: the kiosk's own sync
downloads it in the background, the applier takes it from the spool, v2 comes up; central then shows
2.0.0 and every application filed before and after arrives exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from central.db import Database
from central.models import Application
from central.models import Terminal as TerminalRow
from tests.fixtures.appliance import SKD, InstalledKiosk, install_with_installer

pytestmark = pytest.mark.slow


def test_v2_from_central_is_downloaded_applied_and_reported(central, releases, xvfb_display, tmp_path):
    keys = releases.trusted_keys_file(tmp_path / "central-config")
    kiosk = InstalledKiosk(install_with_installer(releases, "v1", tmp_path), tmp_path / "kiosk.log", xvfb_display)
    kiosk.loket("provision", "--server", central.url, "--code", central.enrollment_code())
    kiosk.loket("submit", *SKD)
    kiosk.restart()
    try:
        kiosk.wait_up("1.0.0")
        upload = subprocess.run([sys.executable, "-m", "central.cli", "--db", central.db_url, "release", "upload",
                                 str(releases.bundle("v2")), "--share", "100"], capture_output=True, text=True,
                                env={**os.environ, "LOKET_CENTRAL_RELEASE_KEYS": str(keys)}, timeout=300)
        assert upload.returncode == 0, upload.stderr
        spooled = kiosk.paths.spool / "loket-2.0.0.loket-release"
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
