"""The satisfaction survey (SKM) after the receipt: "Bagaimana pelayanan kami?".

Four faces for the overall rating, then, if the citizen wants, the nine elements of PermenPANRB
14/2017 one at a time, one tap each. Every step can be skipped and "Selesai" ends it at once. The
citizen's application is already forgotten when the survey starts (nothing of it is on screen),
and the answers are kept with the day and service only (kiosk/store/survey.py). Whatever was
answered is kept when the citizen finishes, skips the rest or walks away (the idle reset).
"""

from __future__ import annotations

import datetime as dt
import logging

from kivy.clock import Clock
from kivy.properties import ListProperty, NumericProperty, ObjectProperty, OptionProperty, StringProperty

from kiosk.errors import LoketError
from kiosk.skm import ELEMENT_COUNT, ELEMENTS, FILING_ELEMENTS, RESULT_ELEMENTS, SCALE, SCORE_WORDS, SurveyResponse
from kiosk.store.survey import mark_result_rated, record_survey
from screens.widgets import KioskButton, KioskScreen, load_kv

log = logging.getLogger("loket.screens")
#: how long the thank-you stays before the screen returns to the start
THANKS_S = 4.0


class FaceButton(KioskButton):
    """A face (1 = sad ... 4 = very happy) drawn above its words; one tap answers."""

    score = NumericProperty(1)
    face_size = NumericProperty(0)
    words = ObjectProperty(None, allownone=True, rebind=True)


class SurveyScreen(KioskScreen):
    #: overall: the four faces; invite: go on with the nine questions?; elements: one of the nine
    stage = OptionProperty("overall", options=("overall", "invite", "elements", "thanks"))
    service_code = StringProperty("")
    overall = ObjectProperty(None, allownone=True)
    scores = ListProperty([None] * ELEMENT_COUNT)
    element = NumericProperty(0)
    #: the elements asked this time, in order (filing's, or the result's at Cek Status)
    asked = ListProperty(list(FILING_ELEMENTS))
    #: the application whose result is being rated (marked once kept); None after filing
    rating_result_of: str | None = None
    #: what was kept last (for maintenance and tests); never shown
    last_kept = ObjectProperty(None, allownone=True)

    def begin(self, service_code: str) -> None:
        """After filing: the overall rating, then the elements a citizen can judge at filing."""
        self._start(service_code, FILING_ELEMENTS, "overall")

    def begin_result(self, service_code: str, application_id: str) -> None:
        """At Cek Status of a ready or done application: the time it took and the result, once."""
        self._start(service_code, RESULT_ELEMENTS, "elements")
        self.rating_result_of = application_id

    def _start(self, service_code: str, asked: tuple[int, ...], stage: str) -> None:
        self.service_code = service_code
        self.overall = None
        self.scores = [None] * ELEMENT_COUNT
        self.asked = list(asked)
        self.element = 0
        self.rating_result_of = None
        self.stage = stage
        self._build_faces()

    def question(self, language: str, element: int) -> str:
        return ELEMENTS[self.asked[element]].in_language(language) if self.stage == "elements" else ""

    def on_stage(self, *_args) -> None:
        self._read_aloud()

    def on_element(self, *_args) -> None:
        self._read_aloud()

    def _read_aloud(self) -> None:
        if self.manager is not None and self.manager.current_screen is self:
            self.app.speak_screen()

    def faces(self) -> list[FaceButton]:
        return list(reversed(self.ids.faces.children))

    def _build_faces(self) -> None:
        faces = self.ids.faces
        if not faces.children:
            for score in SCALE:
                button = FaceButton(score=score, words=SCORE_WORDS[score])
                button.bind(on_release=self._chose)
                faces.add_widget(button)

    def _chose(self, button: FaceButton) -> None:
        if self.stage == "overall":
            self.overall = button.score
            self.stage = "invite"
        elif self.stage == "elements":
            scores = list(self.scores)
            scores[self.asked[self.element]] = button.score
            self.scores = scores
            self._next_element()

    def more(self) -> None:
        self.stage = "elements"
        self.element = 0

    def skip(self) -> None:
        """Skips what is asked now: the overall rating leads on to the invitation, an element to the next."""
        if self.stage == "overall":
            self.finish()
        else:
            self._next_element()

    def _next_element(self) -> None:
        if self.element + 1 >= len(self.asked):
            self.finish()
        else:
            self.element += 1

    def finish(self) -> None:
        """Keeps what was answered and thanks the citizen; the screen returns to the start by itself."""
        answered = self.overall is not None or any(s is not None for s in self.scores)
        if self.stage == "thanks" or not answered:  # nothing to thank for: the kiosk is free at once
            self._keep()
            self.app.reset()
            return
        self._keep()
        self.stage = "thanks"
        Clock.schedule_once(self._after_thanks, THANKS_S)

    def _after_thanks(self, *_args) -> None:
        if self.stage == "thanks" and self.manager is not None and self.manager.current_screen is self:
            self.app.reset()

    def _keep(self) -> None:
        if not self.service_code:
            return
        response = SurveyResponse(day=dt.datetime.now(self.app.zone).date(), service_code=self.service_code,
                                  overall=self.overall, elements=tuple(self.scores))
        self.service_code = ""
        rated, self.rating_result_of = self.rating_result_of, None
        try:
            if record_survey(self.app.terminal.store, response):
                self.last_kept = response
            if rated is not None:  # asked once per application, whatever was answered
                mark_result_rated(self.app.terminal.store, rated, response.day)
        except LoketError as e:  # a survey answer is never worth stopping the kiosk for
            log.error("survey answers not kept: %s", e)

    def clear(self) -> None:
        """The idle reset (or the next citizen): keep what was answered, then forget it."""
        self._keep()
        self.overall = None
        self.scores = [None] * ELEMENT_COUNT
        self.element = 0
        self.asked = list(FILING_ELEMENTS)
        self.stage = "overall"


load_kv(__file__)
