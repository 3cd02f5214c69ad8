"""The rules a citizen's request travels by, as both the kiosk and central read them: its flags (kind and
the application it is about) round-trip and nothing else parses; the 72-hour clock counts hours, not
working days; an outcome's text round-trips. Property tests for the parsers."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kiosk.citizen_requests import (
    KINDS,
    due_at,
    is_overdue,
    outcome_detail,
    parse_outcome_detail,
    parse_request_flags,
    request_flags,
)
from kiosk.reference import ALPHABET, make_reference

terminal_codes = st.text(alphabet=ALPHABET, min_size=4, max_size=4)
references = st.builds(make_reference, terminal_codes, st.dates(dt.date(2020, 1, 1), dt.date(2099, 12, 1)),
                       st.integers(1, 99_999))
moments = st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2090, 1, 1), timezones=st.just(dt.UTC))


@given(st.sampled_from(KINDS), references, st.lists(st.text(max_size=30), max_size=4))
def test_a_requests_flags_say_its_kind_and_the_application_whatever_else_it_carries(kind, reference, others):
    flags = [*request_flags(kind, reference), *others]
    parsed = parse_request_flags(flags)
    assert parsed is not None and (parsed.kind, parsed.about) == (kind, reference)


@given(st.lists(st.text(max_size=40), max_size=6))
def test_any_other_flags_parse_to_nothing_or_to_a_known_kind_never_an_error(flags):
    parsed = parse_request_flags(flags)
    assert parsed is None or parsed.kind in KINDS


def test_an_unknown_kind_a_missing_or_malformed_reference_is_not_a_request():
    reference = make_reference("K7Q2", dt.date(2026, 11, 1), 42)
    assert parse_request_flags(["request:erase", f"about:{reference}"]) is None
    assert parse_request_flags(["request:copy"]) is None
    assert parse_request_flags(["request:copy", "about:K7Q2-2611-0042-Z"]) is None  # check character wrong
    assert parse_request_flags(["request:copy", f"about:{reference.lower()}"]) is None  # not in canonical form


@given(moments)
def test_the_office_has_72_hours_by_the_clock_nights_and_holidays_included(received):
    due = due_at(received)
    assert due - received == dt.timedelta(hours=72)
    assert not is_overdue(received, "received", due)
    assert is_overdue(received, "received", due + dt.timedelta(seconds=1))
    assert not is_overdue(received, "applied", due + dt.timedelta(days=30))  # a decided request is never late


@given(st.sampled_from(KINDS), st.sampled_from(("received", "applied", "refused", "already_deleted")),
       st.text(max_size=200).filter(lambda t: "\x00" not in t))
def test_an_outcome_reads_back_as_it_was_written(kind, state, note):
    detail = outcome_detail(kind, state, note)
    assert len(detail) <= 300  # what the record's event carries
    assert parse_outcome_detail(detail) == (kind, state, note[:300 - len(kind) - len(state) - 2])
