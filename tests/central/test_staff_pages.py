"""Staff pages: server-rendered lists of applications (with status) and terminals, without personal data."""

import requests

from central.db import Database
from central.records import set_status
from sync.protocol import Heartbeat


def test_the_applications_page_lists_references_and_statuses_but_no_personal_data(central, enrolled):
    sim = enrolled()
    app = sim.application(answers={"nama": "Rahasia Pribadi"})
    sim.upload([app])
    with Database(central.db_url).transaction() as session:
        set_status(session, app.reference, "in_process")
    page = requests.get(f"{central.url}/staff", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert app.reference in page.text and "in_process" in page.text
    assert "Rahasia Pribadi" not in page.text


def test_the_terminals_page_lists_each_terminal_with_its_state(central, enrolled):
    sim = enrolled()
    sim.heartbeat()
    page = requests.get(f"{central.url}/staff/terminals", timeout=10).text
    assert sim.identity.terminal_code in page and "active" in page


def test_staff_pages_escape_what_terminals_report(central, enrolled):
    sim = enrolled()
    sim.heartbeat(Heartbeat(last_error="<script>alert(1)</script>"))
    page = requests.get(f"{central.url}/staff/terminals", timeout=10).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
