"""The queue database's schema, as forward migrations numbered by `PRAGMA user_version`.

Each migration takes the database from version N-1 to N inside one transaction. A database whose
version is above `SCHEMA_VERSION` was written by a newer Loket and is refused, never altered.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import sqlite_utils

from kiosk.errors import SchemaTooNew


def _v1(db: sqlite_utils.Database) -> None:
    db["applications"].create(
        {
            "id": str,
            "reference": str,
            "service_code": str,
            "catalog_version": str,
            "created_at": str,
            "state": str,
            "reason": str,
            "central_status": str,
            "central_status_at": str,
            "updated_at": str,
            "flags": str,
            "sealed": bytes,
        },
        pk="id",
        not_null={"reference", "service_code", "catalog_version", "created_at", "state", "sealed"},
        defaults={"flags": ""},
    )
    db["applications"].create_index(["reference"], unique=True)
    db["applications"].create_index(["state", "created_at"])
    db["outbox"].create(
        {"application_id": str, "enqueued_at": str, "next_attempt_at": str, "attempts": int, "last_error": str},
        pk="application_id",
        not_null={"enqueued_at", "next_attempt_at", "attempts"},
        foreign_keys=[("application_id", "applications", "id")],
    )
    db["outbox"].create_index(["next_attempt_at"])
    db["sequences"].create({"period": str, "last": int}, pk="period", not_null={"last"})
    db["terminal"].create(
        {
            "slot": int,
            "terminal_code": str,
            "office_code": str,
            "office_name": str,
            "office_key": str,
            "signing_key": str,
            "verify_key": str,
            "server_url": str,
            "terminal_id": str,
            "provisioned_at": str,
        },
        pk="slot",
    )
    db["audit"].create(
        {"id": int, "at": str, "actor": str, "action": str, "detail": str, "synced": int},
        pk="id",
        not_null={"at", "action"},
        defaults={"synced": 0, "detail": "", "actor": "system"},
    )
    db["audit"].create_index(["synced"])
    db["kv"].create({"key": str, "value": str}, pk="key")


def _v2(db: sqlite_utils.Database) -> None:
    # When the application last left on a USB bundle: re-provisioning needs every unsynced one exported.
    db["applications"].add_column("exported_at", str)


def _v3(db: sqlite_utils.Database) -> None:
    # Retention (kiosk.store.retention): when the sealed answers of an accepted application were deleted.
    if "answers_deleted_at" not in db["applications"].columns_dict:
        db["applications"].add_column("answers_deleted_at", str)
    db["applications"].create_index(["state", "updated_at"], index_name="idx_applications_state_updated",
                                    if_not_exists=True)


def _v4(db: sqlite_utils.Database) -> None:
    # The satisfaction survey (SKM), apart from applications: a random id, the day and service, the
    # scores; no time and no row order (WITHOUT ROWID on a random key), so no answer leads to a citizen.
    db.execute(
        "CREATE TABLE IF NOT EXISTS skm_responses (id TEXT PRIMARY KEY, day TEXT NOT NULL, service_code TEXT NOT NULL, "
        "overall INTEGER, elements TEXT NOT NULL) WITHOUT ROWID"
    )


def _v5(db: sqlite_utils.Database) -> None:
    # Fewer index pages in each submit's commit (bench.store): retention only looks for synced rows, so
    # its index holds only those and a queued row never touches it; the outbox holds only what is not
    # yet synced, and claiming walks it in insertion order, so a due-time index only cost writes.
    db.execute("DROP INDEX IF EXISTS idx_applications_state_updated")
    db.execute("CREATE INDEX IF NOT EXISTS idx_applications_synced_updated ON applications (updated_at) "
               "WHERE state = 'synced'")
    db.execute("DROP INDEX IF EXISTS idx_outbox_next_attempt_at")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3, _v4, _v5]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def refuse_newer(db: sqlite_utils.Database) -> None:
    """Raises `SchemaTooNew` for a database written by a newer Loket, before anything touches it."""
    found = schema_version(db)
    if found > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"the queue database has schema version {found}, but this Loket knows only up to "
            f"{SCHEMA_VERSION}: it was written by a newer Loket. Install that version again; the "
            "database was left untouched."
        )


def migrate(db: sqlite_utils.Database) -> int:
    """Brings the database up to `SCHEMA_VERSION`; returns the version it found."""
    refuse_newer(db)
    found = schema_version(db)
    for version in range(found + 1, SCHEMA_VERSION + 1):
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version - 1](db)
            db.conn.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            db.conn.execute("ROLLBACK")
            raise
        db.conn.execute("COMMIT")
    return found


def ensure_incremental_vacuum(db: sqlite_utils.Database) -> bool:
    """Switches the file to `auto_vacuum = INCREMENTAL` (a one-off VACUUM, outside any transaction), so
    that pages freed by retention can be given back; True when it changed. A full disk leaves it as is."""
    if db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2:
        return False
    try:
        db.conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        db.conn.execute("VACUUM")
    except sqlite3.Error:
        return False  # e.g. no room for the copy VACUUM makes: retention still deletes, the file just keeps its size
    return True
