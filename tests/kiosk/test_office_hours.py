"""The office's hours as a technician writes them: parsed, read on the office's own clock, and any text
either parsed or refused in one line."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.office_hours import DEFAULT_OFFICE_HOURS, parse_office_hours
from kiosk.settings import Settings, SettingsError

WIB, WITA = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar")


def at(day: int, hour: int, minute: int = 0, zone: dt.tzinfo = WIB) -> dt.datetime:
    """A moment on the office's clock in the week of Monday 7 December 2026 (day 0 = Monday)."""
    return dt.datetime(2026, 12, 7 + day, hour, minute, tzinfo=zone)


def test_the_default_is_working_days_eight_to_four():
    hours = parse_office_hours(DEFAULT_OFFICE_HOURS)
    assert hours.is_open(at(0, 8), WIB) and hours.is_open(at(4, 15, 59), WIB)
    assert not hours.is_open(at(0, 7, 59), WIB) and not hours.is_open(at(4, 16), WIB)
    assert not hours.is_open(at(5, 10), WIB) and not hours.is_open(at(6, 10), WIB)  # weekend


def test_hours_are_read_on_the_offices_clock_not_the_machines():
    hours = parse_office_hours(DEFAULT_OFFICE_HOURS)
    moment = at(0, 15, 30, WIB)  # 15.30 WIB is 16.30 WITA: a Makassar office has closed
    assert hours.is_open(moment, WIB) and not hours.is_open(moment, WITA)
    assert hours.is_open(moment.astimezone(dt.UTC), WIB)


def test_several_spans_and_indonesian_day_names():
    hours = parse_office_hours("Sen-Kam 08.00-16.00; Jum 08:00-11:30 ; sab 09:00-12:00")
    assert hours.is_open(at(3, 15), WIB) and not hours.is_open(at(4, 13), WIB)
    assert hours.is_open(at(4, 11), WIB) and hours.is_open(at(5, 9), WIB) and not hours.is_open(at(6, 10), WIB)
    assert parse_office_hours("Mon-Sun 00:00-24:00").is_open(at(6, 23, 59), WIB)
    assert not parse_office_hours("").is_open(at(0, 10), WIB)  # empty: never open


@pytest.mark.parametrize(("text", "words"), [
    ("Mon-Fri 8-16", "is not like"), ("Fri-Mon 08:00-16:00", "run backwards"),
    ("Mon-Fri 16:00-08:00", "closes before it opens"), ("Xyz 08:00-16:00", "is not a day"),
    ("Mon 25:00-26:00", "is not a time of day"),
])
def test_bad_hours_are_refused_in_one_line_naming_the_setting(text, words):
    with pytest.raises(SettingsError, match=words) as refused:
        Settings().updated(office_hours=text)
    assert "office_hours" in str(refused.value) and "\n" not in str(refused.value)


@given(st.text(max_size=80))
def test_any_text_is_parsed_or_refused_with_a_value_error(text):
    try:
        hours = parse_office_hours(text)
    except ValueError as e:
        assert "\n" not in str(e)
    else:
        hours.is_open(at(2, 10), WIB)
