"""Day / month / year pickers beside a date field: big buttons for those who would rather not type.

Each picker opens a grid (days 1-31, the twelve months by name, years by decade then by year) and
writes its part into the field as DD-MM-YYYY, keeping the parts already there; typing still works.
After a day (or a month) the next part's grid opens by itself while that part is still empty.
"""

from __future__ import annotations

import datetime as dt

from kivy.properties import ListProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.clock import MONTH_NAMES
from screens.dialogs import KioskDialog
from screens.widgets import KioskButton, load_kv

PART_INDEX = {"day": 0, "month": 1, "year": 2}
NEXT_PART = {"day": "month", "month": "year"}
PAST_YEARS = 110
FUTURE_YEARS = 5


def date_parts(text: str) -> list[str]:
    """`17-08-1995` (or a part of it) as [day, month, year] strings, empty where missing."""
    parts = [p.strip() for p in text.split("-")][:3]
    return parts + [""] * (3 - len(parts))


def with_part(text: str, part: str, value: int) -> str:
    """`text` with one part replaced: days and months two digits, the year four."""
    parts = date_parts(text)
    parts[PART_INDEX[part]] = f"{value:04d}" if part == "year" else f"{value:02d}"
    return "-".join(parts)


def year_choices(when: str, today: dt.date) -> list[int]:
    """The years a picker offers, newest first: the past century for past dates, a few ahead for future ones."""
    if when == "future":
        return list(range(today.year, today.year + FUTURE_YEARS + 1))
    return list(range(today.year, today.year - PAST_YEARS, -1))


class PickerChoice(KioskButton):
    value = ObjectProperty(None)


class PickerDialog(KioskDialog):
    """A grid of big buttons; `choices` are (value, words) pairs."""

    title = StringProperty("")
    choices = ListProperty([])
    columns = ObjectProperty(7)
    when_chosen = ObjectProperty(None, allownone=True)

    def on_choices(self, *_args) -> None:
        grid = self.ids.grid
        grid.clear_widgets()
        for value, words in self.choices:
            button = PickerChoice(value=value, text=words)
            button.bind(on_release=self._chose)
            grid.add_widget(button)

    def buttons(self) -> list[PickerChoice]:
        return list(reversed(self.ids.grid.children))

    def _chose(self, button: PickerChoice) -> None:
        if self.when_chosen is not None:
            self.when_chosen(button.value)


class DatePickers(BoxLayout):
    """The three picker buttons under a date field; `input` is the field they fill."""

    input = ObjectProperty(None, rebind=True)
    when = OptionProperty("past", options=("past", "future", "any"))
    dialog = ObjectProperty(None, allownone=True)

    def open(self, part: str, *, decade: int | None = None) -> PickerDialog:
        from kivy.app import App

        app = App.get_running_app()
        today = dt.datetime.now(app.zone).date() if hasattr(app, "zone") else dt.date.today()
        if part == "day":
            choices, columns, title = [(d, str(d)) for d in range(1, 32)], 7, app.t("Day")
        elif part == "month":
            names = MONTH_NAMES["en" if app.lang == "en" else "id"]
            choices, columns, title = [(m, names[m - 1]) for m in range(1, 13)], 3, app.t("Month")
        else:
            years = year_choices(self.when, today)
            if decade is None and len(years) > 12:
                decades = sorted({y // 10 * 10 for y in years}, reverse=True)
                choices, columns, title = [(("decade", d), f"{d}–{d + 9}") for d in decades], 3, app.t("Year")
            else:
                years = [y for y in years if decade is None or y // 10 * 10 == decade]
                choices, columns, title = [(y, str(y)) for y in years], 4, app.t("Year")
        self.close()
        self.dialog = PickerDialog(title=title, columns=columns, when_chosen=lambda v: self._chose(part, v))
        self.dialog.choices = choices
        self.dialog.open(animation=False)
        return self.dialog

    def _chose(self, part: str, value) -> None:
        if isinstance(value, tuple):  # a decade: now its years
            self.open("year", decade=value[1])
            return
        self.close()
        if self.input is not None:
            self.input.text = with_part(self.input.text, part, value)
            # the next part still empty opens at once: day, month, year in five taps, not seven
            following = NEXT_PART.get(part)
            if following is not None and not date_parts(self.input.text)[PART_INDEX[following]]:
                self.open(following)

    def close(self) -> None:
        if self.dialog is not None and self.dialog.parent is not None:
            self.dialog.dismiss(animation=False)
        self.dialog = None


load_kv(__file__)
