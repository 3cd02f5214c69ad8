"""Enrollment: a one-time code from central gives the terminal its identity, office and server."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.terminal import Terminal
from loket.cli import main
from sync.enrollment import enroll_terminal
from sync.errors import EnrollmentFailed, InsecureServer


def test_loket_provision_with_server_and_code_enrolls_the_terminal(central, tmp_path: Path, capsys) -> None:
    home = tmp_path / "kiosk"
    assert main(["--home", str(home), "provision", "--server", central.url, "--code", central.enrollment_code()]) == 0
    assert "provisioned terminal" in capsys.readouterr().out
    terminal = Terminal(home)
    identity = terminal.identity
    assert identity.office_code == "3273010001" and identity.server_url == central.url
    assert identity.terminal_id and identity.terminal_id != identity.terminal_code
    assert terminal.settings.server_url == central.url
    assert any(row["action"] == "sync.enrolled" for row in terminal.store.audit_entries())
    terminal.close()


def test_a_code_works_only_once(central, tmp_path: Path) -> None:
    code = central.enrollment_code()
    first, second = Terminal(tmp_path / "a"), Terminal(tmp_path / "b")
    enroll_terminal(first, central.url, code)
    with pytest.raises(EnrollmentFailed, match="ask staff for a new one"):
        enroll_terminal(second, central.url, code)
    assert second.identity is None
    first.close()
    second.close()


def test_a_malformed_code_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path / "k")
    with pytest.raises(EnrollmentFailed, match="not an enrollment code"):
        enroll_terminal(terminal, "http://127.0.0.1:9", "ab")
    terminal.close()


def test_enrolling_over_plain_http_with_another_machine_is_refused(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path / "k")
    with pytest.raises(InsecureServer, match="https://"):
        enroll_terminal(terminal, "http://central.example.go.id", "ABCD-EFGH-JKLM")
    assert terminal.identity is None
    terminal.close()


def test_the_cli_reports_an_unreachable_server_in_one_line(tmp_path: Path, capsys) -> None:
    assert main(["--home", str(tmp_path / "k"), "provision", "--server", "http://127.0.0.1:9", "--code",
                 "ABCD-EFGH-JKLM"]) == 2
    assert "cannot reach 127.0.0.1:9" in capsys.readouterr().err
