"""Every answer is either stored in a normal form or refused with words a citizen understands."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kiosk.catalog import DEFAULT_CATALOG, load_catalog
from kiosk.catalog.model import Field
from kiosk.errors import Text
from kiosk.samples import sample_answers
from kiosk.validation import (
    NIK_BIRTH_DATE,
    NIK_LENGTH,
    NIK_PROVINCE,
    NIK_SERIAL,
    REGION_UNKNOWN,
    REQUIRED,
    check_answer,
    check_date,
    check_form,
    check_kk,
    check_nik,
    check_phone,
    check_postal_code,
)

TODAY = dt.date(2026, 11, 24)
CATALOG = load_catalog(DEFAULT_CATALOG)


def nik(region: str = "327301", day: int = 17, month: int = 8, yy: int = 90, serial: str = "0003") -> str:
    return f"{region}{day:02d}{month:02d}{yy:02d}{serial}"


def test_a_real_nik_is_accepted_and_stored_as_its_16_digits() -> None:
    assert check_nik("3273 0117 0890 0003", today=TODAY).value == "3273011708900003"


def test_a_womans_nik_has_40_added_to_the_day() -> None:
    assert check_nik(nik(day=57), today=TODAY).ok
    assert check_nik(nik(day=72), today=TODAY).error == NIK_BIRTH_DATE  # 72 - 40 = 32: no such day


def test_nik_rules_each_have_their_own_message() -> None:
    assert check_nik("32730117089000", today=TODAY).error == NIK_LENGTH
    assert check_nik(nik(region="997301"), today=TODAY).error == NIK_PROVINCE
    assert check_nik(nik(month=13), today=TODAY).error == NIK_BIRTH_DATE
    assert check_nik(nik(serial="0000"), today=TODAY).error == NIK_SERIAL


def test_a_nik_with_a_region_code_missing_from_the_current_list_is_accepted_but_flagged() -> None:
    checked = check_nik(nik(region="329999"), today=TODAY)
    assert checked.ok and checked.flags == (REGION_UNKNOWN,)
    assert check_nik(nik(), today=TODAY).flags == ()


def test_kk_number_has_region_issue_date_and_serial() -> None:
    assert check_kk("3273012001150007").value == "3273012001150007"
    assert not check_kk("3273013201150007").ok  # day 32
    assert not check_kk("3273012001150000").ok  # serial 0000
    assert not check_kk("12345").ok


def test_phone_numbers_are_normalised_to_e164() -> None:
    assert check_phone("0812-3456-7890").value == "+6281234567890"
    assert check_phone("+62 812 3456 7890").value == "+6281234567890"
    assert not check_phone("021 555 1234").ok  # a landline cannot take a status SMS
    assert not check_phone("12345").ok


def test_postal_code_is_five_digits() -> None:
    assert check_postal_code(" 40111 ").value == "40111"
    assert not check_postal_code("4011").ok and not check_postal_code("4011a").ok


def test_dates_are_read_day_first_and_stored_as_iso() -> None:
    assert check_date("17-08-1945", today=TODAY).value == "1945-08-17"
    assert check_date("17/8/1945", today=TODAY).value == "1945-08-17"
    assert not check_date("30-02-2000", today=TODAY).ok


def test_a_date_in_the_future_is_refused_where_it_makes_no_sense() -> None:
    assert not check_date("25-11-2026", when="past", today=TODAY).ok
    assert check_date("25-11-2026", when="future", today=TODAY).ok
    assert not check_date("23-11-2026", when="future", today=TODAY).ok


def test_a_required_field_left_empty_says_so_and_an_optional_one_stores_nothing() -> None:
    required = Field("x", "text", Text("X", "X"), required=True)
    optional = Field("x", "text", Text("X", "X"), required=False)
    assert check_answer(required, "  ").error == REQUIRED
    assert check_answer(optional, "").ok and check_answer(optional, "").value is None


def test_every_default_service_accepts_its_sample_answers() -> None:
    for service in CATALOG.services:
        assert check_form(service, sample_answers(service)).ok, service.code


def test_a_form_names_each_field_that_is_wrong_and_fields_the_service_lacks() -> None:
    service = CATALOG.service("SKD")
    answers = {**sample_answers(service), "nik": "123", "shoe_size": "42"}
    errors = check_form(service, answers).errors
    assert set(errors) == {"nik", "shoe_size"}
    assert errors["nik"] == NIK_LENGTH


def test_every_message_has_both_languages() -> None:
    service = CATALOG.service("PINDAH")
    errors = check_form(service, {f.name: "!!" for f in service.fields}).errors
    assert errors and all(t.id and t.en and t.id != t.en for t in errors.values())


# -- properties: whatever is typed, a validator answers with a value or a message, never a crash --

any_typed = st.text(max_size=40) | st.from_regex(r"[0-9 .\-+]{0,20}", fullmatch=True)


@given(any_typed)
def test_nik_check_never_crashes_and_an_accepted_nik_is_16_digits(raw: str) -> None:
    checked = check_nik(raw, today=TODAY)
    assert checked.ok != (checked.error is not None)
    if checked.ok:
        assert len(checked.value) == 16 and checked.value.isdigit() and checked.value[12:] != "0000"


@given(st.integers(1, 31), st.integers(1, 12), st.integers(0, 99), st.booleans(), st.integers(1, 9999))
def test_every_real_birth_date_in_a_nik_is_accepted(day: int, month: int, yy: int, woman: bool, serial: int) -> None:
    year = 2000 + yy if yy <= TODAY.year % 100 else 1900 + yy
    try:
        dt.date(year, month, day)
    except ValueError:
        real = False
    else:
        real = True
    checked = check_nik(nik(day=day + (40 if woman else 0), month=month, yy=yy, serial=f"{serial:04d}"), today=TODAY)
    assert checked.ok == real


@given(any_typed)
def test_phone_check_never_crashes_and_accepts_only_e164_mobiles(raw: str) -> None:
    checked = check_phone(raw)
    if checked.ok:
        assert checked.value.startswith("+628") and checked.value[1:].isdigit()


@given(st.from_regex(r"8[1-9][0-9]{7,10}", fullmatch=True))
def test_a_mobile_number_reads_the_same_with_0_or_plus62(rest: str) -> None:
    assert check_phone("0" + rest).value == check_phone("+62" + rest).value


@given(any_typed)
def test_kk_and_postal_code_checks_never_crash(raw: str) -> None:
    for checked in (check_kk(raw), check_postal_code(raw)):
        assert checked.ok != (checked.error is not None)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_dates_round_trip_through_the_day_first_form(date: dt.date) -> None:
    checked = check_date(f"{date:%d-%m-%Y}", when="any", today=TODAY)
    assert checked.value == date.isoformat()


@given(st.sampled_from([f for s in CATALOG.services for f in s.fields]), st.text(max_size=300))
def test_any_field_answers_any_text_with_a_value_or_a_message(f: Field, raw: str) -> None:
    checked = check_answer(f, raw, today=TODAY)
    assert (checked.value is not None) or checked.error is not None or not f.required
