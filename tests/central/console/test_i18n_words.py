"""The console's words in English say "1 working day" and "2 working days", never "day(s)"; numbers are
written as each language writes them (97,22 in Indonesian)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from central.console.i18n import EN, number_words, translator


def test_english_counts_are_singular_for_one_and_plural_otherwise():
    t = translator("en")
    assert t("{n} hari kerja", n=1) == "1 working day"
    assert t("{n} hari kerja", n=3) == "3 working days"
    assert t("dicetak {n} kali", n=1) == "printed 1 time"
    assert t("{n} panggilan belum ditanggapi.", n=2) == "2 calls not yet answered."
    for key, english in EN.items():
        if "{n}" in key and "(s)" in english:
            assert "(s)" not in t(key, n=1) + t(key, n=2), key


def test_indonesian_numbers_use_a_decimal_comma():
    assert number_words(97.2222, 2, "id") == "97,22"
    assert number_words(100.0, 1, "id") == "100,0"
    assert number_words(1234.5, 1, "id") == "1.234,5"
    assert number_words(97.2222, 2, "en") == "97.22"
    assert number_words(None, 1, "id") == "\u2014"


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_an_indonesian_number_reads_back_as_the_english_one(value):
    indonesian, english = number_words(value, 2, "id"), number_words(value, 2, "en")
    assert indonesian.replace(".", "").replace(",", ".") == english.replace(",", "")
