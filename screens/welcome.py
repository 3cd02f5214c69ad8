"""Welcome (attract) screen: office name, date and time, language, and the three things to do."""

from __future__ import annotations

from pathlib import Path

from kivy.properties import BooleanProperty, StringProperty

from screens.widgets import KioskScreen, load_kv

#: the emblem drawn on the screen: office-logo.png (1-bit, for printers) as white on transparent, tinted in .kv
LOGO = Path(__file__).resolve().parent.parent / "assets" / "images" / "office-logo-screen.png"


class WelcomeScreen(KioskScreen):
    logo = StringProperty(str(LOGO))
    portrait = BooleanProperty(False)

    def on_size(self, *_args) -> None:
        self.portrait = self.height > self.width

    def file_application(self) -> None:
        self.app.go("services")

    def check_status(self) -> None:
        self.app.go("status")


load_kv(__file__)
