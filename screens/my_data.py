""""Data saya": after Cek Status took the receipt's number and PIN, the application's processing record
from the office, in plain words: filed, received, each time its personal data was opened (when, which
office, which role, for what), each status change, the letter, the text message. Nothing of it stays
once the citizen leaves (`clear`)."""

from __future__ import annotations

from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.citizen_requests import EVENT_DELETED, EVENT_REQUEST, parse_outcome_detail
from kiosk.errors import LoketError
from kiosk.lifecycle import WORDS
from kiosk.timezones import clock_in_zone, in_zone
from loket.my_data import fetch_record
from printing import PrinterError, print_record
from screens.ui_thread import when_done
from screens.widgets import KioskScreen, Muted, load_kv
from sync.protocol import ProcessingRecord

#: each event kind as the citizen reads it (English gettext ids)
EVENT_WORDS = {
    "filed": "You filed the application at the kiosk",
    "received": "{office} received it",
    "opened": "Your personal data was opened by {role} of {office}, for: {detail}",
    "status": "{role} changed its status to “{status}”",
    "letter": "The letter was printed (number {detail})",
    "sms": "A text message was sent to you",
    "retention": "This kiosk deleted its locked copy of your data (the office keeps it)",
    "forgotten": "This kiosk deleted its locked copy of your data",
    "deleted": "The office deleted your personal data at your request (the number, service and dates remain)",
}
#: a request's outcome as the citizen reads it, by state (the kind's words fill {kind})
REQUEST_WORDS = {
    "received": "Your request “{kind}” was received (number {note}); the office answers within 72 hours",
    "applied": "The office carried out your request “{kind}”",
    "refused": "The office refused your request “{kind}”: {note}",
    "already_deleted": "Your request “{kind}”: your personal data had already been deleted",
}
REQUEST_KIND_WORDS = {"correction": "correct my data", "deletion": "withdraw consent and delete",
                      "copy": "a copy of my data"}
#: who did it, as a role (never a name)
ROLE_WORDS = {"operator": "an operator", "supervisor": "a supervisor", "admin": "an administrator",
              "cli": "a technician", "system": "the system", "staff": "a staff member"}
#: each status's gettext id: its English words, as the lifecycle names them
STATUS_IDS = {status: english for status, (_indonesian, english) in WORDS.items()}


class MyDataScreen(KioskScreen):
    reference = StringProperty("")
    #: "loading", "shown", "printing", "printed", "print_failed", or the problem's gettext id
    state = StringProperty("")
    lines = ListProperty([])
    #: the office deleted this application's personal data: no request can be made about it any more
    deleted = BooleanProperty(False)
    #: what the screen says after a print (gettext ids)
    PRINT_WORDS = {"printed": "Take the printed record from the printer.",
                   "print_failed": "The record could not be printed. Please ask a staff member."}

    def __init__(self, **kwargs) -> None:
        self.record: ProcessingRecord | None = None
        super().__init__(**kwargs)
        self.app.bind(lang=lambda *_: self.render())

    def show(self, reference: str) -> None:
        """Opens the record of `reference`, whose PIN the status screen has just checked."""
        self.reference = reference
        self.app.go("my_data")

    def enter(self) -> None:
        self.lines, self.state, self.deleted = [], "loading", False
        self.ids.events.clear_widgets()
        reference = self.reference
        when_done(self.app.runtime.in_background(lambda terminal: fetch_record(terminal, reference)),
                  lambda outcome: self._shown(reference, outcome))

    def _shown(self, reference: str, outcome: object) -> None:
        if reference != self.reference:  # the citizen left (or another looked) meanwhile
            return
        if isinstance(outcome, LoketError):
            self.state = "The office cannot be reached now. Please try again later, or ask a staff member."
            return
        self.lines = [(event.at, event.kind, event.office, event.role, event.detail) for event in outcome.events]
        self.deleted = any(event.kind == EVENT_DELETED for event in outcome.events)
        self.record = outcome
        self.state = "shown"
        self.render()

    def render(self) -> None:
        """(Re)writes the rows in the current language."""
        self.ids.events.clear_widgets()
        for line in self.lines:
            self.ids.events.add_widget(Muted(text=self.describe(*line), markup=False))

    def describe(self, at, kind: str, office: str, role: str, detail: str) -> str:  # noqa: ANN001
        t, lang = self.app.t, self.app.lang
        zone = self.app.terminal.zone
        when = f"{in_zone(at, zone):%d-%m-%Y} {clock_in_zone(at, zone, lang)}"
        if kind == "retention" and self.deleted:
            kind = "forgotten"  # the office no longer keeps it either
        if kind == EVENT_REQUEST:
            asked, state, note = parse_outcome_detail(detail)
            words = t(REQUEST_WORDS.get(state, "{kind}"), lang, kind=t(REQUEST_KIND_WORDS.get(asked, asked), lang),
                      note=note)
            return f"{when} — {words}"
        words = t(EVENT_WORDS.get(kind, kind), lang, office=office, role=t(ROLE_WORDS.get(role, role), lang),
                  detail=detail, status=t(STATUS_IDS.get(detail, detail), lang))
        return f"{when} — {words[:1].upper()}{words[1:]}"

    def print_record(self) -> None:
        """Prints the record shown (the receipt's layout with its signed QR) on a background thread."""
        if self.state not in ("shown", "printed", "print_failed") or self.record is None:
            return
        reference, events, lang = self.reference, list(self.record.events), self.app.lang
        self.state = "printing"

        def work(terminal) -> object:  # noqa: ANN001
            app = terminal.store.get(reference)
            if app is None:
                raise PrinterError(f"no application {reference} on this terminal")
            return print_record(terminal, app, events, lang)

        when_done(self.app.runtime.in_background(work), lambda outcome: self._printed(reference, outcome))

    def _printed(self, reference: str, outcome: object) -> None:
        if reference != self.reference:
            return
        self.state = "print_failed" if isinstance(outcome, Exception) else "printed"

    def clear(self) -> None:
        self.record = None
        self.reference, self.state, self.lines, self.deleted = "", "", [], False
        self.ids.events.clear_widgets()


load_kv(__file__)
