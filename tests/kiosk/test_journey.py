"""The citizen's session without Kivy: pages, answers kept through Back, submitting, idle timing, reset."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.catalog import load_catalog
from kiosk.catalog.loader import DEFAULT_CATALOG
from kiosk.errors import BadReference, FormInvalid, NotProvisioned
from kiosk.journey import (
    PAGE_SIZE,
    STATUS_WORDS,
    IdleTimer,
    Journey,
    call_staff,
    look_up_status,
    paginate,
)
from kiosk.samples import sample_answers
from kiosk.store import CENTRAL_STATUSES, SYNC_STATES
from kiosk.validation import NIK_LENGTH, REQUIRED

CATALOG = load_catalog(DEFAULT_CATALOG)


def journey_for(code: str = "SKD", **kwargs) -> Journey:
    journey = Journey(**kwargs)
    journey.choose_service(CATALOG.service(code))
    return journey


def answer_everything(journey: Journey) -> None:
    for name, value in sample_answers(journey.service).items():
        if name != journey.consent_field.name:
            journey.set_answer(name, value)


@given(st.integers(min_value=0, max_value=40), st.integers(min_value=1, max_value=6))
def test_pages_hold_every_question_once_in_order(count, per_page):
    fields = list(range(count))
    pages = paginate(fields, per_page)
    assert [f for page in pages for f in page] == fields
    assert all(1 <= len(page) <= per_page for page in pages)


def test_consent_is_kept_off_the_form_pages():
    journey = journey_for("SKD")
    names = [f.name for page in journey.pages for f in page]
    assert "consent" not in names and journey.consent_field.name == "consent"
    assert len(journey.pages) == 4 and all(len(p) <= PAGE_SIZE for p in journey.pages)


def test_next_stays_on_a_page_with_a_wrong_answer_and_says_why():
    journey = journey_for()
    journey.set_answer("nik", "1234")
    assert journey.next_page() is False
    assert journey.page == 0
    assert journey.errors == {"nik": NIK_LENGTH, "full_name": REQUIRED}


def test_fixing_the_answers_lets_the_citizen_move_on_and_back_without_losing_them():
    journey = journey_for()
    journey.set_answer("nik", "3273015708900003")
    journey.set_answer("full_name", "Siti Aminah")
    assert journey.next_page() and journey.page == 1 and not journey.errors
    assert journey.previous_page() and journey.page == 0
    assert journey.answers["full_name"] == "Siti Aminah"
    assert journey.previous_page() is False


def test_choosing_the_same_service_again_keeps_the_answers_but_another_service_starts_afresh():
    journey = journey_for("SKD")
    journey.set_answer("full_name", "Siti")
    journey.choose_service(CATALOG.service("SKD"))
    assert journey.answers == {"full_name": "Siti"}
    journey.choose_service(CATALOG.service("SKU"))
    assert journey.answers == {} and journey.service.code == "SKU"


def test_an_unknown_question_is_refused():
    with pytest.raises(KeyError):
        journey_for().set_answer("favourite_colour", "blue")


def test_review_shows_choice_labels_in_the_citizens_language():
    journey = journey_for("SKD", language="en")
    answer_everything(journey)
    shown = dict((f.name, value) for f, value in journey.review_rows())
    assert shown["purpose"] == CATALOG.service("SKD").field("purpose").choices[0].label.en
    journey.set_language("id")
    shown = dict((f.name, value) for f, value in journey.review_rows())
    assert shown["purpose"] == CATALOG.service("SKD").field("purpose").choices[0].label.id


def test_change_on_the_review_goes_to_the_page_of_that_question():
    journey = journey_for("SKD")
    journey.go_to_field("purpose")
    assert "purpose" in [f.name for f in journey.page_fields]


def test_steps_count_form_pages_then_documents_review_consent():
    journey = journey_for("SKD")
    assert journey.step_count == 7
    assert journey.step_number("form") == 1
    assert [journey.step_number(s) for s in ("documents", "review", "consent")] == [5, 6, 7]


def test_submitting_files_the_application_with_consent(terminal):
    journey = journey_for("SKBM")
    answer_everything(journey)
    journey.consent_given = True
    filed = journey.submit(terminal.store, terminal.catalog)
    assert terminal.store.get(filed.reference).service_code == "SKBM"
    assert journey.filed == filed


def test_submitting_without_consent_is_refused_and_nothing_is_queued(terminal):
    journey = journey_for("SKBM")
    answer_everything(journey)
    with pytest.raises(FormInvalid):
        journey.submit(terminal.store, terminal.catalog)
    assert journey.errors.keys() == {"consent"}
    assert journey.first_page_with_error() is None
    assert terminal.store.applications() == []


def test_a_wrong_answer_found_at_submit_points_back_to_its_page(terminal):
    journey = journey_for("SKD")
    answer_everything(journey)
    journey.answers["phone"] = "12"
    journey.consent_given = True
    with pytest.raises(FormInvalid):
        journey.submit(terminal.store, terminal.catalog)
    assert journey.first_page_with_error() == journey.page_of("phone")


def test_an_unprovisioned_terminal_takes_no_application(blank_terminal):
    journey = journey_for("SKBM")
    answer_everything(journey)
    journey.consent_given = True
    with pytest.raises(NotProvisioned):
        journey.submit(blank_terminal.store, CATALOG)


def test_reset_forgets_everything_and_restores_the_default_language(terminal):
    journey = journey_for("SKBM", language="en")
    answer_everything(journey)
    journey.consent_given = True
    journey.submit(terminal.store, terminal.catalog)
    journey.reset("id")
    assert journey.is_blank and journey.language == "id"
    assert journey.answers == {} and journey.errors == {} and journey.page == 0


def test_idle_timer_warns_then_expires_and_a_touch_starts_again():
    timer = IdleTimer(timeout_s=60, warning_s=10, last_activity=100)
    assert timer.phase(159.9) == "active"
    assert timer.phase(160) == "warning" and timer.seconds_left(160) == 10
    assert timer.seconds_left(165.5) == 5
    assert timer.phase(170) == "expired" and timer.seconds_left(171) == 0
    timer.touch(170)
    assert timer.phase(171) == "active"


@given(st.floats(min_value=0, max_value=500), st.floats(min_value=1, max_value=120),
       st.floats(min_value=1, max_value=60))
def test_idle_phases_follow_each_other_in_time(elapsed, timeout, warning):
    timer = IdleTimer(timeout_s=timeout, warning_s=warning, last_activity=0)
    order = ["active", "warning", "expired"]
    assert order.index(timer.phase(elapsed)) <= order.index(timer.phase(elapsed + 1))
    assert 0 <= timer.seconds_left(elapsed) <= int(timeout + warning) + 1


def test_status_lookup_reads_the_local_queue(terminal):
    journey = journey_for("SKCK")
    answer_everything(journey)
    journey.consent_given = True
    filed = journey.submit(terminal.store, terminal.catalog)
    found = look_up_status(terminal.store, terminal.catalog, filed.reference.lower().replace("-", " "))
    assert found.found and found.reference == filed.reference
    assert found.status == "queued" and found.status_words == "Waiting to send"
    assert found.service_name == CATALOG.service("SKCK").name
    terminal.store.set_central_status(filed.id, "ready", dt.datetime.now(dt.UTC))
    assert look_up_status(terminal.store, None, filed.reference).status_words == "Ready for pickup"


def test_status_lookup_tells_a_typo_from_an_unknown_number(terminal):
    with pytest.raises(BadReference):
        look_up_status(terminal.store, None, "K7Q2-2611-0001-0")
    assert look_up_status(terminal.store, None, "K7Q2-2611-0001-H").found is False


def test_every_state_has_words_for_the_citizen():
    assert set(SYNC_STATES) | set(CENTRAL_STATUSES) <= set(STATUS_WORDS)


def test_calling_staff_is_recorded_for_them(terminal):
    call_staff(terminal.store, "form")
    last = terminal.store.audit_entries()[-1]
    assert (last["action"], last["detail"], last["actor"]) == ("citizen.help_requested", "form", "citizen")
