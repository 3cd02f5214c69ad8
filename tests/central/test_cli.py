"""The `loket-central` command: staff work on the database, one line and exit 2 on bad input."""

import getpass
import json
import re
import sqlite3

import pytest
from sqlalchemy import select

from central.cli import main
from central.console.accounts import add_staff
from central.db import Database
from central.models import AccessLogEntry, as_utc, utcnow
from tests.central.console.conftest import PASSWORD, ConsoleClient
from tests.harness.simterminal import SimulatedTerminal


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'central.db'}"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_enroll_code_prints_the_code_alone_on_a_line(capsys, db):
    assert run(capsys, "office", "create", "--code", "3273010001", "--name", "Kelurahan Braga", "--db", db)[0] == 0
    code, out, _ = run(capsys, "enroll-code", "--office", "3273010001", "--db", db)
    assert code == 0
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\n", out)


def test_the_database_may_be_named_before_the_command(capsys, tmp_path):
    assert run(capsys, "--db", f"sqlite:///{tmp_path / 'first.db'}", "office", "create", "--code", "A1",
               "--name", "Desa A")[0] == 0
    assert (tmp_path / "first.db").exists()


def test_the_database_defaults_to_the_environment_variable(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("LOKET_CENTRAL_DB", str(tmp_path / "env.db"))
    assert run(capsys, "office", "create", "--code", "A1", "--name", "Desa A")[0] == 0
    assert (tmp_path / "env.db").exists()


@pytest.mark.parametrize("argv, fragment", [
    (["enroll-code", "--office", "nope"], "no office 'nope'"),
    (["office", "create", "--code", "bad code!", "--name", "X"], "office code"),
    (["applications", "show", "K7Q2-2611-0001-X"], "check character"),
    (["applications", "set-status", "K7Q2-2611-0042-X", "lost"], "use one of received"),
    (["terminals", "revoke", "ZZZZ"], "no terminal"),
    (["office", "catalog", "--code", "3273010001", "/nonexistent.json"], "cannot read catalog"),
    (["applications", "frobnicate"], "invalid choice"),
    (["terminals", "revoke"], "required: terminal"),
    (["applications", "list", "--status", "lost"], "use one of received"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, db, argv, fragment):
    run(capsys, "office", "create", "--code", "3273010001", "--name", "Kelurahan Braga", "--db", db)
    code, out, err = run(capsys, *argv, "--db", db)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("loket-central: ")
    assert fragment in err


def test_an_unsupported_database_url_is_one_line_and_exit_2(capsys):
    code, _, err = run(capsys, "terminals", "list", "--db", "mysql://x/y")
    assert code == 2 and "unsupported database 'mysql'" in err


def test_applications_flow_list_show_set_status_with_a_real_upload(capsys, central):
    office = central.create_office()
    sim = SimulatedTerminal(central.url)
    sim.enroll(central.enrollment_code(office))
    app = sim.application(service_code="SKTM", answers={"nama": "Siti Aminah", "nik": "3273015708900003"})
    sim.upload([app])
    db = ["--db", central.db_url]

    code, out, _ = run(capsys, "applications", "list", "--json", "--office", office, *db)
    (row,) = json.loads(out)
    assert (row["reference"], row["service_code"], row["status"]) == (app.reference, "SKTM", "received")

    code, out, _ = run(capsys, "applications", "show", app.reference.lower(), *db)
    shown = json.loads(out)
    assert shown["personal_data"]["answers"] == {"nama": "Siti Aminah", "nik": "3273015708900003"}

    assert run(capsys, "applications", "set-status", app.reference, "ready", *db)[1] == f"{app.reference}: ready\n"
    ready = run(capsys, "applications", "list", "--json", "--office", office, "--status", "ready", *db)[1]
    assert [r["reference"] for r in json.loads(ready)] == [app.reference]
    done = run(capsys, "applications", "list", "--json", "--office", office, "--status", "done", *db)[1]
    assert json.loads(done) == []
    assert [c.status for c in sim.status_changes(0).changes] == ["received", "ready"]
    assert app.reference in run(capsys, "applications", "list", *db)[1]


def _one_uploaded(central):  # noqa: ANN001, ANN202
    """A terminal of a new office, and one application it uploaded."""
    sim = SimulatedTerminal(central.url)
    sim.enroll(central.enrollment_code(central.create_office()))
    app = sim.application()
    sim.upload([app])
    return sim, app


def test_set_status_obeys_the_lifecycle_and_writes_the_access_log_as_the_cli(capsys, central):
    sim, app = _one_uploaded(central)
    db = ["--db", central.db_url]
    for step in ("in_process", "ready", "done"):
        assert run(capsys, "applications", "set-status", app.reference, step, *db)[0] == 0

    code, _, err = run(capsys, "applications", "set-status", app.reference, "in_process", *db)
    assert code == 2 and "done cannot be moved to in_process" in err
    code, _, err = run(capsys, "applications", "set-status", app.reference, "received", *db)
    assert code == 2 and err.count("\n") == 1
    with Database(central.db_url).transaction() as session:
        logged = [(e.username, e.action, e.detail) for e in session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.reference == app.reference).order_by(AccessLogEntry.id))]
    actor = f"cli:{getpass.getuser()}"
    assert logged == [(actor, "status.changed", "in_process"), (actor, "status.changed", "ready"),
                      (actor, "status.changed", "done")]
    assert [c.status for c in sim.status_changes(0).changes] == ["received", "in_process", "ready", "done"]


def test_a_decline_from_the_cli_needs_its_reason_which_reaches_the_terminal(capsys, central):
    sim, app = _one_uploaded(central)
    db = ["--db", central.db_url]
    code, _, err = run(capsys, "applications", "set-status", app.reference, "declined", *db)
    assert code == 2 and "to decline, give the reason" in err
    assert run(capsys, "applications", "set-status", app.reference, "declined", "--note", "KK tidak terbaca",
               *db)[0] == 0
    assert [(c.status, c.reason) for c in sim.status_changes(0, reasons=True).changes] == [
        ("received", None), ("declined", "KK tidak terbaca")]


def test_terminals_list_keys_and_revoke(capsys, central):
    sim = SimulatedTerminal(central.url)
    identity = sim.enroll(central.enrollment_code())
    db = ["--db", central.db_url]
    (row,) = [t for t in json.loads(run(capsys, "terminals", "list", "--json", *db)[1])
              if t["code"] == identity.terminal_code]
    assert row["id"] == identity.terminal_id and row["revoked_at"] is None
    assert json.loads(run(capsys, "terminals", "keys", *db)[1])[identity.terminal_code] == sim.keys.verify_key
    assert run(capsys, "terminals", "revoke", identity.terminal_id, *db)[0] == 0
    (line,) = [t for t in run(capsys, "terminals", "list", *db)[1].splitlines() if t.startswith(identity.terminal_code)]
    assert "revoked" in line
    assert sim.signed("GET", "/api/v1/catalog").status_code == 403


def test_rotate_key_keeps_older_applications_readable(capsys, central):
    office = central.create_office()
    sim = SimulatedTerminal(central.url)
    sim.enroll(central.enrollment_code(office))
    app = sim.application(answers={"nama": "Before Rotation"})
    sim.upload([app])
    db = ["--db", central.db_url]
    assert run(capsys, "office", "rotate-key", "--code", office, *db)[0] == 0
    assert sim.heartbeat().office_key != sim.identity.office_key
    shown = json.loads(run(capsys, "applications", "show", app.reference, *db)[1])
    assert shown["personal_data"]["answers"] == {"nama": "Before Rotation"}


def _uploaded_application(central, answers):
    office = central.create_office()
    sim = SimulatedTerminal(central.url)
    sim.enroll(central.enrollment_code(office))
    app = sim.application(service_code="SKTM", answers=answers)
    sim.upload([app])
    sim.close()
    return office, app


def _openings(db_url, app_id):
    with Database(db_url, migrate_schema=False).transaction() as session:
        return [(e.username, e.action, e.reference, e.detail, as_utc(e.at)) for e in session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.application_id == app_id))]


def test_applications_show_writes_who_looked_to_the_access_log_the_console_lists(capsys, central):
    office, app = _uploaded_application(central, {"nama": "Siti Aminah", "nik": "3273015708900003"})
    before = utcnow()
    code, out, _ = run(capsys, "applications", "show", app.reference, "--reason", "warga menelepon soal SKTM",
                       "--db", central.db_url)
    after = utcnow()
    assert code == 0 and json.loads(out)["personal_data"]["answers"]["nama"] == "Siti Aminah"
    (opening,) = _openings(central.db_url, app.id)
    who, action, reference, why, at = opening
    assert (who, action, reference, why) == (f"cli:{getpass.getuser()}", "personal_data.opened", app.reference,
                                             "warga menelepon soal SKTM")
    assert before <= at <= after

    # the supervisor sees the look on the console's "Log akses" page, as any other opening
    with Database(central.db_url, migrate_schema=False).transaction() as session:
        add_staff(session, office, "lurah-cli", "supervisor", PASSWORD)
    console = ConsoleClient(central.url)
    console.log_in("lurah-cli")
    page = console.get("/staff/access-log")
    assert page.status_code == 200
    (row,) = [r for r in re.findall(r"<tr>.*?</tr>", page.text, re.S) if app.reference in r]
    assert f"cli:{getpass.getuser()}" in row and "Membuka data pribadi" in row and "warga menelepon soal SKTM" in row

    # without --reason the access log still says where the look came from
    assert run(capsys, "applications", "show", app.reference, "--db", central.db_url)[0] == 0
    assert sorted(o[3] for o in _openings(central.db_url, app.id)) == ["loket-central applications show",
                                                                       "warga menelepon soal SKTM"]


def test_applications_show_with_an_empty_reason_is_refused_and_opens_nothing(capsys, central):
    _, app = _uploaded_application(central, {"nama": "Budi"})
    code, out, err = run(capsys, "applications", "show", app.reference, "--reason", "  ", "--db", central.db_url)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "--reason must say why" in err
    assert _openings(central.db_url, app.id) == []


def test_applications_show_prints_nothing_when_the_access_log_cannot_be_written(capsys, central):
    _, app = _uploaded_application(central, {"nama": "Siti Aminah"})
    # the fault at the edge: the database itself refuses any new access-log row
    with sqlite3.connect(central.db_url.removeprefix("sqlite:///")) as raw:
        raw.execute("CREATE TRIGGER refuse_access_log BEFORE INSERT ON access_log "
                    "BEGIN SELECT RAISE(ABORT, 'access log refused for the test'); END")
    try:
        code, out, err = run(capsys, "applications", "show", app.reference, "--db", central.db_url)
    finally:
        with sqlite3.connect(central.db_url.removeprefix("sqlite:///")) as raw:
            raw.execute("DROP TRIGGER refuse_access_log")
    assert (code, out) == (2, "")
    assert "nothing shown" in err and "access log refused for the test" in err and "Siti" not in err
    assert _openings(central.db_url, app.id) == []
