"""The office's kiosks as values: what each last reported (seen, queue, oldest unsent, printer, clock,
versions, update, last error), which are silent while the office is open; and revoking one. Queries and
domain rules only, no HTTP: the console's kiosks page renders `terminal_rows()` in the staff's words."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.deadlines import in_office_hours
from central.errors import NotFound
from central.models import Terminal, as_utc, utcnow

SILENT_AFTER = dt.timedelta(hours=2)
PRINTER_OK = {"ok", "ready"}


@dataclass(frozen=True)
class TerminalRow:
    code: str
    last_seen_at: dt.datetime | None
    silent: bool
    queue: dict[str, int]
    waiting: int
    rejected: int
    synced: int
    #: seconds the oldest unsent application has waited (None or 0: nothing waits)
    oldest_age_s: float | None
    app_version: str | None
    catalog_version: str | None
    last_error: str | None
    revoked: bool
    #: the receipt printer's state as the kiosk last reported it; None when it never did (older kiosks)
    printer: str | None = None
    #: central's clock minus the kiosk's, as it last measured it (None: never reported; see kiosk.clock)
    clock_offset_s: float | None = None
    #: the last update as the kiosk reported it: state, release, why (None: never reported one)
    update_state: str | None = None
    update_version: str | None = None
    update_reason: str | None = None

    @property
    def update_failed(self) -> bool:
        return self.update_state in ("rolled_back", "refused")

    @property
    def printer_fault(self) -> bool:
        return self.printer is not None and self.printer.strip().lower() not in PRINTER_OK


def is_silent(last_seen: dt.datetime | None, now: dt.datetime, zone: ZoneInfo) -> bool:
    """Not heard from for more than 2 hours while the office is open (nights and weekends do not count)."""
    return in_office_hours(now, zone) and (last_seen is None or now - last_seen > SILENT_AFTER)


def terminal_rows(session: Session, office_id: int, zone: ZoneInfo, now: dt.datetime | None = None
                  ) -> list[TerminalRow]:
    """The office's kiosks by code, as they last reported; reads only."""
    now = now or utcnow()
    rows = []
    for k in session.scalars(select(Terminal).where(Terminal.office_id == office_id).order_by(Terminal.code)):
        seen = as_utc(k.last_seen_at)
        queue = json.loads(k.queue_json or "{}")
        rows.append(TerminalRow(
            k.code, seen, k.revoked_at is None and is_silent(seen, now, zone), queue,
            queue.get("queued", 0) + queue.get("sending", 0), queue.get("rejected", 0), queue.get("synced", 0),
            k.oldest_unsynced_age_s, k.app_version, k.catalog_version, k.last_error, k.revoked_at is not None,
            k.printer_state, k.clock_offset_s, k.update_state, k.update_version, k.update_reason))
    return rows


def revoke_terminal(session: Session, office_id: int, code: str) -> Terminal:
    """Revokes the office's kiosk `code` (its requests are refused from now on; again changes nothing).
    Raises `NotFound` for a code that is not one of the office's kiosks."""
    terminal = session.scalar(select(Terminal).where(Terminal.code == code.strip().upper()[:4],
                                                     Terminal.office_id == office_id))
    if terminal is None:
        raise NotFound(f"no kiosk {code[:8]!r} at this office")
    if terminal.revoked_at is None:
        terminal.revoked_at = utcnow()
    return terminal


__all__ = ["SILENT_AFTER", "TerminalRow", "is_silent", "revoke_terminal", "terminal_rows"]
