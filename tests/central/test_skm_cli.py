"""`loket-central skm report`: bad input is one clear line and exit code 2; no answers, no index."""

from __future__ import annotations

import pytest

from central.cli import main
from central.db import Database
from central.offices import create_office


@pytest.fixture
def db_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'central.db'}"
    db = Database(url)
    with db.transaction() as session:
        create_office(session, "7371011001", "Kelurahan Pattunuang")
    db.dispose()
    return url


@pytest.mark.parametrize("args", [
    ["skm", "report", "--office", "0000000000"],
    ["skm", "report", "--office", "7371011001", "--from", "27-11-2026"],
    ["skm", "report", "--office", "7371011001", "--from", "2026-12-01", "--to", "2026-11-01"],
])
def test_bad_input_is_one_line_and_exit_code_2(db_url, args, capsys):
    assert main([*args, "--db", db_url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("loket-central: ") and err.count("\n") == 1 and "Traceback" not in err


def test_an_office_without_answers_reports_no_index_yet(db_url, capsys):
    assert main(["skm", "report", "--db", db_url, "--office", "7371011001"]) == 0
    out = capsys.readouterr().out
    assert "0 respondents" in out and "not every element answered yet" in out
