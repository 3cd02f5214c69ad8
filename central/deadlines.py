"""Working days: weekends, national holidays and cuti bersama (lokal-id) skipped, on the calendar of a
time zone (the office's, from `central.office_profile`), for due dates and the console's counts.

For a year lokal-id has no official holiday list for, only weekends are skipped (a due date then comes
a little early rather than never).
"""

from __future__ import annotations

import datetime as dt
import functools

import lokal

from central.models import as_utc

#: the hours kiosks are expected to be on (terminals silent longer than this in them stand out)
OFFICE_HOURS = (dt.time(8, 0), dt.time(16, 0))


@functools.cache
def _days_off(year: int) -> frozenset[dt.date]:
    try:
        listed = lokal.get_holidays(year).holidays
    except ValueError:  # no official list for that year
        return frozenset()
    return frozenset(dt.date.fromisoformat(h.date) for h in listed)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _days_off(day.year)


@functools.lru_cache(maxsize=4096)  # ingest asks it for every application; the calendar is fixed data
def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (`start` itself does not count)."""
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        days -= is_working_day(day)
    return day


def due_date(filed_at: dt.datetime, zone: dt.tzinfo, days: int) -> dt.date:
    """The due date of an application filed at `filed_at` whose service takes `days` working days,
    counted from the day it was filed on the calendar of `zone` (the office's)."""
    return add_working_days(local_date(filed_at, zone), days)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not later)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day)
    return count


def local_date(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    return as_utc(moment).astimezone(zone).date()  # type: ignore[union-attr]


def in_office_hours(moment: dt.datetime, zone: dt.tzinfo) -> bool:
    local = as_utc(moment).astimezone(zone)  # type: ignore[union-attr]
    return is_working_day(local.date()) and OFFICE_HOURS[0] <= local.time() < OFFICE_HOURS[1]
