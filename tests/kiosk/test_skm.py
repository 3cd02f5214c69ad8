"""The SKM index: NRR per element, IKM = mean NRR x 25, the regulation's bands; answers kept anonymously."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.skm import ELEMENT_COUNT, SurveyResponse, band_of, ikm_report
from kiosk.store import Store
from kiosk.store.survey import forget_surveys, record_survey, survey_count, unsent_surveys

DAY = dt.date(2026, 11, 27)


def test_ikm_is_the_mean_of_the_nine_element_averages_times_25():
    answers = [SurveyResponse(DAY, "SKD", 4, (4,) * 9), SurveyResponse(DAY, "SKD", 2, (3,) * 8 + (1,))]
    report = ikm_report(answers)
    assert report.nrr == (3.5,) * 8 + (2.5,)
    assert report.ikm == round((3.5 * 8 + 2.5) / 9 * 25, 2) == 84.72
    assert report.band == "B"
    assert report.overall_mean == 3.0


def test_no_index_until_every_element_has_an_answer():
    report = ikm_report([SurveyResponse(DAY, "SKD", 4, (4,) * 8 + (None,))])
    assert report.ikm is None and report.band is None and report.answers_per_element[-1] == 0


@pytest.mark.parametrize(("ikm", "band"), [(100, "A"), (88.31, "A"), (88.30, "B"), (76.61, "B"), (76.60, "C"),
                                           (65.00, "C"), (64.99, "D"), (25, "D")])
def test_the_bands_follow_the_annex(ikm, band):
    assert band_of(ikm)[0] == band


@given(st.lists(st.tuples(st.integers(1, 4) | st.none(), st.lists(st.integers(1, 4), min_size=9, max_size=9)),
                min_size=1, max_size=30))
def test_an_ikm_always_lies_between_25_and_100(rows):
    report = ikm_report([SurveyResponse(DAY, "X", overall, tuple(scores)) for overall, scores in rows])
    assert 25 <= report.ikm <= 100
    assert report.band in "ABCD"


def test_a_score_outside_1_to_4_or_a_wrong_count_is_refused():
    with pytest.raises(ValueError):
        SurveyResponse(DAY, "SKD", 5)
    with pytest.raises(ValueError):
        SurveyResponse(DAY, "SKD", 3, (3,) * 8)


def test_the_terminal_keeps_surveys_until_central_has_them_and_skips_empty_ones(tmp_path):
    with Store.open(tmp_path / "queue.db") as store:
        assert record_survey(store, SurveyResponse(DAY, "SKD")) is None
        kept = record_survey(store, SurveyResponse(DAY, "SKD", 3, (None,) * (ELEMENT_COUNT - 1) + (4,)))
        waiting = unsent_surveys(store)
        assert [s.id for s in waiting] == [kept]
        assert waiting[0].response == SurveyResponse(DAY, "SKD", 3, (None,) * 8 + (4,))
        forget_surveys(store, [kept])
        assert survey_count(store) == 0
