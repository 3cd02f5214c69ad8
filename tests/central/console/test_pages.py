"""What each console page shows and does, against the real central over HTTP with simulated terminals."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from sqlalchemy import select, update

from central.models import AccessLogEntry, Application
from central.offices import get_office
from central.terminals import is_silent
from kiosk.timezones import office_zone
from sync.protocol import AuditUpload, Heartbeat, ProvisioningFile
from tests.central.due_support import backdate

WIB = office_zone("3273010001")


def _backdate(db, reference: str, days: int) -> None:
    """As if filed `days` calendar days ago (the due date is worked out again)."""
    with db.transaction() as session:
        backdate(session, [reference], days)


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr class="[^"]*">.*?</tr>', page, re.S)


def test_the_inbox_puts_overdue_first_in_red_with_due_dates_counts_filters_and_search(
        client, office, enrolled, console_db):
    sim = enrolled(office.code)
    late, fresh, other = sim.application(service_code="SKU"), sim.application(), sim.application(service_code="KK")
    sim.upload([late, fresh, other])
    _backdate(console_db, late.reference, 20)
    staff = client()
    page = staff.log_in(office.operator).text
    rows = _rows(page)
    assert [late.reference in rows[0], 'class="overdue"' in rows[0]] == [True, True]
    assert "terlambat" in rows[0] and all('class="overdue"' not in r for r in rows[1:])
    assert re.search(r'<span class="n">3</span> Diterima', page)
    assert re.search(r'<span class="n">1</span> Terlambat', page)
    overdue_only = staff.get("/staff?overdue=1").text
    assert late.reference in overdue_only and fresh.reference not in overdue_only
    by_service = staff.get("/staff?service=KK").text
    assert other.reference in by_service and fresh.reference not in by_service
    found = staff.get("/staff", params={"q": fresh.reference[-7:].lower()}).text
    assert fresh.reference in found and late.reference not in found
    with console_db.transaction() as session:
        due = session.scalar(select(Application.due_on).where(Application.reference == fresh.reference))
    assert due is not None and due.strftime("%d-%m-%Y") in page


def test_the_inbox_pages_through_many_applications(client, office, enrolled):
    sim = enrolled(office.code)
    apps = [sim.application() for _ in range(60)]
    sim.upload(apps)
    staff = client()
    first = staff.log_in(office.operator).text
    second = staff.get("/staff?page=2").text
    assert "halaman 1 dari 2" in first and "halaman 2 dari 2" in second
    shown = {a.reference for a in apps if a.reference in first} | {a.reference for a in apps if a.reference in second}
    assert len(shown) == 60 and len(_rows(second)) == 10


def test_opening_personal_data_shows_it_and_writes_the_access_log(client, office, console_db, synced, operator):
    app = synced(answers={"nama": "Siti Aminah", "nik": "3273015708900003"})
    staff = operator
    closed = staff.get(f"/staff/applications/{app.reference}").text
    assert "Siti Aminah" not in closed and "Buka data pribadi" in closed
    opened = staff.post(f"/staff/applications/{app.reference}/personal-data")
    assert "Siti Aminah" in opened.text and opened.headers["cache-control"] == "no-store"
    with console_db.transaction() as session:
        entries = session.scalars(select(AccessLogEntry).where(AccessLogEntry.reference == app.reference)).all()
        assert [(e.username, e.action) for e in entries] == [(office.operator, "personal_data.opened")]
    supervisor = client()
    supervisor.log_in(office.supervisor)
    log = supervisor.get("/staff/access-log").text
    assert app.reference in log and office.operator in log and "Membuka data pribadi" in log
    assert "<form" not in log.split("<main>")[1]  # read-only


def test_a_status_change_with_its_note_is_in_the_history_and_reaches_the_terminal(office, enrolled, operator):
    sim = enrolled(office.code)
    app = sim.application()
    sim.upload([app])
    staff = operator
    staff.post(f"/staff/applications/{app.reference}/status", {"status": "in_process", "note": "berkas lengkap"})
    page = staff.post(f"/staff/applications/{app.reference}/status", {"status": "declined",
                                                                      "note": "Fotokopi KK tidak terbaca"})
    assert "Status disimpan" in page.text and "berkas lengkap" in page.text and "Ditolak" in page.text
    assert "Ubah status" in page.text and 'name="status"' not in page.text  # declined is final
    pulled = sim.status_changes(reasons=True).changes
    assert [(c.status, c.reason) for c in pulled] == [("received", None), ("in_process", None),
                                                      ("declined", "Fotokopi KK tidak terbaca")]


def test_a_help_call_shows_on_every_page_until_acknowledged(client, office, enrolled):
    sim = enrolled(office.code)
    sim.upload([], [AuditUpload(id=1, at=dt.datetime.now(dt.UTC), actor="citizen", action="citizen.help_requested",
                                detail="form")])
    staff = client()
    inbox = staff.log_in(office.operator).text
    assert 'class="banner"' in inbox and "1 panggilan belum ditanggapi" in inbox
    help_page = staff.get("/staff/help").text
    assert 'class="banner"' in help_page and sim.identity.terminal_code in help_page
    call_id = re.search(r"/staff/help/(\d+)/acknowledge", help_page)[1]
    staff.refresh_csrf(help_page)
    after = staff.post(f"/staff/help/{call_id}/acknowledge").text
    assert 'class="banner"' not in after and office.operator in after
    assert 'class="banner"' not in staff.get("/staff").text


def test_the_terminals_page_shows_queues_and_revokes_enrolls_and_provisions(client, office, enrolled, central):
    sim = enrolled(office.code)
    sim.heartbeat(Heartbeat(queue={"queued": 7, "sending": 0, "synced": 12, "rejected": 1},
                            oldest_unsynced_age_s=3900, app_version="0.9.1", last_error="printer: paper out"))
    staff = client()
    staff.log_in(office.supervisor)
    page = staff.get("/staff/terminals").text
    row = next(r for r in _rows(page) if sim.identity.terminal_code in r)
    assert "7 menunggu kirim" in row and "1 ditolak" in row and "1 jam 5 menit" in row
    assert "0.9.1" in row and "printer: paper out" in row
    made = staff.post("/staff/terminals/enrollment-code").text
    code = re.search(r'<p class="code">([0-9A-Z-]+)</p>', made)[1]
    from tests.harness.simterminal import SimulatedTerminal

    newcomer = SimulatedTerminal(central.url)
    assert newcomer.enroll(code).office_code == office.code
    newcomer.close()
    download = staff.post("/staff/terminals/provisioning-file", {"server": "https://loket.example"})
    assert download.headers["content-disposition"].startswith("attachment;")
    assert ProvisioningFile.model_validate_json(download.content).office_code == office.code
    assert "yakin" in staff.post(f"/staff/terminals/{sim.identity.terminal_code}/revoke").text  # needs the tick
    assert sim.heartbeat() is not None
    revoked = staff.post(f"/staff/terminals/{sim.identity.terminal_code}/revoke", {"confirm": "yes"}).text
    assert "dicabut" in revoked
    assert sim.signed("POST", "/api/v1/heartbeat", b"{}", {"Content-Type": "application/json"}).status_code == 403
    assert staff.post("/staff/terminals/ZZZZ/revoke", {"confirm": "yes"}).status_code == 404


def test_a_kiosk_silent_for_two_hours_counts_only_in_office_hours():
    thursday_ten = dt.datetime(2026, 11, 26, 3, 0, tzinfo=dt.UTC)  # 10.00 WIB
    assert is_silent(thursday_ten - dt.timedelta(hours=3), thursday_ten, WIB)
    assert not is_silent(thursday_ten - dt.timedelta(hours=1), thursday_ten, WIB)
    assert is_silent(None, thursday_ten, WIB)
    saturday_ten = thursday_ten + dt.timedelta(days=2)
    assert not is_silent(saturday_ten - dt.timedelta(days=1), saturday_ten, WIB)


def test_the_monthly_report_counts_per_service_and_downloads_as_csv(client, office, enrolled):
    sim = enrolled(office.code)
    done, declined, waiting, other = (sim.application(), sim.application(), sim.application(),
                                      sim.application(service_code="SKU"))
    sim.upload([done, declined, waiting, other])
    staff = client()
    staff.log_in(office.supervisor)
    staff.post(f"/staff/applications/{done.reference}/status", {"status": "ready"})
    staff.post(f"/staff/applications/{declined.reference}/status", {"status": "declined", "note": "tidak lengkap"})
    page = staff.get("/staff/reports").text
    assert "SKD · Surat Keterangan Domisili" in page
    month = re.search(r'name="month" value="(\d{4}-\d{2})"', page)[1]
    download = staff.get(f"/staff/reports.csv?month={month}")
    assert download.headers["content-type"].startswith("text/csv")
    rows = {r["service_code"]: r for r in csv.DictReader(io.StringIO(download.text))}
    assert rows["SKD"]["filed"] == "3" and rows["SKD"]["done"] == "1" and rows["SKD"]["declined"] == "1"
    assert rows["SKD"]["median_days"] == "0" and rows["SKD"]["on_time_pct"] == "100.0"
    assert rows["SKU"]["filed"] == "1" and rows["SKU"]["done"] == "0" and rows["SKU"]["on_time_pct"] == ""
    assert staff.get("/staff/reports?month=2026-13").status_code == 400


def test_an_admin_works_on_any_office_after_switching(client, office, enrolled, central, console_db):
    from central.console.accounts import add_staff
    from tests.central.console.conftest import PASSWORD

    sim = enrolled(office.code)
    app = sim.application()
    sim.upload([app])
    home = central.create_office()
    with console_db.transaction() as session:
        add_staff(session, home, f"admin-{office.code.lower()}", "admin", PASSWORD)
        assert get_office(session, office.code)
    admin = client()
    page = admin.log_in(f"admin-{office.code.lower()}").text
    assert app.reference not in page and 'name="office"' in page
    switched = admin.post("/staff/office", {"office": office.code}).text
    assert app.reference in switched
    assert admin.post("/staff/office", {"office": "nope"}).status_code == 404


def test_the_report_counts_an_application_in_the_month_of_the_offices_calendar(console_db, office, synced):
    from central.office_profile import load_profile
    from central.reports import monthly_report

    app = synced()
    with console_db.transaction() as session:  # 1 December 2026, 03.00 WIB = 30 November, 20.00 UTC
        session.execute(update(Application).where(Application.reference == app.reference).values(
            filed_at=dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC), due_on=None))
        office_id = session.scalar(select(Application.office_id).where(Application.reference == app.reference))
        profile = load_profile(session, office_id)
        assert [r.filed for r in monthly_report(session, profile, dt.date(2026, 12, 1), dt.date(2027, 1, 1))] == [1]
        assert monthly_report(session, profile, dt.date(2026, 11, 1), dt.date(2026, 12, 1)) == []


def test_an_admin_lists_and_disables_staff_accounts_and_others_cannot(client, office, central, console_db):
    from central.console.accounts import add_staff
    from tests.central.console.conftest import PASSWORD

    with console_db.transaction() as session:
        add_staff(session, office.code, f"adm-{office.code.lower()}", "admin", PASSWORD)
    victim = client()
    victim.log_in(office.operator)
    admin = client()
    page = admin.log_in(f"adm-{office.code.lower()}")
    accounts = admin.get("/staff/accounts").text
    assert office.operator in accounts and office.supervisor in accounts and "Petugas" in page.text
    admin.refresh_csrf(accounts)
    after = admin.post(f"/staff/accounts/{office.operator}/disable").text
    row = next(r for r in re.findall(r"<tr.*?</tr>", after, re.S) if office.operator in r)
    assert "nonaktif" in row
    assert victim.get("/staff", allow_redirects=False).status_code == 303  # her session ended
    assert client().log_in(office.operator).status_code == 401
    supervisor = client()
    supervisor.log_in(office.supervisor)
    assert "/staff/accounts" not in supervisor.get("/staff").text
    assert supervisor.get("/staff/accounts").status_code == 403
    assert supervisor.post(f"/staff/accounts/{office.supervisor}/disable").status_code == 403


def _surveys(console_db, office_code: str, day: dt.date, service: str, *answer_sets: list) -> None:
    """Stores answer sets as central does on a terminal's upload (`central.skm.store_surveys`)."""
    import uuid

    from central.skm import store_surveys
    from sync.protocol import SurveyUpload

    with console_db.transaction() as session:
        office_id = get_office(session, office_code).id
        store_surveys(session, office_id, [SurveyUpload(id=str(uuid.uuid4()), day=day, service_code=service,
                                                        overall=4, elements=elements) for elements in answer_sets])


def test_the_report_shows_the_months_skm_index_per_service_and_for_the_office(client, office, central, console_db):
    november = dt.date(2026, 11, 5)
    _surveys(console_db, office.code, november, "SKD", [4] * 9, [3] * 9, [3] * 8 + [None])
    _surveys(console_db, office.code, november, "SKU", [2] * 9)
    _surveys(console_db, office.code, dt.date(2026, 10, 31), "SKD", [1] * 9)  # another month
    _surveys(console_db, central.create_office(), november, "SKD", [1] * 9, [1] * 9)  # another office
    staff = client()
    staff.log_in(office.supervisor)
    page = staff.get("/staff/reports?month=2026-11").text
    head, body = page.split("<body", 1)
    assert "Survei Kepuasan" not in head, "the SKM table belongs in the page, not in its <title>"
    table = body.split("Survei Kepuasan Masyarakat (SKM)", 1)[1].split("</table>", 1)[0]
    rows = [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
            for r in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)][1:]
    # SKD: NRR of elements 1-8 = (4+3+3)/3, of element 9 = (4+3)/2 -> (8 * 10/3 + 3.5) / 9 * 25 = 83.80
    assert rows[0] == ["SKD · Surat Keterangan Domisili", "3", "83,80", "B", "Baik"]  # a decimal comma
    assert rows[1][0].startswith("SKU") and rows[1][1:] == ["1", "50,00", "D", "Tidak baik"]
    # the office: elements 1-8 = (4+3+3+2)/4 = 3, element 9 = (4+3+2)/3 = 3 -> 75.00; the others' 1s never count
    assert rows[2:] == [["Seluruh layanan", "4", "75,00", "C", "Kurang baik"]]
    assert "Belum ada survei" not in page
    download = staff.get("/staff/reports-skm.csv?month=2026-11")
    assert download.headers["content-type"].startswith("text/csv")
    by_code = {r["service_code"]: r for r in csv.DictReader(io.StringIO(download.text))}
    assert by_code["SKD"]["ikm"] == "83.8" and by_code["*"]["respondents"] == "4" and by_code["*"]["band"] == "C"
    empty = staff.get("/staff/reports?month=2026-09").text
    assert "Belum ada survei pada bulan ini." in empty and "Survei Kepuasan Masyarakat (SKM)" in empty
    staff.get("/staff/lang/en")
    english = staff.get("/staff/reports?month=2026-11").text
    assert "Public Satisfaction Survey (SKM)" in english and "All services" in english and "Fair" in english
    assert "No surveys in this month yet." in staff.get("/staff/reports?month=2026-09").text
    operator = client()
    operator.log_in(office.operator)
    assert operator.get("/staff/reports-skm.csv?month=2026-11").status_code == 403


def test_the_terminals_page_counts_a_batch_as_sent_once_central_has_it(client, office, enrolled):
    sim = enrolled(office.code)
    uploads = [sim.application() for _ in range(5)]
    sim.heartbeat(Heartbeat(queue={"queued": 5, "sending": 0, "synced": 2, "rejected": 0}))  # before the drain
    sim.upload(uploads)
    staff = client()
    staff.log_in(office.supervisor)
    row = next(r for r in _rows(staff.get("/staff/terminals").text) if sim.identity.terminal_code in r)
    assert "0 menunggu kirim" in row and "7 terkirim" in row, row
    assert all(u.reference in staff.get("/staff").text for u in uploads)


def test_one_kiosk_is_a_kiosk_in_english(synced, operator):
    app = synced()
    operator.get("/staff/lang/en")
    page = operator.get(f"/staff/applications/{app.reference}").text
    assert "<dt>From kiosk</dt>" in page and "<dt>Kiosks</dt>" not in page
