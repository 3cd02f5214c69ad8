"""Opening the queue database: pragmas for durability, schema migration, and corrupt-file recovery.

A corrupt database is never deleted: it is renamed aside (with its -wal and -shm files) so that a
technician can still rescue it, and a fresh queue starts so that the kiosk keeps serving citizens.
Only a file SQLite itself calls malformed or not a database counts as corrupt: one it cannot read or
write (permissions, a read-only disk, a lock) raises `StoreUnavailable` and is left byte for byte.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import sqlite_utils

from kiosk.errors import SchemaTooNew, StoreError, StoreFull
from kiosk.store.schema import ensure_incremental_vacuum, migrate, refuse_newer
from kiosk.store.unavailable import is_corrupt, unavailable

BUSY_TIMEOUT_MS = 10_000
#: SQLite's page cache per connection. 32 MB was chosen when random UUID keys touched index pages
#: all over the file, to keep the submit latency flat as the queue grew (bench.store, depth 100 000).
PAGE_CACHE_KIB = 32_000


def connect(path: Path) -> sqlite_utils.Database:
    """A connection in autocommit mode (we BEGIN ourselves), for the calling thread only; `make_durable`
    sets the journal."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
    return sqlite_utils.Database(conn)


#: WAL pages before a commit copies them back into the database file: SQLite's default, set here so
#: the choice is visible. 4 000 (a checkpoint every ~540 submits instead of ~135) was tried: the p95
#: of a submit did not move beyond this disk's noise (docs/benchmarks/store.md), so the default stays.
WAL_CHECKPOINT_PAGES = 1000


def make_durable(db: sqlite_utils.Database) -> None:
    """WAL, and an fsync on every commit: a commit that returned survives a power cut."""
    db.conn.execute("PRAGMA journal_mode = WAL")
    db.conn.execute("PRAGMA synchronous = FULL")
    db.conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")


class transaction:  # noqa: N801 - used as a function: `with transaction(db):`
    """One write transaction; the commit is durable (synchronous=FULL) when the block ends.

    A class rather than a generator with `@contextmanager`: each submit enters one, and the generator's
    machinery was a measurable part of a submit's own time (bench.store)."""

    __slots__ = ("conn",)

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.conn = db.conn

    def __enter__(self) -> None:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise _as_store_error(e) from e

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> None:
        if kind is not None:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            return
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as e:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise _as_store_error(e) from e


def _as_store_error(e: sqlite3.Error) -> StoreError:
    text = str(e).lower()
    if "disk is full" in text or "database or disk is full" in text or "disk i/o error" in text:
        return StoreFull(
            "the terminal's disk is full: the application was NOT recorded; free space or call a "
            "technician (applications already queued are safe)"
        )
    return StoreError(f"the local queue could not be written: {e}")


def as_store_error(e: sqlite3.Error) -> StoreError:
    return _as_store_error(e)


def _move_aside(path: Path, now: dt.datetime) -> Path:
    stamp = now.strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    path.rename(target)
    return target


def _corruption(db: sqlite_utils.Database, *, full_check: bool) -> str | None:
    """Why SQLite calls the file corrupt, or None when it is healthy; any other failure raises."""
    try:
        db.execute("PRAGMA user_version").fetchone()
        if full_check:
            rows = db.execute("PRAGMA quick_check").fetchall()
            return None if rows == [("ok",)] else "integrity check failed"
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return None
    except sqlite3.DatabaseError as e:
        if is_corrupt(e):
            return str(e)
        raise


def open_database(path: Path, *, full_check: bool = True) -> tuple[sqlite_utils.Database, list[str]]:
    """Opens (creating or migrating) the queue; returns it with notes on anything recovered.

    Raises `StoreUnavailable` (file untouched) when the file cannot be read or written for any reason
    other than corruption.
    """
    notes: list[str] = []
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise unavailable(path, e) from None
    for _attempt in range(2):
        db = None
        try:
            db = connect(path)
            reason = _corruption(db, full_check=full_check)
            if reason is None:
                refuse_newer(db)
                make_durable(db)
                migrate(db)
                ensure_incremental_vacuum(db)
                return db, notes
        except SchemaTooNew:
            db.conn.close()
            raise
        except sqlite3.DatabaseError as e:
            if db is not None:
                db.conn.close()
            if not is_corrupt(e):
                raise unavailable(path, e) from None
            reason = str(e)
        else:
            db.conn.close()
        try:
            aside = _move_aside(path, dt.datetime.now(dt.UTC))
        except OSError as e:
            raise unavailable(path, e) from None
        notes.append(
            f"the queue database was corrupt ({reason}); it was moved aside to {aside.name} and a "
            "fresh queue was started"
        )
    raise StoreError(f"cannot open a queue database at {path}")
