"""The clock: moments stored as ISO text come back the same, and dates read naturally in both languages."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kiosk.clock import (
    TrustedClock,
    clock_floor,
    clock_text,
    clock_warning,
    iso,
    long_date,
    parse_iso,
    release_built_at,
)


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


# -- a clock that can be wrong ----------------------------------------------------------------------

moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1),
                       timezones=st.just(dt.UTC))


@given(system=moments, floor=st.none() | moments, offset=st.none() | st.floats(-4e9, 4e9))
def test_the_trusted_time_is_never_before_the_floor(system, floor, offset) -> None:
    clock = TrustedClock(floor=floor, central_offset_s=offset)
    now = clock.now(system)
    assert floor is None or now >= floor
    assert now >= system + dt.timedelta(seconds=offset or 0) or (floor is not None and now == floor)


def test_a_clock_three_years_behind_is_corrected_by_centrals_offset_and_said_to_be_wrong() -> None:
    real = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
    system = real - dt.timedelta(days=3 * 365)
    clock = TrustedClock(floor=real - dt.timedelta(hours=2), central_offset_s=(real - system).total_seconds())
    assert clock.now(system) == real
    assert clock.is_wrong(system)
    assert clock_warning(clock.wrong_by_s(system), "en") == "clock wrong by 3 years (behind)"
    assert clock_warning(clock.wrong_by_s(system), "id") == "jam salah 3 tahun (terlambat)"


def test_without_central_a_clock_behind_its_floor_files_at_the_floor() -> None:
    floor = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
    clock = TrustedClock(floor=clock_floor(None, floor - dt.timedelta(days=1), floor))
    assert clock.now(floor - dt.timedelta(days=900)) == floor
    assert clock_warning(clock.wrong_by_s(floor - dt.timedelta(days=900)), "en") == \
        "clock wrong by 2 years 170 days (behind)"


def test_a_right_clock_raises_no_warning() -> None:
    now = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
    clock = TrustedClock(floor=now - dt.timedelta(minutes=5), central_offset_s=1.4)
    assert not clock.is_wrong(now) and clock_warning(clock.wrong_by_s(now)) is None
    assert clock_warning(None) is None


def test_a_clock_ahead_of_central_is_wrong_too() -> None:
    assert clock_warning(-3 * 3600 - 60, "en") == "clock wrong by 3 hours 1 minute (ahead)"


def test_a_release_says_when_it_was_built(tmp_path) -> None:
    (tmp_path / "release.json").write_text('{"version": "0.1.0", "built_at": "2026-12-04T16:29:36+00:00"}')
    assert release_built_at(tmp_path) == dt.datetime(2026, 12, 4, 16, 29, 36, tzinfo=dt.UTC)
    assert release_built_at(tmp_path / "nowhere") is None
