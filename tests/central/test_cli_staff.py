"""`loket-central staff ...`: console accounts from the command line; passwords only from a file or stdin."""

import io
import json

import pytest

from central.cli import main
from central.console.accounts import login_candidate, password_matches
from central.db import Database


@pytest.fixture
def db(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'central.db'}"
    assert main(["office", "create", "--code", "3273010001", "--name", "Kelurahan Braga", "--db", url]) == 0
    capsys.readouterr()
    return url


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def logs_in(db_url: str, username: str, password: str) -> bool:
    database = Database(db_url)
    try:
        with database.transaction() as session:
            candidate = login_candidate(session, username)
        return password_matches(candidate, password)
    finally:
        database.dispose()


def test_staff_add_reads_the_first_line_of_the_file_and_stores_only_an_argon2id_hash(capsys, db, tmp_path):
    secret = tmp_path / "password.txt"
    secret.write_text("satu-dua-tiga-empat\nsecond line ignored\n", encoding="utf-8")
    code, out, _ = run(capsys, "staff", "add", "--office", "3273010001", "--username", "Siti", "--role", "operator",
                       "--password-file", str(secret), "--db", db)
    assert code == 0 and "siti (operator)" in out
    assert logs_in(db, "siti", "satu-dua-tiga-empat") and not logs_in(db, "siti", "second line ignored")
    dump = b"".join(p.read_bytes() for p in tmp_path.glob("central.db*"))  # the WAL too
    assert b"satu-dua-tiga-empat" not in dump and b"$argon2id$" in dump


def test_staff_add_reads_the_password_from_stdin_with_a_dash(capsys, db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("rahasia-dari-stdin\n"))
    assert run(capsys, "staff", "add", "--office", "3273010001", "--username", "lurah", "--role", "supervisor",
               "--password-file", "-", "--db", db)[0] == 0
    code, out, _ = run(capsys, "staff", "list", "--json", "--db", db)
    assert json.loads(out) == [{"username": "lurah", "office": "3273010001", "role": "supervisor",
                                "created_at": json.loads(out)[0]["created_at"], "disabled": False}]
    assert logs_in(db, "lurah", "rahasia-dari-stdin")


def test_disable_stops_logins_and_reset_password_brings_the_account_back(capsys, db, tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("pertama-sekali-1\n"))
    run(capsys, "staff", "add", "--office", "3273010001", "--username", "budi", "--role", "operator",
        "--password-file", "-", "--db", db)
    assert run(capsys, "staff", "disable", "budi", "--db", db)[0] == 0
    assert not logs_in(db, "budi", "pertama-sekali-1")
    assert "disabled" in run(capsys, "staff", "list", "--db", db)[1]
    new = tmp_path / "new.txt"
    new.write_text("kedua-kalinya-2", encoding="utf-8")
    assert run(capsys, "staff", "reset-password", "budi", "--password-file", str(new), "--db", db)[0] == 0
    assert logs_in(db, "budi", "kedua-kalinya-2") and not logs_in(db, "budi", "pertama-sekali-1")


@pytest.mark.parametrize(("argv", "says"), [
    (["--username", "x1", "--role", "operator"], "use 3-60"),
    (["--username", "ani", "--role", "boss"], "invalid choice"),
    (["--username", "ani", "--role", "operator", "--office", "9999"], "no office"),
])
def test_bad_staff_input_is_one_line_and_exit_2(capsys, db, tmp_path, argv, says):
    secret = tmp_path / "p.txt"
    secret.write_text("cukup-panjang-sekali\n", encoding="utf-8")
    base = {"--office": "3273010001"}
    args = [*argv] + ([] if "--office" in argv else ["--office", base["--office"]])
    code, _, err = run(capsys, "staff", "add", *args, "--password-file", str(secret), "--db", db)
    assert code == 2 and says in err and err.count("\n") == 1


def test_a_short_empty_or_missing_password_file_is_refused(capsys, db, tmp_path):
    short, empty = tmp_path / "short.txt", tmp_path / "empty.txt"
    short.write_text("pendek\n", encoding="utf-8")
    empty.write_text("", encoding="utf-8")
    for source, says in ((short, "too short"), (empty, "no password"), (tmp_path / "absent", "cannot read")):
        code, _, err = run(capsys, "staff", "add", "--office", "3273010001", "--username", "ani", "--role",
                           "operator", "--password-file", str(source), "--db", db)
        assert code == 2 and says in err
    assert run(capsys, "staff", "disable", "nobody", "--db", db)[0] == 2
