"""Time for every package: the UTC moment, its ISO text as stored and sent, and dates in words.

Moments are timezone-aware UTC; the store and the wire carry them as ISO 8601 with milliseconds and
a `Z`. Day and month names (Bahasa Indonesia and English) are defined here once, for the Welcome
screen's clock and the receipts. `TrustedClock` is the time when the system clock may be wrong (a
flat CMOS battery): a floor the time cannot be before, and central's offset.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from dataclasses import dataclass
from pathlib import Path

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


# -- a clock that can be wrong ----------------------------------------------------------------------
# A mini-PC whose CMOS battery is flat boots in the past. The terminal keeps what it knows about the
# time besides its system clock: moments it knows have passed (its floor: the newest moment in its
# queue, central's clock at its last answer, the release's build time) and how far central's clock
# (the `Date` header of every answer) was from its own. Filing, receipts and due dates use
# `TrustedClock.now()`; requests are signed with the system clock corrected by central's offset, so a
# wrong clock never locks a terminal out (central still refuses timestamps outside its window).

#: beyond this the maintenance screen and central's terminals page say the clock is wrong
CLOCK_WRONG_AFTER_S = 120.0
RELEASE_FILE = "release.json"


@dataclass(frozen=True)
class TrustedClock:
    """The best time a terminal knows: its system clock, corrected by central's offset, never before its floor."""

    floor: dt.datetime | None = None
    #: central's clock minus this terminal's system clock at central's last answer (None: never answered)
    central_offset_s: float | None = None

    def now(self, system_now: dt.datetime | None = None) -> dt.datetime:
        system_now = system_now or utcnow()
        best = system_now + dt.timedelta(seconds=self.central_offset_s or 0.0)
        return max(best, self.floor) if self.floor is not None else best

    def wrong_by_s(self, system_now: dt.datetime | None = None) -> float:
        """How far the system clock is behind the best time (negative: ahead of central's)."""
        system_now = system_now or utcnow()
        return (self.now(system_now) - system_now).total_seconds()

    def is_wrong(self, system_now: dt.datetime | None = None) -> bool:
        return abs(self.wrong_by_s(system_now)) > CLOCK_WRONG_AFTER_S


def clock_floor(*moments: dt.datetime | None) -> dt.datetime | None:
    """The newest of the moments known to have passed (None when none is known)."""
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def release_built_at(prefix: str | Path | None = None) -> dt.datetime | None:
    """When the release in `prefix` was built (`release.json` beside its venv), None outside a release;
    without `prefix`, the running release's, read once (it cannot change under a running process, and
    every submit asks)."""
    if prefix is None:
        return _running_release_built_at()
    try:
        record = json.loads((Path(prefix) / RELEASE_FILE).read_text(encoding="utf-8"))
        return parse_iso(record["built_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


@functools.cache
def _running_release_built_at() -> dt.datetime | None:
    return release_built_at(sys.prefix)


_UNITS = {"id": (("tahun", 365 * 86400), ("hari", 86400), ("jam", 3600), ("menit", 60), ("detik", 1)),
          "en": (("year", 365 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))}


def duration_words(seconds: float, language: str) -> str:
    """`3 years 12 days` / `3 tahun 12 hari`: the two largest units, the smaller one rounded, for people."""
    units = _UNITS[_lang(language)]
    left = abs(seconds)
    for (_, size), (_, finer) in zip(units, units[1:], strict=False):
        if left >= size:
            left = round(left / finer) * finer
            break
    left = int(round(left))
    parts = []
    for name, size in _UNITS[_lang(language)]:
        count, left = divmod(left, size)
        if count:
            parts.append(f"{count} {name}{'s' if language == 'en' and count != 1 else ''}")
        if len(parts) == 2:
            break
    return " ".join(parts) or ("0 detik" if _lang(language) == "id" else "0 seconds")


def clock_warning(wrong_by_s: float | None, language: str = "en") -> str | None:
    """`clock wrong by 3 years 12 days (behind)`, or None when the clock is right (or nothing is known)."""
    if wrong_by_s is None or abs(wrong_by_s) <= CLOCK_WRONG_AFTER_S:
        return None
    words = duration_words(wrong_by_s, language)
    if _lang(language) == "id":
        return f"jam salah {words} ({'terlambat' if wrong_by_s > 0 else 'terlalu cepat'})"
    return f"clock wrong by {words} ({'behind' if wrong_by_s > 0 else 'ahead'})"
