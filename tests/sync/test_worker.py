"""The sync worker against the real central: what one round does with the outbox and the pulls."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from pathlib import Path

from central.cli import main as central_cli
from kiosk import __version__
from kiosk.catalog.loader import DEFAULT_CATALOG
from kiosk.clock import parse_iso
from kiosk.crypto import seal_for_office
from kiosk.terminal import Terminal
from sync.enrollment import enroll_terminal
from sync.report import SyncReport
from sync.worker import SyncWorker
from tests.sync.conftest import FAST_BACKOFF, FAST_TIMEOUTS, CentralView, file_many
from tests.sync.faultproxy import Fault, FaultProxy, Scripted

UPLOADS = "/api/v1/applications/batch"


def worker_for(terminal: Terminal, **kw) -> SyncWorker:
    return SyncWorker(terminal.paths.home, backoff=FAST_BACKOFF, timeouts=FAST_TIMEOUTS, **kw)


def uploads_only(method: str, path: str) -> bool:
    return path == UPLOADS


def test_a_round_sends_every_queued_application_once_and_each_opens_centrally_to_what_was_filed(
        enrolled: Terminal, central_view: CentralView) -> None:
    filed = file_many(enrolled, 25)
    report = worker_for(enrolled, batch_size=10).run_once()
    assert report.ok, report.errors
    assert (report.sent, report.accepted, report.remaining) == (25, 25, 0)
    assert enrolled.store.counts()["synced"] == 25
    assert central_view.count_by_id() == dict.fromkeys(filed, 1)
    for app_id, values in filed.items():
        assert central_view.opened(app_id)["personal_data"]["answers"] == values


def test_an_answer_lost_after_central_committed_is_resent_and_ends_synced_as_duplicate(
        behind_proxy: Terminal, proxy: FaultProxy, central_view: CentralView) -> None:
    filed = file_many(behind_proxy, 8)
    proxy.plan = Scripted([Fault.DROP_AFTER], uploads_only)
    worker = worker_for(behind_proxy)
    first = worker.run_once()
    assert not first.ok and "dropped before central answered" in first.errors[0]
    assert behind_proxy.store.counts()["queued"] == 8
    assert "dropped before central answered" in behind_proxy.store.last_errors(1)[0][1]
    second = worker.run_once(force=True)
    assert second.ok and second.duplicate == 8 and second.accepted == 0
    assert behind_proxy.store.counts()["synced"] == 8
    assert central_view.count_by_id() == dict.fromkeys(filed, 1)


def test_a_transient_failure_puts_the_batch_back_with_backoff_honouring_retry_after(
        behind_proxy: Terminal, proxy: FaultProxy) -> None:
    file_many(behind_proxy, 3)
    proxy.plan = Scripted([Fault.HTTP_503], uploads_only)
    proxy.retry_after_s = 30
    before = dt.datetime.now(dt.UTC)
    report = worker_for(behind_proxy).run_once()
    assert report.retried == 3 and report.retry_after == 30
    assert "HTTP 503" in report.errors[0] and "retry after 30 s" in report.errors[0]
    due = behind_proxy.store.next_attempt_due()
    assert due >= before + dt.timedelta(seconds=30)
    assert worker_for(behind_proxy).run_once().sent == 0  # not due yet: nothing is sent
    assert worker_for(behind_proxy).run_once(force=True).accepted == 3  # a technician's "sync now"


def test_a_rejected_application_keeps_its_reason_and_the_others_go_through(
        enrolled: Terminal, central_view: CentralView) -> None:
    file_many(enrolled, 4)
    identity = enrolled.identity
    stray = enrolled.store.submit("NOPE", "2026.11.1", seal_for_office(identity.office_key, {"service": "NOPE"}))
    file_many(enrolled, 4, start=4)
    report = worker_for(enrolled).run_once()
    assert report.accepted == 8
    assert report.rejected == [(stray.reference, "unknown service code 'NOPE' for this office")]
    assert enrolled.store.get(stray.reference).state == "rejected"
    assert "unknown service code" in enrolled.store.get(stray.reference).reason
    assert enrolled.store.counts() == {"queued": 0, "sending": 0, "synced": 8, "rejected": 1}


def test_a_batch_refused_as_a_whole_is_split_until_the_culprit_is_rejected_alone(
        behind_proxy: Terminal, proxy: FaultProxy, central_view: CentralView) -> None:
    filed = file_many(behind_proxy, 15)
    identity = behind_proxy.identity
    culprit = behind_proxy.store.submit("SKD", "2026.11.1", seal_for_office(identity.office_key, {"service": "SKD"}),
                                        flags=["x" * 5_000_000])  # inflates past central's body limit
    filed.update(file_many(behind_proxy, 15, start=15))
    uploads: list[bytes] = []
    proxy.on_request = lambda raw: uploads.append(raw) if f" {UPLOADS} ".encode() in raw[:100] else None
    report = worker_for(behind_proxy).run_once()
    assert report.accepted == 30
    assert [reference for reference, _ in report.rejected] == [culprit.reference]
    assert "413" in report.rejected[0][1] and "too_large" in report.rejected[0][1]
    assert behind_proxy.store.get(culprit.reference).state == "rejected"
    assert central_view.count_by_id() == dict.fromkeys(filed, 1)
    # a binary search over 31 (2 per level, 5 levels), after the audit lines were split off: not one per application
    assert len(uploads) <= 3 + 2 * 5


def test_a_captive_portal_page_is_not_taken_for_an_answer(behind_proxy: Terminal, proxy: FaultProxy) -> None:
    file_many(behind_proxy, 2)
    proxy.plan = Scripted([Fault.CAPTIVE_PORTAL], uploads_only)
    report = worker_for(behind_proxy).run_once()
    assert report.retried == 2 and "does not follow the protocol" in report.errors[0]
    assert behind_proxy.store.counts()["queued"] == 2


def test_status_changes_made_by_staff_reach_the_terminal(enrolled: Terminal, central) -> None:
    file_many(enrolled, 3)
    worker = worker_for(enrolled)
    worker.run_once()
    reference = enrolled.store.applications()[0].reference
    assert central_cli(["applications", "set-status", reference, "ready", "--db", central.db_url]) == 0
    assert worker.refresh_status().status_changes == 1
    app = enrolled.store.get(reference)
    assert app.status == "ready" and app.central_status_at is not None
    assert enrolled.store.values.status_cursor > 0
    assert worker.refresh_status().status_changes == 0  # the cursor moved on


def test_a_new_catalog_from_central_is_installed(enrolled: Terminal, central, tmp_path: Path) -> None:
    document = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    document["version"] = "2026.12.1"
    document["services"] = document["services"][:3]
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert central_cli(["office", "catalog", "--code", enrolled.identity.office_code, str(path),
                        "--db", central.db_url]) == 0
    report = worker_for(enrolled).run_once()
    assert report.catalog_updated == "2026.12.1"
    assert len(Terminal(enrolled.paths.home).catalog.services) == 3
    assert worker_for(enrolled).run_once().catalog_updated is None  # ETag: not again


def test_a_catalog_with_letters_is_installed_without_them_and_the_next_round_is_304(
        behind_proxy: Terminal, proxy: FaultProxy, central, tmp_path: Path) -> None:
    document = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    document["version"] = "2026.12.2"
    assert any("letter" in service for service in document["services"])
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert central_cli(["office", "catalog", "--code", behind_proxy.identity.office_code, str(path),
                        "--db", central.db_url]) == 0
    asked_with: list[str | None] = []  # the If-None-Match of each catalog request the terminal makes

    def note_catalog_request(raw: bytes) -> None:
        if raw.startswith(b"GET /api/v1/catalog "):
            found = re.search(rb"(?im)^if-none-match: *(\S+)\r?$", raw)
            asked_with.append(found[1].decode() if found else None)

    proxy.on_request = note_catalog_request

    report = worker_for(behind_proxy).run_once()
    assert report.ok, report.errors
    assert report.catalog_updated == "2026.12.2"
    installed = behind_proxy.paths.catalog_file
    body = installed.read_bytes()
    assert b'"letter"' not in body
    assert Terminal(behind_proxy.paths.home).catalog.version == "2026.12.2"
    # what the terminal keeps as its ETag is the hash of the bytes it installed
    assert behind_proxy.store.values.catalog_etag == f'"{hashlib.sha256(body).hexdigest()}"'
    inode = installed.stat().st_ino

    again = worker_for(behind_proxy).run_once()
    assert again.ok and again.catalog_updated is None
    assert asked_with == [None, behind_proxy.store.values.catalog_etag]  # the second round asked with it ...
    assert installed.stat().st_ino == inode  # ... got 304, and installed nothing (an install is a rename)


def test_a_catalog_answer_that_is_not_a_valid_catalog_is_not_applied(
        behind_proxy: Terminal, proxy: FaultProxy) -> None:
    before = behind_proxy.catalog.version
    proxy.plan = Scripted([Fault.CAPTIVE_PORTAL], lambda m, p: p.startswith("/api/v1/catalog"))
    report = worker_for(behind_proxy).run_once()
    assert any("catalog from central was not applied" in e and before in e for e in report.errors)
    assert Terminal(behind_proxy.paths.home).catalog.version == before
    assert worker_for(behind_proxy).run_once().ok  # the real one comes next time


def test_a_catalog_an_older_loket_refused_is_fetched_whole_again_after_the_update(
        behind_proxy: Terminal, proxy: FaultProxy) -> None:
    assert worker_for(behind_proxy).run_once().ok
    served = behind_proxy.store.values.catalog_etag
    asked_with: list[str | None] = []

    def note_catalog_request(raw: bytes) -> None:
        if raw.startswith(b"GET /api/v1/catalog "):
            found = re.search(rb"(?im)^if-none-match: *(\S+)\r?$", raw)
            asked_with.append(found[1].decode() if found else None)

    proxy.on_request = note_catalog_request
    # as this very catalog would have been left by a Loket whose schema refused it
    values = behind_proxy.store.values
    values.catalog_error, values.catalog_refused_by = "the catalog from central was not applied (...)", "0.0.1"
    behind_proxy.paths.catalog_file.unlink()
    report = worker_for(behind_proxy).run_once()
    assert report.ok, report.errors
    assert asked_with == [None]  # not the refused ETag: that would have been answered 304
    assert (values.catalog_error, values.catalog_refused_by, values.catalog_etag) == ("", "", served)
    assert behind_proxy.paths.catalog_file.exists()
    # refused by this very version, the ETag keeps it from being fetched and refused every round
    values.catalog_error, values.catalog_refused_by = "the catalog from central was not applied (...)", __version__
    assert worker_for(behind_proxy).run_once().catalog_updated is None
    assert asked_with == [None, served]


def test_a_rotated_office_key_is_adopted_and_new_applications_are_sealed_to_it(
        enrolled: Terminal, central, central_view: CentralView) -> None:
    old_key = enrolled.identity.office_key
    assert central_cli(["office", "rotate-key", "--code", enrolled.identity.office_code, "--db", central.db_url]) == 0
    report = worker_for(enrolled).run_once()
    assert report.office_key_rotated
    enrolled.store.reload_identity()
    assert enrolled.identity.office_key != old_key
    filed = file_many(enrolled, 2)
    assert worker_for(enrolled).run_once().accepted == 2
    for app_id, values in filed.items():
        assert central_view.opened(app_id)["personal_data"]["answers"] == values


def test_a_revoked_terminal_stops_syncing_and_says_why(enrolled: Terminal, central) -> None:
    file_many(enrolled, 2)
    assert central_cli(["terminals", "revoke", enrolled.identity.terminal_id, "--db", central.db_url]) == 0
    worker = worker_for(enrolled, interval_s=0.1)
    worker.start()
    assert wait_until(lambda: not worker.running)
    assert worker.last_report.revoked
    assert "revoked" in enrolled.store.values.revoked
    assert enrolled.store.counts()["queued"] == 2  # kept, for export or a new enrollment
    again = worker_for(enrolled).run_once()
    assert again.revoked and not again.reachable and "enroll it again" in again.errors[0]
    assert "revoked" in enrolled.status()["last_sync_error"]


def wait_until(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_the_worker_thread_sends_a_new_submission_when_woken(enrolled: Terminal) -> None:
    worker = worker_for(enrolled, interval_s=3600)
    worker.start()
    try:
        assert wait_until(lambda: worker.last_report is not None)
        first = worker.last_report
        file_many(enrolled, 1)
        assert not wait_until(lambda: enrolled.store.counts()["synced"] == 1, timeout=0.5)  # asleep for an hour
        worker.wake()
        assert wait_until(lambda: worker.last_report is not first)
        assert worker.last_report.accepted == 1 and enrolled.store.counts()["synced"] == 1
    finally:
        assert worker.stop(5)
    assert not worker.running


def test_an_unreachable_central_is_recorded_for_loket_status(enrolled: Terminal) -> None:
    file_many(enrolled, 2)
    enrolled.update_settings(server_url="http://127.0.0.1:9")
    report = worker_for(enrolled).run_once()
    assert not report.reachable and report.remaining == 2
    status = Terminal(enrolled.paths.home).status()
    assert "connection refused" in status["last_sync_error"]
    assert parse_iso(status["last_sync"]) <= dt.datetime.now(dt.UTC)


def test_audit_entries_reach_central_once(enrolled: Terminal) -> None:
    assert enrolled.store.audit_entries(unsynced_only=True)
    report = worker_for(enrolled).run_once()
    assert report.audit_sent >= 2
    assert enrolled.store.audit_entries(unsynced_only=True) == [] or all(
        row["action"].startswith("sync.") for row in enrolled.store.audit_entries(unsynced_only=True))


def test_against_central_on_postgresql_a_lost_answer_still_ends_exactly_once(central_pg, tmp_path: Path) -> None:
    terminal = Terminal(tmp_path / "kiosk-pg")
    enroll_terminal(terminal, central_pg.url, central_pg.enrollment_code())
    filed = file_many(terminal, 300)
    with FaultProxy(central_pg.server.port, Scripted([Fault.PASS, Fault.DROP_AFTER], uploads_only)) as proxy:
        terminal.update_settings(server_url=proxy.url)
        first = worker_for(terminal).run_once()
        assert first.accepted == 200 and first.retried == 100  # the second batch's answer was lost
        second = worker_for(terminal).run_once(force=True)
    assert (second.accepted, second.duplicate) == (0, 100)
    assert terminal.store.counts()["synced"] == 300
    view = CentralView(central_pg.db_url)
    try:
        assert view.count_by_id() == dict.fromkeys(filed, 1)
        some = next(iter(filed))
        assert view.opened(some)["personal_data"]["answers"] == filed[some]
    finally:
        view.close()
        terminal.close()


def test_a_wake_does_not_cut_short_centrals_retry_after(behind_proxy: Terminal, proxy: FaultProxy) -> None:
    arrivals: list[float] = []
    proxy.on_request = lambda raw: arrivals.append(time.monotonic())
    proxy.plan = Scripted([Fault.HTTP_429])
    proxy.retry_after_s = 2
    worker = worker_for(behind_proxy, interval_s=3600)
    worker.start()
    try:
        assert wait_until(lambda: worker.last_report is not None)
        assert worker.last_report.retry_after == 2
        for _ in range(5):
            worker.wake()
            time.sleep(0.1)
        assert wait_until(lambda: len(arrivals) >= 2, timeout=5)
        assert arrivals[1] - arrivals[0] >= 1.9
    finally:
        worker.stop(5)


def test_a_failure_inside_a_round_does_not_kill_the_worker_thread(enrolled: Terminal) -> None:
    rounds: list[SyncReport] = []

    def broken_callback(report: SyncReport) -> None:
        rounds.append(report)
        raise RuntimeError("a bug in whoever listens")

    worker = worker_for(enrolled, interval_s=3600, on_report=broken_callback)
    worker.start()
    try:
        assert wait_until(lambda: len(rounds) == 1)
        assert wait_until(lambda: worker.last_report is not rounds[0])
        assert "internal error in the sync worker" in worker.last_report.errors[0]
        file_many(enrolled, 1)
        worker.wake()
        assert wait_until(lambda: any(r.accepted == 1 for r in rounds))  # it went on with its work
        assert worker.running
    finally:
        worker.stop(5)


def test_start_wake_and_refresh_return_at_once_even_while_central_stalls(
        behind_proxy: Terminal, proxy: FaultProxy) -> None:
    proxy.plan = lambda method, path: Fault.STALL
    proxy.stall_s = 3
    worker = worker_for(behind_proxy, interval_s=3600)
    began = time.perf_counter()
    worker.start()
    worker.wake()
    assert worker.refresh_status() is None  # handed to the worker thread
    assert worker.last_report is None  # the first round is still waiting on central
    assert time.perf_counter() - began < 0.1
    assert wait_until(lambda: worker.last_report is not None, timeout=5)
    assert "did not answer within 2 s" in worker.last_report.errors[0]
    assert worker.stop(5)
