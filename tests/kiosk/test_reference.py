"""Application numbers: grouped, unambiguous, and a typing mistake is caught by the check character."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from kiosk.errors import BadReference
from kiosk.reference import (
    ALPHABET,
    MonthOfReferences,
    _luhn_valid,
    make_reference,
    normalize_terminal_code,
    parse_reference,
)

codes = st.text(alphabet=ALPHABET, min_size=4, max_size=4)
dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2099, 12, 31))
sequences = st.integers(1, 999_999)


def test_reference_reads_terminal_month_sequence_check() -> None:
    ref = make_reference("K7Q2", dt.date(2026, 11, 24), 42)
    assert ref[:15] == "K7Q2-2611-0042-" and len(ref) == 16


def test_alphabet_has_no_look_alikes() -> None:
    assert not set("ILOU") & set(ALPHABET)


@given(codes, dates, sequences)
def test_what_a_citizen_types_back_is_understood(code: str, date: dt.date, seq: int) -> None:
    ref = make_reference(code, date, seq)
    typed = ref.replace("-", " ").lower().replace("0", "o").replace("1", "l")
    assert parse_reference(typed) == ref


@given(codes, dates, sequences, st.data())
def test_any_single_wrong_character_is_caught(code: str, date: dt.date, seq: int, data) -> None:
    ref = make_reference(code, date, seq)
    compact = ref.replace("-", "")
    i = data.draw(st.integers(0, len(compact) - 1))
    pool = [c for c in (ALPHABET if i < 4 or i == len(compact) - 1 else "0123456789") if c != compact[i]]
    wrong = compact[:i] + data.draw(st.sampled_from(pool)) + compact[i + 1:]
    with pytest.raises(BadReference):
        parse_reference(wrong)


@given(codes, dates, sequences, st.data())
def test_swapping_two_neighbours_is_caught(code: str, date: dt.date, seq: int, data) -> None:
    compact = make_reference(code, date, seq).replace("-", "")
    i = data.draw(st.integers(0, len(compact) - 2))
    if compact[i] == compact[i + 1] or {compact[i], compact[i + 1]} == {"0", "Z"}:
        return  # Luhn mod N's one blind spot: the alphabet's first and last characters
    swapped = compact[:i] + compact[i + 1] + compact[i] + compact[i + 2:]
    try:
        parsed = parse_reference(swapped)
    except BadReference:
        return
    raise AssertionError(f"swap at {i} not caught: {parsed}")


@given(st.text(max_size=30))
def test_garbage_is_refused_with_a_message_never_a_crash(text: str) -> None:
    try:
        parse_reference(text)
    except BadReference as e:
        assert str(e)


def test_terminal_codes_are_folded_and_checked() -> None:
    assert normalize_terminal_code(" k7q2 ") == "K7Q2"
    assert normalize_terminal_code("OIL2") == "0112"
    with pytest.raises(ValueError):
        normalize_terminal_code("K7Q")


@given(st.text(alphabet=ALPHABET, min_size=1, max_size=24))
def test_the_fast_check_agrees_with_python_stdnum(compact: str) -> None:
    assert _luhn_valid(compact) == luhn.is_valid(compact, alphabet=ALPHABET)


@given(codes, dates, sequences)
def test_the_check_character_is_python_stdnums(code: str, filed_on: dt.date, sequence: int) -> None:
    body = make_reference(code, filed_on, sequence)[:-2].replace("-", "")
    assert make_reference(code, filed_on, sequence)[-1] == luhn.calc_check_digit(body, alphabet=ALPHABET)


@given(codes, dates, st.lists(sequences, min_size=1, max_size=5))
def test_a_month_of_references_gives_the_numbers_make_reference_gives(
        code: str, filed_on: dt.date, numbers: list[int]) -> None:
    month = MonthOfReferences(code, filed_on)
    assert month.period == f"{filed_on:%y%m}"
    assert [month.reference(n) for n in numbers] == [make_reference(code, filed_on, n) for n in numbers]


def test_a_month_of_references_starts_at_one() -> None:
    with pytest.raises(ValueError):
        MonthOfReferences("K7Q2", dt.date(2026, 11, 1)).reference(0)
