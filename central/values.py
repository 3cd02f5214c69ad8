"""Making values from the wire safe for either database: PostgreSQL refuses NUL in text and times
outside its range, where SQLite would take anything, and the answer must not differ between them."""

from __future__ import annotations

import datetime as dt
import re

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


_CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_uuid(text: str) -> bool:
    """Whether `text` is a UUID in canonical 8-4-4-4-12 form (either case): what
    `str(uuid.UUID(text)) == text.lower()` says, at a tenth of the cost (it runs for every upload)."""
    return _CANONICAL_UUID.fullmatch(text) is not None
