"""Monthly report (`/staff/reports`, supervisors): the month's table per service and its SKM table
(`central.reports`), the letters issued (`central.letters.reports`), and both tables as CSV. The page
parses the month, asks and renders."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from central import skm
from central.api.common import DB
from central.console.downloads import csv_download
from central.console.sessions import StaffContext
from central.console.web import PREFIX, ConsoleError, Supervisor, render
from central.db import Database
from central.deadlines import local_date
from central.letters.reports import letters_per_service
from central.models import utcnow
from central.office_profile import load_profile
from central.reports import ServiceMonth, SkmMonth, monthly_report, skm_month

router = APIRouter(prefix=PREFIX, include_in_schema=False)
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(text: str) -> tuple[dt.date, dt.date]:
    """(first day, first day of the next month); `ConsoleError` 400 for anything but YYYY-MM."""
    match = _MONTH.fullmatch(text.strip())
    if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
        raise ConsoleError(400, "Bulan {m} tidak sah: tulis seperti 2026-11.", m=text[:20])
    first = dt.date(int(match[1]), int(match[2]), 1)
    return first, (first + dt.timedelta(days=32)).replace(day=1)


def _this_month(staff: StaffContext) -> str:
    return local_date(utcnow(), staff.zone).strftime("%Y-%m")


@router.get("/reports")
def reports_page(request: Request, db: DB, staff: Supervisor,
                 month: Annotated[str, Query(max_length=20)] = "") -> Response:
    month = month or _this_month(staff)
    first, after = parse_month(month)
    with db.transaction() as session:
        profile = load_profile(session, staff.office_id)
        letters = letters_per_service(session, staff.office_id, year=first.year, month=first.month)
        return render(request, "reports.html", staff, session=session, active="reports",
                      rows=monthly_report(session, profile, first, after), month=month, letters=letters,
                      services=profile.services, skm_rows=skm_month(session, profile, first, after),
                      all_services=skm.ALL_SERVICES)


@router.get("/reports.csv")
def reports_csv(db: DB, staff: Supervisor, month: Annotated[str, Query(max_length=20)] = "") -> Response:
    return _month_csv(db, staff, month or _this_month(staff), monthly_report, ServiceMonth, "")


@router.get("/reports-skm.csv")
def reports_skm_csv(db: DB, staff: Supervisor, month: Annotated[str, Query(max_length=20)] = "") -> Response:
    """The month's SKM table as on the page (the office total is the row with service_code `*`)."""
    return _month_csv(db, staff, month or _this_month(staff), skm_month, SkmMonth, "-skm")


def _month_csv(db: Database, staff: StaffContext, month: str, rows_of: Callable[..., list], kind: type,
               suffix: str) -> Response:
    """One month's table (`rows_of(session, profile, first, after)`) as a CSV download."""
    first, after = parse_month(month)
    with db.transaction() as session:
        rows = rows_of(session, load_profile(session, staff.office_id), first, after)
    return csv_download(["month", *kind.__dataclass_fields__], ({"month": month, **asdict(row)} for row in rows),
                        f"loket-{staff.office_code}-{month}{suffix}.csv")
