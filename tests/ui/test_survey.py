"""The SKM survey after the receipt: full, partial, skipped and abandoned (idle reset); answers kept with
the day and service only, and nothing of them left on screen for the next citizen."""

from __future__ import annotations

import datetime as dt
import time

from kiosk.samples import sample_answers
from kiosk.store.survey import forget_surveys, unsent_surveys


def kept(ui_terminal):
    return [s.response for s in unsent_surveys(ui_terminal.store)]


def start_survey(kiosk, ui_terminal, code: str = "SKTM"):
    """As after a receipt: the citizen's service chosen, then Selesai on the receipt."""
    app = kiosk.app
    app.journey.choose_service(ui_terminal.catalog.service(code))
    app.start_survey()
    kiosk.frames(2)
    assert kiosk.screen_name == "survey"
    return kiosk.screen


def tap_face(kiosk, score: int) -> None:
    kiosk.tap(next(f for f in kiosk.screen.faces() if f.score == score))


def test_a_citizen_answers_the_whole_survey_after_the_receipt(kiosk, ui_terminal):
    forget_surveys(ui_terminal.store, [s.id for s in unsent_surveys(ui_terminal.store)])
    service = ui_terminal.catalog.service("SKD")
    kiosk.file("SKD", sample_answers(service))
    reference = kiosk.screen.reference
    kiosk.wait_until(lambda: kiosk.screen.printing != "printing")
    kiosk.tap(kiosk.screen.ids.nav.ids.next_button)  # Selesai on the receipt
    survey = kiosk.screen
    assert kiosk.screen_name == "survey" and survey.ids.title.text == "Bagaimana pelayanan kami?"
    assert kiosk.app.journey.is_blank, "the application must be forgotten before the survey"
    assert reference not in " ".join(w.text for w in survey.walk() if hasattr(w, "text") and w.text)
    kiosk.screenshot("survey-overall")
    tap_face(kiosk, 4)
    assert survey.stage == "invite"
    kiosk.tap(survey.ids.more_button)
    scores = [4, 3, 4, 2, 4, 3, 4]  # the seven a citizen can judge at filing
    asked = []
    for number, score in enumerate(scores):
        assert survey.element == number
        asked.append(survey.ids.title.text)
        if number == 4:
            kiosk.screenshot("survey-element")
        tap_face(kiosk, score)
    assert not [q for q in asked if q.startswith(("Waktu penyelesaian", "Hasil layanan"))], \
        "time and result are asked before any service was delivered"
    assert kiosk.screen_name == "survey" and survey.stage == "thanks"
    assert survey.ids.title.text.startswith("Terima kasih atas jawaban Anda")
    kiosk.screenshot("survey-thanks")
    kiosk.tap(survey.ids.nav.ids.next_button)
    assert kiosk.screen_name == "welcome"
    office_today = dt.datetime.now(kiosk.app.zone).date()
    assert kept(ui_terminal) == [survey.last_kept]
    answer = survey.last_kept
    assert (answer.service_code, answer.day, answer.overall, answer.elements) == (
        "SKD", office_today, 4, (4, 3, None, 4, None, 2, 4, 3, 4))


def test_a_partial_survey_keeps_what_was_answered(kiosk, ui_terminal):
    before = len(kept(ui_terminal))
    survey = start_survey(kiosk, ui_terminal)
    tap_face(kiosk, 2)
    kiosk.tap(survey.ids.more_button)
    tap_face(kiosk, 3)
    kiosk.tap(survey.ids.nav.ids.back_button)  # Lewati: the second element stays unanswered
    tap_face(kiosk, 1)
    kiosk.tap(survey.ids.nav.ids.next_button)  # Selesai
    assert survey.stage == "thanks"
    answers = kept(ui_terminal)
    assert len(answers) == before + 1
    assert survey.last_kept.overall == 2 and survey.last_kept.elements == (3, None, None, 1) + (None,) * 5
    assert kiosk.wait_until(lambda: kiosk.screen_name == "welcome", 8), "the thank-you returns to the start"


def test_skipping_the_survey_keeps_nothing_and_frees_the_kiosk_at_once(kiosk, ui_terminal):
    before = len(kept(ui_terminal))
    survey = start_survey(kiosk, ui_terminal)
    kiosk.tap(survey.ids.nav.ids.back_button)  # Lewati on the first question
    assert kiosk.screen_name == "welcome"
    assert len(kept(ui_terminal)) == before


def test_the_idle_reset_keeps_the_answer_given_and_clears_the_survey(kiosk, ui_terminal):
    before = len(kept(ui_terminal))
    app = kiosk.app
    survey = start_survey(kiosk, ui_terminal, "SKCK")
    tap_face(kiosk, 3)
    app.idle.timeout_s, app.idle.warning_s = 0.3, 0.3
    app.idle.touch(time.monotonic())
    assert kiosk.wait_until(lambda: kiosk.screen_name == "welcome", 10)
    assert len(kept(ui_terminal)) == before + 1
    assert survey.last_kept.service_code == "SKCK" and survey.last_kept.overall == 3
    assert survey.stage == "overall" and survey.overall is None and survey.service_code == ""


def test_time_and_result_are_asked_at_cek_status_when_ready_once_per_application(kiosk, ui_terminal):
    from kiosk.status_pin import status_pin
    from tests.ui.test_status_pin_ui import ask, file_one, open_status

    mine = file_one(kiosk, ui_terminal, "SKU")
    filed = ui_terminal.store.get(mine)
    pin = status_pin(ui_terminal.store, filed.id)
    status = open_status(kiosk)
    ask(kiosk, status, mine, pin)
    assert status.result.found and status.ids.rate_button.opacity == 0, "nothing to judge before it is ready"
    ui_terminal.store.set_central_statuses([(filed.id, "ready", dt.datetime.now(dt.UTC), None)])
    ask(kiosk, status, mine, pin)
    assert status.ids.rate_button.opacity == 1
    kiosk.screenshot("status-ready-rate")
    before = len(kept(ui_terminal))
    kiosk.tap(status.ids.rate_button)
    survey = kiosk.screen
    assert kiosk.screen_name == "survey" and survey.stage == "elements"
    assert mine not in " ".join(w.text for w in survey.walk() if hasattr(w, "text") and w.text)
    assert survey.ids.title.text.startswith("Waktu penyelesaian")
    tap_face(kiosk, 3)
    assert survey.ids.title.text.startswith("Hasil layanan")
    tap_face(kiosk, 4)
    assert survey.stage == "thanks"
    answer = survey.last_kept
    assert (answer.service_code, answer.overall) == ("SKU", None)
    assert answer.elements == (None, None, 3, None, 4, None, None, None, None)
    assert len(kept(ui_terminal)) == before + 1
    kiosk.tap(survey.ids.nav.ids.next_button)
    status = open_status(kiosk)
    ask(kiosk, status, mine, pin)
    assert status.result.status == "ready" and status.ids.rate_button.opacity == 0, "asked once per application"
