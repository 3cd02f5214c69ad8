"""Review: every answer as the citizen gave it, each with "Ubah" (change) to go back to it, and, where the
office sends text messages and a mobile number was given, "kabari saya lewat SMS"."""

from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
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
    #: the number a text message would go to; empty: SMS is not offered (no modem, or no mobile number)
    sms_number = StringProperty("")
    notify_sms = BooleanProperty(False)

    def enter(self) -> None:
        journey = self.app.journey
        self.clear()
        self.step, self.steps = journey.step_number("review"), journey.step_count
        number = journey.sms_number_given() if self.app.terminal.office_sends_sms else None
        self.sms_number = number or ""
        journey.notify_sms = journey.notify_sms and bool(number)
        self.notify_sms = journey.notify_sms
        for field, shown in journey.review_rows():
            row = ReviewRow(field=field, value=shown)
            row.bind(on_change=self._change)
            self.ids.answers.add_widget(row)
        scroll_to_top(self.ids.scroll)

    def rows(self) -> list[ReviewRow]:
        return list(reversed(self.ids.answers.children))

    def toggle_sms(self) -> None:
        self.app.journey.notify_sms = self.notify_sms = not self.notify_sms and bool(self.sms_number)

    def _change(self, row: ReviewRow) -> None:
        self.app.journey.go_to_field(row.field.name)
        self.app.go("form")

    def back(self) -> None:
        self.app.go("documents")

    def clear(self) -> None:
        for row in self.rows():
            row.value = ""
        self.ids.answers.clear_widgets()
        self.sms_number, self.notify_sms = "", False


load_kv(__file__)
