"""Nothing from outside is a 500, on SQLite and PostgreSQL (issue 23, findings 3 and 5): NUL and control
characters in logins, filters, references, codes and survey answers are refused at the boundary; ids
past 64 bits are 4xx; survey answers count only for the office's services and plausible days; a header
never carries a request's CR/LF; CSV cells never run as formulas."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import secrets
import uuid
from collections.abc import Iterator

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from central.console.accounts import add_staff
from central.console.downloads import attachment, csv_download
from central.db import Database
from central.models import SkmResponse
from central.offices import get_office
from central.skm import store_surveys
from central.values import neutralise_cell
from sync.protocol import PATH_ENROLL, SurveyUpload
from tests.central.console.conftest import PASSWORD, ConsoleClient
from tests.fixtures.central import CentralHarness


@pytest.fixture
def db(any_central: CentralHarness) -> Iterator[Database]:
    database = Database(any_central.db_url, migrate_schema=False)
    yield database
    database.dispose()


@pytest.fixture
def supervisor(any_central: CentralHarness, db: Database, enrolled_any) -> ConsoleClient:
    """A supervisor of the office `enrolled_any` enrolls into, logged in; `.terminal` is one enrolled kiosk."""
    terminal = enrolled_any()
    username = f"sup-{secrets.token_hex(3)}"
    with db.transaction() as session:
        add_staff(session, terminal.identity.office_code, username, "supervisor", PASSWORD)
    browser = ConsoleClient(any_central.url)
    assert browser.log_in(username).status_code == 200
    browser.terminal = terminal  # type: ignore[attr-defined]
    return browser


def _survey_batch(**changes) -> bytes:
    answer = {"id": str(uuid.uuid4()), "day": "2026-11-05", "service_code": "SKD", "overall": 4,
              "elements": [4] * 9, **changes}
    return gzip.compress(json.dumps({"survey": [answer]}).encode())


def _stored_surveys(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(SkmResponse)) or 0


@pytest.mark.parametrize("changes", [{"service_code": "=HYPERLINK(\"http://x\",\"klik\")"},
                                     {"service_code": "SK\x00D"}, {"service_code": "S\u202eKD"},
                                     {"day": "9999-12-31"}, {"id": "x\x00" * 18}, {"elements": [5] * 9}])
def test_a_forged_survey_answer_is_refused_whole_never_a_500(supervisor, db, changes):
    before = _stored_surveys(db)
    answer = supervisor.terminal.upload_raw(_survey_batch(**changes))
    assert answer.status_code == 422, answer.text
    assert _stored_surveys(db) == before


@pytest.mark.parametrize("changes", [{"service_code": "XYZ"}, {"day": "2099-01-01"}, {"day": "2021-01-01"}])
def test_a_well_formed_answer_for_no_service_of_the_office_or_an_implausible_day_is_acknowledged_not_counted(
        supervisor, db, changes):
    before = _stored_surveys(db)
    answer = supervisor.terminal.upload_raw(_survey_batch(**changes))
    assert answer.status_code == 200 and len(answer.json()["survey_stored"]) == 1  # the kiosk may forget it
    assert _stored_surveys(db) == before
    assert supervisor.terminal.upload_raw(_survey_batch()).status_code == 200
    assert _stored_surveys(db) == before + 1


def test_nul_and_control_characters_anywhere_in_a_console_request_are_400_never_500(supervisor):
    for path in ("/staff?q=%00", "/staff?status=a%00b", "/staff?service=%0d%0a", "/staff/applications/AB%00CD",
                 "/staff/reports?month=2026-11%00", "/staff/access-log?page=1%00"):
        answer = supervisor.get(path, allow_redirects=False)
        assert answer.status_code == 400, path
    for path in ("/staff/terminals/AB%00C/revoke", "/staff/applications/AB%00CD/status"):
        assert supervisor.post(path, {"status": "ready"}).status_code == 400, path
    note = supervisor.post("/staff/office", {"office": "32730\x0010001"})
    assert note.status_code == 400


def test_a_help_call_id_past_64_bits_is_a_4xx(supervisor):
    for call_id in (2**63, 2**64, -1):
        answer = supervisor.post(f"/staff/help/{call_id}/acknowledge")
        assert 400 <= answer.status_code < 500, call_id


def test_cr_lf_in_the_report_month_never_reaches_a_header(supervisor):
    answer = supervisor.get("/staff/reports.csv?month=2026-11%0d%0aX-Injected:%201", allow_redirects=False)
    assert answer.status_code == 400 and "x-injected" not in {k.lower() for k in answer.headers}
    plain = supervisor.get("/staff/reports.csv?month=2026-11")
    assert plain.status_code == 200 and plain.headers["content-disposition"].endswith('-2026-11.csv"')


def test_a_login_name_with_nul_is_400_never_500(any_central):
    browser = ConsoleClient(any_central.url)
    assert browser.log_in("ad\x00min", "apa-saja-123").status_code == 400
    assert browser.log_in("admin\u202e", "apa-saja-123").status_code == 401  # printable: an unknown name


def test_an_enrollment_code_with_nul_is_422_never_500(any_central):
    answer = requests.post(any_central.url + PATH_ENROLL, timeout=10,
                           json={"code": "ABCD\x00EFGH", "verify_key": "A" * 43 + "="})
    assert answer.status_code == 422


@given(st.text(max_size=80))
def test_an_attachment_header_carries_only_safe_characters(name):
    value = attachment(name)["Content-Disposition"]
    inner = value.removeprefix('attachment; filename="').removesuffix('"')
    assert inner and all(c.isascii() and (c.isalnum() or c in "._-") for c in inner)


@given(st.text(max_size=30))
def test_every_csv_cell_is_neutralised_against_formulas(text):
    cell = neutralise_cell(text)
    assert not str(cell).startswith(("=", "+", "-", "@", "\t", "\r"))
    assert str(cell).removeprefix("'") == text or cell == text


def test_the_csv_download_neutralises_a_formula_but_keeps_numbers():
    response = csv_download(["service_code", "ikm"], [{"service_code": "=HYPERLINK(\"http://x\")", "ikm": -1.5}],
                            "x.csv")
    rows = list(csv.reader(io.StringIO(response.body.decode())))
    assert rows[1] == ["'=HYPERLINK(\"http://x\")", "-1.5"]


def test_an_office_counts_at_most_its_daily_bound_of_answers(any_central, db, enrolled_any):
    office = enrolled_any().identity.office_code
    day = dt.date.today()
    with db.transaction() as session:
        office_id = get_office(session, office).id
        batch = [SurveyUpload(id=str(uuid.uuid4()), day=day, service_code="SKD", overall=4, elements=[4] * 9)
                 for _ in range(5)]
        acknowledged = store_surveys(session, office_id, batch, per_day=3)
        again = store_surveys(session, office_id, batch[:1] + [batch[0].model_copy(update={"id": str(uuid.uuid4())})],
                              per_day=3)
    assert acknowledged == [entry.id for entry in batch] and len(again) == 2  # the kiosk may forget them all
    with db.transaction() as session:
        counted = session.scalar(select(func.count()).select_from(SkmResponse).where(
            SkmResponse.office_id == office_id, SkmResponse.day == day))
    assert counted == 3
