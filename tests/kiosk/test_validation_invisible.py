"""Text answers lose Unicode format characters (bidi overrides, zero-width characters) and controls at
validation, so names cannot print reversed or hide characters; letters of every script stay."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from kiosk.catalog import DEFAULT_CATALOG, load_catalog
from kiosk.validation import REQUIRED, check_answer, check_text, strip_invisible

NAME = load_catalog(DEFAULT_CATALOG).service("SKD").field("full_name")


def test_a_bidi_override_in_a_name_is_removed():
    assert check_answer(NAME, "Siti \u202eharaniM\u202c Aminah").value == "Siti haraniM Aminah"


def test_zero_width_characters_are_removed():
    assert check_answer(NAME, "Bu\u200bdi\u200d San\ufefftoso\u2060").value == "Budi Santoso"


def test_an_answer_of_only_invisible_characters_counts_as_empty():
    assert check_answer(NAME, "\u200b\u202e\u2066").error == REQUIRED


def test_names_in_other_scripts_keep_every_letter():
    for name in ("ꦱꦶꦠꦶ ꦄꦩꦶꦤꦃ", "محمد عبد الله", "王小明", "Nguyễn Thị Minh Khai", "Ἀλέξανδρος"):
        assert check_text(name, max_length=100).value == name


def _invisible(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category in ("Cf", "Cs") or (category == "Cc" and ch not in "\t\n\r")


@given(st.text(max_size=300))
def test_no_format_or_control_character_survives_and_every_letter_does(raw):
    checked = check_text(raw, max_length=1000)
    assert checked.ok
    assert not any(_invisible(ch) for ch in checked.value)
    letters = [ch for ch in raw if unicodedata.category(ch).startswith(("L", "M", "N"))]
    assert [ch for ch in checked.value if unicodedata.category(ch).startswith(("L", "M", "N"))] == letters
    checked.value.encode("utf-8")  # what the kiosk seals must encode: a lone surrogate would raise here


@given(st.text(alphabet=st.characters(categories=("Cf",)), max_size=20), st.text(max_size=50))
def test_stripping_is_idempotent_and_only_removes(invisible, visible):
    once = strip_invisible(invisible + visible + invisible)
    assert strip_invisible(once) == once
    assert len(once) <= len(visible)
