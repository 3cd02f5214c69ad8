"""The office's access log as values, newest first and paged, with whether its hash chain still holds
(`central.access_chain`, over the newest entries: `audit verify` walks it all). Queries only, no HTTP:
the console's access-log page renders `access_log_page()`'s answer. Writing an entry is
`central.records.log_access`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central import access_chain
from central.access_chain import ChainReport
from central.models import AccessLogEntry, Office

PAGE_SIZE = 100
#: the page checks the chain's newest entries (2 s per 20 000 when measured); `audit verify` checks all
CHAIN_CHECKED = 5000


@dataclass(frozen=True)
class LoggedAction:
    """One entry as staff read it: who did what, to which application, when."""

    id: int
    at: dt.datetime
    username: str
    action: str
    reference: str | None
    detail: str


@dataclass(frozen=True)
class AccessLogPage:
    entries: list[LoggedAction]
    pages: int
    chain: ChainReport

    @property
    def broken_ids(self) -> set[int]:
        """The entries the chain's faults name (shown in red)."""
        return {fault.entry_id for fault in self.chain.faults if fault.entry_id is not None}


def access_log_page(session: Session, office_id: int, page: int = 1) -> AccessLogPage:
    """Page `page` of the office's log (`PAGE_SIZE` entries, newest first) and its chain's state; reads only."""
    mine = AccessLogEntry.office_id == office_id
    total = session.scalar(select(func.count()).select_from(AccessLogEntry).where(mine)) or 0
    rows = session.execute(select(AccessLogEntry.id, AccessLogEntry.at, AccessLogEntry.username,
                                  AccessLogEntry.action, AccessLogEntry.reference, AccessLogEntry.detail)
                           .where(mine).order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
                           .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    office = session.get(Office, office_id)
    chain = access_chain.verify_office(session, office_id, office.code if office else "?", newest=CHAIN_CHECKED)
    return AccessLogPage([LoggedAction(r.id, r.at, r.username, r.action, r.reference, r.detail or "") for r in rows],
                         max(1, -(-total // PAGE_SIZE)), chain)


__all__ = ["CHAIN_CHECKED", "PAGE_SIZE", "AccessLogPage", "LoggedAction", "access_log_page"]
