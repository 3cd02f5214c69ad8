"""What a receipt says: the dates, the documents, the citizen's language, and never personal data."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kiosk.store import Application
from kiosk.terminal import Terminal
from kiosk.timezones import office_zone
from printing.content import build_receipt, expected_ready, filed_moment, long_date
from tests.printing.conftest import file_sample


def test_ready_date_skips_weekends_holidays_and_cuti_bersama() -> None:
    # 18 Mar cuti bersama, 19 Nyepi, 20 cuti bersama, 21-22 weekend + Idulfitri, 23-24 cuti bersama
    assert expected_ready(dt.date(2026, 3, 17), 3) == (dt.date(2026, 3, 27), True)
    # 24 Dec cuti bersama, 25 Christmas, 26-27 weekend
    assert expected_ready(dt.date(2026, 12, 23), 1) == (dt.date(2026, 12, 28), True)


def test_ready_date_beyond_the_published_calendar_skips_weekends_and_says_it_is_an_estimate() -> None:
    day, official = expected_ready(dt.date(2031, 1, 3), 1)  # a Friday
    assert (day, official) == (dt.date(2031, 1, 6), False)


def test_same_day_service_is_ready_on_the_filing_date() -> None:
    assert expected_ready(dt.date(2026, 11, 24), 0) == (dt.date(2026, 11, 24), True)


def test_dates_are_written_in_the_citizens_language() -> None:
    assert long_date(dt.date(2026, 3, 27), "id") == "Jumat, 27 Maret 2026"
    assert long_date(dt.date(2026, 3, 27), "en") == "Friday, 27 March 2026"
    moment = dt.datetime(2026, 3, 17, 12, 0, 5, tzinfo=dt.UTC)
    # on the office's clock, never the machine's: WIB unless the office is elsewhere
    assert filed_moment(moment, "id") == "17 Maret 2026, 19.00 WIB"
    assert filed_moment(moment, "en") == "17 March 2026, 19:00 WIB"
    assert filed_moment(moment, "id", office_zone("7371011001")) == "17 Maret 2026, 20.00 WITA"
    assert filed_moment(moment, "en", office_zone("9471011001")) == "17 March 2026, 21:00 WIT"


def test_receipt_in_indonesian_lists_service_documents_and_ready_date(terminal: Terminal, filed: Application) -> None:
    service = terminal.catalog.service("SKU")
    receipt = build_receipt(terminal.identity, service, filed, "id")
    assert receipt.title == "TANDA TERIMA PERMOHONAN"
    assert receipt.service_name == "Surat Keterangan Usaha"
    assert receipt.reference == filed.reference
    assert receipt.ready_text == "Jumat, 27 Maret 2026"
    assert receipt.ready_note.startswith("3 hari kerja")
    assert receipt.documents == tuple(d.id for d in service.documents)
    assert "terenkripsi" in receipt.privacy_text
    assert "Cek status" in receipt.status_text
    assert receipt.office_name == "Kelurahan Braga"


def test_receipt_in_english_uses_the_english_texts(terminal: Terminal, filed: Application) -> None:
    service = terminal.catalog.service("SKU")
    receipt = build_receipt(terminal.identity, service, filed, "en")
    assert (receipt.title, receipt.service_name) == ("APPLICATION RECEIPT", service.name.en)
    assert receipt.documents == tuple(d.en for d in service.documents)
    assert receipt.ready_text == "Friday, 27 March 2026"


def test_receipt_holds_no_personal_answer(terminal: Terminal) -> None:
    for code in ("SKD", "SKU", "SKTM", "KK"):
        app = file_sample(terminal, code)
        receipt = build_receipt(terminal.identity, terminal.catalog.service(code), app, "id")
        printed = " ".join(str(v) for v in dataclasses.astuple(receipt))
        for answer in ("3273015708900003", "3273012001150007", "Siti Aminah", "Jl. Braga No. 12", "0812 3456 7890"):
            assert answer not in printed


def test_service_with_no_documents_says_none_are_needed(terminal: Terminal) -> None:
    app = file_sample(terminal, "ADUAN")
    receipt = build_receipt(terminal.identity, terminal.catalog.service("ADUAN"), app, "id")
    assert receipt.documents == ()
    assert receipt.documents_label == "Tidak perlu membawa dokumen."


def test_service_gone_from_the_catalog_sends_the_citizen_to_staff(terminal: Terminal, filed: Application) -> None:
    receipt = build_receipt(terminal.identity, None, filed, "en")
    assert receipt.service_name == "SKU"
    assert receipt.ready_text == "Ask the staff at the counter"
    assert receipt.documents == ()


@pytest.mark.parametrize("language", ["id", "en"])
def test_reprint_is_marked_with_its_time(terminal: Terminal, filed: Application, language: str) -> None:
    at = dt.datetime(2026, 3, 18, 8, 30, tzinfo=dt.UTC)
    receipt = build_receipt(terminal.identity, terminal.catalog.service("SKU"), filed, language, reprint_at=at)
    assert receipt.reprint_label.startswith("CETAK ULANG 18 Maret" if language == "id" else "REPRINT 18 March")
