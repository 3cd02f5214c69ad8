"""Consent (UU 27/2022): what is collected, why, how long it is kept, who sees it; then submit.

"Kirim Permohonan" stays disabled until the citizen taps "Saya setuju". Submitting files the
application through kiosk/ (one durable transaction) and moves on to the receipt.
"""

from __future__ import annotations

import logging

from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty

from kiosk.errors import FormInvalid, LoketError, NotProvisioned
from screens.widgets import KioskScreen, load_kv, scroll_to_top

log = logging.getLogger("loket.screens")


class ConsentScreen(KioskScreen):
    step = NumericProperty(0)
    steps = NumericProperty(0)
    agreed = BooleanProperty(False)
    collected = StringProperty("")
    service = ObjectProperty(None, allownone=True, rebind=True)
    problem = StringProperty("")
    #: the terminal's retention (settings): sealed answers and metadata, in days after central accepted
    answers_days = NumericProperty(7)
    metadata_days = NumericProperty(180)

    def enter(self) -> None:
        journey = self.app.journey
        settings = self.app.terminal.settings
        self.answers_days, self.metadata_days = settings.answers_retention_days, settings.metadata_retention_days
        self.service = journey.service
        self.step, self.steps = journey.step_number("consent"), journey.step_count
        self.agreed = journey.consent_given
        self.problem = ""
        scroll_to_top(self.ids.scroll)

    def collected_text(self, language: str) -> str:
        if self.service is None:
            return ""
        return ", ".join(f.label.in_language(language) for f in self.app.journey.form_fields)

    def toggle(self) -> None:
        self.agreed = not self.agreed
        self.app.journey.consent_given = self.agreed

    def submit(self) -> None:
        app = self.app
        if not self.agreed:
            return
        try:
            # "today" for the date questions is the office's day, not the machine's
            app.journey.submit(app.terminal.store, app.terminal.catalog, now=app.terminal.now().astimezone(app.zone))
        except FormInvalid:
            page = app.journey.first_page_with_error()
            if page is None:
                self.problem = "Please tick to say you agree."
                return
            app.journey.page = page
            app.go("form")
            return
        except NotProvisioned:
            app.go("not_provisioned")
            return
        except LoketError as e:  # StoreFull and other store faults: nothing was queued
            log.error("could not file the application: %s", e)
            self.problem = "We could not record your application. Please ask a staff member for help."
            return
        app.application_filed()
        app.go("receipt")

    def clear(self) -> None:
        self.agreed = False
        self.problem = ""
        self.service = None


load_kv(__file__)
