"""`loket provision --file FILE`: the SSH twin of the setup screen's "Load from a USB stick"."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.applications import file_application
from kiosk.samples import sample_answers
from kiosk.terminal import Terminal
from loket.cli import main as loket
from loket.provisioning_file import pending_enrollment_code, provision_from_file
from tests.loket.test_provisioning import write_provisioning_file


def test_provisioning_from_a_file_over_ssh_gives_the_office_and_leaves_enrollment_pending(
        blank_terminal: Terminal, central, tmp_path: Path, capsys) -> None:
    office, path = write_provisioning_file(central, tmp_path / "usb")
    capsys.readouterr()
    home = str(blank_terminal.paths.home)
    assert loket(["--home", home, "provision", "--file", str(path)]) == 0
    out = capsys.readouterr().out
    document = json.loads(path.read_text())
    assert f"provisioned terminal {document['terminal_code']}" in out and "pending" in out
    fresh = Terminal(blank_terminal.paths.home)
    try:
        assert fresh.identity.office_code == office and fresh.settings.server_url == central.url
        assert pending_enrollment_code(fresh) == document["enroll_code"]
    finally:
        fresh.close()


def test_a_file_does_not_replace_an_office_holding_unexported_applications(terminal: Terminal, central,
                                                                          tmp_path: Path, capsys) -> None:
    _office, path = write_provisioning_file(central, tmp_path / "usb")
    file_application(terminal.store, terminal.catalog, "SKU", sample_answers(terminal.catalog.service("SKU")))
    assert loket(["--home", str(terminal.paths.home), "provision", "--file", str(path)]) == 2
    assert "not yet synced nor exported" in capsys.readouterr().err
    assert Terminal(terminal.paths.home).identity.terminal_code == "K7Q2"


def test_a_file_that_is_not_a_provisioning_file_is_one_line(blank_terminal: Terminal, tmp_path: Path, capsys) -> None:
    bogus = tmp_path / "x.loket-provisioning.json"
    bogus.write_text('{"office_code": 3}')
    assert loket(["--home", str(blank_terminal.paths.home), "provision", "--file", str(bogus)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a Loket provisioning file" in err
    assert loket(["--home", str(blank_terminal.paths.home), "provision", "--file", str(tmp_path / "absent")]) == 2
    assert "cannot be read" in capsys.readouterr().err
    assert Terminal(blank_terminal.paths.home).identity is None


def test_a_queue_moved_aside_before_central_answered_keeps_the_pending_enrollment(blank_terminal: Terminal, central,
                                                                                  tmp_path: Path) -> None:
    _office, path = write_provisioning_file(central, tmp_path / "usb")
    home = blank_terminal.paths.home
    provision_from_file(blank_terminal, path)  # what `provision --file` does, in a Terminal this test can close
    blank_terminal.close()
    (home / "queue.db").write_bytes(b"garbage, not a database" * 500)  # corrupt before the first sync
    again = Terminal(home)
    try:
        assert again.store.recovery_notes, "moved aside"
        assert again.identity.terminal_code == json.loads(path.read_text())["terminal_code"]
        assert pending_enrollment_code(again) == json.loads(path.read_text())["enroll_code"]
    finally:
        again.close()
