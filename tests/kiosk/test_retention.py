"""Retention on the terminal: what central accepted leaves on time, the rest stays, the file stays bounded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kiosk.applications import file_application
from kiosk.samples import sample_answers
from kiosk.settings import Settings
from kiosk.store import SCHEMA_VERSION, Store
from kiosk.store.retention import apply_retention, run_if_due
from kiosk.store.survey import mark_result_rated
from kiosk.terminal import Terminal
from tests.harness.old_queue import queue_at_version

NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def file_some(terminal: Terminal, count: int, when: dt.datetime) -> list[str]:
    service = terminal.catalog.service("SKU")
    answers = sample_answers(service)
    return [file_application(terminal.store, terminal.catalog, "SKU", answers, now=when).id for _ in range(count)]


def sealed_size(store: Store, app_id: str) -> int:
    return store.db.execute("SELECT length(sealed) FROM applications WHERE id = ?", [app_id]).fetchone()[0]


def file_bytes(store: Store) -> int:
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return store.path.stat().st_size


def test_accepted_answers_go_after_seven_days_and_the_rest_after_180(terminal: Terminal) -> None:
    store = terminal.store
    accepted = file_some(terminal, 3, NOW - 20 * DAY)
    store.mark_synced(accepted, now=NOW - 8 * DAY)
    recent = file_some(terminal, 2, NOW - 3 * DAY)
    store.mark_synced(recent, now=NOW - 3 * DAY)
    waiting = file_some(terminal, 2, NOW - 30 * DAY)  # never reached central: must stay whole

    purged = apply_retention(store, answers_days=7, metadata_days=180, now=NOW)
    assert (purged.answers, purged.applications) == (3, 0)
    assert all(sealed_size(store, i) == 0 for i in accepted)
    assert all(sealed_size(store, i) > 0 for i in recent + waiting)
    assert all(store.get_by_id(i) is not None for i in accepted), "the number and status stay for Cek Status"

    later = apply_retention(store, answers_days=7, metadata_days=180, now=NOW + 175 * DAY)
    assert (later.answers, later.applications) == (2, 3)
    assert all(store.get_by_id(i) is None for i in accepted)
    assert all(store.get_by_id(i) is not None for i in recent + waiting)
    assert store.counts()["queued"] == 2 and all(sealed_size(store, i) > 0 for i in waiting), "nothing unsent lost"
    assert any(e["action"] == "store.retention" for e in store.audit_entries())


def test_deleted_answers_leave_no_bytes_in_the_database_or_its_wal(terminal: Terminal) -> None:
    store = terminal.store
    accepted = file_some(terminal, 3, NOW - 20 * DAY)
    sealed = [store.db.execute("SELECT sealed FROM applications WHERE id = ?", [i]).fetchone()[0] for i in accepted]
    store.mark_synced(accepted, now=NOW - 8 * DAY)
    assert apply_retention(store, answers_days=7, metadata_days=180, now=NOW).answers == 3
    files = b"".join(p.read_bytes() for p in store.path.parent.glob(store.path.name + "*"))
    for blob in sealed:
        assert blob[40:80] not in files


def test_the_database_file_stays_bounded_as_applications_come_and_go(terminal: Terminal) -> None:
    store = terminal.store
    assert store.db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2, "incremental auto-vacuum"
    sizes, shrunk = [], []
    for day in range(6):
        moment = NOW + day * 10 * DAY
        store.mark_synced(file_some(terminal, 150, moment), now=moment)
        full = file_bytes(store)
        purged = apply_retention(store, answers_days=7, metadata_days=9, now=moment + 9.5 * DAY)
        sizes.append(file_bytes(store))
        shrunk.append(purged.pages_freed > 0 and sizes[-1] < full)
    assert all(shrunk), "incremental vacuum gives the freed pages back to the disk"
    assert store.counts()["synced"] == 0
    assert max(sizes[2:]) <= sizes[1] * 1.1, f"the file grows without bound: {sizes}"
    assert sizes[-1] < 150 * 2000, sizes


def test_retention_runs_at_most_hourly_with_the_terminal_settings(terminal: Terminal) -> None:
    store = terminal.store
    old = file_some(terminal, 1, NOW - 40 * DAY)
    store.mark_synced(old, now=NOW - 40 * DAY)
    settings = Settings().updated(answers_retention_days=30, metadata_retention_days=60)
    store.values.retention_last_run = None
    assert run_if_due(store, settings, now=NOW).answers == 1
    assert run_if_due(store, settings, now=NOW + dt.timedelta(minutes=30)) is None
    assert run_if_due(store, settings, now=NOW + dt.timedelta(minutes=61)) is not None


def test_a_version_2_queue_is_migrated_to_incremental_vacuum_with_its_applications(tmp_path: Path) -> None:
    path = tmp_path / "queue.db"
    db = queue_at_version(path, 2)
    db["applications"].insert({"id": "a1", "reference": "K7Q2-2611-0001-X", "service_code": "SKU",
                               "catalog_version": "1", "created_at": "2026-11-01T00:00:00.000Z", "state": "queued",
                               "updated_at": "2026-11-01T00:00:00.000Z", "sealed": b"sealed"})
    db.conn.commit()
    db.conn.close()
    with Store.open(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 3
        assert store.db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
        assert store.get_by_id("a1").state == "queued" and sealed_size(store, "a1") == 6


def test_after_a_restore_what_central_acknowledged_since_and_still_holds_goes_back(terminal: Terminal) -> None:
    store = terminal.store
    old = file_some(terminal, 2, NOW - 20 * DAY)
    store.mark_synced(old, now=NOW - 20 * DAY)  # acknowledged before the backup
    purged = file_some(terminal, 1, NOW - 10 * DAY)
    store.mark_synced(purged, now=NOW - 9 * DAY)
    apply_retention(store, answers_days=7, metadata_days=180, now=NOW - DAY)  # its sealed answers are gone
    since = file_some(terminal, 3, NOW - 3 * DAY)
    store.mark_synced(since, now=NOW - 3 * DAY)

    assert store.requeue_synced_since(NOW - 12 * DAY, now=NOW) == 3
    assert {i for i in old + purged + since if store.get_by_id(i).state == "queued"} == set(since)
    assert all(store.get_by_id(i).state == "synced" for i in old + purged)


def test_result_rating_marks_go_with_the_applications_retention_deletes(terminal: Terminal) -> None:
    store = terminal.store
    old, new = file_some(terminal, 1, NOW - 200 * DAY), file_some(terminal, 1, NOW - DAY)
    store.mark_synced(old, now=NOW - 199 * DAY)
    store.mark_synced(new, now=NOW - DAY)
    mark_result_rated(store, old[0], (NOW - 190 * DAY).date())
    assert set(store.values.result_rated) == {old[0]}
    apply_retention(store, answers_days=7, metadata_days=180, now=NOW)
    mark_result_rated(store, new[0], NOW.date())
    assert store.values.result_rated == {new[0]: NOW.date().isoformat()}  # the deleted one's mark went with it
