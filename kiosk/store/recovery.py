"""After a queue was moved aside as corrupt: keep the terminal's identity, find stranded applications,
and put them back in the queue exactly once.

A moved-aside file is only ever read through a copy, so rescuing from it never changes it. An
application is re-queued under its own UUID and reference: central answers "duplicate" if it already
had it, and running `recover` again adds nothing twice.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kiosk.clock import iso, utcnow
from kiosk.errors import StoreError
from kiosk.store import identity_file
from kiosk.store.database import transaction
from kiosk.store.queue import Store
from kiosk.store.records import UNSYNCED, TerminalIdentity

#: after the n-th queue moved aside, this month's numbers continue from n x GENERATION_STEP
GENERATION_STEP = 10_000
_UNSYNCED_ROWS = (
    "SELECT id, reference, service_code, catalog_version, created_at, flags, sealed, {exported} "
    f"FROM applications WHERE state IN ({', '.join(repr(s) for s in UNSYNCED)}) ORDER BY created_at"
)


class StrandedApplications(StoreError):
    """A moved-aside queue still holds applications that are in no live queue and not at central."""


@dataclass(frozen=True)
class MovedAside:
    """One queue database moved aside, and how many of its unsynced applications are not back yet."""

    path: Path
    unsynced: int | None
    not_recovered: int | None
    problem: str = ""

    def describe(self) -> str:
        if self.unsynced is None:
            return f"{self.path.name}: cannot be read ({self.problem})"
        text = f"{self.path.name}: {self.unsynced} unsynced"
        if self.not_recovered is not None:
            text += f", {self.not_recovered} not yet recovered"
        return text + (f" ({self.problem})" if self.problem else "")


@dataclass(frozen=True)
class Recovered:
    """What `recover` did with one moved-aside file."""

    added: int
    already_here: int
    conflicts: tuple[str, ...] = ()


# -- when the store opens --------------------------------------------------------------------------

def after_open(store: Store, *, now: dt.datetime | None = None) -> None:
    """Called by `Terminal` once the store is open: carries the identity across a moved-aside queue and keeps the
    fresh queue's numbers clear of the ones the old queue printed."""
    if store.recovery_notes:
        generation = identity_file.next_generation(store.path)
        period = f"{(now or utcnow()).astimezone().date():%y%m}"
        with transaction(store.db):
            store.db.execute(
                "INSERT INTO sequences (period, last) VALUES (?, ?) "
                "ON CONFLICT(period) DO UPDATE SET last = max(last, excluded.last)",
                [period, generation * GENERATION_STEP])
    live = store.identity()
    saved = identity_file.saved_identity(store.path)
    if live is None and saved is not None:
        restored = TerminalIdentity(**{k: saved.get(k, "") for k in TerminalIdentity.__dataclass_fields__})
        store.save_identity(restored)
        never_enrolled = restored.terminal_id in ("", restored.terminal_code)  # central gives an id of its own
        if never_enrolled and (code := identity_file.pending_enrollment(store.path)):
            store.values.pending_enrollment_code = code  # provisioned from a file; central not reached yet
        store.record_audit("terminal.identity_restored", f"{identity_file.FILE_NAME}: the queue was new")
    elif live is not None and saved is None:
        identity_file.save_identity(store.path, live.__dict__)


# -- finding moved-aside queues ------------------------------------------------------------------

def moved_aside_files(database: Path) -> list[Path]:
    """The queue files moved aside beside `database` (not their -wal/-shm companions), oldest first."""
    found = database.parent.glob(f"{database.name}.corrupt-*")
    return sorted(p for p in found if not p.name.endswith(("-wal", "-shm")))


@contextmanager
def _copy_of(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to a private copy of `path` (with its -wal), so reading never alters the original."""
    with tempfile.TemporaryDirectory(prefix="loket-rescue-") as folder:
        copy = Path(folder) / "rescue.db"
        shutil.copyfile(path, copy)
        wal = path.with_name(path.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        conn = sqlite3.connect(copy, isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()


def _unsynced_rows(path: Path) -> list[tuple]:
    with _copy_of(path) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(applications)")}
        if not columns:
            return []  # no applications table: the file died before it held any
        exported = "exported_at" if "exported_at" in columns else "NULL"  # schema version 1 had none
        return conn.execute(_UNSYNCED_ROWS.format(exported=exported)).fetchall()


def survey(database: Path, store: Store | None = None) -> list[MovedAside]:
    """Every moved-aside queue beside `database`, with how many of its unsynced applications the live
    queue (`store`, when it can be opened) does not hold yet."""
    found = []
    for path in moved_aside_files(database):
        try:
            rows = _unsynced_rows(path)
        except (sqlite3.Error, OSError) as e:
            found.append(MovedAside(path, None, None, str(e)))
            continue
        missing = len(rows) - len(_present(store, [r[0] for r in rows])) if store is not None else None
        found.append(MovedAside(path, len(rows), missing))
    return found


def _present(store: Store, ids: list[str]) -> set[str]:
    present: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        present.update(r[0] for r in store.db.execute(f"SELECT id FROM applications WHERE id IN ({marks})", chunk))
    return present


def refuse_if_stranded(store: Store) -> None:
    """Raises `StrandedApplications` while a moved-aside queue holds applications no live queue has."""
    waiting = [m for m in survey(store.path, store) if m.not_recovered != 0]
    if waiting:
        raise StrandedApplications(
            "a queue moved aside still holds applications that are not back in the queue: "
            + "; ".join(m.describe() for m in waiting)
            + ". Run `loket recover FILE` for each (or move the file out of the data directory once it is "
            "rescued elsewhere) before provisioning again")


# -- putting applications back ---------------------------------------------------------------------

def recover(store: Store, path: Path, *, now: dt.datetime | None = None) -> Recovered:
    """Re-queues the unsynced applications of a moved-aside queue; those already here are left alone."""
    if not path.is_file():
        raise StoreError(f"{path}: no such file")
    try:
        rows = _unsynced_rows(path)
    except (sqlite3.Error, OSError) as e:
        raise StoreError(f"{path.name} cannot be read ({e}): nothing was recovered from it") from None
    stamp = iso(now or utcnow())
    added = already = 0
    conflicts: list[str] = []
    with transaction(store.db):
        for app_id, reference, service, catalog_version, created, flags, sealed, exported in rows:
            holder = store.db.execute("SELECT id FROM applications WHERE id = ? OR reference = ?",
                                      [app_id, reference]).fetchone()
            if holder is not None:
                if holder[0] == app_id:
                    already += 1
                else:
                    conflicts.append(reference)
                continue
            store.db.execute(
                "INSERT INTO applications (id, reference, service_code, catalog_version, created_at, state, "
                "updated_at, flags, sealed, exported_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)",
                [app_id, reference, service, catalog_version, created, stamp, flags or "", sealed, exported])
            store.db.execute("INSERT INTO outbox (application_id, enqueued_at, next_attempt_at, attempts) "
                             "VALUES (?, ?, ?, 0)", [app_id, stamp, stamp])
            added += 1
        _carry_sequences(store, path)
    store.record_audit("store.recovered_applications",
                       f"{path.name}: {added} re-queued, {already} already here, {len(conflicts)} in conflict",
                       actor="technician")
    return Recovered(added, already, tuple(conflicts))


def _carry_sequences(store: Store, path: Path) -> None:
    """The live queue's numbers continue after the old queue's, so no reference is handed out twice."""
    try:
        with _copy_of(path) as conn:
            periods = conn.execute("SELECT period, last FROM sequences").fetchall()
    except sqlite3.Error:
        return  # the generation jump made when the file was moved aside already keeps numbers apart
    store.db.conn.executemany(
        "INSERT INTO sequences (period, last) VALUES (?, ?) "
        "ON CONFLICT(period) DO UPDATE SET last = max(last, excluded.last)", periods)
