"""Due dates in working days: the catalog's service days counted past weekends, national holidays and
cuti bersama (lokal-id), on the calendar of the office's time zone (WIB/WITA/WIT from its region code).

For a year lokal-id has no official holiday list for, only weekends are skipped (a due date then comes
a little early rather than never).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import lokal
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from central.models import Application, OfficeCatalog, as_utc
from kiosk.lifecycle import CENTRAL_STATUSES as STATUSES
from kiosk.timezones import office_zone_name

WIB, WITA, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")
ZONE_NAMES = {WIB: "WIB", WITA: "WITA", WIT: "WIT"}
#: the hours kiosks are expected to be on (terminals silent longer than this in them stand out)
OFFICE_HOURS = (dt.time(8, 0), dt.time(16, 0))
_FILL_BATCH = 2000


def office_zone(office_code: str) -> ZoneInfo:
    """The office's time zone from the province its Kemendagri region code starts with; WIB otherwise
    (kiosk.timezones decides, so terminals and central count the same way)."""
    return ZoneInfo(office_zone_name(office_code))


@functools.cache
def _days_off(year: int) -> frozenset[dt.date]:
    try:
        listed = lokal.get_holidays(year).holidays
    except ValueError:  # no official list for that year
        return frozenset()
    return frozenset(dt.date.fromisoformat(h.date) for h in listed)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _days_off(day.year)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (`start` itself does not count)."""
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        days -= is_working_day(day)
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not later)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day)
    return count


def local_date(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    return as_utc(moment).astimezone(zone).date()  # type: ignore[union-attr]


def in_office_hours(moment: dt.datetime, zone: ZoneInfo) -> bool:
    local = as_utc(moment).astimezone(zone)  # type: ignore[union-attr]
    return is_working_day(local.date()) and OFFICE_HOURS[0] <= local.time() < OFFICE_HOURS[1]


@dataclass(frozen=True)
class ServiceInfo:
    code: str
    name_id: str
    name_en: str
    days: int


def office_services(session: Session, office_id: int) -> dict[str, ServiceInfo]:
    """{service code: name and working days} over every catalog the office published (the newest wins)."""
    services: dict[str, ServiceInfo] = {}
    for document in session.scalars(select(OfficeCatalog.document).where(OfficeCatalog.office_id == office_id)
                                    .order_by(OfficeCatalog.id)):
        for s in json.loads(document).get("services", ()):
            name = s.get("name") or {}
            services[s["code"]] = ServiceInfo(s["code"], name.get("id", s["code"]), name.get("en", s["code"]),
                                              int(s.get("days", 0)))
    return services


def fill_due_dates(session: Session, office_id: int, office_code: str) -> int:
    """Gives every application of the office that has none its due date; returns how many it set."""
    # naming every status lets both databases walk the (office, status, due_on) index to the NULLs
    rows = session.execute(select(Application.id, Application.service_code, Application.filed_at)
                           .where(Application.office_id == office_id, Application.status.in_(STATUSES),
                                  Application.due_on.is_(None))
                           .limit(_FILL_BATCH)).all()
    if not rows:
        return 0
    days = {code: s.days for code, s in office_services(session, office_id).items()}
    zone = office_zone(office_code)
    session.execute(update(Application), [
        {"id": row.id, "due_on": add_working_days(local_date(row.filed_at, zone), days.get(row.service_code, 0))}
        for row in rows])
    return len(rows) + (fill_due_dates(session, office_id, office_code) if len(rows) == _FILL_BATCH else 0)
