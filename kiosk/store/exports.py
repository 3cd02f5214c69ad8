"""The queries behind a USB export: what is unsynced, and which of it has left on a bundle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from kiosk.clock import iso, utcnow
from kiosk.store.database import transaction
from kiosk.store.queue import Store
from kiosk.store.records import Outgoing, outgoing_of


def unsynced_applications(store: Store) -> list[Outgoing]:
    """Every application not yet synced (queued or sending), oldest first, without claiming any."""
    rows = store.db.execute(
        "SELECT a.id, a.reference, a.service_code, a.catalog_version, a.created_at, a.flags, a.sealed, "
        "coalesce(o.attempts, 0) FROM applications a LEFT JOIN outbox o ON o.application_id = a.id "
        "WHERE a.state IN ('queued', 'sending') ORDER BY a.created_at, a.reference"
    ).fetchall()
    return [outgoing_of(r) for r in rows]


def mark_exported(store: Store, ids: Iterable[str], *, now: dt.datetime | None = None) -> None:
    stamp = iso(now or utcnow())
    with transaction(store.db):
        store.db.conn.executemany("UPDATE applications SET exported_at = ? WHERE id = ?",
                                  [(stamp, i) for i in ids])


def unsynced_not_exported(store: Store) -> int:
    """Unsynced applications that exist nowhere but on this terminal."""
    return store.db.execute(
        "SELECT count(*) FROM applications WHERE state IN ('queued', 'sending') AND exported_at IS NULL"
    ).fetchone()[0]
