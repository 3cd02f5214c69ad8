"""The inbox (`/staff`): the office's applications, the ones due soonest first, overdue ones in red;
filters by status, service and overdue, search by reference, counts per status, paging. The page
parses the query, asks `central.inbox` and renders."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from central.api.common import DB
from central.console.i18n import language_of, translator
from central.console.web import PREFIX, Staff, render
from central.inbox import VIEWS, Filters, inbox
from central.office_profile import load_profile
from kiosk.lifecycle import CENTRAL_STATUSES as STATUSES

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("")
def inbox_page(request: Request, db: DB, staff: Staff, status: Annotated[str, Query(max_length=20)] = "open",
               service: Annotated[str, Query(max_length=20)] = "", overdue: Annotated[str, Query(max_length=5)] = "",
               q: Annotated[str, Query(max_length=40)] = "",
               page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    t = translator(request)
    problem = ""
    if status not in (*STATUSES, *VIEWS):
        problem, status = t("Status {s} tidak dikenal; ditampilkan yang belum selesai.", s=status), "open"
    filters = Filters(status, service.strip().upper(), overdue in ("1", "on", "true"), q.strip())
    with db.transaction() as session:
        profile = load_profile(session, staff.office_id)
        found = inbox(session, profile, filters, page, language_of(request))
    base = {k: v for k, v in (("status", filters.status), ("service", filters.service),
                              ("overdue", "1" if filters.overdue else ""), ("q", filters.q)) if v}

    def page_url(number: int) -> str:
        return f"{PREFIX}?{urlencode({**base, 'page': number})}"

    return render(request, "inbox.html", staff, active="inbox", rows=found.rows, counts=found.counts,
                  total=found.total, overdue_count=found.overdue_count, statuses=STATUSES, filters=filters,
                  services=list(profile.services.values()), page=page, pages=found.pages, page_url=page_url,
                  problem=problem)
