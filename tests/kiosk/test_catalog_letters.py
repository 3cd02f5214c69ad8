"""Letter templates are catalog data: checked with the catalog, refused naming the service, filled from answers."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.catalog import DEFAULT_CATALOG, parse_catalog
from kiosk.catalog.letter import fill, fill_values, identity_lines, nik_facts, placeholders
from kiosk.errors import CatalogError

DOC = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))
LETTER_PARTS = ("title", "classification", "opening", "identity", "body", "closing", "signer_title")


def doc() -> dict:
    return copy.deepcopy(DOC)


def service_doc(d: dict, code: str) -> dict:
    return next(s for s in d["services"] if s["code"] == code)


def test_the_default_catalog_has_letters_for_the_certificate_services() -> None:
    catalog = parse_catalog(doc())
    with_letter = {s.code for s in catalog.services if s.letter is not None}
    assert {"SKD", "SKU", "SKTM", "SKCK", "SKBM"} <= with_letter
    assert "ADUAN" not in with_letter  # a complaint ends in an answer, not a letter
    skd = catalog.service("SKD").letter
    assert skd is not None and skd.title == "SURAT KETERANGAN DOMISILI" and skd.classification == "470"
    assert any("{living_since}" in paragraph for paragraph in skd.body)


def test_an_unknown_placeholder_is_refused_naming_the_service_and_part() -> None:
    d = doc()
    service_doc(d, "SKU")["letter"]["body"][0] += " {omzet}"
    with pytest.raises(CatalogError, match=r"service 'SKU', letter, body #1: unknown placeholder \{omzet\}"):
        parse_catalog(d)


@pytest.mark.parametrize("name", ["office.mayor", "letter.sequence", "full_name.sex", "nik.age", "consent.x"])
def test_placeholders_outside_the_known_names_are_refused(name: str) -> None:
    d = doc()
    service_doc(d, "SKD")["letter"]["closing"] = f"Ditutup {{{name}}}."
    with pytest.raises(CatalogError, match=r"service 'SKD', letter, closing: unknown placeholder"):
        parse_catalog(d)


def test_a_field_of_another_service_is_not_a_placeholder_here() -> None:
    d = doc()
    service_doc(d, "SKCK")["letter"]["identity"].append({"label": "Usaha", "value": "{business_name}"})
    with pytest.raises(CatalogError, match=r"service 'SKCK', letter, identity #5: unknown placeholder"):
        parse_catalog(d)


@pytest.mark.parametrize("part", LETTER_PARTS)
def test_a_missing_part_is_refused_naming_the_service(part: str) -> None:
    d = doc()
    del service_doc(d, "SKBM")["letter"][part]
    with pytest.raises(CatalogError, match=rf"service 'SKBM', letter: '{part}' is a required property"):
        parse_catalog(d)


@pytest.mark.parametrize("text", ["Lurah {", "Lurah }", "{office.head:>10}", "{office.head!r}", "{}"])
def test_broken_braces_and_formats_are_refused(text: str) -> None:
    d = doc()
    service_doc(d, "SKD")["letter"]["signer_title"] = text
    with pytest.raises(CatalogError, match=r"service 'SKD', letter, signer_title: "):
        parse_catalog(d)


def test_a_nik_tells_birth_date_and_sex_with_day_plus_forty_for_women() -> None:
    assert nik_facts("3273015708900003") == {"birth_date": "17 Agustus 1990", "sex": "Perempuan"}
    assert nik_facts("3273011702050003") == {"birth_date": "17 Februari 2005", "sex": "Laki-laki"}
    assert nik_facts("327301") == {}


def test_filling_prints_choice_labels_and_dates_in_full_and_leaves_out_empty_identity_lines() -> None:
    catalog = parse_catalog(doc())
    service = catalog.service("SKD")
    fields = {f.name: f for f in service.fields}
    answers = {"nik": "3273015708900003", "full_name": "Siti Rahmawati", "address": "Jl. Braga No. 12",
               "rt_rw": "003/005", "living_since": "2015-08-17", "purpose": "bank"}
    values = fill_values(fields, answers, {"head": "Lurah Braga"}, {"number": "470/0001/KEL-BRG/XI/2026"})
    assert fill(service.letter.body[0], values).endswith("sejak 17 Agustus 2015.")
    assert fill(service.letter.body[1], values) == "Surat keterangan ini dibuat untuk keperluan: Urusan bank."
    lines = dict(identity_lines(service.letter, values))
    assert lines["Nama"] == "Siti Rahmawati" and lines["Jenis Kelamin"] == "Perempuan"
    assert lines["Alamat"] == "Jl. Braga No. 12, RT/RW 003/005"
    values["nik.birth_date"] = ""
    assert "Tanggal Lahir" not in dict(identity_lines(service.letter, values))


@given(st.text(max_size=60))
def test_any_text_either_lists_its_placeholders_or_says_why_not(text: str) -> None:
    try:
        names = placeholders(text)
    except ValueError as e:
        assert str(e)
    else:
        assert all(name and "{" not in name for name in names)
        assert len(fill(text, dict.fromkeys(names, "x"))) <= len(text) + len(names)


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2020, 12, 31)), st.booleans())
def test_any_birth_date_survives_the_nik_encoding(born: dt.date, woman: bool) -> None:
    day = born.day + (40 if woman else 0)
    nik = f"327301{day:02d}{born.month:02d}{born.year % 100:02d}0001"
    facts = nik_facts(nik)
    assert facts["sex"] == ("Perempuan" if woman else "Laki-laki")
    assert facts["birth_date"].endswith(str(born.year)) and facts["birth_date"].startswith(f"{born.day} ")
