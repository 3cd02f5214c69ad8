"""The form: the chosen service's questions, a few per page, each with the right keyboard.

Answers go to the journey as they are typed, so Back never loses them; a question is checked when
the citizen leaves it and all of the page when they tap Next, with kiosk/validation's message in
their language under the question. Next stays on the page while any answer there is wrong.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.catalog.model import Field
from screens.date_picker import DatePickers
from screens.keyboard import KEYBOARD_FOR_TYPE, KioskInput
from screens.widgets import KioskButton, KioskScreen, load_kv, scroll_to_top

#: what the citizen sees as a hint for each kind of question (English gettext ids)
HINTS = {"nik": "16 digits, as on your ID card (KTP)", "kk": "16 digits, as on your family card (KK)",
         "phone": "For example 0812 3456 7890",
         "date": "Type DD-MM-YYYY (for example 17-08-1995) or tap Day, Month, Year",
         "postal_code": "5 digits", "number": "Digits only"}


#: words in a field's own help that already tell the citizen it may be left empty (no second note then)
SAYS_OPTIONAL = ("boleh dikosongkan", "tidak wajib", "may leave this empty", "optional")


def label_text(field: Field, language: str, optional_note: str) -> str:
    """The question's label, with the "(optional)" note unless its help already says so."""
    label = field.label.in_language(language)
    if field.required:
        return label
    help_text = field.help.in_language(language).lower() if field.help else ""
    if any(words in help_text for words in SAYS_OPTIONAL):
        return label
    return f"{label}  {optional_note}"


class ChoiceButton(KioskButton):
    value = StringProperty("")
    label = ObjectProperty(None, rebind=True)


class FieldRow(BoxLayout):
    """One question: its label, help, the input (a text field or choice buttons) and its error."""

    field: Field = ObjectProperty(None, rebind=True)
    error = ObjectProperty(None, allownone=True, rebind=True)
    input = ObjectProperty(None, allownone=True, rebind=True)
    value = StringProperty("")
    hint_id = StringProperty("")
    pickers = ObjectProperty(None, allownone=True)

    #: for the kv rule (importing the module function there would be circular)
    label_text = staticmethod(label_text)

    def __init__(self, field: Field, value: str, **kwargs) -> None:
        super().__init__(field=field, value=value, hint_id=HINTS.get(field.type, ""), **kwargs)
        if field.type == "choice":
            for choice in field.choices:
                button = ChoiceButton(value=choice.value, label=choice.label)
                button.bind(on_release=self._chose)
                self.ids.choices.add_widget(button)
            self.on_value(self, value)
        else:
            self.input = KioskInput(text=value, keyboard_kind=KEYBOARD_FOR_TYPE.get(field.type, "text"),
                                    multiline=field.type == "long_text", reveal=self)
            self.input.bind(text=self._typed, focus=self._left)
            self.ids.entry.add_widget(self.input)
            if field.type == "date":  # big day / month / year buttons beside typing
                self.ids.entry.orientation = "horizontal"
                self.input.size_hint_x = 0.4
                self.pickers = DatePickers(input=self.input, when=field.when, size_hint_x=0.6)
                self.ids.entry.add_widget(self.pickers)

    @property
    def choice_buttons(self) -> list[ChoiceButton]:
        if "choices" not in self.ids:  # still being built
            return []
        return list(reversed(self.ids.choices.children))

    def on_value(self, _row: FieldRow, value: str) -> None:
        for button in self.choice_buttons:
            button.role = "selected" if button.value == value else "secondary"

    def _chose(self, button: ChoiceButton) -> None:
        self.value = button.value
        form = self.parent_form()
        form.answer(self, button.value, check=True)
        form.focus_next_empty(after=self)  # the next question is ready to type: one tap fewer

    def _typed(self, _input: KioskInput, text: str) -> None:
        self.value = text
        self.parent_form().answer(self, text, check=False)

    def _left(self, _input: KioskInput, focused: bool) -> None:
        if focused:
            self.parent_form().app.speak(" ".join(w for w in (self.ids.label.text, self.ids.help.text) if w))
        elif self.value:
            self.parent_form().check(self)

    def parent_form(self) -> FormScreen:
        widget = self.parent
        while not isinstance(widget, FormScreen):
            widget = widget.parent
        return widget

    def clear(self) -> None:
        """Empties the widget only: the journey keeps the answer (Back never loses it)."""
        if self.input is not None:
            self.input.unbind(text=self._typed, focus=self._left)
            self.input.text = ""
        self.value = ""


class FormScreen(KioskScreen):
    step = NumericProperty(0)
    steps = NumericProperty(0)
    service_name = ObjectProperty(None, allownone=True, rebind=True)

    def enter(self) -> None:
        self._show_page()

    def rows(self) -> list[FieldRow]:
        return list(reversed(self.ids.fields.children))

    def row(self, name: str) -> FieldRow:
        return next(r for r in self.rows() if r.field.name == name)

    def answer(self, row: FieldRow, raw: str, *, check: bool) -> None:
        self.app.journey.set_answer(row.field.name, raw)
        row.error = self.app.journey.check_field(row.field.name) if check else None

    def check(self, row: FieldRow) -> None:
        row.error = self.app.journey.check_field(row.field.name)

    def focus_next_empty(self, after: FieldRow | None = None) -> None:
        """Puts the cursor in the first unanswered text question (after `after`), if there is one.

        Only when the question right after `after` is that text question: the keyboard must never
        cover a choice still to be made.
        """
        rows = self.rows()
        start = rows.index(after) + 1 if after in rows else 0
        following = rows[start] if start < len(rows) else None
        if following is not None and following.input is not None and not following.value:
            following.input.focus = True

    def next(self) -> None:
        journey = self.app.journey
        errors = journey.check_page()
        for row in self.rows():
            row.error = errors.get(row.field.name)
        if errors:
            first = next(r for r in self.rows() if r.field.name in errors)
            self.ids.scroll.scroll_to(first, animate=False)
            return
        if journey.next_page():
            self._show_page()
        else:
            self.app.go("documents")

    def back(self) -> None:
        if self.app.journey.previous_page():
            self._show_page()
        else:
            self.app.go("services")

    def _show_page(self) -> None:
        journey = self.app.journey
        self.clear()
        for field in journey.page_fields:
            row = FieldRow(field, journey.answers.get(field.name, ""))
            row.error = journey.errors.get(field.name)
            self.ids.fields.add_widget(row)
        self.step, self.steps = journey.step_number("form"), journey.step_count
        self.service_name = journey.service.name
        scroll_to_top(self.ids.scroll)
        # a first-time citizen should not have to find the box: the page opens ready to type
        Clock.schedule_once(lambda *_: self._focus_first(), 0)

    def _focus_first(self) -> None:
        if self.manager is not None and self.manager.current_screen is self and self.rows():
            self.focus_next_empty()

    def clear(self) -> None:
        for row in self.rows():
            row.clear()
        self.ids.fields.clear_widgets()
        self.service_name = None


load_kv(__file__)
