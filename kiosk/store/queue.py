"""The terminal's queue of applications: submit durably, look up, and keep the audit log.

`Store.submit()` writes the application and its outbox entry in one transaction and returns only
after the commit is on disk, so a printed receipt always stands for a queued application.
The hot path uses prepared SQL on the connection; the rest reads through sqlite-utils.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.clock import TrustedClock, clock_floor, iso, parse_iso, release_built_at, utcnow
from kiosk.errors import NotProvisioned
from kiosk.ids import time_ordered_uuid
from kiosk.reference import MonthOfReferences
from kiosk.store import identity_file
from kiosk.store.database import as_store_error, open_database, transaction
from kiosk.store.outbox import Outbox
from kiosk.store.records import COLUMNS, SYNC_STATES, Application, TerminalIdentity, application_of
from kiosk.store.values import StoreValues
from kiosk.timezones import month_around, office_zone

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


@dataclass(frozen=True)
class FilingMonth:
    """The office-local month submits are numbered in, worked out once a month rather than per submit."""

    references: MonthOfReferences
    begins: dt.datetime
    ends: dt.datetime

    @classmethod
    def around(cls, moment: dt.datetime, identity: TerminalIdentity) -> FilingMonth:
        # the reference's month is the office's (its region's zone), never the machine's
        first, begins, ends = month_around(moment, office_zone(identity.office_code))
        # in UTC, as submits' moments come: comparing moments of one zone is the cheap comparison
        return cls(MonthOfReferences(identity.terminal_code, first), begins.astimezone(dt.UTC),
                   ends.astimezone(dt.UTC))

    def covers(self, moment: dt.datetime) -> bool:
        return self.begins <= moment < self.ends


class Store(Outbox):
    """The local queue. Open one per thread with `Store.open(path)`; close it when done."""

    def __init__(self, path: Path, *, full_check: bool = True) -> None:
        self.path = path
        self.db, self.recovery_notes = open_database(path, full_check=full_check)
        self._identity: TerminalIdentity | None = None
        self._filing_month: FilingMonth | None = None  # of `_identity`; see `_remember_identity`
        self._public_url: str | None = None  # read with the identity, so a thread that prints needs no query
        self.values = StoreValues(self)
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
                self._remember_identity(TerminalIdentity(**{k: v or "" for k, v in row.items()}))
        return self._identity

    def office_public_url(self) -> str:
        """The office's public address as central last gave it ("" while unset), cached with the identity
        (`reload_identity` reads it again)."""
        if self._public_url is None:
            self._public_url = self.values.office_public_url or ""
        return self._public_url

    def set_office_public_url(self, url: str) -> None:
        self.values.office_public_url = url
        self._public_url = url

    def reload_identity(self) -> TerminalIdentity | None:
        """Reads the identity again, e.g. after another thread adopted a rotated office key."""
        self._remember_identity(None)
        return self.identity()

    def save_identity(self, identity: TerminalIdentity) -> None:
        with transaction(self.db):
            self.db["terminal"].upsert({"slot": 1, **identity.__dict__}, pk="slot")
        self._remember_identity(identity)
        identity_file.save_identity(self.path, identity.__dict__)  # outlives a queue moved aside

    def _remember_identity(self, identity: TerminalIdentity | None) -> None:
        """The one way the cached identity changes; the filing month (terminal code, zone) goes with it."""
        self._identity = identity
        self._filing_month = None
        self._public_url = None if identity is None else (self.values.office_public_url or "")

    # -- submitting -----------------------------------------------------------------------

    def submit(
        self,
        service_code: str,
        catalog_version: str,
        sealed: bytes,
        *,
        flags: Iterable[str] = (),
        now: dt.datetime | None = None,
        app_id: str | None = None,
    ) -> Application:
        """Queues an application durably and returns it with its new reference number. `app_id`: the id
        made beforehand (`kiosk.ids.time_ordered_uuid`) when the sealed content had to name it."""
        identity = self.identity()
        if identity is None:
            raise NotProvisioned()
        now = now or self.clock().now()
        if now.tzinfo is None:
            now = now.replace(tzinfo=dt.UTC)  # a naive moment is UTC, as the store keeps times
        month = self._filing_month
        if month is None or not month.covers(now):
            month = self._filing_month = FilingMonth.around(now, identity)
        app_id = app_id or time_ordered_uuid()  # appends to the id indexes, however deep the queue
        created = iso(now)
        flag_list = tuple(f for f in flags if f)
        flag_text = ",".join(flag_list)
        conn = self.db.conn
        with transaction(self.db):
            try:
                sequence = conn.execute(_SUBMIT_SEQUENCE, (month.references.period,)).fetchone()[0]
                reference = month.references.reference(sequence)
                conn.execute(_SUBMIT_APPLICATION, (app_id, reference, service_code, catalog_version, created,
                                                   created, flag_text, sealed))
                conn.execute(_SUBMIT_OUTBOX, (app_id, created, created))
            except sqlite3.Error as e:
                raise as_store_error(e) from e
        return Application(app_id, reference, service_code, catalog_version, parse_iso(created), "queued",
                           flags=flag_list)

    # -- reading ----------------------------------------------------------------------------

    def get(self, reference: str) -> Application | None:
        row = self.db.execute(f"SELECT {COLUMNS} FROM applications WHERE reference = ?", [reference]).fetchone()
        return application_of(row) if row else None

    def get_by_id(self, app_id: str) -> Application | None:
        row = self.db.execute(f"SELECT {COLUMNS} FROM applications WHERE id = ?", [app_id]).fetchone()
        return application_of(row) if row else None

    def applications(self, *, state: str | None = None, limit: int | None = None) -> list[Application]:
        """Applications newest first, optionally only those in one sync state or central status."""
        sql = f"SELECT {COLUMNS} FROM applications"
        params: list[Any] = []
        if state:
            sql += " WHERE state = ? OR central_status = ?"
            params += [state, state]
        sql += " ORDER BY created_at DESC, reference DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [application_of(r) for r in self.db.execute(sql, params).fetchall()]

    def flagged(self, service_code: str, flag: str) -> list[Application]:
        """The applications of `service_code` that carry `flag` (e.g. a citizen's requests about one
        application), oldest first."""
        rows = self.db.execute(f"SELECT {COLUMNS} FROM applications WHERE service_code = ? AND "
                               "(',' || flags || ',') LIKE ? ESCAPE '\\' ORDER BY created_at, reference",
                               [service_code, "%," + flag.replace("\\", "\\\\").replace("%", "\\%")
                                .replace("_", "\\_") + ",%"]).fetchall()
        return [application_of(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """How many applications are in each sync state (every state listed, zero included)."""
        found = dict(self.db.execute("SELECT state, count(*) FROM applications GROUP BY state").fetchall())
        return {state: found.get(state, 0) for state in SYNC_STATES}

    def clock(self) -> TrustedClock:
        """The time as this terminal knows it (kiosk.clock): its floor is the newest application in the
        queue, central's clock at its last answer and the release's build time."""
        # the last application written stands for the newest: submits are dated at or after the floor, so
        # they come in time order; max(created_at) read every index entry (14 ms a submit at 100 000 queued).
        # A queue recovered into this one (`loket recover`) only lowers this floor, never raises it wrongly.
        newest = self.db.execute("SELECT created_at FROM applications ORDER BY rowid DESC LIMIT 1").fetchone()
        newest = newest[0] if newest else None
        values = self.values
        return TrustedClock(floor=clock_floor(parse_iso(newest) if newest else None, values.central_answered_at,
                                              release_built_at()),
                            central_offset_s=values.central_clock_offset_s)

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
        """The raw kv table, for `values.py`; everything else reads `store.values.<name>`."""
        row = self.db.execute("SELECT value FROM kv WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_value(self, key: str, value: str) -> None:
        with transaction(self.db):
            self.db.execute(
                "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

