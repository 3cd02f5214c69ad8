"""`loket-central letter REF --out FILE.pdf`: an A4 letter with the citizen's data, numbered once, stored,
in the application's history, its QR opening central's public verification page."""

from __future__ import annotations

import getpass
import json
import re
import shutil
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from central.cli import main
from central.db import Database
from central.models import AccessLogEntry, IssuedLetter
from central.status import CHANGED
from tests.central.letter_support import (
    ANSWERS,
    DOCS_LETTERS,
    decode_qr,
    file_in_process,
    pdf_text,
    pdf_to_png,
    set_up_office,
)
from tests.fixtures.central import CentralHarness

NUMBER = re.compile(r"(\d{3})/(\d{4})/KEL-BRG/([IVX]+)/(\d{4})")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def letter(capsys: pytest.CaptureFixture[str], central: CentralHarness, reference: str, out: Path,
           *extra: str) -> tuple[int, str, str]:
    return run(capsys, "letter", reference, "--out", str(out), "--db", central.db_url, *extra)


def test_letters_of_five_services_carry_name_nik_number_and_office_and_their_qr_verifies(
        central: CentralHarness, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    office, terminal = set_up_office(central)
    references = file_in_process(central, terminal, list(ANSWERS))
    DOCS_LETTERS.mkdir(parents=True, exist_ok=True)
    numbers = []
    for (service, answers), reference in zip(ANSWERS.items(), references, strict=True):
        pdf = tmp_path / f"{service}.pdf"
        code, out, err = letter(capsys, central, reference, pdf, "--as", "operator:rina")
        assert code == 0, err
        number = out.strip().splitlines()[-1]
        assert NUMBER.fullmatch(number), out
        numbers.append(number)
        text = pdf_text(pdf)
        flat = " ".join(text.split())
        for expected in (answers["full_name"], answers["nik"], number, "KELURAHAN BRAGA",
                         "PEMERINTAH KOTA BANDUNG", "Drs. H. Asep Sunandar, M.Si.", "NIP. 19750312 200003 1 004"):
            assert expected in flat, f"{service}: {expected!r} not in the letter"
        png = pdf_to_png(pdf, tmp_path / f"{service}.png", dpi=150)
        shutil.copy(png, DOCS_LETTERS / f"letter-{service.lower()}.png")
        [url] = decode_qr(png)
        assert url.startswith(central.url + "/v/S")
        page = requests.get(url, timeout=10)
        assert page.status_code == 200 and "Asli / Genuine" in page.text
        assert number in page.text and "Kelurahan Braga" in page.text
        first, last = answers["full_name"].split()
        assert answers["nik"] not in page.text and first not in page.text and last not in page.text
        assert f"{first[0]}{'*' * (len(first) - 1)} {last[0]}{'*' * (len(last) - 1)}" in page.text
        altered = url[:-1] + ("A" if url[-1] != "A" else "B")
        refused = requests.get(altered, timeout=10)
        assert refused.status_code == 404 and "tidak dapat diverifikasi" in refused.text
        assert answers["nik"] not in refused.text
    assert [int(NUMBER.fullmatch(n).group(2)) for n in numbers] == [1, 2, 3, 4, 5]
    assert [NUMBER.fullmatch(n).group(1) for n in numbers] == ["470", "510", "401", "300", "474"]
    assert office


def test_a_reprint_keeps_the_number_and_the_words_and_the_history_shows_the_letter(
        central: CentralHarness, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, terminal = set_up_office(central)
    [reference] = file_in_process(central, terminal, ["SKD"])
    assert letter(capsys, central, reference, tmp_path / "a.pdf", "--as", "operator:rina")[0] == 0
    code, out, _ = letter(capsys, central, reference, tmp_path / "b.pdf", "--as", "operator:budi")
    assert code == 0 and out.startswith("reprinted")
    assert pdf_text(tmp_path / "a.pdf") == pdf_text(tmp_path / "b.pdf")
    code, out, _ = run(capsys, "applications", "show", reference, "--db", central.db_url)
    shown = json.loads(out)
    [issued] = [h for h in shown["history"] if h["status"] == "letter_issued"]
    me = f"cli:{getpass.getuser()}"
    assert issued["actor"] == f"{me} as operator:rina" and issued["prints"] == 2
    assert len(issued["content_hash"]) == 64
    assert NUMBER.fullmatch(issued["number"])
    db = Database(central.db_url)
    try:
        with db.transaction() as session:
            openings = session.scalars(select(AccessLogEntry).where(
                AccessLogEntry.application_id == shown["id"], AccessLogEntry.action != CHANGED)
                .order_by(AccessLogEntry.id)).all()
            stored = session.scalar(select(IssuedLetter).where(IssuedLetter.application_id == shown["id"]))
            assert [(o.username, o.action, o.detail) for o in openings] == [
                (f"{me} as operator:rina", "personal_data.opened", "letter"),
                (f"{me} as operator:budi", "personal_data.opened", "letter reprint"),
                (me, "personal_data.opened", "loket-central applications show")]
            assert ANSWERS["SKD"]["nik"].encode() not in stored.sealed_content  # sealed, not readable in a dump
            assert stored.masked_name == "S*** R********"
    finally:
        db.dispose()


@pytest.mark.parametrize("status", ["received", "declined"])
def test_no_letter_before_the_application_is_in_process_and_no_number_is_used(
        central: CentralHarness, tmp_path: Path, capsys: pytest.CaptureFixture[str], status: str) -> None:
    _, terminal = set_up_office(central)
    [early] = file_in_process(central, terminal, ["SKCK"], status=status)
    [ready] = file_in_process(central, terminal, ["SKCK"], status="received")  # a decline is final
    code, out, err = letter(capsys, central, early, tmp_path / "x.pdf")
    assert code == 2 and f"is {status}" in err and "in process" in err and not (tmp_path / "x.pdf").exists()
    run(capsys, "applications", "set-status", ready, "ready", "--db", central.db_url)
    code, out, _ = letter(capsys, central, ready, tmp_path / "y.pdf")
    assert code == 0 and NUMBER.fullmatch(out.splitlines()[-1]).group(2) == "0001"


def test_a_service_without_a_letter_and_an_unknown_reference_are_clear_errors(
        central: CentralHarness, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, terminal = set_up_office(central)
    upload = terminal.application(service_code="ADUAN", answers={"category": "jalan", "location": "Jl. Braga",
                                                                 "description": "Lubang di jalan", "consent": "yes"})
    terminal.upload([upload])
    run(capsys, "applications", "set-status", upload.reference, "in_process", "--db", central.db_url)
    code, _, err = letter(capsys, central, upload.reference, tmp_path / "x.pdf")
    assert code == 2 and "service ADUAN has no letter template" in err
    code, _, err = letter(capsys, central, "K7Q2-2611-0001-X", tmp_path / "x.pdf")
    assert code == 2 and "check character" in err


@pytest.mark.parametrize("name", ["", "   ", "x" * 33, "rina\nlurah"])
def test_a_letter_for_a_name_that_is_empty_too_long_or_unprintable_is_refused_before_anything_opens(
        central: CentralHarness, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    _, terminal = set_up_office(central)
    [reference] = file_in_process(central, terminal, ["SKD"])
    code, _, err = letter(capsys, central, reference, tmp_path / "x.pdf", "--as", name)
    assert code == 2 and "--as takes a name" in err and not (tmp_path / "x.pdf").exists()
    code, out, _ = run(capsys, "applications", "show", reference, "--db", central.db_url)
    assert not [h for h in json.loads(out)["history"] if h["status"] == "letter_issued"]


def test_office_settings_are_shown_changed_and_refused_when_wrong(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    assert run(capsys, "office", "create", "--code", "3273010001", "--name", "Kelurahan Braga", "--db", db)[0] == 0
    code, out, _ = run(capsys, "office", "settings", "--code", "3273010001", "--json", "--db", db)
    shown = json.loads(out)
    assert code == 0 and shown["government"] == "PEMERINTAH KOTA BANDUNG" and shown["district"] == "KECAMATAN SUKASARI"
    assert shown["time_zone"] == "Asia/Jakarta (WIB)" and shown["head_title"] == "Lurah Braga"
    assert shown["short_code"] == "KEL-BRG" and shown["logo"] == "default emblem"
    logo = tmp_path / "logo.png"
    shutil.copy(Path(__file__).resolve().parents[2] / "assets" / "images" / "office-logo.png", logo)
    code, out, _ = run(capsys, "office", "settings", "--code", "3273010001", "--signer-name", "Asep", "--time-zone",
                       "WITA", "--number-format", "{classification}/{sequence:05d}/{year}", "--logo", str(logo),
                       "--json", "--db", db)
    shown = json.loads(out)
    assert code == 0 and shown["signer_name"] == "Asep" and shown["time_zone"] == "Asia/Makassar (WITA)"
    assert shown["logo"].endswith("bytes PNG")
    not_png = tmp_path / "logo.txt"
    not_png.write_text("this is text, not a picture\n")
    for argv, fragment in [
        (["--time-zone", "CET"], "use WIB, WITA or WIT"),
        (["--number-format", "{classification}/{year}"], "must contain {sequence}"),
        (["--number-format", "{nomor}/{sequence}"], "unknown part {nomor}"),
        (["--number-format", "{sequence:zz}"], "cannot be used"),
        (["--public-url", "javascript:alert(1)"], "public URL"),
        (["--signer-name", "x" * 121], "longer than 120"),
        (["--logo", str(not_png)], "not a readable PNG"),
        (["--logo", str(tmp_path / "none.png")], "cannot read the logo"),
    ]:
        code, _, err = run(capsys, "office", "settings", "--code", "3273010001", *argv, "--db", db)
        assert code == 2 and fragment in err, (argv, err)
    code, _, err = run(capsys, "office", "settings", "--code", "nope", "--db", db)
    assert code == 2 and "no office 'nope'" in err


@pytest.mark.parametrize("region, zone", [("3273010001", "Asia/Jakarta"), ("5171010001", "Asia/Makassar"),
                                          ("7371010001", "Asia/Makassar"), ("9171010001", "Asia/Jayapura"),
                                          ("8171010001", "Asia/Jayapura"), ("1171010001", "Asia/Jakarta")])
def test_the_time_zone_defaults_from_the_province(region: str, zone: str) -> None:
    from central.models import Office
    from central.office_profile import office_timezone

    assert office_timezone(Office(code=region, name="Kelurahan X")) == zone  # no zone set on the office


def test_letter_counts_per_service(central: CentralHarness, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    office, terminal = set_up_office(central)
    references = file_in_process(central, terminal, ["SKD", "SKD", "SKU"])
    for i, reference in enumerate(references):
        assert letter(capsys, central, reference, tmp_path / f"{i}.pdf")[0] == 0
    letter(capsys, central, references[0], tmp_path / "again.pdf")  # a reprint is not another letter
    code, out, _ = run(capsys, "letter-counts", "--office", office, "--json", "--db", central.db_url)
    assert code == 0 and json.loads(out) == {"SKD": 2, "SKU": 1}
    code, out, _ = run(capsys, "letter-counts", "--office", office, "--year", "1999", "--json", "--db",
                       central.db_url)
    assert json.loads(out) == {}
