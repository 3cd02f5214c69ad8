"""A terminal's queue database as an older Loket left it, for migration tests."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from kiosk.store.schema import MIGRATIONS


def queue_at_version(path: Path, version: int) -> sqlite_utils.Database:
    """A new queue file with the first `version` migrations applied, as that version made it."""
    db = sqlite_utils.Database(path)
    for migration in MIGRATIONS[:version]:
        migration(db)
    db.execute(f"PRAGMA user_version = {version}")
    return db
