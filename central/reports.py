"""The office's monthly report as values: per service, the applications filed in a month — filed, done,
declined, median working days to done, % done on time, overdue now — and the month's satisfaction
survey (SKM) per service and for the office. Queries only, no HTTP: the console's report page and its
CSV downloads render these.

"Done" is the first time an application reached `ready` or `done`: the office's work is finished then.
A month is the office's calendar month (its zone, `central.office_profile`)."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central import skm
from central.deadlines import local_date, working_days_between
from central.models import Application, StatusChange
from central.office_profile import OfficeProfile
from kiosk.lifecycle import is_overdue
from kiosk.skm import band_of


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


def monthly_report(session: Session, profile: OfficeProfile, first: dt.date, after: dt.date,
                   *, now: dt.datetime | None = None) -> list[ServiceMonth]:
    """Per service, the applications the office took in from `first` up to `after` (its calendar days)."""
    zone, today = profile.zone, profile.today(now)
    # in UTC: SQLite compares the stored (UTC) text, so a WIB midnight must be written as UTC
    start = dt.datetime.combine(first, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(after, dt.time(), zone).astimezone(dt.UTC)
    finished = (select(StatusChange.application_id, func.min(StatusChange.at).label("at"))
                .where(StatusChange.status.in_(("ready", "done"))).group_by(StatusChange.application_id).subquery())
    rows = session.execute(
        select(Application.service_code, Application.status, Application.filed_at, Application.due_on,
               finished.c.at.label("finished_at"))
        .outerjoin(finished, finished.c.application_id == Application.id)
        .where(Application.office_id == profile.id, Application.filed_at >= start, Application.filed_at < end)
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


def skm_month(session: Session, profile: OfficeProfile, first: dt.date, after: dt.date) -> list[SkmMonth]:
    """The month's IKM per service, then the office total; [] when nobody answered the survey that month."""
    found = skm.report(session, profile.code, first, after - dt.timedelta(days=1))["services"]
    if not found[skm.ALL_SERVICES]["respondents"]:
        return []
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


__all__ = ["ServiceMonth", "SkmMonth", "monthly_report", "skm_month"]
