"""The application's lifecycle, as the console, the CLI and the kiosk all read it."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.lifecycle import (
    CENTRAL_STATUSES,
    FINISHED,
    NEXT_STATUSES,
    OPEN,
    WORDS,
    WORKING,
    RefusedChange,
    check_change,
    reason_for,
)
from sync.protocol import CentralStatus, StatusChange


def test_every_status_has_its_changes_and_its_words_and_the_wire_knows_exactly_these():
    assert set(NEXT_STATUSES) == set(WORDS) == set(CENTRAL_STATUSES)
    assert StatusChange.model_fields["status"].annotation == CentralStatus
    assert set(WORKING) <= set(OPEN) and not set(WORKING) & set(FINISHED)


@pytest.mark.parametrize("final", ["done", "declined"])
@pytest.mark.parametrize("to", CENTRAL_STATUSES)
def test_a_final_status_never_changes(final, to):
    with pytest.raises(RefusedChange, match="cannot be moved"):
        check_change(final, to, "alasan")


def test_a_decline_needs_its_reason_and_only_a_decline_carries_one_to_the_kiosk():
    with pytest.raises(RefusedChange) as refused:
        check_change("received", "declined", "   ")
    assert refused.value.message.startswith("Untuk menolak")
    assert check_change("in_process", "declined", "  KK tidak terbaca ") == "KK tidak terbaca"
    assert reason_for("declined", "KK tidak terbaca") == "KK tidak terbaca"
    assert reason_for("in_process", "staff-only note") is None


def test_an_unknown_status_is_named_with_the_known_ones():
    with pytest.raises(RefusedChange, match="'lost': use one of received, in_process"):
        check_change("received", "lost")


@given(st.sampled_from(CENTRAL_STATUSES), st.sampled_from(CENTRAL_STATUSES), st.text(max_size=600))
def test_check_change_allows_exactly_the_table(current, new, note):
    allowed = new in NEXT_STATUSES[current] and len(note.strip()) <= 500 and (new != "declined" or note.strip())
    try:
        check_change(current, new, note)
    except RefusedChange:
        assert not allowed
    else:
        assert allowed
