"""How long the terminal keeps what central already has: sealed answers N days, metadata M days.

Once central accepted an application (state `synced`), its sealed answers are deleted from the
terminal after `answers_retention_days` (default 7) and its whole row after `metadata_retention_days`
(default 180). The file is in `auto_vacuum = INCREMENTAL` mode, so the pages freed go back to the
disk with `PRAGMA incremental_vacuum` and the database stays bounded. Deleted answers are zeroed
(`secure_delete`) and the WAL, which still holds the pages as they were, is checkpointed and truncated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.clock import iso, utcnow
from kiosk.settings import Settings
from kiosk.store.database import transaction
from kiosk.store.queue import Store

#: retention runs at most this often (on opening the queue and after sync rounds)
EVERY = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Purged:
    answers: int
    applications: int
    pages_freed: int


def apply_retention(store: Store, *, answers_days: int, metadata_days: int,
                    now: dt.datetime | None = None) -> Purged:
    """Deletes what the retention periods say is due; returns how much went."""
    now = now or utcnow()
    answers_before = iso(now - dt.timedelta(days=answers_days))
    metadata_before = iso(now - dt.timedelta(days=metadata_days))
    store.db.conn.execute("PRAGMA secure_delete = ON")  # the deleted answers' bytes are zeroed, not just freed
    with transaction(store.db):
        answers = store.db.execute(
            "UPDATE applications INDEXED BY idx_applications_synced_updated SET sealed = x'', answers_deleted_at = ? "
            "WHERE state = 'synced' AND answers_deleted_at IS NULL AND updated_at < ?",
            [iso(now), answers_before]).rowcount
        applications = store.db.execute(
            "DELETE FROM applications INDEXED BY idx_applications_synced_updated "
            "WHERE state = 'synced' AND updated_at < ?", [metadata_before]).rowcount
    store.db.conn.execute("PRAGMA secure_delete = OFF")
    pages_freed = 0
    if answers or applications:
        free = store.db.execute("PRAGMA freelist_count").fetchone()[0]
        store.db.conn.execute("PRAGMA incremental_vacuum")
        pages_freed = free - store.db.execute("PRAGMA freelist_count").fetchone()[0]
        # the pages as they were before (sealed answers included) stay in the WAL until it is checkpointed
        store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.record_audit("store.retention", f"sealed answers of {answers} and {applications} whole applications "
                           f"deleted (central has them); {pages_freed} pages freed", now=now)
    return Purged(answers, applications, pages_freed)


def forget_answers(store: Store, app_id: str, *, now: dt.datetime | None = None) -> bool:
    """Deletes (zeroes) the sealed answers of one application central has, at once: the office deleted its
    personal data at the citizen's request, so the kiosk keeps no copy either. True when it had them."""
    now = now or utcnow()
    store.db.conn.execute("PRAGMA secure_delete = ON")
    with transaction(store.db):
        forgotten = store.db.execute(
            "UPDATE applications SET sealed = x'', answers_deleted_at = ? "
            "WHERE id = ? AND state = 'synced' AND answers_deleted_at IS NULL", [iso(now), app_id]).rowcount
    store.db.conn.execute("PRAGMA secure_delete = OFF")
    if forgotten:
        store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.record_audit("store.forgotten", f"sealed answers of {app_id} deleted: the office deleted the "
                           "personal data at the citizen's request", now=now)
    return bool(forgotten)


def run_if_due(store: Store, settings: Settings, *, now: dt.datetime | None = None) -> Purged | None:
    """`apply_retention` with the terminal's settings, when the last run is over an hour old."""
    now = now or utcnow()
    last = store.values.retention_last_run
    if last is not None and now - last < EVERY:
        return None
    purged = apply_retention(store, answers_days=settings.answers_retention_days,
                             metadata_days=settings.metadata_retention_days, now=now)
    store.values.retention_last_run = now
    return purged
