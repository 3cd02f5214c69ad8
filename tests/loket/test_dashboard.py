"""The maintenance dashboard's figures and actions, on a real terminal store and a real central."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kiosk.applications import file_application
from kiosk.errors import LoketError
from kiosk.samples import sample_answers
from kiosk.terminal import Terminal
from loket import dashboard
from loket.provisioning import PrinterChoice, ReprovisionRefused, enroll
from loket.runtime import Runtime
from printing.errors import PrinterError
from sync.bundle import open_bundle


def file_some(terminal: Terminal, n: int) -> list[str]:
    service = terminal.catalog.service("SKU")
    return [file_application(terminal.store, terminal.catalog, "SKU", sample_answers(service)).reference
            for _ in range(n)]


def maintenance_actions(terminal: Terminal) -> list[tuple[str, str]]:
    return [(e["action"], e["detail"]) for e in terminal.store.audit_entries(limit=1000)
            if e["action"].startswith("maintenance.")]


@pytest.fixture
def enrolled(blank_terminal: Terminal, central) -> Terminal:
    enroll(blank_terminal, central.url, central.enrollment_code())
    return blank_terminal


def test_the_dashboard_shows_who_the_terminal_is_and_its_queue(enrolled: Terminal) -> None:
    file_some(enrolled, 3)
    board = dashboard.read_dashboard(Runtime(terminal=enrolled), extra_versions={"kivy": "2.3.1"})
    assert board.office_name == "Kelurahan Braga" and board.office_code == "3273010001"
    assert len(board.terminal_code) == 4 and board.server_url.startswith("http://127.0.0.1:")
    assert board.queue["queued"] == 3 and board.unsynced == 3 and board.unexported == 3
    assert board.oldest_unsynced_age_s is not None and board.oldest_unsynced_age_s >= 0
    assert board.catalog_version and board.versions["kivy"] == "2.3.1" and "loket" in board.versions
    assert board.server_reachable is True and board.disk_free_bytes > 0
    assert board.printer.ready and "PDF folder" in board.printer.text


def test_maintenance_entries_failed_pins_and_actions_reach_central(enrolled: Terminal, central) -> None:
    import sqlalchemy

    from kiosk.maintenance import MaintenanceGate
    from loket.provisioning import set_pin

    set_pin(enrolled, "402915", "402915")
    gate = MaintenanceGate(enrolled.store, enrolled.settings.maintenance_pin_hash)
    assert not gate.try_pin("111222").accepted and gate.try_pin("402915").accepted
    dashboard.printer_test(enrolled)
    dashboard.sync_now(Runtime(terminal=enrolled))
    dashboard.sync_now(Runtime(terminal=enrolled))  # carries the first sync_now's own entry
    engine = sqlalchemy.create_engine(central.db_url)
    with engine.connect() as db:
        at_central = {row[0] for row in db.execute(sqlalchemy.text("SELECT action FROM audit_entries"))}
    engine.dispose()
    assert {"maintenance.pin_failed", "maintenance.entered", "maintenance.test_print", "maintenance.sync_now",
            "printer.tested", "maintenance.pin_set"} <= at_central


def test_an_unreachable_central_is_shown_with_its_reason(enrolled: Terminal, central) -> None:
    central.stop()
    board = dashboard.read_dashboard(Runtime(terminal=enrolled))
    assert board.server_reachable is False and "cannot reach" in board.server_detail


def test_an_offline_provisioned_terminal_has_no_server_to_check(terminal: Terminal) -> None:
    assert dashboard.read_dashboard(Runtime(terminal=terminal)).server_reachable is None


def test_sync_now_empties_the_queue_and_the_last_attempt_is_shown(enrolled: Terminal) -> None:
    file_some(enrolled, 4)
    report = dashboard.sync_now(Runtime(terminal=enrolled))
    assert report.accepted == 4 and report.remaining == 0
    board = dashboard.read_dashboard(Runtime(terminal=enrolled), probe_server=False)
    assert board.unsynced == 0 and board.queue["synced"] == 4
    assert board.last_sync_attempt and board.last_sync_error is None
    assert maintenance_actions(enrolled)[-1] == ("maintenance.sync_now", "sent 4: 4 accepted, 0 duplicate, 0 rejected")


def test_sync_now_with_central_down_keeps_the_queue_and_records_the_error(enrolled: Terminal, central) -> None:
    file_some(enrolled, 1)
    central.stop()
    report = dashboard.sync_now(Runtime(terminal=enrolled))
    assert report.remaining == 1 and not report.reachable
    assert "cannot reach" in dashboard.read_dashboard(Runtime(terminal=enrolled), probe_server=False).last_sync_error


def test_update_catalog_now_reports_the_catalog_in_force(enrolled: Terminal) -> None:
    dashboard.update_catalog_now(Runtime(terminal=enrolled))
    action, detail = maintenance_actions(enrolled)[-1]
    assert action == "maintenance.update_catalog" and "catalog" in detail


def test_test_print_and_reprint_write_pdfs_and_are_audited(terminal: Terminal, tmp_path: Path) -> None:
    dashboard.change_printer(terminal, PrinterChoice("pdf", str(tmp_path / "printer"), "PDF"), "80mm")
    test_job = dashboard.printer_test(terminal)
    assert test_job.pdf_path.parent == tmp_path / "printer" and test_job.pdf_path.stat().st_size > 1000
    [reference] = file_some(terminal, 1)
    job = dashboard.reprint(terminal, reference.lower().replace("-", ""))
    assert job.pdf_path.name == f"{reference}-reprint-1.pdf" and job.pdf_path.exists()
    with pytest.raises(LoketError):
        dashboard.reprint(terminal, "K7Q2-0101-0001-A")
    logged = [a for a, _ in maintenance_actions(terminal)]
    assert logged == ["maintenance.change_printer", "maintenance.test_print", "maintenance.reprint",
                      "maintenance.reprint"]
    assert maintenance_actions(terminal)[-1][1].startswith("failed: ")


def test_a_printer_fault_shows_on_the_dashboard_and_fails_the_test_print(terminal: Terminal, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    terminal.update_settings(printer_backend="pdf", printer_pdf_dir=str(blocker))
    state = dashboard.printer_state(terminal)
    assert not state.ready and "not writable" in state.text
    with pytest.raises(PrinterError):
        dashboard.printer_test(terminal)
    terminal.update_settings(printer_backend="cups", printer_cups_queue="")
    assert "no CUPS queue is set" in dashboard.printer_state(terminal).text


def test_export_writes_a_bundle_and_then_reprovisioning_is_allowed(terminal: Terminal, tmp_path: Path) -> None:
    refs = file_some(terminal, 2)
    with pytest.raises(ReprovisionRefused, match="2 application"):
        dashboard.begin_reprovision(terminal)
    export = dashboard.export_queue(terminal, tmp_path / "usb")
    _header, contents = open_bundle(export.path.read_bytes(), terminal.identity.verify_key)
    assert sorted(a.reference for a in contents.applications) == sorted(refs)
    dashboard.begin_reprovision(terminal)
    assert [a for a, _ in maintenance_actions(terminal)] == [
        "maintenance.reprovision", "maintenance.exported", "maintenance.reprovision"]


def test_changing_the_idle_timeout_persists(terminal: Terminal) -> None:
    dashboard.change_idle_timeout(terminal, 180)
    assert Terminal(terminal.paths.home).settings.idle_timeout_s == 180
    with pytest.raises(LoketError):
        dashboard.change_idle_timeout(terminal, 3)
    assert maintenance_actions(terminal)[-1][1].startswith("failed: setting 'idle_timeout_s'")


def test_the_log_tail_shows_the_newest_lines_of_the_log_file(terminal: Terminal) -> None:
    assert dashboard.log_tail(terminal) == []
    dashboard.start_log_file(terminal)
    dashboard.start_log_file(terminal)  # once per process: no doubled lines
    log = logging.getLogger("loket.test")
    for i in range(60):
        log.warning("line %d", i)
    for handler in logging.getLogger("loket").handlers:
        handler.flush()
    tail = dashboard.view_log(terminal, 10)
    assert len(tail) == 10 and tail[-1].endswith("line 59") and tail[0].endswith("line 50")
    assert maintenance_actions(terminal)[-1] == ("maintenance.view_log", "10 lines")


def test_exit_and_restart_are_audited(terminal: Terminal) -> None:
    dashboard.exit_to_desktop(terminal)
    dashboard.restart(terminal)
    assert [a for a, _ in maintenance_actions(terminal)] == ["maintenance.exit_to_desktop", "maintenance.restart"]


def test_usb_sticks_are_found_under_their_mount_roots(tmp_path: Path) -> None:
    media = tmp_path / "media"
    (media / "teknisi" / "USB-LOKET").mkdir(parents=True)
    (tmp_path / "mnt" / "stick").mkdir(parents=True)
    found = dashboard.usb_folders((media, tmp_path / "mnt", tmp_path / "absent"))
    assert found == [media / "teknisi" / "USB-LOKET", tmp_path / "mnt" / "stick"]


@pytest.mark.parametrize("seconds, text", [(None, "-"), (42, "42 s"), (125, "2 min 5 s"), (7300, "2 h 1 min"),
                                           (90000, "1 d 1 h")])
def test_ages_read_as_words(seconds: float | None, text: str) -> None:
    assert dashboard.describe_age(seconds) == text


def test_sync_now_on_a_terminal_set_up_from_a_usb_file_enrolls_it_and_sends_the_queue(blank_terminal: Terminal,
                                                                                      central, tmp_path: Path) -> None:
    from central.cli import main as central_cli
    from loket.provisioning import load_file

    office = central.create_office()
    assert central_cli(["provisioning-file", "--office", office, "--server", central.url, "--out",
                        str(tmp_path / "usb"), "--db", central.db_url]) == 0
    [path] = (tmp_path / "usb").glob("*.loket-provisioning.json")
    load_file(blank_terminal, path)
    file_some(blank_terminal, 2)  # taken before the terminal ever reached central
    report = dashboard.sync_now(Runtime(terminal=blank_terminal))
    assert report.accepted == 2 and report.remaining == 0, report.lines()
    assert dashboard.read_dashboard(Runtime(terminal=blank_terminal)).server_reachable is True
