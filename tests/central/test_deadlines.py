"""Due dates: the catalog's working days past weekends, national holidays and cuti bersama (lokal-id),
on the calendar of the office's time zone."""

import datetime as dt

import lokal
from hypothesis import given, settings
from hypothesis import strategies as st

from central.deadlines import add_working_days, in_office_hours, is_working_day, local_date, working_days_between
from kiosk.timezones import office_zone

WIB, WITA, WIT = office_zone("", "Asia/Jakarta"), office_zone("", "Asia/Makassar"), office_zone("", "Asia/Jayapura")

DAYS_WITH_DATA = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2027, 11, 30))


def test_the_time_zone_follows_the_province_of_the_region_code():
    assert office_zone("3273010001") == WIB  # Jawa Barat
    assert office_zone("6171010001") == WIB  # Kalimantan Barat
    assert office_zone("5171010001") == WITA  # Bali
    assert office_zone("6471010001") == WITA  # Kalimantan Timur
    assert office_zone("9171010001") == WIT  # Papua
    assert office_zone("Otest") == WIB  # not a region code
    assert office_zone("3273010001", "Asia/Jayapura") == WIT  # the zone staff set wins


def test_holidays_and_cuti_bersama_are_not_working_days():
    assert not is_working_day(dt.date(2026, 8, 17))  # Hari Kemerdekaan, a Monday
    cuti = [h for h in lokal.get_holidays(2026).holidays if h.type == "cuti_bersama"]
    assert cuti and not any(is_working_day(dt.date.fromisoformat(h.date)) for h in cuti)
    assert add_working_days(dt.date(2026, 8, 14), 1) == dt.date(2026, 8, 18)  # Friday + 1 skips Sat-Mon


def test_a_day_filed_late_in_the_evening_in_papua_is_already_the_next_day():
    moment = dt.datetime(2026, 11, 26, 16, 30, tzinfo=dt.UTC)  # 01.30 WIT on the 27th
    assert local_date(moment, WIT) == dt.date(2026, 11, 27)
    assert local_date(moment, WIB) == dt.date(2026, 11, 26)


def test_office_hours_are_working_days_from_eight_to_four_local_time():
    assert in_office_hours(dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC), WIB)  # Thursday 09.00 WIB
    assert not in_office_hours(dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC), WIB)  # 19.00 WIB
    assert not in_office_hours(dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC), WIB)  # Saturday


@settings(deadline=None)  # lokal-id's own count walks the holiday list day by day
@given(DAYS_WITH_DATA, st.integers(min_value=0, max_value=20))
def test_adding_working_days_agrees_with_lokal_id_and_counts_back(start, days):
    due = add_working_days(start, days)
    assert due == lokal.add_working_days(start, days)
    assert working_days_between(start, due) == days
    assert days == 0 or is_working_day(due)


def test_a_year_without_an_official_holiday_list_skips_weekends_only():
    assert add_working_days(dt.date(2031, 1, 3), 1) == dt.date(2031, 1, 6)
