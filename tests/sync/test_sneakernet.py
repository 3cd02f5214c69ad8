"""Offices without a link: provisioning from a USB file, and carrying the queue to central by hand.

Whatever path an application takes (USB bundle, network, or both), central holds it exactly once,
and what the technician did on the terminal reaches central's audit log.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from central.cli import main as central_main
from central.db import Database
from central.records import list_audit
from kiosk.maintenance import MaintenanceGate, hash_pin
from kiosk.skm import ELEMENT_COUNT, SurveyResponse
from kiosk.store.survey import record_survey, survey_count
from kiosk.terminal import Terminal
from loket.export import export_unsynced
from loket.provisioning_file import pending_enrollment_code, provision_from_file
from sync.worker import SyncWorker
from tests.sync.conftest import FAST_BACKOFF, FAST_TIMEOUTS, CentralView, file_many
from tests.sync.faultproxy import Fault, FaultProxy

ROOT = Path(__file__).resolve().parents[2]


def worker_for(terminal: Terminal) -> SyncWorker:
    return SyncWorker(terminal.paths.home, backoff=FAST_BACKOFF, timeouts=FAST_TIMEOUTS)


def central_audit(db_url: str, terminal_code: str) -> list[str]:
    db = Database(db_url, migrate_schema=False)
    try:
        with db.transaction() as session:
            return [e["action"] for e in list_audit(session, terminal=terminal_code, limit=1000)]
    finally:
        db.dispose()


def test_a_terminal_provisioned_from_a_file_queues_offline_then_enrolls_and_syncs(central, proxy: FaultProxy,
                                                                                   tmp_path: Path, capsys) -> None:
    office = central.create_office()
    assert central_main(["provisioning-file", "--office", office, "--server", proxy.url, "--out",
                         str(tmp_path / "usb"), "--db", central.db_url]) == 0
    file = Path(capsys.readouterr().out.strip())
    proxy.plan = lambda method, path: Fault.DROP_BEFORE  # the office has no link yet
    terminal = Terminal(tmp_path / "kiosk")
    try:
        identity = provision_from_file(terminal, file)
        filed = file_many(terminal, 30)
        offline = worker_for(terminal).run_once()
        assert any("still pending" in e for e in offline.errors)
        assert terminal.store.counts()["queued"] == 30 and pending_enrollment_code(terminal)

        proxy.plan = lambda method, path: Fault.PASS  # the network appears
        online = worker_for(terminal).run_once()
        assert online.ok, online.errors
        enrolled = terminal.store.reload_identity()
        assert enrolled.terminal_code == identity.terminal_code and enrolled.terminal_id != identity.terminal_id
        assert pending_enrollment_code(terminal) is None
        assert terminal.store.counts()["synced"] == 30
        view = CentralView(central.db_url, enrolled.terminal_id)
        try:
            assert view.count_by_id() == {app_id: 1 for app_id in filed}
            some = next(iter(filed))
            assert view.opened(some)["personal_data"]["answers"] == filed[some]
        finally:
            view.close()
    finally:
        terminal.close()


def test_an_exported_bundle_imported_centrally_then_synced_online_arrives_exactly_once(
    enrolled: Terminal, central, central_view: CentralView, tmp_path: Path, capsys
) -> None:
    filed = file_many(enrolled, 250)
    env = {**os.environ, "LOKET_HOME": str(enrolled.paths.home)}
    done = subprocess.run([sys.executable, "-m", "loket.cli", "maintenance", "export", str(tmp_path / "usb")],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    bundle = Path(done.stdout.strip())
    assert bundle.parent == tmp_path / "usb"

    assert central_main(["import", str(bundle), "--db", central.db_url]) == 0
    assert ": accepted 250, duplicate 0, rejected 0" in capsys.readouterr().out
    assert central_view.count_by_id() == {app_id: 1 for app_id in filed}
    assert enrolled.store.counts()["queued"] == 250  # the terminal does not know yet

    report = worker_for(enrolled).run_once()
    assert report.ok, report.errors
    assert report.duplicate == 250 and report.accepted == 0
    assert enrolled.store.counts()["synced"] == 250
    assert central_view.count_by_id() == {app_id: 1 for app_id in filed}

    assert central_main(["import", str(bundle), "--db", central.db_url]) == 0
    assert ": accepted 0, duplicate 250, rejected 0" in capsys.readouterr().out


def test_survey_answers_ride_the_bundle_and_central_counts_each_once_after_the_online_sync_too(
    enrolled: Terminal, central, tmp_path: Path, capsys
) -> None:
    day = dt.date(2026, 11, 27)
    for overall in (4, 3, 2):
        record_survey(enrolled.store, SurveyResponse(day, "SKD", overall, (overall,) * ELEMENT_COUNT))
    export = export_unsynced(enrolled, tmp_path / "usb")
    assert export.surveys == 3 and survey_count(enrolled.store) == 3  # kept until central answers online

    assert central_main(["import", str(export.path), "--db", central.db_url]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith("survey answers 3")

    def respondents() -> int:
        assert central_main(["skm", "report", "--db", central.db_url, "--office", enrolled.identity.office_code,
                             "--from", "2026-11-01", "--to", "2026-11-30", "--json"]) == 0
        return json.loads(capsys.readouterr().out)["services"]["SKD"]["respondents"]

    assert respondents() == 3
    report = worker_for(enrolled).run_once()
    assert report.ok and report.surveys_sent == 3, report.errors
    assert survey_count(enrolled.store) == 0 and respondents() == 3  # the same answers, not three more
    assert central_main(["import", str(export.path), "--db", central.db_url]) == 0  # the stick again
    capsys.readouterr()
    assert respondents() == 3


def test_what_a_technician_did_reaches_central_audit_log(enrolled: Terminal, central, tmp_path: Path) -> None:
    gate = MaintenanceGate(enrolled.store, hash_pin("482916"))
    assert not gate.try_pin("111112").accepted
    assert gate.try_pin("482916").accepted
    file_many(enrolled, 2)
    export_unsynced(enrolled, tmp_path / "usb")
    enrolled.update_settings(idle_timeout_s=90)
    enrolled.store.record_audit("maintenance.settings_changed", "idle_timeout_s", actor="technician")
    assert worker_for(enrolled).run_once().ok
    actions = central_audit(central.db_url, enrolled.identity.terminal_code)
    for action in ("maintenance.pin_failed", "maintenance.entered", "maintenance.exported",
                   "maintenance.settings_changed"):
        assert action in actions
    assert enrolled.store.audit_entries(unsynced_only=True) == []
