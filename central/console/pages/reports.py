"""Monthly report (`/staff/reports`, supervisors): per service, the applications filed in a month — filed,
done, declined, median working days to done, % done on time, overdue now — and the same as CSV; and the
month's satisfaction survey (SKM): per service and for the office, respondents, IKM and band, from `central.skm`.

"Done" is the first time an application reached `ready` or `done`: the office's work is finished then."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central import skm
from central.api.common import DB
from central.console.sessions import StaffContext
from central.console.web import PREFIX, ConsoleError, Supervisor, render
from central.db import Database
from central.deadlines import local_date, working_days_between
from central.letters.reports import letters_per_service
from central.models import Application, StatusChange, utcnow
from central.office_profile import load_profile
from kiosk.lifecycle import is_overdue
from kiosk.skm import band_of

router = APIRouter(prefix=PREFIX, include_in_schema=False)
_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class ServiceMonth:
    service_code: str
    name_id: str
    name_en: str
    filed: int
    done: int
    declined: int
    median_days: float | None
    on_time_pct: float | None
    overdue_now: int


def parse_month(text: str) -> tuple[dt.date, dt.date]:
    """(first day, first day of the next month); `ConsoleError` 400 for anything but YYYY-MM."""
    match = _MONTH.fullmatch(text.strip())
    if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
        raise ConsoleError(400, "Bulan {m} tidak sah: tulis seperti 2026-11.", m=text[:20])
    first = dt.date(int(match[1]), int(match[2]), 1)
    return first, (first + dt.timedelta(days=32)).replace(day=1)


def monthly_report(session: Session, staff: StaffContext, month: str) -> list[ServiceMonth]:
    first, after = parse_month(month)
    profile = load_profile(session, staff.office_id)
    zone, today = profile.zone, profile.today()
    # in UTC: SQLite compares the stored (UTC) text, so a WIB midnight must be written as UTC
    start = dt.datetime.combine(first, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(after, dt.time(), zone).astimezone(dt.UTC)
    finished = (select(StatusChange.application_id, func.min(StatusChange.at).label("at"))
                .where(StatusChange.status.in_(("ready", "done"))).group_by(StatusChange.application_id).subquery())
    rows = session.execute(
        select(Application.service_code, Application.status, Application.filed_at, Application.due_on,
               finished.c.at.label("finished_at"))
        .outerjoin(finished, finished.c.application_id == Application.id)
        .where(Application.office_id == staff.office_id, Application.filed_at >= start, Application.filed_at < end)
    ).all()
    by_service: dict[str, list] = {}
    for row in rows:
        by_service.setdefault(row.service_code, []).append(row)
    report = []
    for code in sorted(by_service):
        group = by_service[code]
        done = [r for r in group if r.finished_at is not None]
        days = [working_days_between(local_date(r.filed_at, zone), local_date(r.finished_at, zone)) for r in done]
        on_time = [r for r in done if r.due_on is None or local_date(r.finished_at, zone) <= r.due_on]
        report.append(ServiceMonth(
            code, profile.service_name(code, "id"), profile.service_name(code, "en"), len(group), len(done),
            sum(r.status == "declined" for r in group), statistics.median(days) if days else None,
            round(100 * len(on_time) / len(done), 1) if done else None,
            sum(is_overdue(r.status, r.due_on, today) for r in group)))
    return report


@dataclass(frozen=True)
class SkmMonth:
    """One row of the month's SKM table; `service_code` is `*` for the whole office."""

    service_code: str
    name_id: str
    name_en: str
    respondents: int
    ikm: float | None
    band: str | None  # mutu pelayanan, A-D
    performance_id: str | None  # kinerja unit pelayanan: Sangat baik ... Tidak baik
    performance_en: str | None


def skm_month(session: Session, staff: StaffContext, month: str) -> list[SkmMonth]:
    """The month's IKM per service, then the office total; [] when nobody answered the survey that month."""
    first, after = parse_month(month)
    found = skm.report(session, staff.office_code, first, after - dt.timedelta(days=1))["services"]
    if not found[skm.ALL_SERVICES]["respondents"]:
        return []
    profile = load_profile(session, staff.office_id)
    rows = []
    for code, result in found.items():
        if code == skm.ALL_SERVICES:
            names = ("Seluruh layanan", "All services")
        else:
            names = (profile.service_name(code, "id"), profile.service_name(code, "en"))
        words = band_of(result["ikm"])[1] if result["ikm"] is not None else None
        rows.append(SkmMonth(code, *names, result["respondents"], result["ikm"], result["band"],
                             words.id if words else None, words.en if words else None))
    return sorted(rows, key=lambda r: r.service_code == skm.ALL_SERVICES)  # the office total last


def _this_month(staff: StaffContext) -> str:
    return local_date(utcnow(), staff.zone).strftime("%Y-%m")


@router.get("/reports")
def reports_page(request: Request, db: DB, staff: Supervisor,
                 month: Annotated[str, Query(max_length=20)] = "") -> Response:
    month = month or _this_month(staff)
    with db.transaction() as session:
        rows = monthly_report(session, staff, month)
        first, _ = parse_month(month)
        letters = letters_per_service(session, staff.office_id, year=first.year, month=first.month)
        return render(request, "reports.html", staff, session=session, active="reports", rows=rows, month=month,
                      letters=letters, services=load_profile(session, staff.office_id).services,
                      skm_rows=skm_month(session, staff, month), all_services=skm.ALL_SERVICES)


@router.get("/reports.csv")
def reports_csv(db: DB, staff: Supervisor, month: Annotated[str, Query(max_length=20)] = "") -> Response:
    return _month_csv(db, staff, month or _this_month(staff), monthly_report, ServiceMonth, "")


@router.get("/reports-skm.csv")
def reports_skm_csv(db: DB, staff: Supervisor, month: Annotated[str, Query(max_length=20)] = "") -> Response:
    """The month's SKM table as on the page (the office total is the row with service_code `*`)."""
    return _month_csv(db, staff, month or _this_month(staff), skm_month, SkmMonth, "-skm")


def _month_csv(db: Database, staff: StaffContext, month: str, rows_of: Callable[..., list], kind: type,
               suffix: str) -> Response:
    """One month's table (`rows_of(session, staff, month)`) as a CSV download."""
    with db.transaction() as session:
        rows = rows_of(session, staff, month)
    return _csv(rows, kind, month, f"loket-{staff.office_code}-{month}{suffix}.csv")


def _csv(rows: list, kind: type, month: str, name: str) -> Response:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["month", *kind.__dataclass_fields__])
    writer.writeheader()
    for row in rows:
        writer.writerow({"month": month, **asdict(row)})
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
