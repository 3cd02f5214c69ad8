"""The demo's moving parts, without a window: a central on loopback and a terminal enrolled with it.

`loket demo` (screens/demo.py) calls `prepare_demo()`, opens the kiosk windowed, and stops central
when the window closes (and central stops itself if the demo dies without closing it, e.g. with
its X server). Central runs as its own process (`python -m central serve`) on its own
SQLite file in the demo home, exactly as an office would run it, started by the same code central's
own tests use (`central.devserver`); the terminal enrolls with a one-time code like a real one,
prints receipts as PDFs into a folder, and syncs in the background.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import dataclass, fields
from pathlib import Path

from central.devserver import RunningCentral, free_port, start_central
from central.errors import CentralError
from central.settings import ENV_KEY_FILE
from kiosk.errors import LoketError
from kiosk.terminal import Terminal
from sync.enrollment import enroll_terminal

DEMO_OFFICE_CODE = "3273010001"
DEMO_OFFICE_NAME = "Kelurahan Braga"
DEFAULT_PORT = 8765


@dataclass
class DemoCentral(RunningCentral):
    """The demo's running central, with the console login made for this run."""

    #: "username password" of the demo's console account (a fresh password every run)
    staff_login: str = ""


def _key_file(db_url: str) -> Path:
    """Central's key-encryption key sits in the demo home too (a real office keeps it elsewhere)."""
    return Path(db_url.removeprefix("sqlite:///")).with_name("central.key")


def _central(db_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "central", "--db", db_url, *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, ENV_KEY_FILE: str(_key_file(db_url))})


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_demo_central(home: Path, *, port: int | None = None) -> DemoCentral:
    """Starts central on 127.0.0.1 with its database and log in `home`; waits until it answers."""
    home.mkdir(parents=True, exist_ok=True)
    port = port or (DEFAULT_PORT if _port_free(DEFAULT_PORT) else free_port())
    log_path = home / "central.log"
    try:
        running = start_central(f"sqlite:///{home / 'central.db'}", port, log_path=log_path,
                                key_file=home / "central.key", die_with_parent=True)
        return DemoCentral(**{f.name: getattr(running, f.name) for f in fields(running)})
    except CentralError as e:
        raise LoketError(f"the demo's central did not start: {e}; see {log_path}") from None


def prepare_demo(home: Path, *, port: int | None = None) -> tuple[Terminal, DemoCentral]:
    """Central running, an office in it, and the terminal in `home/terminal` enrolled (once) and syncing there."""
    central = start_demo_central(home, port=port)
    try:
        terminal = Terminal(home / "terminal")
        if terminal.identity is None:
            made = _central(central.db_url, "office", "create", "--code", DEMO_OFFICE_CODE, "--name", DEMO_OFFICE_NAME)
            if made.returncode != 0 and "exists already" not in made.stderr:
                raise LoketError(f"the demo office could not be created: {made.stderr.strip()}")
            code = _central(central.db_url, "enroll-code", "--office", DEMO_OFFICE_CODE)
            if code.returncode != 0:
                raise LoketError(f"no enrollment code from the demo's central: {code.stderr.strip()}")
            enroll_terminal(terminal, central.url, code.stdout.strip())
        login = _central(central.db_url, "staff", "demo", "--office", DEMO_OFFICE_CODE)
        central.staff_login = login.stdout.strip() if login.returncode == 0 else ""
        # the port may differ from the last run's
        terminal.update_settings(server_url=central.url, printer_backend="pdf",
                                 printer_pdf_dir=str(terminal.paths.receipts))
        return terminal, central
    except BaseException:
        central.stop()
        raise
