"""The screen the kiosk shows when it cannot start at all: its queue or data directory is out of reach.

Nothing of the `Terminal` is usable then, so this is a small app of its own: a bilingual notice for
citizens, and for staff the one line that says what is wrong (e.g. the queue file's permissions).
"""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import StringProperty

FONTS = Path(__file__).resolve().parent.parent / "assets" / "fonts"


class FaultApp(App):
    """Shows `detail` (the technician's one line) under a notice that the kiosk is out of service."""

    title = "Loket"
    detail = StringProperty("")

    def __init__(self, detail: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.detail = detail

    def build(self):
        from kivy.core.text import DEFAULT_FONT, LabelBase

        LabelBase.register(DEFAULT_FONT, str(FONTS / "NotoSans-Regular.ttf"), fn_bold=str(FONTS / "NotoSans-Bold.ttf"))
        return Builder.load_file(str(Path(__file__).with_suffix(".kv")))

    def on_start(self) -> None:
        from screens.systemd import report_to_systemd

        # READY and pings here too: a kiosk that cannot start says why on screen, never a restart loop
        report_to_systemd(lambda: "fault")
