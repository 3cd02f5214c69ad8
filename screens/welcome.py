"""Welcome (attract) screen: office name, date and time, language, and the three things to do."""

from __future__ import annotations

from screens.widgets import KioskScreen, load_kv


class WelcomeScreen(KioskScreen):
    def file_application(self) -> None:
        self.app.go("services")

    def check_status(self) -> None:
        self.app.go("status")


load_kv(__file__)
