"""A queue SQLite calls corrupt is moved aside; the terminal keeps its identity, refuses re-provisioning
while the old file holds applications, and `loket recover` puts them back exactly once.

Nothing lost: every application a receipt was printed for ends at central, exactly once.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from kiosk.errors import LoketError
from kiosk.reference import parse_reference
from kiosk.store.recovery import GENERATION_STEP, moved_aside_files, recover
from kiosk.terminal import Terminal
from loket.cli import main as loket
from loket.provisioning import ReprovisionRefused, check_can_reprovision
from sync.worker import SyncWorker
from tests.sync.conftest import FAST_BACKOFF, FAST_TIMEOUTS, CentralView, file_many


def corrupt_the_audit_table(database: Path) -> None:
    """Breaks one b-tree page (the audit log's root) the way a bad sector would; the applications stay readable."""
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'audit'").fetchone()[0]
    conn.close()
    with open(database, "r+b") as raw:
        raw.seek((root - 1) * page_size)
        raw.write(b"\x00" * 16)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sequence_of(reference: str) -> int:
    return int(parse_reference(reference).split("-")[2])


def test_a_corrupt_queue_keeps_the_identity_and_its_applications_reach_central_exactly_once(
    enrolled: Terminal, central_view: CentralView, capsys
) -> None:
    home = enrolled.paths.home
    identity = enrolled.identity
    at_central = file_many(enrolled, 3)
    assert SyncWorker(home, backoff=FAST_BACKOFF, timeouts=FAST_TIMEOUTS).run_once().ok
    # the terminal lost the news that these three arrived: they are queued here and at central already
    enrolled.store.db.execute("UPDATE applications SET state = 'queued'")
    enrolled.store.db.conn.executemany("INSERT INTO outbox (application_id, enqueued_at, next_attempt_at, attempts) "
                                       "VALUES (?, '2026-01-01', '2026-01-01', 0)", [(i,) for i in at_central])
    only_here = file_many(enrolled, 4, start=3)
    receipts = {a.id: a.reference for a in enrolled.store.applications()}
    for n in range(300):
        enrolled.store.record_audit("test.filler", f"entry {n} " + "x" * 200)
    enrolled.close()
    database = home / "queue.db"
    corrupt_the_audit_table(database)

    terminal = Terminal(home)
    try:
        assert terminal.identity == identity, "the identity comes back from identity.json"
        [aside] = moved_aside_files(database)
        original = sha(aside)
        assert terminal.store.counts()["queued"] == 0

        fresh = file_many(terminal, 1, start=7)
        [fresh_ref] = [a.reference for a in terminal.store.applications()]
        assert sequence_of(fresh_ref) == GENERATION_STEP + 1, "a fresh queue never reuses a printed number"

        assert loket(["--home", str(home), "doctor"]) == 1
        doctor = capsys.readouterr().out
        assert f"moved aside: {aside.name}: 7 unsynced, 7 not yet recovered" in doctor
        with pytest.raises(ReprovisionRefused, match="7 not yet recovered"):
            check_can_reprovision(terminal)
        assert loket(["--home", str(home), "provision", "--force", "--terminal-code", "ZZ99", "--office-code", "1",
                      "--office-name", "Other", "--office-key", identity.office_key]) == 2
        assert "loket recover" in capsys.readouterr().err
        assert terminal.identity.terminal_code == identity.terminal_code

        assert loket(["--home", str(home), "recover", aside.name]) == 0
        assert "7 application(s) re-queued, 0 already" in capsys.readouterr().out
        assert loket(["--home", str(home), "recover", str(aside)]) == 0
        assert "0 application(s) re-queued, 7 already" in capsys.readouterr().out
        assert sha(aside) == original, "rescue reads a copy: the moved-aside file is never changed"
        assert {a.id: a.reference for a in terminal.store.applications() if a.id in receipts} == receipts
        with pytest.raises(ReprovisionRefused, match="8 application"):  # now the live queue's own rule applies
            check_can_reprovision(terminal)

        report = SyncWorker(home, backoff=FAST_BACKOFF, timeouts=FAST_TIMEOUTS).run_once(force=True)
        assert report.ok, report.errors
        assert terminal.store.counts()["synced"] == 8
        everything = {**at_central, **only_here, **fresh}
        assert central_view.count_by_id() == {app_id: 1 for app_id in everything}
        check_can_reprovision(terminal)  # all at central, the old file holds nothing stranded: allowed
    finally:
        terminal.close()


def test_a_moved_aside_file_that_cannot_be_read_is_reported_and_nothing_is_recovered(terminal: Terminal) -> None:
    junk = terminal.paths.home / "queue.db.corrupt-20260101T000000"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ReprovisionRefused, match="cannot be read"):
        check_can_reprovision(terminal)
    with pytest.raises(LoketError, match="nothing was recovered"):
        recover(terminal.store, junk)


def test_a_moved_aside_file_that_never_held_applications_does_not_block_re_provisioning(terminal: Terminal,
                                                                                         capsys) -> None:
    (terminal.paths.home / "queue.db.corrupt-20260101T000000").write_bytes(b"")
    check_can_reprovision(terminal)
    assert loket(["--home", str(terminal.paths.home), "recover"]) == 0
    assert "queue.db.corrupt-20260101T000000: 0 unsynced, 0 not yet recovered" in capsys.readouterr().out
