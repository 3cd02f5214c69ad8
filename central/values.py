"""Making values from the wire safe for either database: PostgreSQL refuses NUL in text and times
outside its range, where SQLite would take anything, and the answer must not differ between them."""

from __future__ import annotations

import datetime as dt
import re
import uuid

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def clean_text(text: str | None) -> str | None:
    """`text` without NUL and other control characters (newlines and tabs stay)."""
    return None if text is None else _CONTROL.sub("\ufffd", text)


def has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None


def plausible_utc(moment: dt.datetime) -> dt.datetime | None:
    """`moment` in UTC (naive taken as UTC) when between 2000 and 2100, else None."""
    try:
        utc = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None
    return utc if EARLIEST <= utc < LATEST else None


def is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False
