"""The kiosk's clock and the status screen show the office's time zone, never the machine's (UTC here)."""

from __future__ import annotations

import datetime as dt
import time


def test_the_clock_and_status_times_follow_the_office_zone_on_a_machine_set_to_utc(kiosk, ui_terminal,
                                                                                 monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    app = kiosk.app
    try:
        assert app.clock.endswith(" WIB")  # Kelurahan Braga, Bandung (32): WIB
        ui_terminal.update_settings(timezone="Asia/Makassar")
        app.reset()
        kiosk.frames(2)
        assert app.clock.endswith(" WITA")
        assert kiosk.screen.ids.clock.text == app.clock
        status = app.screen_manager.get_screen("status")
        assert status.when(dt.datetime(2026, 11, 27, 1, 12, tzinfo=dt.UTC)) == "27-11-2026 09.12 WITA"
        kiosk.screenshot("welcome-clock-wita")
    finally:
        ui_terminal.update_settings(timezone="")
        monkeypatch.undo()
        time.tzset()
        app.reset()
