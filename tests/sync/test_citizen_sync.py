"""Issue 14 over the real wire: the office's time zone comes with enrollment, SKM answers reach central
anonymously and in batches, and older terminals and centrals keep working with the new fields."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import subprocess
import time
import uuid

import pytest
import requests
from sqlalchemy import inspect, select

from central.cli import main as central_main
from central.db import Database
from central.models import SkmResponse
from kiosk.applications import file_application
from kiosk.samples import sample_answers
from kiosk.skm import SurveyResponse
from kiosk.store.survey import record_survey, survey_count
from kiosk.terminal import Terminal
from printing import render_receipt_pdf
from sync.enrollment import enroll_terminal
from sync.protocol import PATH_APPLICATIONS, PATH_ENROLL, EnrollRequest, UploadBatch, sign_request
from sync.worker import SyncWorker
from tests.sync.conftest import FAST_BACKOFF, FAST_TIMEOUTS

MAKASSAR = "7371011001"  # Kelurahan in Kota Makassar, Sulawesi Selatan (73): WITA
JAKARTA = "3171011001"  # Kelurahan in Jakarta Pusat (31): WIB


@pytest.fixture
def machine_on_utc(monkeypatch):
    """The kiosk's operating system left on UTC, as the issue found it."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def enroll_in(central, tmp_path, office_code: str, name: str) -> Terminal:
    office = central.create_office(office_code, name)
    terminal = Terminal(tmp_path / office_code)
    enroll_terminal(terminal, central.url, central.enrollment_code(office), timeouts=FAST_TIMEOUTS)
    return terminal


def receipt_text(terminal: Terminal) -> str:
    service = terminal.catalog.service("SKD")
    filed = file_application(terminal.store, terminal.catalog, "SKD", sample_answers(service),
                             now=dt.datetime(2026, 11, 27, 1, 12, tzinfo=dt.UTC))
    pdf = render_receipt_pdf(terminal, filed, "id")
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_a_makassar_receipt_says_wita_and_a_jakarta_one_wib_on_a_machine_set_to_utc(central, tmp_path,
                                                                                     machine_on_utc):
    assert time.strftime("%Z") == "UTC"
    makassar = enroll_in(central, tmp_path, MAKASSAR, "Kelurahan Pattunuang")
    jakarta = enroll_in(central, tmp_path, JAKARTA, "Kelurahan Gambir")
    assert makassar.settings.timezone == "Asia/Makassar"  # central sent it at enrollment
    assert jakarta.settings.timezone == "Asia/Jakarta"
    makassar_text, jakarta_text = receipt_text(makassar), receipt_text(jakarta)
    assert "27 November 2026, 09.12 WITA" in makassar_text  # 01:12 UTC is 09:12 in Makassar
    assert "27 November 2026, 08.12 WIB" in jakarta_text
    assert "UTC" not in makassar_text and "UTC" not in jakarta_text
    makassar.close()
    jakarta.close()


def test_central_sends_an_explicit_zone_and_an_old_terminal_never_sees_the_new_field(central, tmp_path):
    office = central.create_office("9901011001", "Kantor Uji")  # a code of no province
    # staff set it once, in the office settings the letters use too
    assert central_main(["office", "settings", "--db", central.db_url, "--code", office, "--time-zone", "WIT"]) == 0
    old_style = requests.post(central.url + PATH_ENROLL, timeout=5, data=EnrollRequest(
        code=central.enrollment_code(office), verify_key="A" * 43 + "=").model_dump_json(),
        headers={"Content-Type": "application/json"})
    assert old_style.status_code == 200, old_style.text
    assert "timezone" not in old_style.json()  # an older terminal refuses keys it does not know
    terminal = Terminal(tmp_path / "new")
    enroll_terminal(terminal, central.url, central.enrollment_code(office), timeouts=FAST_TIMEOUTS)
    assert terminal.settings.timezone == "Asia/Jayapura"
    assert terminal.zone.key == "Asia/Jayapura"
    terminal.close()


def survey(day: dt.date, service: str, overall: int | None, *elements: int | None) -> SurveyResponse:
    return SurveyResponse(day, service, overall, tuple(elements))


#: a known set of answers for SKD: the hand computation is in the test below
KNOWN = [
    (4, (4, 4, 3, 4, 4, 3, 4, 3, 4)),
    (3, (3, 3, 3, 4, 3, 3, 4, 2, 3)),
    (None, (4, 3, 2, 4, 3, 4, 4, 3, None)),
    (2, (None,) * 9),  # overall only: counted as a respondent, in no element
]


def test_survey_answers_reach_central_in_batches_and_its_ikm_equals_the_hand_computation(
        central, tmp_path, capsys):
    terminal = enroll_in(central, tmp_path, "3273010777", "Kelurahan Survei")
    day = dt.date(2026, 11, 27)
    for overall, elements in KNOWN:
        record_survey(terminal.store, survey(day, "SKD", overall, *elements))
    for n in range(5):  # another service, another period
        record_survey(terminal.store, survey(dt.date(2026, 10, 1), "SKTM", 1, *([1 + n % 4] * 9)))
    assert record_survey(terminal.store, survey(day, "SKD", None, *([None] * 9))) is None  # all skipped
    report = SyncWorker(terminal.paths.home, batch_size=3, backoff=FAST_BACKOFF, timeouts=FAST_TIMEOUTS).run_once()
    assert report.surveys_sent == 9 and not report.errors, report.errors
    assert survey_count(terminal.store) == 0  # the terminal keeps nothing once central has them

    assert central_main(["skm", "report", "--db", central.db_url, "--office", "3273010777",
                         "--from", "2026-11-01", "--to", "2026-11-30", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    skd = result["services"]["SKD"]
    # by hand: element sums 11/3, 10/3, 8/3, 12/3, 10/3, 10/3, 12/3, 8/3, 7/2
    # NRRs 3.667 3.333 2.667 4 3.333 3.333 4 2.667 3.5; sum 30.5 / 9 = 3.38889; x25 = 84.72 -> band B
    hand_nrr = [11 / 3, 10 / 3, 8 / 3, 12 / 3, 10 / 3, 10 / 3, 12 / 3, 8 / 3, 7 / 2]
    hand_ikm = round(sum(hand_nrr) / 9 * 25, 2)
    assert hand_ikm == 84.72
    assert skd["respondents"] == 4
    assert skd["ikm"] == hand_ikm and skd["band"] == "B"
    assert list(skd["nrr"].values()) == [round(v, 2) for v in hand_nrr]
    assert skd["overall_mean"] == 3.0  # (4 + 3 + 2) / 3, kept apart from the IKM
    assert "SKTM" not in result["services"]  # October is outside the period
    assert central_main(["skm", "report", "--db", central.db_url, "--office", "3273010777"]) == 0
    text = capsys.readouterr().out
    sktm = next(line for line in text.splitlines() if line.startswith("SKTM"))
    assert "5 respondents" in sktm and "IKM 55.00 (D, Tidak baik)" in sktm  # every element 11/5 = 2.2
    terminal.close()


def test_no_survey_row_links_to_an_application_on_the_terminal_or_at_central(central, tmp_path):
    terminal = enroll_in(central, tmp_path, "3273010778", "Kelurahan Anonim")
    service = terminal.catalog.service("SKD")
    filed = file_application(terminal.store, terminal.catalog, "SKD", sample_answers(service))
    record_survey(terminal.store, survey(dt.date.today(), "SKD", 4, *([3] * 9)))
    columns = [row[1] for row in terminal.store.db.execute("PRAGMA table_info(skm_responses)")]
    assert columns == ["id", "day", "service_code", "overall", "elements"]
    with pytest.raises(Exception, match="rowid"):  # no hidden insertion order either
        terminal.store.db.execute("SELECT rowid FROM skm_responses").fetchall()
    row = terminal.store.db.execute("SELECT * FROM skm_responses").fetchone()
    identifying = {filed.id, filed.reference, filed.created_at.isoformat(), *sample_answers(service).values()}
    assert not identifying & {str(v) for v in row}
    assert uuid.UUID(row[0]).version == 4  # random, not derived from anything
    SyncWorker(terminal.paths.home, backoff=FAST_BACKOFF, timeouts=FAST_TIMEOUTS).run_once()

    db = Database(central.db_url, migrate_schema=False)
    with db.engine.connect() as connection:
        central_columns = {c["name"] for c in inspect(connection).get_columns("skm_responses")}
        foreign = {fk["referred_table"] for fk in inspect(connection).get_foreign_keys("skm_responses")}
    assert central_columns == {"id", "office_id", "day", "service_code", "overall", *[f"e{i}" for i in range(1, 10)]}
    assert foreign == {"offices"}  # not terminals, not applications
    with db.transaction() as session:
        stored = session.scalars(select(SkmResponse)).all()
        values = {str(getattr(r, c)) for r in stored for c in central_columns}
    assert not identifying & values
    db.dispose()
    terminal.close()


def test_an_upload_without_surveys_keeps_the_old_wire_format(central, enrolled):
    identity = enrolled.identity
    body = gzip.compress(UploadBatch().model_dump_json(exclude={"survey"}).encode())
    headers = sign_request(identity.terminal_id, identity.signing_key, "POST", PATH_APPLICATIONS, body)
    answer = requests.post(central.url + PATH_APPLICATIONS, data=body, timeout=5, headers={
        **headers, "Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) == {"results", "audit_stored"}  # what older terminals know


def test_a_survey_with_a_score_out_of_range_is_refused_clearly(central, enrolled):
    identity = enrolled.identity
    raw = {"survey": [{"id": str(uuid.uuid4()), "day": "2026-11-27", "service_code": "SKD", "overall": 5,
                       "elements": [4] * 9}]}
    body = gzip.compress(json.dumps(raw).encode())
    headers = sign_request(identity.terminal_id, identity.signing_key, "POST", PATH_APPLICATIONS, body)
    answer = requests.post(central.url + PATH_APPLICATIONS, data=body, timeout=5, headers={
        **headers, "Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert answer.status_code == 422 and "survey" in answer.text
