"""The office's inbox as values: its applications filtered, ordered (due soonest first) and paged,
the counts per status and how many are overdue; queries only, no HTTP (the console's page renders
`inbox()`'s answer)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from central.deadlines import working_days_between
from central.models import Application
from central.office_profile import OfficeProfile
from kiosk.errors import BadReference
from kiosk.lifecycle import CENTRAL_STATUSES, FINISHED, OPEN, WORKING, is_overdue
from kiosk.reference import parse_reference

PAGE_SIZE = 50
#: the status filter's choices besides the statuses themselves
VIEWS = ("open", "all")


@dataclass(frozen=True)
class Filters:
    status: str = "open"
    service: str = ""
    overdue: bool = False
    q: str = ""


@dataclass(frozen=True)
class InboxRow:
    reference: str
    service_name: str
    filed_at: dt.datetime
    status: str
    due_on: dt.date | None
    days_left: int
    overdue: bool
    finished: bool


@dataclass(frozen=True)
class Inbox:
    """One page of the inbox: its rows, how many the filters find, the counts per status."""

    rows: list[InboxRow]
    total: int
    counts: dict[str, int]
    overdue_count: int
    pages: int


def days_left(due_on: dt.date | None, today: dt.date) -> int:
    """Working days from today to the due date; negative when it is past."""
    if due_on is None:
        return 0
    return working_days_between(today, due_on) if due_on >= today else -working_days_between(due_on, today)


def _filtered(query: Select, office_id: int, filters: Filters, today: dt.date) -> Select:
    """The filters as WHERE clauses; a search by number looks in every status."""
    query = query.where(Application.office_id == office_id)
    if filters.q:
        try:
            return query.where(Application.reference == parse_reference(filters.q))
        except BadReference:
            return query.where(Application.reference.contains(filters.q.strip().upper(), autoescape=True))
    if filters.overdue:
        query = query.where(Application.status.in_(WORKING), Application.due_on < today)
    elif filters.status == "open":
        query = query.where(Application.status.in_(OPEN))
    elif filters.status in CENTRAL_STATUSES:
        query = query.where(Application.status == filters.status)
    if filters.service:
        query = query.where(Application.service_code == filters.service)
    return query


def _known_total(filters: Filters, counts: dict[str, int], overdue_count: int) -> int | None:
    """How many the filters find, when the counts per status already say (saves a query)."""
    if filters.q or filters.service:
        return None
    if filters.overdue:
        return overdue_count
    wanted = OPEN if filters.status == "open" else CENTRAL_STATUSES if filters.status == "all" else (filters.status,)
    return sum(counts.get(status, 0) for status in wanted)


def inbox(session: Session, profile: OfficeProfile, filters: Filters, page: int = 1, lang: str = "id",
          *, now: dt.datetime | None = None) -> Inbox:
    """Page `page` of the office's inbox under `filters`, on the office's calendar (its date now, or at
    `now`); reads only."""
    office_id, today = profile.id, profile.today(now)
    counts = dict(session.execute(select(Application.status, func.count()).where(
        Application.office_id == office_id).group_by(Application.status)).all())
    overdue_count = session.scalar(select(func.count()).select_from(Application).where(
        Application.office_id == office_id, Application.status.in_(WORKING), Application.due_on < today)) or 0
    total = _known_total(filters, counts, overdue_count)
    if total is None:
        total = session.scalar(_filtered(select(func.count()).select_from(Application), office_id, filters,
                                         today)) or 0
    if filters.q:  # the (office, reference) index finds and orders the matches without reading rows
        order: tuple = (Application.reference,)
    elif filters.status in (*OPEN, "open") or filters.overdue:
        order = (Application.due_on, Application.filed_at)
    else:
        order = (Application.filed_at.desc(),)
    found = session.execute(_filtered(select(Application.reference, Application.service_code, Application.filed_at,
                                             Application.status, Application.due_on), office_id, filters, today)
                            .order_by(*order, Application.reference)
                            .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    rows = [InboxRow(r.reference, profile.service_name(r.service_code, lang), r.filed_at, r.status, r.due_on,
                     days_left(r.due_on, today), is_overdue(r.status, r.due_on, today), r.status in FINISHED)
            for r in found]
    return Inbox(rows, total, counts, overdue_count, max(1, -(-total // PAGE_SIZE)))


__all__ = ["PAGE_SIZE", "VIEWS", "Filters", "Inbox", "InboxRow", "days_left", "inbox"]
