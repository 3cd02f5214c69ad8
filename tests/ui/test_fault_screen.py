"""`loket run` with a queue it cannot read shows a clear screen (never a traceback) and leaves the file alone.

The kiosk runs as `nobody` (root reads every file whatever its mode), on an X server of its own
that lets that user draw.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.crypto import new_office_keypair
from kiosk.terminal import Terminal
from tests.harness.xvfb import start_xvfb, stop_xvfb
from tests.loket.unprivileged import give_to_nobody, python_as_nobody, python_for_nobody

CHILD = Path(__file__).with_name("fault_child.py")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screens"
pytestmark = pytest.mark.skipif(python_for_nobody() is None or shutil.which("Xvfb") is None,
                                reason="needs root, setpriv, Xvfb and a Python the user nobody can run")


@pytest.fixture
def open_display() -> Iterator[str]:
    """An Xvfb any local user may draw on (-ac), on a display number it picks itself."""
    server, display = start_xvfb("1280x800x24", "-ac")
    yield display
    stop_xvfb(server)


@pytest.mark.parametrize("fault", ["queue-unreadable", "data-dir-read-only"])
def test_an_unreadable_queue_or_read_only_data_dir_shows_a_clear_screen_and_is_left_as_it_is(
        open_display: str, fault: str) -> None:
    shared = Path(tempfile.mkdtemp(prefix="loket-nobody-ui-"))
    try:
        shared.chmod(0o755)
        home = shared / "home"
        terminal = Terminal(home)
        terminal.provision_offline(terminal_code="K7Q2", office_code="3273010001", office_name="Kelurahan Braga",
                                   office_key=new_office_keypair().public_key)
        terminal.close()
        (shared / "kivy").mkdir()
        give_to_nobody(shared)
        queue = home / "queue.db"
        if fault == "queue-unreadable":
            os.chown(queue, 0, 0)
            queue.chmod(0o600)
        else:  # root's, readable by all, writable by none but root
            for path in [home, *home.rglob("*")]:
                os.chown(path, 0, 0)
                path.chmod(0o755 if path.is_dir() else 0o644)
        before = hashlib.sha256(queue.read_bytes()).hexdigest()

        done = python_as_nobody(str(CHILD), str(home), str(shared / "fault.png"), timeout=120, env={
            "DISPLAY": open_display, "KIVY_HOME": str(shared / "kivy"), "KIVY_NO_ARGS": "1",
            "KIVY_NO_CONSOLELOG": "1"})
        assert done.returncode == 0, done.stderr[-3000:]
        assert "Traceback" not in done.stderr
        report = json.loads(done.stdout.strip().splitlines()[-1])
        assert report["app"] == "FaultApp"
        assert report["title_id"] == "Kios ini sedang tidak dapat melayani"
        assert "permission denied" in report["detail"] and "left untouched" in report["detail"]
        assert hashlib.sha256(queue.read_bytes()).hexdigest() == before
        assert not list(home.glob("queue.db.corrupt-*"))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(report["screenshot"], SCREENSHOTS / f"fault-{fault}.png")
    finally:
        shutil.rmtree(shared, ignore_errors=True)
