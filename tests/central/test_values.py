"""Checks central makes of values from the wire, against the slower definitions they stand for."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from central.values import is_uuid


def _by_the_uuid_module(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


uuid_like = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda u: str(u).upper()),
    st.uuids().map(lambda u: u.hex),
    st.uuids().map(lambda u: f"{{{u}}}"),
    st.uuids().map(lambda u: f"urn:uuid:{u}"),
    st.uuids().map(lambda u: str(u) + "\n"),
    st.builds(lambda u, i, c: str(u)[:i] + c + str(u)[i + 1:], st.uuids(), st.integers(0, 35), st.characters()),
    st.text(max_size=40),
)


@given(uuid_like)
def test_is_uuid_says_what_the_uuid_module_says(text: str) -> None:
    assert is_uuid(text) == _by_the_uuid_module(text)


def test_a_canonical_uuid_in_either_case_is_one_and_other_spellings_are_not() -> None:
    u = uuid.uuid4()
    assert is_uuid(str(u)) and is_uuid(str(u).upper())
    assert not is_uuid(u.hex) and not is_uuid(f"{{{u}}}") and not is_uuid(f"{u}\n")
