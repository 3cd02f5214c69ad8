"""When the applier may switch releases: no citizen mid-journey at the kiosk, or outside the office's hours.

The office's hours are the terminal's `office_hours` setting (default `Mon-Fri 08:00-16:00`), read on
the office's own clock (its zone: the `timezone` setting, else its region code). Outside them no citizen
is expected, so a kiosk whose journey marker still says busy (a screen left mid-form, a kiosk hung
before its idle reset) does not hold an update back until morning.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from kiosk.office_hours import parse_office_hours
from kiosk.settings import Paths as TerminalPaths
from kiosk.settings import load_settings
from kiosk.timezones import office_zone
from loket.updates.state import UpdatePaths, citizen_at_screen


def office_code(paths: UpdatePaths) -> str:
    """The office's region code from the queue's identity (read-only), "" when there is none yet."""
    if not paths.queue.exists():
        return ""
    try:
        db = sqlite3.connect(f"file:{paths.queue}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT office_code FROM terminal WHERE slot = 1").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return ""
    return str(row[0] or "") if row else ""


def office_open(paths: UpdatePaths, now: dt.datetime | None = None) -> bool:
    """Whether the office is open at `now` (UTC when not given) by its `office_hours` setting."""
    settings = load_settings(TerminalPaths(paths.data).settings_file)  # a bad value falls back to the default
    zone = office_zone(office_code(paths), settings.timezone)
    return parse_office_hours(settings.office_hours).is_open(now or dt.datetime.now(dt.UTC), zone)


def may_switch(paths: UpdatePaths, now: dt.datetime | None = None) -> tuple[bool, str]:
    """(whether the switch may go ahead now, why in a few words)."""
    if not citizen_at_screen(paths):
        return True, "no citizen at the kiosk"
    if not office_open(paths, now):
        return True, "outside the office's hours"
    return False, "a citizen is using the kiosk during office hours"
