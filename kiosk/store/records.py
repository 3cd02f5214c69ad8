"""What the store hands out: the terminal's identity, an application as the terminal may read it, and
an application as the sync worker sends it. No personal data: that is sealed inside `Outgoing.sealed`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kiosk.clock import parse_iso
from kiosk.lifecycle import reason_for

SYNC_STATES = ("queued", "sending", "synced", "rejected")
UNSYNCED = ("queued", "sending")


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
    #: why central rejected it (state `rejected`), or why the office declined it (central status `declined`)
    reason: str | None = None
    central_status: str | None = None
    central_status_at: dt.datetime | None = None
    flags: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        """The status a citizen sees: the office's when known, else where the terminal has it."""
        return self.central_status or self.state

    @property
    def rejection_reason(self) -> str | None:
        """Why central refused it (for a technician; it never reached the office)."""
        return self.reason if self.state == "rejected" else None

    @property
    def decline_reason(self) -> str | None:
        """Why the office declined it, as staff wrote it for the citizen."""
        return None if self.state == "rejected" else reason_for(self.central_status or "", self.reason)


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


#: the columns `application_of` reads, in its order
COLUMNS = "id, reference, service_code, catalog_version, created_at, state, reason, central_status, " \
    "central_status_at, flags"


def application_of(row: Sequence[Any]) -> Application:
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


def outgoing_of(row: Sequence[Any]) -> Outgoing:
    """An `Outgoing` from (id, reference, service_code, catalog_version, created_at, flags, sealed, attempts)."""
    return Outgoing(row[0], row[1], row[2], row[3], row[4], tuple(f for f in (row[5] or "").split(",") if f),
                    row[6], row[7])
