"""When the applier switches releases: at once when no citizen is at the kiosk; while one is mid-journey,
only once the office is closed by its `office_hours` setting, on the office's clock (its zone from the
terminal's identity, or the `timezone` setting)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kiosk.release.manifest import BundleRefused
from kiosk.settings import load_settings
from loket.updates.apply import ApplyOptions, wait_until_screen_free
from loket.updates.state import UpdatePaths, mark_journey
from loket.updates.window import may_switch, office_code
from tests.fixtures.releases import loket_cli

WIB = ZoneInfo("Asia/Jakarta")
MONDAY_10_WIB = dt.datetime(2026, 12, 7, 10, 0, tzinfo=WIB)
MONDAY_20_WIB = dt.datetime(2026, 12, 7, 20, 0, tzinfo=WIB)
MONDAY_15_30_WIB = dt.datetime(2026, 12, 7, 15, 30, tzinfo=WIB)


@pytest.fixture
def paths(terminal, tmp_path) -> UpdatePaths:
    """The update paths of the provisioned test terminal (Kelurahan Braga, Bandung: WIB)."""
    return UpdatePaths(prefix=tmp_path / "opt", data=terminal.paths.home, config=tmp_path / "etc")


def busy(paths: UpdatePaths) -> None:
    mark_journey(paths.data, True)  # this live process stands for the kiosk, mid-journey


def test_an_idle_kiosk_switches_at_once_even_in_office_hours(paths):
    mark_journey(paths.data, False)
    assert may_switch(paths, MONDAY_10_WIB) == (True, "no citizen at the kiosk")


def test_a_citizen_mid_journey_holds_the_switch_in_office_hours_only(paths):
    busy(paths)
    assert may_switch(paths, MONDAY_10_WIB) == (False, "a citizen is using the kiosk during office hours")
    assert may_switch(paths, MONDAY_20_WIB) == (True, "outside the office's hours")
    assert may_switch(paths, MONDAY_10_WIB + dt.timedelta(days=5)) == (True, "outside the office's hours")  # Saturday


def test_the_hours_are_the_terminals_setting_on_its_offices_clock(terminal, paths):
    busy(paths)
    assert office_code(paths) == "3273010001"  # read from the queue's identity, read-only
    terminal.update_settings(office_hours="Mon-Fri 07:00-21:00")
    assert may_switch(paths, MONDAY_20_WIB)[0] is False
    terminal.update_settings(office_hours="Mon-Fri 08:00-16:00", timezone="Asia/Makassar")  # WITA: an hour later
    assert may_switch(paths, MONDAY_15_30_WIB) == (True, "outside the office's hours")


def test_the_applier_waits_for_the_screen_or_the_closing_time(paths):
    busy(paths)
    lines: list[str] = []
    during = ApplyOptions(poll_s=0.05, max_idle_wait_s=0.3, now=lambda: MONDAY_10_WIB)
    with pytest.raises(BundleRefused, match="the kiosk stayed in use"):
        wait_until_screen_free(paths, during, lines.append)
    assert lines and "waits until the screen is back at Welcome or the office closes" in lines[0]
    clock = iter([MONDAY_15_30_WIB, MONDAY_15_30_WIB, MONDAY_15_30_WIB + dt.timedelta(hours=1)])
    closing = ApplyOptions(poll_s=0.05, max_idle_wait_s=5, now=lambda: next(clock))
    assert wait_until_screen_free(paths, closing, lines.append) == "outside the office's hours"


def test_a_technician_sets_the_hours_from_the_shell_and_a_bad_value_is_refused(terminal):
    home = str(terminal.paths.home)
    loket_cli("--home", home, "maintenance", "set", "office_hours=Sen-Jum 07.30-15.30")
    assert load_settings(terminal.paths.settings_file).office_hours == "Sen-Jum 07.30-15.30"
    refused = loket_cli("--home", home, "maintenance", "set", "office_hours=Jum-Sen 07.30-15.30", check=False)
    assert refused.returncode == 2 and "office_hours" in refused.stderr and "run backwards" in refused.stderr
    assert load_settings(terminal.paths.settings_file).office_hours == "Sen-Jum 07.30-15.30"
