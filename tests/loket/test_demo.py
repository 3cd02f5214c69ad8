"""The demo's parts without its window: central on loopback, a terminal enrolled with it, sync working."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

from kiosk.applications import file_application
from kiosk.samples import sample_answers
from loket.demo import prepare_demo
from sync.worker import SyncWorker


def central_references(db_url: str) -> list[str]:
    listed = subprocess.run([sys.executable, "-m", "central", "--db", db_url, "applications", "list", "--json"],
                            capture_output=True, text=True, timeout=60)
    return sorted(a["reference"] for a in json.loads(listed.stdout))


def console_shows(central, reference: str) -> bool:
    """Logs in to the office console with the demo's account and looks for `reference` in the inbox."""
    import re

    import requests

    username, password = central.staff_login.split(" ", 1)
    browser = requests.Session()
    form = browser.get(f"{central.url}/staff/login", timeout=10).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)[1]
    inbox = browser.post(f"{central.url}/staff/login", data={"username": username, "password": password,
                                                             "csrf": csrf, "next": "/staff"}, timeout=10)
    return inbox.url == f"{central.url}/staff" and reference in inbox.text


def file_and_sync(terminal) -> str:
    service = terminal.catalog.service("SKTM")
    app = file_application(terminal.store, terminal.catalog, "SKTM", sample_answers(service))
    report = SyncWorker(terminal.paths.home).run_once()
    assert report.ok, report.errors
    return app.reference


def test_the_demo_enrolls_its_terminal_with_a_real_central_and_syncs_to_it(tmp_path: Path) -> None:
    terminal, central = prepare_demo(tmp_path / "demo")
    try:
        assert terminal.identity is not None and terminal.settings.server_url == central.url
        assert terminal.settings.printer_backend == "pdf"
        first = file_and_sync(terminal)
        assert central_references(central.db_url) == [first]
        assert console_shows(central, first)
        terminal_id = terminal.identity.terminal_id
        terminal.close()
    finally:
        central.stop()

    terminal, central = prepare_demo(tmp_path / "demo")  # a second run reuses the enrollment and database
    try:
        assert terminal.identity.terminal_id == terminal_id
        second = file_and_sync(terminal)
        assert central_references(central.db_url) == sorted([first, second])
        assert console_shows(central, second)  # a fresh password each run, and it works
        terminal.close()
    finally:
        central.stop()


def test_the_demos_central_stops_when_the_demo_dies_without_cleaning_up(tmp_path: Path) -> None:
    # as when `timeout` ends the demo and the kiosk goes down with its X server: no `finally` runs
    starter = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from loket.demo import start_demo_central; "
         "c = start_demo_central(Path(sys.argv[1])); print(c.port, c.process.pid, flush=True); time.sleep(600)",
         str(tmp_path / "demo")], stdout=subprocess.PIPE, text=True)
    port, central_pid = (int(x) for x in starter.stdout.readline().split())
    assert answers(port)
    starter.kill()
    starter.wait(10)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (answers(port) or alive(central_pid)):
        time.sleep(0.1)
    assert not answers(port) and not alive(central_pid)


def answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie is reaped by init once its parent has gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"
