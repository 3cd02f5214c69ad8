"""Documents to bring: what the citizen must show at the office, the fee and the days to finish."""

from __future__ import annotations

from kivy.properties import NumericProperty, ObjectProperty

from screens.widgets import KioskScreen, TextLabel, load_kv


class DocumentsScreen(KioskScreen):
    step = NumericProperty(0)
    steps = NumericProperty(0)
    service = ObjectProperty(None, allownone=True, rebind=True)

    def enter(self) -> None:
        journey = self.app.journey
        self.clear()
        self.service = journey.service
        self.step, self.steps = journey.step_number("documents"), journey.step_count
        for document in self.service.documents:
            self.ids.documents.add_widget(TextLabel(source=document, prefix="\u2022  "))

    def clear(self) -> None:
        self.ids.documents.clear_widgets()
        self.service = None


load_kv(__file__)
