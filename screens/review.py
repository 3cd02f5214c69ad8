"""Review: every answer as the citizen gave it, each with "Ubah" (change) to go back to it."""

from __future__ import annotations

from kivy.properties import NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from screens.widgets import KioskScreen, load_kv, scroll_to_top


class ReviewRow(BoxLayout):
    field = ObjectProperty(None, rebind=True)
    value = StringProperty("")
    __events__ = ("on_change",)

    def on_change(self) -> None:
        pass


class ReviewScreen(KioskScreen):
    step = NumericProperty(0)
    steps = NumericProperty(0)

    def enter(self) -> None:
        journey = self.app.journey
        self.clear()
        self.step, self.steps = journey.step_number("review"), journey.step_count
        for field, shown in journey.review_rows():
            row = ReviewRow(field=field, value=shown)
            row.bind(on_change=self._change)
            self.ids.answers.add_widget(row)
        scroll_to_top(self.ids.scroll)

    def rows(self) -> list[ReviewRow]:
        return list(reversed(self.ids.answers.children))

    def _change(self, row: ReviewRow) -> None:
        self.app.journey.go_to_field(row.field.name)
        self.app.go("form")

    def back(self) -> None:
        self.app.go("documents")

    def clear(self) -> None:
        for row in self.rows():
            row.value = ""
        self.ids.answers.clear_widgets()


load_kv(__file__)
