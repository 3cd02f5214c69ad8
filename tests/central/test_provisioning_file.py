"""`loket-central provisioning-file` and `audit list`: staff set a terminal up by USB, and see what it did."""

import datetime as dt
import json

from central.cli import main
from sync.protocol import AuditUpload, ProvisioningFile
from tests.harness.simterminal import SimulatedTerminal


def _run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_provisioning_file_names_the_office_and_reserves_the_code_enrollment_gives(capsys, central, tmp_path):
    office = central.create_office()
    code, out, _ = _run(capsys, "provisioning-file", "--office", office, "--server", central.url,
                        "--out", str(tmp_path / "usb"), "--db", central.db_url)
    assert code == 0
    path = tmp_path / "usb" / out.strip().split("/")[-1]
    document = ProvisioningFile.model_validate_json(path.read_bytes())
    assert document.office_code == office and document.server_url == central.url
    assert document.expires_at > dt.datetime.now(dt.UTC) + dt.timedelta(days=29)
    assert path.name == f"{document.terminal_code}.loket-provisioning.json"
    terminal = SimulatedTerminal(central.url)
    try:
        answer = terminal.enroll(document.enroll_code)
    finally:
        terminal.close()
    assert answer.terminal_code == document.terminal_code
    assert answer.office_key == document.office_key


def test_provisioning_files_each_reserve_their_own_terminal_code(capsys, central, tmp_path):
    office = central.create_office()
    codes = set()
    for _ in range(5):
        _, out, _ = _run(capsys, "provisioning-file", "--office", office, "--server", central.url,
                         "--out", str(tmp_path), "--db", central.db_url)
        codes.add(json.loads((tmp_path / out.strip().split("/")[-1]).read_text())["terminal_code"])
    assert len(codes) == 5


def test_a_provisioning_file_for_an_unknown_office_or_without_a_url_is_one_line_exit_2(capsys, central, tmp_path):
    code, _, err = _run(capsys, "provisioning-file", "--office", "NOPE", "--server", central.url,
                        "--out", str(tmp_path), "--db", central.db_url)
    assert code == 2 and "NOPE" in err and err.count("\n") == 1
    office = central.create_office()
    code, _, err = _run(capsys, "provisioning-file", "--office", office, "--server", "central.local",
                        "--out", str(tmp_path), "--db", central.db_url)
    assert code == 2 and "http" in err


def test_audit_entries_a_terminal_sent_are_listed_for_staff(capsys, central, enrolled):
    sim = enrolled()
    at = dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC)
    sim.upload([], [AuditUpload(id=7, at=at, actor="technician", action="maintenance.entered", detail=""),
                    AuditUpload(id=8, at=at + dt.timedelta(minutes=1), actor="technician",
                                action="maintenance.exported", detail="3 applications")])
    code, out, _ = _run(capsys, "audit", "list", "--terminal", sim.identity.terminal_code, "--json",
                        "--db", central.db_url)
    assert code == 0
    entries = json.loads(out)
    assert [e["action"] for e in entries] == ["maintenance.exported", "maintenance.entered"]
    assert entries[0]["terminal"] == sim.identity.terminal_code and entries[0]["detail"] == "3 applications"
