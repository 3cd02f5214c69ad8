"""A request about the citizen's own data, from "Data saya" (after the receipt's number and PIN): correct
an answer, withdraw consent and delete the data, or a copy of it. One question per step — the kind, then
for a correction the answer and its new value (typed on the on-screen keyboard, checked as the form checks
it), then a confirmation; the request is sealed and queued like an application (`kiosk.citizen_requests`)
and its outcome shows later in Data saya. Nothing of it stays once the citizen leaves (`clear`)."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.citizen_requests import ANSWER_WITHIN_HOURS, RequestRefused, correctable_fields, file_request
from kiosk.errors import FormInvalid, LoketError
from kiosk.validation import check_answer
from screens.keyboard import KEYBOARD_FOR_TYPE
from screens.ui_thread import when_done
from screens.widgets import KioskButton, KioskScreen, load_kv

#: each kind as the citizen picks it (English gettext ids)
KIND_WORDS = {"correction": "Correct my data", "deletion": "Withdraw my consent and delete my data",
              "copy": "Get a copy of my data"}
#: what each kind leads to, said on the confirmation step
KIND_MEANS = {
    "correction": "The office corrects “{field}” to: {value}",
    "deletion": "The office deletes your personal data from this application. Its number, service and dates "
                "stay for the office's statistics and letter register. This cannot be undone.",
    "copy": "The office prepares a printed copy of your data. Collect it at the counter with your original KTP.",
}
DONE_WORDS = ("Your request is recorded with number {number}. The office answers within {hours} hours of "
              "receiving it; see the outcome in Check status, then My data.")


class DataRequestScreen(KioskScreen):
    reference = StringProperty("")
    service_code = StringProperty("")
    step = StringProperty("kind")
    kind = StringProperty("")
    field = StringProperty("")
    field_label = StringProperty("")
    problem = StringProperty("")
    #: the request's own number once it is queued
    filed = StringProperty("")
    busy = BooleanProperty(False)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.app.bind(lang=lambda *_: self.render())

    def show(self, reference: str) -> None:
        """Starts a request about `reference`, whose PIN the status screen checked."""
        application = self.app.terminal.store.get(reference)
        self.reference, self.service_code = reference, application.service_code if application else ""
        self.step, self.kind, self.field, self.field_label, self.problem, self.filed = "kind", "", "", "", "", ""
        self.ids.value_input.text = ""
        self.app.go("data_request")

    def enter(self) -> None:
        self.render()

    # -- the steps --------------------------------------------------------------------------------

    def choose_kind(self, kind: str) -> None:
        self.kind, self.problem = kind, ""
        self.step = "field" if kind == "correction" else "confirm"
        self.render()

    def choose_field(self, name: str) -> None:
        field = self._service().field(name)
        self.field, self.field_label, self.problem = name, field.label.in_language(self.app.lang), ""
        self.ids.value_input.keyboard_kind = KEYBOARD_FOR_TYPE.get(field.type, "text")
        self.ids.value_input.text = ""
        self.step = "value"
        self.render()
        self.ids.value_input.focus = True

    def value_done(self) -> None:
        """Checks the new value as the form would, before the confirmation step."""
        try:
            checked = check_answer(self._service().field(self.field), self.ids.value_input.text)
        except LoketError:
            checked = None
        if checked is not None and checked.error is not None:
            self.problem = checked.error.in_language(self.app.lang)
            return
        self.problem, self.step = "", "confirm"
        if self.app.keyboard is not None:
            self.app.keyboard.hide()
        self.render()

    def send(self) -> None:
        if self.busy:
            return
        self.busy, self.problem = True, ""
        reference, kind, field, value = self.reference, self.kind, self.field, self.ids.value_input.text
        when_done(self.app.runtime.in_background(
            lambda terminal: file_request(terminal.store, terminal.catalog, reference, kind, field=field, value=value)),
            lambda outcome: self._sent(reference, outcome))

    def _sent(self, reference: str, outcome: object) -> None:
        self.busy = False
        if reference != self.reference:  # the citizen left meanwhile
            return
        if isinstance(outcome, RequestRefused):
            self.problem = outcome.text.in_language(self.app.lang)
        elif isinstance(outcome, FormInvalid):
            messages = [t.in_language(self.app.lang) for t in outcome.errors.values()]
            self.problem = str.join(" ", messages)
        elif isinstance(outcome, BaseException):
            self.problem = self.app.t("The request could not be saved. Please ask a staff member.", self.app.lang)
        else:
            self.filed, self.step = outcome.reference, "done"
            self.app.runtime.wake_sync()
        self.render()

    def back(self) -> None:
        previous = {"field": "kind", "value": "field", "confirm": "value" if self.kind == "correction" else "kind"}
        if self.step in previous:
            self.step, self.problem = previous[self.step], ""
            self.render()
        elif self.step == "kind":
            self.app.screen("my_data").show(self.reference)
        else:
            self.app.start_over()

    # -- drawing -----------------------------------------------------------------------------------

    def _service(self):  # noqa: ANN202
        return self.app.terminal.catalog.service(self.service_code)

    def confirmation(self) -> str:
        t, lang = self.app.t, self.app.lang
        if not self.kind:
            return ""
        return t(KIND_MEANS[self.kind], lang, field=self.field_label, value=self.ids.value_input.text)

    def done_words(self) -> str:
        return self.app.t(DONE_WORDS, self.app.lang, number=self.filed, hours=ANSWER_WITHIN_HOURS)

    def render(self) -> None:
        """(Re)builds the step's buttons in the current language."""
        choices = self.ids.choices
        choices.clear_widgets()
        t, lang = self.app.t, self.app.lang
        if self.step == "kind":
            for kind, words in KIND_WORDS.items():
                choices.add_widget(KioskButton(text=t(words, lang), role="secondary",
                                               on_release=lambda _b, k=kind: self.choose_kind(k)))
        elif self.step == "field" and self.service_code:
            service = self._service()
            for name in correctable_fields(service):
                choices.add_widget(KioskButton(text=service.field(name).label.in_language(lang), role="secondary",
                                               on_release=lambda _b, n=name: self.choose_field(n)))
        self.ids.confirm_words.text = self.confirmation() if self.step == "confirm" else ""
        self.ids.done_words.text = self.done_words() if self.step == "done" else ""

    def clear(self) -> None:
        self.reference, self.service_code, self.step, self.kind = "", "", "kind", ""
        self.field, self.field_label, self.problem, self.filed, self.busy = "", "", "", "", False
        if "value_input" in self.ids:
            self.ids.value_input.text = ""
            self.ids.choices.clear_widgets()
            self.ids.confirm_words.text = self.ids.done_words.text = ""


load_kv(__file__)
