"""The clock: moments stored as ISO text come back the same, and dates read naturally in both languages."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kiosk.clock import clock_text, iso, long_date, parse_iso


def test_the_clock_reads_naturally_in_both_languages():
    moment = dt.datetime(2026, 11, 24, 9, 5)
    assert clock_text(moment, "id") == "Selasa, 24 November 2026 · 09.05"
    assert clock_text(moment, "en") == "Tuesday, 24 November 2026 · 09:05"


def test_a_long_date_names_the_day_and_month_in_the_language():
    assert long_date(dt.date(2026, 3, 27), "id") == "Jumat, 27 Maret 2026"
    assert long_date(dt.date(2026, 3, 27), "en") == "Friday, 27 March 2026"


@given(st.datetimes(timezones=st.just(dt.UTC)))
def test_a_stored_moment_reads_back_to_the_millisecond(moment):
    text = iso(moment)
    assert text.endswith("Z")
    assert parse_iso(text) == moment.replace(microsecond=moment.microsecond // 1000 * 1000)
