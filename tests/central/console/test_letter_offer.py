""""Cetak surat" is offered only when it can work, and the page says why not otherwise (declined, not yet
in process, no public address for the letter's QR); a service whose name holds its code does not show
the code twice; the letter settings' example number is this month's."""

from __future__ import annotations

import datetime as dt
import re

from central.letters.numbering import roman_month
from central.letters.office_settings import update_settings
from central.offices import get_office
from tests.central.console.test_letters_console import _as_operator, _filed

PRINT = "Cetak surat</button>"


def test_print_is_offered_only_when_it_can_work_and_the_page_says_why_not(central, client, office, enrolled,
                                                                        console_db):
    waiting = _filed(enrolled, console_db, office, "SKTM", "received")
    declined = _filed(enrolled, console_db, office, "SKTM", "declined")
    working = _filed(enrolled, console_db, office, "SKTM", "in_process")

    _staff, page = _as_operator(client, office, waiting)
    assert PRINT not in page and "setelah permohonan diproses" in page
    assert "(SKTM) (SKTM)" not in page and "Surat Keterangan Tidak Mampu (SKTM)" in page
    _staff, page = _as_operator(client, office, declined)
    assert PRINT not in page and "ditolak: tidak ada surat" in page
    _staff, page = _as_operator(client, office, working)
    assert PRINT not in page and "alamat publik" in page, "offered although it can only fail (no public URL)"

    with console_db.transaction() as session:
        update_settings(session, get_office(session, office.code), {"public_url": central.url})
    _staff, page = _as_operator(client, office, working)
    assert PRINT in page


def test_the_letter_settings_example_number_is_this_months(central, client, office):
    boss = client()
    boss.log_in(office.supervisor)
    page = boss.get("/staff/letters/settings").text
    month = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).month  # the office is in WIB
    example = re.search(r'<p class="ref">([^<]+)</p>', page)[1]
    assert f"/{roman_month(month)}/" in example, example


def test_a_refused_letter_keeps_the_consoles_top_bar(central, client, office, enrolled, console_db):
    reference = _filed(enrolled, console_db, office, "SKBM", "ready")  # no public address set
    staff, _page = _as_operator(client, office, reference)
    refused = staff.post(f"/staff/applications/{reference}/letter")
    assert refused.status_code == 409 and "Pengaturan surat" in refused.text
    assert "Keluar" in refused.text and office.operator in refused.text, "the failure page has no top bar"
