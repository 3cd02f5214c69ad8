"""The console's defences, against the real central over HTTP: login required everywhere, CSRF on every
form, office scoping, login throttling, cookie flags, inert citizen/staff text, and security headers."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from central.models import StaffSession
from tests.central.console.conftest import PASSWORD

GET_PAGES = ["/staff", "/staff?status=all", "/staff/applications/K7Q2-2611-0042-X", "/staff/terminals",
             "/staff/accounts", "/staff/help", "/staff/reports", "/staff/reports.csv", "/staff/access-log"]
POST_FORMS = ["/staff/logout", "/staff/office", "/staff/applications/K7Q2-2611-0042-X/status",
              "/staff/applications/K7Q2-2611-0042-X/personal-data", "/staff/terminals/ABCD/revoke",
              "/staff/terminals/enrollment-code", "/staff/terminals/provisioning-file", "/staff/help/1/acknowledge",
              "/staff/accounts/someone/disable"]


def test_every_console_url_without_a_session_goes_to_the_login_form(client):
    anonymous = client()
    for path in GET_PAGES:
        answer = anonymous.get(path, allow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/staff/login?next="), path
    for path in POST_FORMS:
        answer = anonymous.post(path, {"status": "ready"}, csrf="x", allow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/staff/login"), path
    login = anonymous.get("/staff")  # followed: the login form itself answers without a session
    assert login.status_code == 200 and 'name="password"' in login.text


def test_a_post_without_or_with_a_wrong_csrf_token_is_refused(office, synced, operator):
    app = synced()
    staff = operator
    for token in ("", "forged-token"):
        answer = staff.post(f"/staff/applications/{app.reference}/status", {"status": "in_process"}, csrf=token)
        assert answer.status_code == 403
        assert "Formulir ini kedaluwarsa atau tidak sah" in answer.text
    assert "Diterima" in staff.get(f"/staff/applications/{app.reference}").text  # nothing changed
    login_form = staff.http.post(staff.base + "/staff/login", data={"username": office.operator,
                                                                    "password": PASSWORD, "csrf": "forged"})
    assert login_form.status_code == 403


def test_an_operator_gets_404_for_another_offices_application(client, office, central, enrolled):
    other_office = central.create_office()
    sim = enrolled(other_office)
    theirs = sim.application(answers={"nama": "Warga Kantor Lain"})
    sim.upload([theirs])
    staff = client()
    staff.log_in(office.operator)
    page = staff.get(f"/staff/applications/{theirs.reference}")
    assert page.status_code == 404 and theirs.reference not in staff.get("/staff?status=all").text
    assert "tidak ada di kantor Anda" in page.text
    opened = staff.post(f"/staff/applications/{theirs.reference}/personal-data")
    assert opened.status_code == 404 and "Warga Kantor Lain" not in opened.text
    moved = staff.post(f"/staff/applications/{theirs.reference}/status", {"status": "declined", "note": "x"})
    assert moved.status_code == 404


def test_an_operator_cannot_reach_the_supervisor_pages(client, office):
    staff = client()
    staff.log_in(office.operator)
    for path in ("/staff/terminals", "/staff/reports", "/staff/reports.csv", "/staff/access-log"):
        assert staff.get(path).status_code == 403, path
    assert staff.post("/staff/terminals/enrollment-code").status_code == 403


def test_the_sixth_attempt_after_five_wrong_passwords_is_refused_even_when_right(client, office):
    browser = client()
    for attempt in range(5):
        answer = browser.log_in(office.operator, "salah-sekali-ini")
        assert answer.status_code in (401, 429), attempt
        assert "loket_staff" not in browser.http.cookies
    sixth = browser.log_in(office.operator, PASSWORD)
    assert sixth.status_code == 429
    assert "Terlalu banyak percobaan" in sixth.text and "loket_staff" not in browser.http.cookies
    assert client().log_in(office.supervisor).status_code == 200  # another username is not locked


def test_the_session_cookie_is_httponly_and_samesite_strict(client, office):
    plain = client()
    form = plain.get("/staff/login")
    answer = plain.http.post(plain.base + "/staff/login", allow_redirects=False, data={
        "username": office.operator, "password": PASSWORD, "csrf": plain.http.cookies["loket_login"]})
    cookie = next(c for c in answer.raw.headers.getlist("set-cookie") if c.startswith("loket_staff="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/staff" in cookie
    assert "Secure" not in cookie
    assert form.status_code == 200
    # behind TLS (a configured proxy's X-Forwarded-Proto): test_login_limits.py


def test_an_idle_session_expires_after_30_minutes(client, office, console_db):
    staff = client()
    staff.log_in(office.operator)
    with console_db.transaction() as session:
        session.execute(update(StaffSession).values(last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)))
    answer = staff.get("/staff", allow_redirects=False)
    assert answer.status_code == 303 and "expired=1" in answer.headers["location"]
    assert "Sesi Anda berakhir (30 menit tanpa kegiatan" in staff.get("/staff").text


def test_logout_ends_the_session_on_the_server(client, office):
    staff = client()
    staff.log_in(office.operator)
    cookie = staff.http.cookies["loket_staff"]
    staff.post("/staff/logout")
    replay = client()
    replay.http.cookies.set("loket_staff", cookie, path="/staff")
    assert replay.get("/staff", allow_redirects=False).status_code == 303


def test_citizen_and_staff_script_renders_inert(office, synced, operator):
    app = synced(answers={"nama": "<script>alert('warga')</script>", "nik": "3273015708900003"})
    staff = operator
    staff.post(f"/staff/applications/{app.reference}/status",
               {"status": "declined", "note": "<script>alert('staff')</script><img src=x onerror=alert(1)>"})
    page = staff.post(f"/staff/applications/{app.reference}/personal-data")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#39;warga&#39;)&lt;/script&gt;" in page.text
    assert "&lt;script&gt;alert(&#39;staff&#39;)" in page.text


@pytest.mark.parametrize("role", ["operator", "supervisor"])
def test_every_html_page_sends_the_security_headers(client, office, enrolled, role):
    sim = enrolled(office.code)
    app = sim.application()
    sim.upload([app])
    staff = client()
    pages = [staff.get("/staff/login"), staff.get("/staff/nowhere")]
    staff.log_in(getattr(office, role))
    paths = ["/staff", f"/staff/applications/{app.reference}", "/staff/help"]
    if role == "supervisor":
        paths += ["/staff/terminals", "/staff/reports", "/staff/access-log"]
    pages += [staff.get(p) for p in paths]
    pages.append(staff.post(f"/staff/applications/{app.reference}/personal-data"))
    for page in pages:
        assert page.headers["content-type"].startswith("text/html"), page.url
        csp = page.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, page.url
        assert page.headers["x-content-type-options"] == "nosniff", page.url
        assert page.headers["referrer-policy"] == "no-referrer", page.url


def test_bad_input_gets_a_clear_page_never_a_500(client, office, synced, operator):
    app = synced()
    staff = operator
    path = f"/staff/applications/{app.reference}/status"
    assert "Siap diambil" in staff.get(f"/staff/applications/{app.reference}").text
    no_reason = staff.post(path, {"status": "declined", "note": "   "})
    assert no_reason.status_code == 409 and "tulis alasannya" in no_reason.text
    too_long = staff.post(path, {"status": "in_process", "note": "x" * 501})
    assert too_long.status_code == 409 and "paling banyak 500 karakter" in too_long.text
    far_too_long = staff.post(path, {"status": "in_process", "note": "x" * 5000})
    assert far_too_long.status_code == 400 and "tidak lengkap atau tidak sah" in far_too_long.text
    assert staff.post(path, {"status": "ready"}).status_code == 200
    assert staff.post(path, {"status": "done"}).status_code == 200
    backwards = staff.post(path, {"status": "received"})
    assert backwards.status_code == 409 and "tidak bisa diubah" in backwards.text
    nonsense = staff.post(path, {"status": "hacked"})
    assert nonsense.status_code == 409
    assert staff.get("/staff/applications/not-a-reference").status_code == 404
    assert staff.get("/staff?page=0").status_code == 400
    assert staff.get("/staff?status=<b>").status_code == 200
    huge = staff.http.post(staff.base + path, data={"csrf": staff.csrf, "note": "x" * 70_000})
    assert huge.status_code == 413
    english = client()
    english.get("/staff/lang/en")
    english.log_in(office.supervisor)
    assert "cannot change" in english.post(path, {"status": "received"}).text
