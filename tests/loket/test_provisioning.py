"""First-boot provisioning, step by step, against a real central on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.applications import file_application
from kiosk.errors import LoketError
from kiosk.maintenance import MaintenanceGate, PinError
from kiosk.samples import sample_answers
from kiosk.terminal import Terminal
from loket import provisioning
from loket.export import export_unsynced
from loket.provisioning import PrinterChoice, ProvisioningError, ReprovisionRefused
from sync.errors import EnrollmentFailed, InsecureServer, ServerUnreachable


def actions(terminal: Terminal) -> list[str]:
    return [e["action"] for e in terminal.store.audit_entries(limit=1000)]


def test_a_host_becomes_an_https_url_and_a_port_is_added_before_the_path() -> None:
    assert provisioning.server_url("loket.bandung.go.id") == "https://loket.bandung.go.id"
    assert provisioning.server_url("loket.bandung.go.id/kiosk/", port="8443") == "https://loket.bandung.go.id:8443/kiosk"
    assert provisioning.server_url("127.0.0.1", secure=False, port="8123") == "http://127.0.0.1:8123"
    assert provisioning.server_url(" https://central.example.id/ ") == "https://central.example.id"


def test_plain_http_to_another_machine_is_refused_with_the_reason() -> None:
    with pytest.raises(InsecureServer, match="plain http"):
        provisioning.server_url("central.example.id", secure=False)


@pytest.mark.parametrize("host, port, words", [("", "", "type the central server"), ("a.id", "0", "port"),
                                               ("a.id", "99999", "port"), ("a.id", "80a", "port")])
def test_an_empty_host_or_a_bad_port_says_what_to_type(host: str, port: str, words: str) -> None:
    with pytest.raises(ProvisioningError, match=words):
        provisioning.server_url(host, port=port)


@given(st.text(max_size=40), st.booleans(), st.text(max_size=6))
def test_whatever_is_typed_the_answer_is_a_checked_url_or_a_loket_error(host: str, secure: bool, port: str) -> None:
    try:
        url = provisioning.server_url(host, secure=secure, port=port)
    except LoketError:
        return
    assert url.startswith(("https://", "http://")) and not url.endswith("/")


def test_enrolling_with_a_code_gives_the_terminal_the_office_central_names(blank_terminal: Terminal, central) -> None:
    code = central.enrollment_code()
    identity = provisioning.enroll(blank_terminal, central.url, code.lower())
    assert identity.office_code == "3273010001" and identity.office_name == "Kelurahan Braga"
    assert blank_terminal.identity == identity
    assert blank_terminal.settings.server_url == central.url
    assert "sync.enrolled" in actions(blank_terminal)


def test_a_setup_begun_on_screen_is_finished_before_the_kiosk_serves(blank_terminal: Terminal, central) -> None:
    assert provisioning.needs_setup(blank_terminal)
    provisioning.enroll(blank_terminal, central.url, central.enrollment_code())
    assert provisioning.needs_setup(Terminal(blank_terminal.paths.home)), "a restart now returns to the setup"
    provisioning.set_pin(blank_terminal, "402915", "402915")
    provisioning.finish(blank_terminal)
    assert not provisioning.needs_setup(blank_terminal)


def test_a_used_code_is_refused_and_the_terminal_stays_blank(tmp_path: Path, central) -> None:
    code = central.enrollment_code()
    first, second = Terminal(tmp_path / "one"), Terminal(tmp_path / "two")
    provisioning.enroll(first, central.url, code)
    with pytest.raises(EnrollmentFailed, match="ask staff for a new one"):
        provisioning.enroll(second, central.url, code)
    assert second.identity is None
    first.close()
    second.close()


def test_an_empty_code_or_an_unreachable_server_is_explained(blank_terminal: Terminal) -> None:
    with pytest.raises(ProvisioningError, match="enrollment code"):
        provisioning.enroll(blank_terminal, "http://127.0.0.1:9", " - ")
    with pytest.raises(ServerUnreachable, match="cannot reach 127.0.0.1:9"):
        provisioning.enroll(blank_terminal, "http://127.0.0.1:9", "7K2M-QX4P-9RTB")


def test_reprovisioning_is_refused_while_applications_exist_only_here(terminal: Terminal, tmp_path: Path) -> None:
    file_application(terminal.store, terminal.catalog, "SKU", sample_answers(terminal.catalog.service("SKU")))
    with pytest.raises(ReprovisionRefused, match="1 application"):
        provisioning.enroll(terminal, "http://127.0.0.1:9", "7K2M-QX4P-9RTB")
    export_unsynced(terminal, tmp_path / "usb")
    provisioning.check_can_reprovision(terminal)  # exported: allowed now


def test_the_pdf_folder_is_always_offered_first(blank_terminal: Terminal) -> None:
    choices = provisioning.printer_choices(blank_terminal)
    assert choices[0] == PrinterChoice("pdf", str(blank_terminal.paths.receipts), choices[0].label)


def test_choosing_a_pdf_folder_and_test_printing_writes_the_test_page_there(terminal: Terminal,
                                                                           tmp_path: Path) -> None:
    folder = tmp_path / "pdf-printer"
    settings = provisioning.choose_printer(terminal, PrinterChoice("pdf", str(folder), "PDF"), "58mm")
    assert (settings.printer_backend, settings.printer_paper, settings.printer_pdf_dir) == ("pdf", "58mm", str(folder))
    assert Terminal(terminal.paths.home).settings.printer_pdf_dir == str(folder)  # saved, not only in memory
    job = provisioning.print_test_page(terminal)
    assert job.pdf_path.parent == folder and job.pdf_path.read_bytes().startswith(b"%PDF")
    assert {"printer.chosen", "printer.tested"} <= set(actions(terminal))


def test_a_paper_size_that_does_not_exist_is_refused(terminal: Terminal) -> None:
    with pytest.raises(ProvisioningError, match="paper"):
        provisioning.choose_printer(terminal, PrinterChoice("pdf", "", "PDF"), "letter")


def test_the_pin_must_be_typed_twice_the_same_and_then_opens_maintenance(terminal: Terminal) -> None:
    with pytest.raises(ProvisioningError, match="differ"):
        provisioning.set_pin(terminal, "402915", "402916")
    with pytest.raises(PinError, match="too easy"):
        provisioning.set_pin(terminal, "123456", "123456")
    provisioning.set_pin(terminal, "402915", "402915")
    stored = Terminal(terminal.paths.home).settings.maintenance_pin_hash
    assert stored.startswith("scrypt$") and "402915" not in stored
    assert MaintenanceGate(terminal.store, stored).try_pin("402915").accepted


def test_idle_timeout_and_language_are_saved_and_checked(terminal: Terminal) -> None:
    provisioning.set_idle_timeout(terminal, 120)
    provisioning.set_language(terminal, "en")
    reread = Terminal(terminal.paths.home).settings
    assert (reread.idle_timeout_s, reread.language) == (120, "en")
    with pytest.raises(LoketError, match="idle_timeout_s"):
        provisioning.set_idle_timeout(terminal, 5)
    with pytest.raises(ProvisioningError, match="language"):
        provisioning.set_language(terminal, "fr")


def test_finishing_needs_an_office_and_a_pin(blank_terminal: Terminal, terminal: Terminal) -> None:
    with pytest.raises(ProvisioningError, match="no office"):
        provisioning.finish(blank_terminal)
    with pytest.raises(ProvisioningError, match="PIN"):
        provisioning.finish(terminal)
    provisioning.set_pin(terminal, "402915", "402915")
    assert provisioning.finish(terminal).terminal_code == "K7Q2"
    assert actions(terminal)[-1] == "provisioning.finished"


def write_provisioning_file(central, folder: Path) -> tuple[str, Path]:
    from central.cli import main as central_cli

    office = central.create_office()
    assert central_cli(["provisioning-file", "--office", office, "--server", central.url, "--out", str(folder),
                        "--db", central.db_url]) == 0
    [path] = folder.glob("*.loket-provisioning.json")
    return office, path


def test_a_provisioning_file_on_a_stick_is_found_and_gives_the_office(blank_terminal: Terminal, central,
                                                                      tmp_path: Path) -> None:
    media = tmp_path / "media"
    office, path = write_provisioning_file(central, media / "staf" / "USB")
    assert provisioning.provisioning_files((media, tmp_path / "absent")) == [path]
    identity = provisioning.load_file(blank_terminal, path)
    assert identity.office_code == office and blank_terminal.settings.server_url == central.url
    assert provisioning.needs_setup(blank_terminal), "printer, PIN and idle time still to do"


def test_a_provisioning_file_does_not_replace_an_office_with_unexported_applications(terminal: Terminal, central,
                                                                                    tmp_path: Path) -> None:
    _office, path = write_provisioning_file(central, tmp_path / "usb")
    file_application(terminal.store, terminal.catalog, "SKU", sample_answers(terminal.catalog.service("SKU")))
    with pytest.raises(ReprovisionRefused):
        provisioning.load_file(terminal, path)
    assert terminal.identity.terminal_code == "K7Q2"
