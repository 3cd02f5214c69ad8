"""The inbox (`/staff`): the office's applications, the ones due soonest first, overdue ones in red;
filters by status, service and overdue, search by reference, counts per status, paging."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import Select, func, select

from central.api.common import DB
from central.console.i18n import language_of, translator
from central.console.web import PREFIX, Staff, render
from central.deadlines import working_days_between
from central.models import Application
from central.office_profile import load_profile
from kiosk.errors import BadReference
from kiosk.lifecycle import CENTRAL_STATUSES as STATUSES
from kiosk.lifecycle import FINISHED, OPEN, WORKING, is_overdue
from kiosk.reference import parse_reference

router = APIRouter(prefix=PREFIX, include_in_schema=False)
PAGE_SIZE = 50


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
class Filters:
    status: str = "open"
    service: str = ""
    overdue: bool = False
    q: str = ""


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
    elif filters.status in STATUSES:
        query = query.where(Application.status == filters.status)
    if filters.service:
        query = query.where(Application.service_code == filters.service)
    return query


def days_left(due_on: dt.date | None, today: dt.date) -> int:
    """Working days from today to the due date; negative when it is past."""
    if due_on is None:
        return 0
    return working_days_between(today, due_on) if due_on >= today else -working_days_between(due_on, today)


def _known_total(filters: Filters, counts: dict[str, int], overdue_count: int) -> int | None:
    """How many the filters find, when the counts per status already say (saves a query)."""
    if filters.q or filters.service:
        return None
    if filters.overdue:
        return overdue_count
    wanted = OPEN if filters.status == "open" else STATUSES if filters.status == "all" else (filters.status,)
    return sum(counts.get(status, 0) for status in wanted)


@router.get("")
def inbox(request: Request, db: DB, staff: Staff, status: Annotated[str, Query(max_length=20)] = "open",
          service: Annotated[str, Query(max_length=20)] = "", overdue: Annotated[str, Query(max_length=5)] = "",
          q: Annotated[str, Query(max_length=40)] = "", page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    t = translator(request)
    problem = ""
    if status not in (*STATUSES, "open", "all"):
        problem, status = t("Status {s} tidak dikenal; ditampilkan yang belum selesai.", s=status), "open"
    filters = Filters(status, service.strip().upper(), overdue in ("1", "on", "true"), q.strip())
    with db.transaction() as session:
        profile = load_profile(session, staff.office_id)
        today = profile.today()
        counts = dict(session.execute(select(Application.status, func.count()).where(
            Application.office_id == staff.office_id).group_by(Application.status)).all())
        overdue_count = session.scalar(select(func.count()).select_from(Application).where(
            Application.office_id == staff.office_id, Application.status.in_(WORKING),
            Application.due_on < today)) or 0
        total = _known_total(filters, counts, overdue_count)
        if total is None:
            total = session.scalar(_filtered(select(func.count()).select_from(Application), staff.office_id,
                                             filters, today)) or 0
        if filters.q:  # the (office, reference) index finds and orders the matches without reading rows
            order: tuple = (Application.reference,)
        elif filters.status in (*OPEN, "open") or filters.overdue:
            order = (Application.due_on, Application.filed_at)
        else:
            order = (Application.filed_at.desc(),)
        found = session.execute(_filtered(select(Application.reference, Application.service_code,
                                                 Application.filed_at, Application.status, Application.due_on),
                                          staff.office_id, filters, today)
                                .order_by(*order, Application.reference)
                                .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    rows, lang = [], language_of(request)
    for r in found:
        left = days_left(r.due_on, today)
        rows.append(InboxRow(r.reference, profile.service_name(r.service_code, lang), r.filed_at, r.status, r.due_on,
                             left, is_overdue(r.status, r.due_on, today), r.status in FINISHED))
    pages = max(1, -(-total // PAGE_SIZE))
    base = {k: v for k, v in (("status", filters.status), ("service", filters.service),
                              ("overdue", "1" if filters.overdue else ""), ("q", filters.q)) if v}

    def page_url(number: int) -> str:
        return f"{PREFIX}?{urlencode({**base, 'page': number})}"

    return render(request, "inbox.html", staff, active="inbox", rows=rows, counts=counts, total=total,
                  overdue_count=overdue_count, statuses=STATUSES, filters=filters,
                  services=list(profile.services.values()), page=page, pages=pages, page_url=page_url, problem=problem)
