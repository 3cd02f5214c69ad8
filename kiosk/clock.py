"""Time for every package: the UTC moment, its ISO text as stored and sent, and dates in words.

Moments are timezone-aware UTC; the store and the wire carry them as ISO 8601 with milliseconds and
a `Z`. Day and month names (Bahasa Indonesia and English) are defined here once, for the Welcome
screen's clock and the receipts.
"""

from __future__ import annotations

import datetime as dt

DAY_NAMES = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTH_NAMES = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
           "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime) -> str:
    """`2026-11-24T02:12:05.123Z`: how the store keeps a moment."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _lang(language: str) -> str:
    return "en" if language == "en" else "id"


def day_month_year(day: dt.date, language: str) -> str:
    """`25 November 2026`."""
    return f"{day.day} {MONTH_NAMES[_lang(language)][day.month - 1]} {day.year}"


def long_date(day: dt.date, language: str) -> str:
    """`Rabu, 25 November 2026` / `Wednesday, 25 November 2026`."""
    return f"{DAY_NAMES[_lang(language)][day.weekday()]}, {day_month_year(day, language)}"


def clock_text(now: dt.datetime, language: str) -> str:
    """The date and time on the Welcome screen, e.g. "Selasa, 24 November 2026 · 09.30"."""
    time = f"{now:%H:%M}" if language == "en" else f"{now:%H.%M}"
    return f"{long_date(now, language)} · {time}"
