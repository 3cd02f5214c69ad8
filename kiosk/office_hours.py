"""The office's opening hours, as a technician writes them in the settings: `Mon-Fri 08:00-16:00`.

Loket's office data (identity, central's office profile) holds the office's time zone but not its
hours, so the hours are a terminal setting (`office_hours`) read on the office's clock (its zone,
never the machine's). Several spans are joined with `;`: `Mon-Thu 08:00-16:00; Fri 08:00-11:30`.
An empty setting means the office is never counted as open. Used by the updater: outside these
hours nobody is expected at the kiosk, so a release may be switched to without waiting for Welcome.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

DEFAULT_OFFICE_HOURS = "Mon-Fri 08:00-16:00"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Bahasa Indonesia day names are accepted too
_DAY_ALIASES = {"sen": "mon", "sel": "tue", "rab": "wed", "kam": "thu", "jum": "fri", "sab": "sat", "min": "sun"}
_SPAN = re.compile(r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+"
                   r"(?P<open>\d{1,2}[:.]\d{2})-(?P<close>\d{1,2}[:.]\d{2})$")
MAX_TEXT = 200


@dataclass(frozen=True)
class Span:
    days: frozenset[int]  # 0 = Monday
    opens: dt.time
    closes: dt.time


@dataclass(frozen=True)
class OfficeHours:
    spans: tuple[Span, ...]

    def is_open(self, moment: dt.datetime, zone: dt.tzinfo) -> bool:
        """Whether `moment` (timezone-aware) falls in the office's hours on the office's clock."""
        local = moment.astimezone(zone)
        clock = local.time().replace(tzinfo=None)
        return any(local.weekday() in span.days and span.opens <= clock < span.closes for span in self.spans)


def _day(text: str) -> int:
    name = _DAY_ALIASES.get(text, text)
    if name not in DAYS:
        raise ValueError(f"{text!r} is not a day (Mon..Sun or Sen..Min)")
    return DAYS.index(name)


def _time(text: str) -> dt.time:
    hours, minutes = (int(n) for n in re.split(r"[:.]", text))
    if hours == 24 and minutes == 0:
        return dt.time.max
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ValueError(f"{text!r} is not a time of day")
    return dt.time(hours, minutes)


def parse_office_hours(text: str) -> OfficeHours:
    """`Mon-Fri 08:00-16:00; Sat 08:00-12:00` (or `Sen-Jum 08.00-16.00`); raises ValueError, one line."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise ValueError(f"must be text of at most {MAX_TEXT} characters like {DEFAULT_OFFICE_HOURS!r}")
    spans = []
    for part in (p.strip().lower() for p in text.split(";")):
        if not part:
            continue
        found = _SPAN.match(re.sub(r"\s+", " ", part))
        if found is None:
            raise ValueError(f"{part[:40]!r} is not like 'Mon-Fri 08:00-16:00'")
        first = _day(found["first"])
        last = _day(found["last"]) if found["last"] else first
        if last < first:
            raise ValueError(f"{part[:40]!r}: the days run backwards (write Mon-Fri, not Fri-Mon)")
        opens, closes = _time(found["open"]), _time(found["close"])
        if closes <= opens:
            raise ValueError(f"{part[:40]!r}: the office closes before it opens")
        spans.append(Span(frozenset(range(first, last + 1)), opens, closes))
    return OfficeHours(tuple(spans))


def check_office_hours(value: object) -> str:
    """The settings check: the text as written when it parses."""
    if not isinstance(value, str):
        raise ValueError("must be text like 'Mon-Fri 08:00-16:00'")
    parse_office_hours(value)
    return value.strip()
