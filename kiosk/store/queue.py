"""The terminal's queue of applications: submit durably, look up, and hand to the sync worker.

`Store.submit()` writes the application and its outbox entry in one transaction and returns only
after the commit is on disk, so a printed receipt always stands for a queued application.
The hot path uses prepared SQL on the connection; the rest reads through sqlite-utils.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.errors import NotProvisioned, StoreError
from kiosk.ids import time_ordered_uuid
from kiosk.reference import make_reference
from kiosk.store.database import as_store_error, open_database, transaction

SYNC_STATES = ("queued", "sending", "synced", "rejected")
CENTRAL_STATUSES = ("received", "in_process", "ready", "done", "declined")
UNSYNCED = ("queued", "sending")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class TerminalIdentity:
    """Who this terminal is and which office it serves; set once by provisioning."""

    terminal_code: str
    office_code: str
    office_name: str
    office_key: str
    signing_key: str
    verify_key: str
    server_url: str = ""
    terminal_id: str = ""
    provisioned_at: str = ""


@dataclass(frozen=True)
class Application:
    """What the terminal can still read of an application: no personal data, which is sealed."""

    id: str
    reference: str
    service_code: str
    catalog_version: str
    created_at: dt.datetime
    state: str
    reason: str | None = None
    central_status: str | None = None
    central_status_at: dt.datetime | None = None
    flags: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        """The status a citizen sees: the office's when known, else where the terminal has it."""
        return self.central_status or self.state


@dataclass(frozen=True)
class Outgoing:
    """An application as the sync worker sends it: metadata plus the sealed personal data."""

    id: str
    reference: str
    service_code: str
    catalog_version: str
    created_at: str
    flags: tuple[str, ...]
    sealed: bytes
    attempts: int


_SUBMIT_SEQUENCE = (
    "INSERT INTO sequences (period, last) VALUES (?, 1) "
    "ON CONFLICT(period) DO UPDATE SET last = last + 1 RETURNING last"
)
_SUBMIT_APPLICATION = (
    "INSERT INTO applications (id, reference, service_code, catalog_version, created_at, state, "
    "updated_at, flags, sealed) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)"
)
_SUBMIT_OUTBOX = (
    "INSERT INTO outbox (application_id, enqueued_at, next_attempt_at, attempts) VALUES (?, ?, ?, 0)"
)
_COLUMNS = "id, reference, service_code, catalog_version, created_at, state, reason, central_status, " \
    "central_status_at, flags"


def _application(row: Sequence[Any]) -> Application:
    return Application(
        id=row[0],
        reference=row[1],
        service_code=row[2],
        catalog_version=row[3],
        created_at=parse_iso(row[4]),
        state=row[5],
        reason=row[6],
        central_status=row[7],
        central_status_at=parse_iso(row[8]) if row[8] else None,
        flags=tuple(f for f in (row[9] or "").split(",") if f),
    )


class Store:
    """The local queue. Open one per thread with `Store.open(path)`; close it when done."""

    def __init__(self, path: Path, *, full_check: bool = True) -> None:
        self.path = path
        self.db, self.recovery_notes = open_database(path, full_check=full_check)
        self._identity: TerminalIdentity | None = None
        for note in self.recovery_notes:
            self.record_audit("store.recovered", note)
        self.requeue_interrupted()

    @classmethod
    def open(cls, path: Path, *, full_check: bool = True) -> Store:
        return cls(path, full_check=full_check)

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the terminal's identity ------------------------------------------------------------

    def identity(self) -> TerminalIdentity | None:
        if self._identity is None:
            rows = list(self.db["terminal"].rows_where("slot = 1"))
            if rows:
                row = {k: v for k, v in rows[0].items() if k != "slot"}
                self._identity = TerminalIdentity(**{k: v or "" for k, v in row.items()})
        return self._identity

    def save_identity(self, identity: TerminalIdentity) -> None:
        with transaction(self.db):
            self.db["terminal"].upsert({"slot": 1, **identity.__dict__}, pk="slot")
        self._identity = identity

    # -- submitting -----------------------------------------------------------------------

    def submit(
        self,
        service_code: str,
        catalog_version: str,
        sealed: bytes,
        *,
        flags: Iterable[str] = (),
        now: dt.datetime | None = None,
    ) -> Application:
        """Queues an application durably and returns it with its new reference number."""
        identity = self.identity()
        if identity is None:
            raise NotProvisioned()
        now = now or utcnow()
        local_date = now.astimezone().date()
        app_id = time_ordered_uuid()  # appends to the id indexes, however deep the queue
        created = iso(now)
        flag_text = ",".join(flags)
        conn = self.db.conn
        with transaction(self.db):
            try:
                period = f"{local_date:%y%m}"
                sequence = conn.execute(_SUBMIT_SEQUENCE, (period,)).fetchone()[0]
                reference = make_reference(identity.terminal_code, local_date, sequence)
                conn.execute(_SUBMIT_APPLICATION, (app_id, reference, service_code, catalog_version, created,
                                                   created, flag_text, sealed))
                conn.execute(_SUBMIT_OUTBOX, (app_id, created, created))
            except sqlite3.Error as e:
                raise as_store_error(e) from e
        return Application(app_id, reference, service_code, catalog_version, parse_iso(created), "queued",
                           flags=tuple(f for f in flag_text.split(",") if f))

    # -- reading ----------------------------------------------------------------------------

    def get(self, reference: str) -> Application | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM applications WHERE reference = ?", [reference]).fetchone()
        return _application(row) if row else None

    def get_by_id(self, app_id: str) -> Application | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM applications WHERE id = ?", [app_id]).fetchone()
        return _application(row) if row else None

    def applications(self, *, state: str | None = None, limit: int | None = None) -> list[Application]:
        """Applications newest first, optionally only those in one sync state or central status."""
        sql = f"SELECT {_COLUMNS} FROM applications"
        params: list[Any] = []
        if state:
            sql += " WHERE state = ? OR central_status = ?"
            params += [state, state]
        sql += " ORDER BY created_at DESC, reference DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_application(r) for r in self.db.execute(sql, params).fetchall()]

    def counts(self) -> dict[str, int]:
        """How many applications are in each sync state (every state listed, zero included)."""
        found = dict(self.db.execute("SELECT state, count(*) FROM applications GROUP BY state").fetchall())
        return {state: found.get(state, 0) for state in SYNC_STATES}

    def oldest_unsynced_age_s(self, now: dt.datetime | None = None) -> float | None:
        row = self.db.execute(
            "SELECT min(created_at) FROM applications WHERE state IN ('queued', 'sending')"
        ).fetchone()
        if not row[0]:
            return None
        return round(((now or utcnow()) - parse_iso(row[0])).total_seconds(), 3)

    def unsynced_count(self) -> int:
        return self.db.execute(
            "SELECT count(*) FROM applications WHERE state IN ('queued', 'sending')"
        ).fetchone()[0]

    def db_bytes(self) -> int:
        return sum(p.stat().st_size for p in (self.path, self.path.with_name(self.path.name + "-wal"))
                   if p.exists())

    def integrity_check(self) -> str:
        return "; ".join(r[0] for r in self.db.execute("PRAGMA integrity_check").fetchall())

    # -- the outbox, for the sync worker -----------------------------------------------------

    def requeue_interrupted(self) -> int:
        """Applications left `sending` by a crash go back to `queued`; returns how many."""
        with transaction(self.db):
            cursor = self.db.execute("UPDATE applications SET state = 'queued' WHERE state = 'sending'")
        return cursor.rowcount

    def claim(self, limit: int, *, now: dt.datetime | None = None) -> list[Outgoing]:
        """Marks up to `limit` due applications `sending` and returns them, oldest first."""
        due = iso(now or utcnow())
        with transaction(self.db):
            rows = self.db.execute(
                "SELECT a.id, a.reference, a.service_code, a.catalog_version, a.created_at, a.flags, "
                "a.sealed, o.attempts FROM outbox o JOIN applications a ON a.id = o.application_id "
                "WHERE a.state = 'queued' AND o.next_attempt_at <= ? ORDER BY o.enqueued_at LIMIT ?",
                [due, limit],
            ).fetchall()
            self.db.conn.executemany(
                "UPDATE applications SET state = 'sending', updated_at = ? WHERE id = ?",
                [(due, r[0]) for r in rows],
            )
        return [
            Outgoing(r[0], r[1], r[2], r[3], r[4], tuple(f for f in (r[5] or "").split(",") if f), r[6], r[7])
            for r in rows
        ]

    def mark_synced(self, ids: Iterable[str], *, now: dt.datetime | None = None) -> None:
        """Central has the applications (accepted or duplicate): they leave the outbox."""
        stamp = iso(now or utcnow())
        ids = list(ids)
        with transaction(self.db):
            self.db.conn.executemany(
                "UPDATE applications SET state = 'synced', reason = NULL, updated_at = ? WHERE id = ?",
                [(stamp, i) for i in ids],
            )
            self.db.conn.executemany("DELETE FROM outbox WHERE application_id = ?", [(i,) for i in ids])

    def mark_rejected(self, app_id: str, reason: str, *, now: dt.datetime | None = None) -> None:
        """Central refused the application for good; it leaves the outbox with the reason kept."""
        with transaction(self.db):
            self.db.execute(
                "UPDATE applications SET state = 'rejected', reason = ?, updated_at = ? WHERE id = ?",
                [reason, iso(now or utcnow()), app_id],
            )
            self.db.execute("DELETE FROM outbox WHERE application_id = ?", [app_id])

    def mark_retry(self, ids: Iterable[str], error: str, next_attempt_at: dt.datetime) -> None:
        """A transient failure: back to `queued`, retried no sooner than `next_attempt_at`."""
        ids = list(ids)
        with transaction(self.db):
            self.db.conn.executemany(
                "UPDATE applications SET state = 'queued' WHERE id = ? AND state = 'sending'",
                [(i,) for i in ids],
            )
            self.db.conn.executemany(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
                "WHERE application_id = ?",
                [(error, iso(next_attempt_at), i) for i in ids],
            )

    def last_errors(self, limit: int = 5) -> list[tuple[str, str]]:
        """(reference, error) of the unsynced applications whose last attempt failed."""
        return self.db.execute(
            "SELECT a.reference, o.last_error FROM outbox o JOIN applications a ON a.id = o.application_id "
            "WHERE o.last_error IS NOT NULL ORDER BY o.enqueued_at LIMIT ?", [limit]
        ).fetchall()

    def set_central_status(self, app_id: str, status: str, at: dt.datetime) -> bool:
        """Records the office's status for one of our applications; False when it is not ours."""
        if status not in CENTRAL_STATUSES:
            raise StoreError(f"unknown central status {status!r}")
        with transaction(self.db):
            cursor = self.db.execute(
                "UPDATE applications SET central_status = ?, central_status_at = ? WHERE id = ?",
                [status, iso(at), app_id],
            )
        return cursor.rowcount == 1

    # -- audit log and small values ------------------------------------------------------

    def record_audit(self, action: str, detail: str = "", *, actor: str = "system",
                     now: dt.datetime | None = None) -> None:
        with transaction(self.db):
            self.db.execute(
                "INSERT INTO audit (at, actor, action, detail, synced) VALUES (?, ?, ?, ?, 0)",
                [iso(now or utcnow()), actor, action, detail],
            )

    def audit_entries(self, *, unsynced_only: bool = False, limit: int = 500) -> list[dict[str, Any]]:
        where = "synced = 0" if unsynced_only else None
        return list(self.db["audit"].rows_where(where, order_by="id", limit=limit))

    def mark_audit_synced(self, ids: Iterable[int]) -> None:
        with transaction(self.db):
            self.db.conn.executemany("UPDATE audit SET synced = 1 WHERE id = ?", [(i,) for i in ids])

    def get_value(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM kv WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_value(self, key: str, value: str) -> None:
        with transaction(self.db):
            self.db.execute(
                "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    # -- scheduling for the sync worker -------------------------------------------------------

    def next_attempt_due(self) -> dt.datetime | None:
        """When the earliest queued application may be sent again; None when nothing is queued."""
        row = self.db.execute(
            "SELECT min(o.next_attempt_at) FROM outbox o JOIN applications a ON a.id = o.application_id "
            "WHERE a.state = 'queued'"
        ).fetchone()
        return parse_iso(row[0]) if row[0] else None

    def retry_now(self, *, now: dt.datetime | None = None) -> int:
        """Makes every queued application due at once (a technician's "sync now"); returns how many."""
        with transaction(self.db):
            cursor = self.db.execute("UPDATE outbox SET next_attempt_at = ? WHERE next_attempt_at > ?",
                                     [iso(now or utcnow())] * 2)
        return cursor.rowcount

    def set_central_statuses(self, changes: Iterable[tuple[str, str, dt.datetime]]) -> int:
        """`set_central_status` for many (id, status, at) in one transaction; returns how many were ours."""
        rows = [(status, iso(at), app_id) for app_id, status, at in changes]
        if unknown := {status for status, _, _ in rows} - set(CENTRAL_STATUSES):
            raise StoreError(f"unknown central status {sorted(unknown)[0]!r}")
        with transaction(self.db):
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "UPDATE applications SET central_status = ?, central_status_at = ? WHERE id = ?", rows)
            return self.db.conn.total_changes - before

    def reload_identity(self) -> TerminalIdentity | None:
        """Reads the identity again, e.g. after another thread adopted a rotated office key."""
        self._identity = None
        return self.identity()

    def requeue_rejected(self, *, now: dt.datetime | None = None) -> int:
        """Puts every rejected application back in the outbox, e.g. after central fixed a refusal that
        was its own fault; returns how many. Central's UUID check keeps a resend harmless."""
        stamp = iso(now or utcnow())
        with transaction(self.db):
            ids = [(row[0],) for row in self.db.execute("SELECT id FROM applications WHERE state = 'rejected'")]
            self.db.conn.executemany(
                "UPDATE applications SET state = 'queued', reason = NULL, updated_at = ? WHERE id = ?",
                [(stamp, i) for (i,) in ids])
            self.db.conn.executemany(
                "INSERT INTO outbox (application_id, enqueued_at, next_attempt_at, attempts) VALUES (?, ?, ?, 0) "
                "ON CONFLICT(application_id) DO NOTHING", [(i, stamp, stamp) for (i,) in ids])
        return len(ids)
