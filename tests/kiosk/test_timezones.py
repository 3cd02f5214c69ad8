"""The office's time zone comes from its province (or staff), never from the machine the kiosk runs on."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.errors import SettingsError
from kiosk.settings import Settings
from kiosk.timezones import (
    WIB,
    WIT,
    WITA,
    check_zone,
    clock_in_zone,
    in_zone,
    month_around,
    office_zone,
    office_zone_name,
    zone_for_region,
)


@pytest.mark.parametrize(("region", "zone"), [
    ("3273010001", WIB),   # Bandung, Jawa Barat
    ("3171011001", WIB),   # Jakarta Pusat
    ("1271011001", WIB),   # Medan, Sumatera Utara
    ("6171011001", WIB),   # Pontianak, Kalimantan Barat
    ("7371011001", WITA),  # Makassar, Sulawesi Selatan
    ("5171011001", WITA),  # Denpasar, Bali
    ("6471011001", WITA),  # Balikpapan, Kalimantan Timur
    ("8171011001", WIT),   # Ambon, Maluku
    ("9471011001", WIT),   # Jayapura, Papua
])
def test_the_province_of_the_region_code_decides_the_zone(region, zone):
    assert zone_for_region(region) == zone
    assert office_zone_name(region) == zone


def test_staff_may_name_the_zone_and_a_bad_or_missing_one_falls_back():
    assert office_zone_name("3273010001", "Asia/Makassar") == WITA
    assert office_zone_name("3273010001", "wit") == WIT
    assert office_zone_name("7371011001", "Europe/Paris") == WITA  # not an office zone: the region decides
    assert office_zone_name("0000") == WIB  # no province known: WIB, where most offices are


@given(st.text(max_size=30))
def test_check_zone_accepts_only_the_three_office_zones(name):
    try:
        checked = check_zone(name)
    except ValueError as e:
        assert "time zone" in str(e)
    else:
        assert checked in (WIB, WITA, WIT)


def test_the_clock_says_the_office_zone_whatever_the_machine_is_set_to(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        moment = dt.datetime(2026, 11, 27, 1, 12, tzinfo=dt.UTC)
        assert clock_in_zone(moment, office_zone("7371011001"), "id") == "09.12 WITA"
        assert clock_in_zone(moment, office_zone("3273010001"), "en") == "08:12 WIB"
        assert clock_in_zone(moment.replace(tzinfo=None), office_zone("9471011001"), "id") == "10.12 WIT"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_timezone_setting_is_checked():
    assert Settings().updated(timezone="WITA").timezone == WITA
    assert Settings().updated(timezone="").timezone == ""
    with pytest.raises(SettingsError, match="timezone"):
        Settings().updated(timezone="Mars/Olympus")


@given(st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2099, 12, 31), timezones=st.just(dt.UTC)),
       st.sampled_from([WIB, WITA, WIT]))
def test_the_month_around_a_moment_is_the_offices_month_and_holds_the_moment(moment: dt.datetime, name: str) -> None:
    zone = office_zone(name)
    first, begins, ends = month_around(moment, zone)
    local = in_zone(moment, zone)
    assert first == local.date().replace(day=1)
    assert begins <= moment < ends
    assert in_zone(begins, zone).date() == first and in_zone(begins, zone).time() == dt.time(0)
    assert in_zone(ends, zone).day == 1 and (ends - begins).days in (28, 29, 30, 31)
