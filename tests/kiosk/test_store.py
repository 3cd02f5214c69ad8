"""The local queue: durable submit, states, migrations and recovery from a corrupt file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from kiosk.errors import NotProvisioned, SchemaTooNew
from kiosk.reference import parse_reference
from kiosk.store import SCHEMA_VERSION, Store, TerminalIdentity
from tests.harness.old_queue import queue_at_version

IDENTITY = TerminalIdentity(terminal_code="K7Q2", office_code="OFF1", office_name="Kelurahan Braga",
                            office_key="x" * 44, signing_key="s", verify_key="v")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "queue.db")
    s.save_identity(IDENTITY)
    yield s
    s.close()


def submit(store: Store, **kw) -> object:
    return store.submit("SKD", "2026.11.1", b"sealed-bytes", **kw)


def test_submit_queues_the_application_with_its_outbox_entry(store: Store) -> None:
    app = submit(store)
    assert app.state == "queued"
    assert store.get(app.reference) == app
    outbox = list(store.db["outbox"].rows)
    assert [row["application_id"] for row in outbox] == [app.id]


def test_references_are_sequential_per_month_and_carry_a_valid_check_character(store: Store) -> None:
    nov = dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)
    refs = [submit(store, now=nov).reference for _ in range(3)]
    dec = submit(store, now=dt.datetime(2026, 12, 2, 3, 0, tzinfo=dt.UTC)).reference
    assert [r.split("-")[2] for r in refs] == ["0001", "0002", "0003"]
    assert dec.startswith("K7Q2-2612-0001-")
    assert all(parse_reference(r) == r for r in refs + [dec])


def test_the_reference_month_is_the_offices_and_turns_at_its_midnight(store: Store) -> None:
    store.save_identity(dataclasses.replace(IDENTITY, office_code="9171011001"))  # Jayapura: WIT, UTC+9
    last_of_november = submit(store, now=dt.datetime(2026, 11, 30, 14, 59, tzinfo=dt.UTC))  # 23.59 WIT
    first_of_december = submit(store, now=dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC))  # 00.00 WIT
    clock_put_back = submit(store, now=dt.datetime(2026, 11, 30, 14, 59, 30, tzinfo=dt.UTC))
    assert last_of_november.reference.startswith("K7Q2-2611-0001-")
    assert first_of_december.reference.startswith("K7Q2-2612-0001-")
    assert clock_put_back.reference.startswith("K7Q2-2611-0002-")


def test_a_new_terminal_code_numbers_the_next_application(store: Store) -> None:
    now = dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)
    assert submit(store, now=now).reference.startswith("K7Q2-2611-0001-")
    store.save_identity(dataclasses.replace(IDENTITY, terminal_code="M3X8"))
    assert submit(store, now=now).reference.startswith("M3X8-2611-0002-")


def test_submit_on_an_unprovisioned_terminal_is_refused(tmp_path: Path) -> None:
    with Store.open(tmp_path / "q.db") as blank, pytest.raises(NotProvisioned):
        submit(blank)
    with Store.open(tmp_path / "q.db") as again:
        assert again.counts()["queued"] == 0


def test_claim_marks_due_applications_sending_oldest_first(store: Store) -> None:
    first, second = submit(store), submit(store)
    claimed = store.claim(10)
    assert [o.reference for o in claimed] == [first.reference, second.reference]
    assert claimed[0].sealed == b"sealed-bytes"
    assert store.counts()["sending"] == 2
    assert store.claim(10) == []


def test_synced_applications_leave_the_outbox(store: Store) -> None:
    app = submit(store)
    store.claim(10)
    store.mark_synced([app.id])
    assert store.get(app.reference).state == "synced"
    assert store.db["outbox"].count == 0
    assert store.oldest_unsynced_age_s() is None


def test_rejected_application_keeps_its_reason_and_leaves_the_outbox(store: Store) -> None:
    app = submit(store)
    store.claim(10)
    store.mark_rejected(app.id, "unknown service code")
    got = store.get(app.reference)
    assert (got.state, got.reason) == ("rejected", "unknown service code")
    assert store.db["outbox"].count == 0


def test_retry_puts_the_application_back_with_a_delay_and_the_error(store: Store) -> None:
    app = submit(store)
    store.claim(10)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    store.mark_retry([app.id], "connection refused", later)
    assert store.get(app.reference).state == "queued"
    assert store.claim(10) == []  # not due yet
    assert [o.id for o in store.claim(10, now=later)] == [app.id]
    assert store.last_errors() == [(app.reference, "connection refused")]


def test_sending_left_by_a_crash_returns_to_queued_on_open(tmp_path: Path) -> None:
    path = tmp_path / "queue.db"
    with Store.open(path) as s:
        s.save_identity(IDENTITY)
        app = submit(s)
        s.claim(10)
        assert s.get(app.reference).state == "sending"
    with Store.open(path) as reopened:
        assert reopened.get(app.reference).state == "queued"


def test_central_status_is_kept_beside_the_sync_state(store: Store) -> None:
    app = submit(store)
    store.claim(1)
    store.mark_synced([app.id])
    assert store.set_central_status(app.id, "ready", dt.datetime.now(dt.UTC))
    got = store.get(app.reference)
    assert (got.state, got.central_status, got.status) == ("synced", "ready", "ready")
    assert not store.set_central_status("not-ours", "done", dt.datetime.now(dt.UTC))


def test_counts_list_every_state(store: Store) -> None:
    submit(store)
    assert store.counts() == {"queued": 1, "sending": 0, "synced": 0, "rejected": 0}


def test_new_database_gets_the_current_schema_version(tmp_path: Path) -> None:
    with Store.open(tmp_path / "q.db") as s:
        assert s.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def _indexes(db: sqlite_utils.Database) -> set[str]:
    return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_a_version_4_queue_keeps_its_applications_and_loses_the_indexes_a_submit_paid_for(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    db = queue_at_version(path, 4)
    db.execute("INSERT INTO applications (id, reference, service_code, catalog_version, created_at, state, "
               "updated_at, sealed) VALUES ('a1', 'K7Q2-2611-0001-X', 'SKD', '1', '2026-11-01T00:00:00+00:00', "
               "'queued', '2026-11-01T00:00:00+00:00', x'00')")
    db.execute("INSERT INTO outbox VALUES ('a1', '2026-11-01T00:00:00+00:00', '2026-11-01T00:00:00+00:00', 0, NULL)")
    db.conn.commit()
    assert {"idx_applications_state_updated", "idx_outbox_next_attempt_at"} <= _indexes(db)
    db.conn.close()
    with Store.open(path) as s:
        s.save_identity(IDENTITY)
        later = submit(s)
        assert [o.id for o in s.claim(10)] == ["a1", later.id]
        assert not {"idx_applications_state_updated", "idx_outbox_next_attempt_at"} & _indexes(s.db)
        plan = s.db.execute("EXPLAIN QUERY PLAN DELETE FROM applications INDEXED BY idx_applications_synced_updated "
                            "WHERE state = 'synced' AND updated_at < '2026'").fetchall()
        assert "idx_applications_synced_updated" in str(plan)


def test_claiming_takes_the_oldest_first_and_stops_at_the_limit(store: Store) -> None:
    apps = [submit(store) for _ in range(5)]
    store.mark_retry([apps[0].id], "central busy", dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    assert [o.id for o in store.claim(3)] == [a.id for a in apps[1:4]]
    assert [o.id for o in store.claim(3)] == [apps[4].id]


def test_database_from_a_newer_loket_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE future (x)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(SchemaTooNew, match="newer Loket"):
        Store.open(path)
    assert path.read_bytes() == before


def test_corrupt_database_is_moved_aside_and_a_fresh_queue_starts(tmp_path: Path) -> None:
    path = tmp_path / "queue.db"
    path.write_bytes(b"this is not a database" * 500)
    with Store.open(path) as s:
        assert s.counts()["queued"] == 0
        assert len(s.recovery_notes) == 1 and "moved aside" in s.recovery_notes[0]
        assert [e["action"] for e in s.audit_entries()] == ["store.recovered"]
    aside = list(tmp_path.glob("queue.db.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")


def test_damaged_pages_are_found_by_the_check_and_the_file_kept(tmp_path: Path) -> None:
    path = tmp_path / "queue.db"
    with Store.open(path) as s:
        s.save_identity(IDENTITY)
        for _ in range(300):
            submit(s)
        s.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(3 * page, 6 * page):
        data[offset] = 0x5A
    path.write_bytes(bytes(data))
    with Store.open(path) as s:
        assert s.recovery_notes
        assert s.integrity_check() == "ok"
    assert list(tmp_path.glob("queue.db.corrupt-*"))


def test_audit_entries_can_be_marked_synced(store: Store) -> None:
    store.record_audit("maintenance.entered", "pin ok", actor="technician")
    entries = store.audit_entries(unsynced_only=True)
    assert [e["action"] for e in entries] == ["maintenance.entered"]
    store.mark_audit_synced([e["id"] for e in entries])
    assert store.audit_entries(unsynced_only=True) == []


def test_a_decline_pulled_from_central_keeps_the_offices_reason(store: Store) -> None:
    declined, ready = submit(store), submit(store)
    store.claim(2)
    store.mark_synced([declined.id, ready.id])
    now = dt.datetime.now(dt.UTC)
    assert store.set_central_statuses([(declined.id, "declined", now, "Fotokopi KK tidak terbaca"),
                                       (ready.id, "ready", now, "ignored: only a decline has a reason")]) == 2
    assert (store.get(declined.reference).status, store.get(declined.reference).reason) == (
        "declined", "Fotokopi KK tidak terbaca")
    assert store.get(ready.reference).reason is None


def test_centrals_rejection_and_the_offices_decline_are_read_apart(store: Store) -> None:
    rejected, declined = submit(store), submit(store)
    store.claim(2)
    store.mark_rejected(rejected.id, "unknown service code")
    store.mark_synced([declined.id])
    now = dt.datetime.now(dt.UTC)
    store.set_central_statuses([(declined.id, "declined", now, "Fotokopi KK tidak terbaca"),
                                (rejected.id, "declined", now, "never the office's word on a refused one")])
    refused, turned_down = store.get(rejected.reference), store.get(declined.reference)
    assert (refused.rejection_reason, refused.decline_reason) == ("unknown service code", None)
    assert (turned_down.rejection_reason, turned_down.decline_reason) == (None, "Fotokopi KK tidak terbaca")
