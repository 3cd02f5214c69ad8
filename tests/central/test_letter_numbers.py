"""Letter numbers: the office's format, and a yearly sequence that never repeats or skips, even with many
staff issuing at the same moment on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from central.db import Database
from central.errors import CentralError
from central.letters.issue import issue_letter
from central.letters.numbering import DEFAULT_NUMBER_FORMAT, check_number_format, format_number, roman_month
from central.models import IssuedLetter, LetterCounter
from central.offices import get_office
from tests.central.letter_support import file_in_process, set_up_office
from tests.fixtures.central import CentralHarness


def test_the_default_format_gives_the_usual_kelurahan_number() -> None:
    assert format_number(DEFAULT_NUMBER_FORMAT, classification="470", sequence=12, short_code="KEL-GMB", month=11,
                         year=2026) == "470/0012/KEL-GMB/XI/2026"
    assert [roman_month(m) for m in (1, 4, 9, 12)] == ["I", "IV", "IX", "XII"]


@given(st.text(max_size=40))
def test_any_number_format_is_usable_or_refused_with_a_reason(text: str) -> None:
    try:
        check_number_format(text)
    except CentralError as e:
        assert "number format" in str(e)
    else:
        number = format_number(text, classification="474", sequence=7, short_code="X", month=2, year=2027)
        assert "7" in number


def issue_all(db_url: str, references: list[str], *, threads: int) -> list[str]:
    db = Database(db_url, pool_size=threads)
    start = threading.Barrier(threads)

    def issue(reference: str) -> str:
        if threading.current_thread().name not in started:
            started.add(threading.current_thread().name)
            start.wait(timeout=30)
        with db.transaction() as session:
            return issue_letter(session, reference, actor=f"operator:{threading.current_thread().name}").number

    started: set[str] = set()
    try:
        with ThreadPoolExecutor(threads) as pool:
            return list(pool.map(issue, references))
    finally:
        db.dispose()


def stored_sequences(db_url: str, office: str) -> list[int]:
    db = Database(db_url)
    try:
        with db.transaction() as session:
            office_id = get_office(session, office).id
            return sorted(session.scalars(select(IssuedLetter.sequence).where(IssuedLetter.office_id == office_id)))
    finally:
        db.dispose()


def test_200_letters_issued_concurrently_on_postgresql_get_200_consecutive_numbers(
        central_pg: CentralHarness) -> None:
    office, terminal = set_up_office(central_pg)
    services = ["SKD", "SKU", "SKTM", "SKCK", "SKBM"] * 40
    references = file_in_process(central_pg, terminal, services)
    numbers = issue_all(central_pg.db_url, references, threads=16)
    assert len(set(numbers)) == 200
    sequences = sorted(int(n.split("/")[1]) for n in numbers)
    assert sequences == list(range(1, 201))
    assert stored_sequences(central_pg.db_url, office) == list(range(1, 201))


def test_two_staff_printing_the_same_application_at_once_get_one_number(central_pg: CentralHarness) -> None:
    office, terminal = set_up_office(central_pg)
    references = file_in_process(central_pg, terminal, ["SKD"] * 4)
    numbers = issue_all(central_pg.db_url, [r for r in references for _ in range(4)], threads=8)
    assert len(set(numbers)) == 4  # each application one number, however many printed it
    assert stored_sequences(central_pg.db_url, office) == [1, 2, 3, 4]


@pytest.mark.parametrize("harness", ["central", "central_pg"])
def test_a_failed_issue_gives_its_number_back_and_a_new_year_starts_at_one(
        harness: str, request: pytest.FixtureRequest) -> None:
    server: CentralHarness = request.getfixturevalue(harness)
    office, terminal = set_up_office(server)
    good, complaint = file_in_process(server, terminal, ["SKBM", "SKBM"])
    db = Database(server.db_url)
    this_year = dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC)
    try:
        with pytest.raises(RuntimeError), db.transaction() as session:
            issue_letter(session, good, actor="operator:a", now=this_year)
            raise RuntimeError("the printer caught fire before the commit")
        with db.transaction() as session:
            assert issue_letter(session, good, actor="operator:a", now=this_year).number == "474/0001/KEL-BRG/XI/2026"
        with db.transaction() as session:
            next_year = dt.datetime(2027, 1, 2, 3, 0, tzinfo=dt.UTC)
            assert issue_letter(session, complaint, actor="operator:a", now=next_year).number == \
                "474/0001/KEL-BRG/I/2027"
        with db.transaction() as session:
            office_id = get_office(session, office).id
            counters = {c.year: c.last_sequence for c in session.scalars(
                select(LetterCounter).where(LetterCounter.office_id == office_id))}
            assert counters == {2026: 1, 2027: 1}
    finally:
        db.dispose()
