"""The runtime: one terminal per thread, one sync-worker factory whose rounds refresh every thread's
terminal, and one rule for whether sync is configured — against a real central on loopback."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from central.cli import main as central_cli
from kiosk.catalog.loader import DEFAULT_CATALOG
from kiosk.journey import Journey
from kiosk.samples import sample_answers
from kiosk.terminal import Terminal
from loket.runtime import Runtime
from printing import print_receipt
from sync.backoff import Backoff
from sync.client import Timeouts
from sync.enrollment import enroll_terminal
from sync.report import SyncReport

SUBMITS = 60
ROUNDS_WHILE_SUBMITTING = 3
FAST_BACKOFF = Backoff(base_s=0.05, cap_s=0.5)
FAST_TIMEOUTS = Timeouts(connect_s=2.0, read_s=2.0)


@pytest.fixture
def enrolled(central, tmp_path: Path) -> Terminal:
    terminal = Terminal(tmp_path / "kiosk")
    enroll_terminal(terminal, central.url, central.enrollment_code())
    terminal.update_settings(printer_backend="pdf", printer_pdf_dir=str(tmp_path / "receipts"))
    yield terminal
    terminal.close()


def wait_for(condition, timeout_s: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def central_references(central) -> list[str]:
    listed = subprocess.run([sys.executable, "-m", "central", "--db", central.db_url, "applications", "list",
                             "--json"], capture_output=True, text=True, timeout=60, check=True)
    return sorted(a["reference"] for a in json.loads(listed.stdout))


def submit_as_the_screens_do(runtime: Runtime, n: int):
    """One citizen's journey on the UI thread: choose, answer, consent, submit; then print and wake sync."""
    terminal = runtime.terminal
    journey = Journey()
    service = terminal.catalog.services[n % len(terminal.catalog.services)]
    journey.choose_service(service)
    for name, value in sample_answers(service).items():
        journey.set_answer(name, value)
    journey.consent_given = True
    filed = journey.submit(terminal.store, terminal.catalog)
    printed = runtime.in_background(lambda t: print_receipt(t, filed, "id"))
    runtime.wake_sync()
    return filed, printed


def test_sync_runs_while_the_ui_submits_with_no_shared_connection_and_each_application_syncs_once(
        enrolled: Terminal, central) -> None:
    runtime = Runtime(terminal=enrolled)
    reports: list[SyncReport] = []
    round_threads: set[int] = set()

    def heard(report: SyncReport) -> None:
        reports.append(report)
        round_threads.add(threading.get_ident())

    runtime.round_listeners.append(heard)
    try:
        # no connection can cross threads: the UI thread's own refuses to work anywhere else
        ui_connection = runtime.terminal.store.db.conn
        with pytest.raises(sqlite3.ProgrammingError, match="same thread"):
            runtime.in_background(lambda _t: ui_connection.execute("SELECT 1")).result(10)

        assert runtime.start_sync(batch_size=4, interval_s=0.05, backoff=FAST_BACKOFF, timeouts=FAST_TIMEOUTS)
        submitted = []
        deadline = time.monotonic() + 120
        # a citizen's pace, compressed, until several rounds have sent while citizens kept submitting
        while len(submitted) < SUBMITS or len([r for r in reports if r.sent]) < ROUNDS_WHILE_SUBMITTING:
            assert time.monotonic() < deadline, f"{len(reports)} rounds in 120 s"
            submitted.append(submit_as_the_screens_do(runtime, len(submitted)))
            time.sleep(0.03)
        rounds_while_submitting = len([r for r in reports if r.sent])
        filed, printed = zip(*submitted, strict=True)

        store = runtime.terminal.store
        assert wait_for(lambda: store.unsynced_count() == 0), store.counts()
        assert store.counts()["synced"] == len(filed) >= SUBMITS
        assert all(job.result(30).pdf_path.exists() for job in printed)
    finally:
        runtime.close()

    assert rounds_while_submitting >= ROUNDS_WHILE_SUBMITTING
    assert threading.get_ident() not in round_threads  # the rounds ran on the worker's thread
    assert sum(r.accepted for r in reports) == len(filed)
    assert sum(r.duplicate for r in reports) == 0, "an application was sent twice"
    assert central_references(central) == sorted(app.reference for app in filed)


def publish_catalog(central, office: str, tmp_path: Path, version: str) -> None:
    document = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    document["version"] = version
    document["services"] = document["services"][:3]
    path = tmp_path / f"catalog-{version}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert central_cli(["office", "catalog", "--code", office, str(path), "--db", central.db_url]) == 0


def test_after_a_round_every_thread_sees_the_new_catalog_and_office_key(enrolled: Terminal, central,
                                                                       tmp_path: Path) -> None:
    runtime = Runtime(terminal=enrolled)
    before = runtime.terminal
    old_key, old_catalog = before.identity.office_key, before.catalog.version
    work_thread_catalog = runtime.in_background(lambda t: t.catalog.version).result(10)
    assert work_thread_catalog == old_catalog
    office = before.identity.office_code
    publish_catalog(central, office, tmp_path, "2027.01.1")
    assert central_cli(["office", "rotate-key", "--code", office, "--db", central.db_url]) == 0
    rounds: list[SyncReport] = []
    runtime.round_listeners.append(rounds.append)
    try:
        runtime.start_sync(interval_s=60, backoff=FAST_BACKOFF, timeouts=FAST_TIMEOUTS)
        assert wait_for(lambda: rounds), "no sync round"
        assert rounds[0].catalog_updated == "2027.01.1" and rounds[0].office_key_rotated, rounds[0].errors
        # the same terminal object, re-read on its next use: nobody had to reload it by hand
        assert runtime.terminal is before
        assert before.catalog.version == "2027.01.1" and len(before.catalog.services) == 3
        assert before.identity.office_key != old_key
        assert runtime.in_background(lambda t: t.catalog.version).result(10) == "2027.01.1"
    finally:
        runtime.close()


def test_sync_is_configured_only_with_an_office_and_a_server(terminal: Terminal, blank_terminal: Terminal,
                                                             enrolled: Terminal) -> None:
    assert not Runtime(terminal=blank_terminal).sync_configured()  # no office
    offline = Runtime(terminal=terminal)
    assert not offline.sync_configured()  # provisioned offline: no server
    assert offline.start_sync() is None and offline.worker is None
    assert Runtime(terminal=enrolled).sync_configured()


def test_each_thread_gets_a_terminal_of_its_own_and_closing_releases_them(enrolled: Terminal) -> None:
    runtime = Runtime(enrolled.paths.home)
    mine = runtime.terminal
    theirs = runtime.in_background(lambda t: t).result(10)
    assert mine is runtime.terminal and theirs is not mine
    assert theirs.paths.home == mine.paths.home
    runtime.close()
    assert theirs._store is None and mine._store is None  # every thread closed its own connection
