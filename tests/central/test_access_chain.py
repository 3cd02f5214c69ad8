"""The access log's hash chain: every entry written is chained per office, `loket-central audit verify`
passes on an untouched log and names the entry edited, deleted, moved or slipped in behind Loket's back
(in the SQLite file itself), old entries are chained by the migration, and concurrent writers on
PostgreSQL never fork an office's chain."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import select

from central import access_chain
from central.db import MIGRATIONS, Database
from central.models import AccessLogChain, AccessLogEntry, utcnow
from central.offices import get_office
from tests.harness.central import create_test_office

ROOT = Path(__file__).resolve().parents[2]


def write_entries(db: Database, office_code: str, count: int, *, actor: str = "siti") -> list[int]:
    """`count` openings of personal data in one transaction, as the console writes them; their ids."""
    with db.transaction() as session:
        office_id = get_office(session, office_code).id
        entries = [AccessLogEntry(at=utcnow(), username=actor, office_id=office_id, action="personal_data.opened",
                                  reference=f"K7Q2-2611-{n:04d}-X", detail=f"processing {n}") for n in range(count)]
        session.add_all(entries)
        session.flush()
        return [e.id for e in entries]


def audit_verify(db_url: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "central", "audit", "verify", "--db", db_url, *extra],
                          capture_output=True, text=True, timeout=60, cwd=ROOT, env={**os.environ})


def sqlite_file(tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "central.db"
    return f"sqlite:///{path}", path


def logged_office(tmp_path: Path, count: int) -> tuple[str, Path, list[int]]:
    """A SQLite central with one office whose log has `count` entries: its URL, file and the entries' ids."""
    url, path = sqlite_file(tmp_path)
    office = create_test_office(url).code
    db = Database(url)
    ids = write_entries(db, office, count)
    db.dispose()
    return url, path, ids


def test_entries_are_chained_per_office_in_the_order_written(tmp_path):
    url, _ = sqlite_file(tmp_path)
    braga, cibadak = create_test_office(url).code, create_test_office(url).code
    db = Database(url)
    first = write_entries(db, braga, 3)
    write_entries(db, cibadak, 2)
    later = write_entries(db, braga, 2)
    with db.transaction() as session:
        rows = session.scalars(select(AccessLogEntry).where(AccessLogEntry.id.in_(first + later))
                               .order_by(AccessLogEntry.id)).all()
        assert [r.chain_seq for r in rows] == [1, 2, 3, 4, 5]
        assert rows[0].prev_hash == access_chain.GENESIS
        assert all(b.prev_hash == a.entry_hash for a, b in zip(rows, rows[1:], strict=False))
        head = session.get(AccessLogChain, get_office(session, braga).id)
        assert (head.last_seq, head.last_hash) == (5, rows[-1].entry_hash)
        assert access_chain.verify(session).holds
    db.dispose()


def test_verify_passes_then_names_the_entry_edited_in_the_database_file(tmp_path):
    url, path, ids = logged_office(tmp_path, 5)

    clean = audit_verify(url)
    assert clean.returncode == 0, clean.stderr
    assert "the chain holds" in clean.stdout

    with sqlite3.connect(path) as raw:  # someone with the file hides why they looked
        raw.execute("UPDATE access_log SET detail = 'nothing to see' WHERE id = ?", (ids[2],))
    broken = audit_verify(url)
    assert broken.returncode == 1
    assert f"entry #{ids[2]} (no. 3," in broken.stdout
    assert "was altered" in broken.stdout
    assert "BROKEN in 1 place(s)" in broken.stdout


def test_verify_names_a_deleted_entry_and_a_deleted_last_entry(tmp_path):
    url, path, ids = logged_office(tmp_path, 5)
    with sqlite3.connect(path) as raw:
        raw.execute("DELETE FROM access_log WHERE id IN (?, ?)", (ids[1], ids[4]))
    broken = audit_verify(url)
    assert broken.returncode == 1
    assert f"entries no. 2-2 are missing between entry #{ids[0]} (no. 1," in broken.stdout
    assert f"and entry #{ids[2]} (no. 3," in broken.stdout
    assert f"entries no. 5-5 after entry #{ids[3]} (no. 4," in broken.stdout


def test_verify_names_entries_moved_and_one_slipped_in_without_its_hash(tmp_path):
    url, path, ids = logged_office(tmp_path, 4)
    with sqlite3.connect(path) as raw:
        office_id = raw.execute("SELECT office_id FROM access_log WHERE id = ?", (ids[0],)).fetchone()[0]
    with sqlite3.connect(path) as raw:  # entries 2 and 3 swap places in the chain
        raw.execute("UPDATE access_log SET chain_seq = -1 WHERE id = ?", (ids[1],))
        raw.execute("UPDATE access_log SET chain_seq = 2 WHERE id = ?", (ids[2],))
        raw.execute("UPDATE access_log SET chain_seq = 3 WHERE id = ?", (ids[1],))
        raw.execute("INSERT INTO access_log (at, username, office_id, action, detail) "
                    "VALUES ('2026-12-01 08:00:00.000000', 'intruder', ?, 'login', '')", (office_id,))
    broken = audit_verify(url, "--json")
    assert broken.returncode == 1
    report = json.loads(broken.stdout)
    assert report["holds"] is False
    altered = {f["entry_id"] for f in report["faults"] if "was altered or moved" in f["problem"]}
    assert altered == {ids[1], ids[2]}
    slipped_in = [f["problem"] for f in report["faults"] if "outside the chain" in f["problem"]]
    assert len(slipped_in) == 1 and "intruder" in slipped_in[0]


def test_verify_of_an_unknown_office_is_one_line_and_exit_2(tmp_path):
    url, _ = sqlite_file(tmp_path)
    Database(url).dispose()
    answer = audit_verify(url, "--office", "NOPE")
    assert answer.returncode == 2
    assert answer.stderr.strip() == "loket-central: no office 'NOPE'"


def test_the_migration_chains_entries_written_before_it(tmp_path):
    url, path = sqlite_file(tmp_path)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "0010")  # the step before the chain
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO offices (id, code, name, created_at) VALUES (1, 'B1', 'Braga', '2026-01-01')")
        for n, at in enumerate(["2026-12-01 09:00:00.000000", "2026-12-01 08:00:00.000000",
                                "2026-12-01 10:00:00.250000"]):
            raw.execute("INSERT INTO access_log (at, username, office_id, action, detail) VALUES (?, ?, 1, ?, ?)",
                        (at, f"staff{n}", "personal_data.opened", f"look {n}"))
        raw.execute("INSERT INTO access_log (at, username, office_id, action, detail) "
                    "VALUES ('2026-12-01 07:00:00.000000', 'ghost', NULL, 'login.failed', '')")
    db = Database(url)  # migrates to head
    with db.transaction() as session:
        rows = session.scalars(select(AccessLogEntry).where(AccessLogEntry.office_id == 1)
                               .order_by(AccessLogEntry.chain_seq)).all()
        assert [r.username for r in rows] == ["staff1", "staff0", "staff2"]  # time order, not insert order
        assert access_chain.verify(session).holds
    write_entries(db, "B1", 1)  # new entries continue the migrated chain
    with db.transaction() as session:
        report = access_chain.verify(session)
        assert report.holds and report.entries == 5
    db.dispose()


def test_concurrent_writers_on_postgres_never_fork_an_office_chain(postgres_url):
    office = create_test_office(postgres_url).code
    db = Database(postgres_url, pool_size=8)
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def writer(name: str) -> None:
        try:
            start.wait()
            for _ in range(15):
                write_entries(db, office, 2, actor=name)
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(f"staff{n}",)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    with db.transaction() as session:
        office_id = get_office(session, office).id
        seqs = list(session.scalars(select(AccessLogEntry.chain_seq).where(AccessLogEntry.office_id == office_id)
                                    .order_by(AccessLogEntry.chain_seq)))
        assert seqs == list(range(1, 6 * 15 * 2 + 1))
        report = access_chain.verify(session, [get_office(session, office)], include_officeless=False)
        assert report.holds and report.entries == 180
    db.dispose()


def test_verify_reads_the_log_in_batches_and_still_finds_a_fault_past_the_first(tmp_path, monkeypatch):
    url, path = sqlite_file(tmp_path)
    office = create_test_office(url).code
    db = Database(url)
    ids = write_entries(db, office, 25)
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE access_log SET at = ? WHERE id = ?",
                    (dt.datetime(2026, 1, 1).strftime("%Y-%m-%d %H:%M:%S.%f"), ids[21]))
    monkeypatch.setattr(access_chain, "VERIFY_BATCH", 7)
    with db.transaction() as session:
        report = access_chain.verify(session, [get_office(session, office)], include_officeless=False)
    assert report.entries == 25
    assert [(f.kind, f.entry_id) for f in report.faults] == [(access_chain.ALTERED, ids[21])]
    db.dispose()


def test_verifying_only_the_newest_entries_trusts_the_older_and_still_names_a_newer_fault(tmp_path):
    url, path, ids = logged_office(tmp_path, 10)
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE access_log SET detail = 'x' WHERE id IN (?, ?)", (ids[1], ids[8]))
    db = Database(url)
    with db.transaction() as session:
        office_id = session.get(AccessLogEntry, ids[0]).office_id
        newest = access_chain.verify_office(session, office_id, "B", newest=4)
        whole = access_chain.verify_office(session, office_id, "B")
    db.dispose()
    assert (newest.from_seq, newest.entries) == (7, 4)
    assert [f.entry_id for f in newest.faults] == [ids[8]]
    assert [f.entry_id for f in whole.faults] == [ids[1], ids[8]]
