"""`loket-central backup` / `restore` and the restore drill: back up, file more, lose the database,
restore, let the terminal sync — every application is in central exactly once, opened with the key
file that was never inside the backup.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import psycopg
import pytest

from central.cli import main as central_main
from central.devserver import start_central
from central.settings import key_file
from kiosk.terminal import Terminal
from loket.cli import main as loket_main
from sync.enrollment import enroll_terminal
from tests.harness.central import RunningPostgres, create_test_office, new_enrollment_code
from tests.sync.conftest import CentralView, file_many


def _sync(terminal: Terminal, capsys) -> dict:
    capsys.readouterr()
    assert loket_main(["--home", str(terminal.paths.home), "sync", "--once", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _lose_and_restore(db_url: str, backup: Path, pg: RunningPostgres | None, capsys) -> str:
    if pg is None:
        Path(db_url.removeprefix("sqlite:///")).unlink()
        for suffix in ("-wal", "-shm"):
            Path(db_url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    else:
        name = db_url.rsplit("/", 1)[1]
        with psycopg.connect(f"host=127.0.0.1 port={pg.port} user=tester dbname=postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        pg.create_database(name)
    assert central_main(["restore", "--db", db_url, str(backup)]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_restore_drill_loses_nothing_and_counts_nothing_twice(engine, tmp_path, request, capsys):
    pg = request.getfixturevalue("postgres_cluster") if engine == "postgres" else None
    db_url = pg.create_database("drill") if pg else f"sqlite:///{tmp_path / 'central.db'}"
    server = start_central(db_url, log_path=tmp_path / "central.log")
    terminal = Terminal(tmp_path / "kiosk")
    view = None
    try:
        enroll_terminal(terminal, server.url, new_enrollment_code(db_url, create_test_office(db_url).code))
        filed = file_many(terminal, 3)
        assert _sync(terminal, capsys)["accepted"] == 3

        backup = tmp_path / "backups" / "central.backup"
        backup.parent.mkdir()
        assert central_main(["backup", "--db", db_url, "--out", str(backup)]) == 0
        assert "is not in it" in capsys.readouterr().out
        assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
        assert key_file().read_bytes().strip() not in backup.read_bytes()

        filed |= file_many(terminal, 4, start=3)  # filed after the backup: central acknowledges them, then loses them
        assert _sync(terminal, capsys)["accepted"] == 4
        server.stop()
        said = _lose_and_restore(db_url, backup, pg, capsys)
        assert "3 applications" in said and "resend" in said
        server.start()

        filed |= file_many(terminal, 1, start=7)
        report = _sync(terminal, capsys)  # the heartbeat says "restored": everything since the backup goes again
        assert (report["accepted"], report["duplicate"]) == (5, 3)
        view = CentralView(db_url, terminal.identity.terminal_id)
        assert view.count_by_id() == {app_id: 1 for app_id in filed}
        assert terminal.store.counts().get("queued", 0) == 0
        last = next(iter(filed.keys() - set(list(filed)[:3])))
        assert view.opened(last)["personal_data"]["answers"] == filed[last]  # the key file opens it

        again = _sync(terminal, capsys)  # once per restore, not on every round
        assert (again["accepted"], again["duplicate"]) == (0, 0)
    finally:
        if view:
            view.close()
        terminal.close()
        server.stop()


def test_backup_refuses_an_existing_file_and_restore_a_database_in_use(tmp_path, capsys):
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    create_test_office(db_url)
    backup = tmp_path / "central.backup"
    assert central_main(["backup", "--db", db_url, "--out", str(backup)]) == 0
    assert central_main(["backup", "--db", db_url, "--out", str(backup)]) == 2
    assert "exists" in capsys.readouterr().err
    assert central_main(["restore", "--db", db_url, str(backup)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert central_main(["restore", "--db", db_url, str(tmp_path / "missing")]) == 2
    assert "no such backup" in capsys.readouterr().err
