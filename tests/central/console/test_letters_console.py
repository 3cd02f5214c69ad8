"""Letters in the console: "Cetak surat" brings staff back to the application's page showing the number,
which fetches the numbered PDF once (once numbered, reprints keep it), the
office's letter settings page for supervisors, and letters per service on the report page."""

from __future__ import annotations

import io
import re
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from central.letters.office_settings import check_logo, update_settings
from central.models import AccessLogEntry, Application
from central.offices import get_office
from central.status import CHANGED
from tests.central.letter_support import ANSWERS, checked_answers
from tests.central.status_support import move_to

LOGO = Path(__file__).resolve().parents[3] / "assets" / "images" / "office-logo.png"


def _ready_office(console_db, office, central_url: str) -> None:
    with console_db.transaction() as session:
        update_settings(session, get_office(session, office.code), {"public_url": central_url,
                                                                     "signer_name": "Hj. Nining Suryani"})


def _filed(enrolled, console_db, office, service: str, status: str) -> str:
    sim = enrolled(office.code)
    upload = sim.application(service_code=service, answers=checked_answers(service))
    sim.upload([upload])
    with console_db.transaction() as session:
        move_to(session, upload.reference, status)
    return upload.reference


def _as_operator(client, office, reference: str):  # noqa: ANN202
    """An operator's session and the application's page as she sees it."""
    staff = client()
    staff.log_in(office.operator)
    return staff, staff.get(f"/staff/applications/{reference}").text


def _print(staff, reference: str) -> bytes:
    """Presses "Cetak surat" and fetches the PDF as the page it lands on does (its refresh)."""
    page = staff.post(f"/staff/applications/{reference}/letter")
    assert page.status_code == 200 and page.url.split("?")[0].endswith(f"/staff/applications/{reference}")
    fetch = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', page.text)[1].replace("&amp;", "&")
    pdf = staff.get(fetch)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == f'attachment; filename="surat-{reference}.pdf"'
    again = staff.get(fetch)  # each logged print hands its PDF out once
    assert again.headers["content-type"].startswith("text/html") and "http-equiv" not in again.text
    return pdf.content


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_cetak_surat_downloads_the_numbered_letter_and_a_reprint_keeps_the_number(
        central, client, office, enrolled, console_db):
    _ready_office(console_db, office, central.url)
    reference = _filed(enrolled, console_db, office, "SKD", "in_process")
    staff, page = _as_operator(client, office, reference)
    assert "Cetak surat" in page and f'action="/staff/applications/{reference}/letter"' in page
    text = _pdf_text(_print(staff, reference))
    number = re.search(r"Nomor: (\S+)", text)[1]
    assert ANSWERS["SKD"]["full_name"] in text and ANSWERS["SKD"]["nik"] in text and "Hj. Nining Suryani" in text
    assert re.search(r"Nomor: (\S+)", _pdf_text(_print(staff, reference)))[1] == number
    page = staff.get(f"/staff/applications/{reference}").text
    assert number in page and "Surat diterbitkan" in page and "dicetak 2 kali" in page
    with console_db.transaction() as session:
        app_id = session.scalar(select(Application.id).where(Application.reference == reference))
        log = [(e.username, e.action, e.detail) for e in session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.application_id == app_id, AccessLogEntry.action != CHANGED)
            .order_by(AccessLogEntry.id))]
    assert log == [(office.operator, "personal_data.opened", "letter"), (office.operator, "letter.issued", number),
                   (office.operator, "personal_data.opened", "letter reprint"),
                   (office.operator, "letter.reprinted", number)]


def test_a_prints_pdf_goes_only_to_the_one_who_printed_it(central, client, office, enrolled, console_db):
    _ready_office(console_db, office, central.url)
    reference = _filed(enrolled, console_db, office, "SKD", "in_process")
    staff, _page = _as_operator(client, office, reference)
    page = staff.post(f"/staff/applications/{reference}/letter").text
    fetch = re.search(r'url=([^"]+)">', page)[1].replace("&amp;", "&")
    boss = client()
    boss.log_in(office.supervisor)
    taken = boss.get(fetch)
    assert taken.headers["content-type"].startswith("text/html") and "http-equiv" not in taken.text
    assert staff.get(fetch).headers["content-type"] == "application/pdf"


def test_no_letter_before_in_process_without_csrf_or_for_another_office(
        central, client, office, enrolled, console_db):
    _ready_office(console_db, office, central.url)
    received = _filed(enrolled, console_db, office, "SKCK", "received")
    staff, page = _as_operator(client, office, received)
    assert "Cetak surat" not in page and "setelah permohonan diproses" in page
    refused = staff.post(f"/staff/applications/{received}/letter")
    assert refused.status_code == 409 and "sedang diproses" in refused.text
    ready = _filed(enrolled, console_db, office, "SKCK", "in_process")
    assert staff.post(f"/staff/applications/{ready}/letter", csrf="forged").status_code == 403
    stranger = client()
    other = central.create_office()
    from central.console.accounts import add_staff

    with console_db.transaction() as session:
        add_staff(session, other, f"op-{other.lower()}", "operator", "kata-sandi-uji-123")
    stranger.log_in(f"op-{other.lower()}")
    assert stranger.post(f"/staff/applications/{ready}/letter").status_code == 404
    with console_db.transaction() as session:
        assert session.scalar(select(AccessLogEntry).where(AccessLogEntry.reference == ready,
                                                           AccessLogEntry.action != CHANGED)) is None


def test_without_a_public_url_the_operator_is_told_what_to_do(central, client, office, enrolled, console_db):
    reference = _filed(enrolled, console_db, office, "SKBM", "ready")
    staff = client()
    staff.log_in(office.operator)
    refused = staff.post(f"/staff/applications/{reference}/letter")
    assert refused.status_code == 409 and "Pengaturan surat" in refused.text


def test_supervisors_change_the_letter_settings_and_a_bad_value_changes_nothing(
        central, client, office, enrolled, console_db):
    operator = client()
    operator.log_in(office.operator)
    assert operator.get("/staff/letters/settings").status_code == 403
    boss = client()
    boss.log_in(office.supervisor)
    page = boss.get("/staff/letters/settings")
    assert page.status_code == 200 and "Pengaturan surat" in page.text and "/KEL-" in page.text
    boss.refresh_csrf(page.text)
    saved = boss.http.post(central.url + "/staff/letters/settings", timeout=15,
                           data={"csrf": boss.csrf, "public_url": central.url, "signer_name": "Drs. Asep",
                                 "time_zone": "WITA"},
                           files={"logo": ("logo.png", LOGO.read_bytes(), "image/png")})
    assert saved.status_code == 200 and "Pengaturan surat disimpan." in saved.text
    stored = len(check_logo(LOGO.read_bytes()))  # re-encoded as a letter needs it
    assert 'value="Drs. Asep"' in saved.text and "WITA" in saved.text and f"logo PNG, {stored} byte" in saved.text
    bad = boss.http.post(central.url + "/staff/letters/settings", timeout=15,
                         data={"csrf": boss.csrf, "signer_name": "Someone Else", "number_format": "{year}"},
                         files={"logo": ("", b"", "application/octet-stream")})
    assert bad.status_code == 400 and "must contain {sequence}" in bad.text
    assert 'value="Drs. Asep"' in bad.text
    not_png = boss.http.post(central.url + "/staff/letters/settings", timeout=15,
                             data={"csrf": boss.csrf}, files={"logo": ("x.png", b"GIF89a....", "image/png")})
    assert not_png.status_code == 400 and "not a readable PNG" in not_png.text
    reference = _filed(enrolled, console_db, office, "SKU", "done")
    assert "Drs. Asep" in _pdf_text(_print(boss, reference))


def test_the_report_page_counts_letters_per_service(central, client, office, enrolled, console_db):
    _ready_office(console_db, office, central.url)
    staff = client()
    staff.log_in(office.supervisor)
    for service in ("SKD", "SKD", "SKTM"):
        assert staff.post(f"/staff/applications/{_filed(enrolled, console_db, office, service, 'ready')}/letter"
                          ).status_code == 200
    page = staff.get("/staff/reports").text
    table = page[page.index("Surat diterbitkan per layanan"):]
    assert re.search(r"SKD · Surat Keterangan Domisili</td><td>2</td>", table)
    assert re.search(r"SKTM · Surat Keterangan Tidak Mampu \(SKTM\)</td><td>1</td>", table)
