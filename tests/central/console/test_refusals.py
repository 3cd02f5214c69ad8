"""Each of central's two applications answers what goes wrong in its own form, from its own table: the
terminals' API an `ErrorBody` (`central.api.refusals.ANSWERS`), the console a page in the staff's
language with the console's security headers (`central.console.refusals.PAGES`). The same domain error
raised under either gets each one's answer; nothing asks which application a request was for."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import uvicorn
from fastapi import APIRouter
from sqlalchemy.exc import DataError

from central.api.refusals import ANSWERS, ENROLLMENT
from central.app import create_app
from central.console.refusals import PAGES
from central.db import Database
from central.devserver import free_port, start_central
from central.errors import (
    CentralError,
    DatabaseUnavailable,
    EnrollmentRefused,
    InvalidUpload,
    InvalidValue,
    NotFound,
    SignatureRefused,
    TerminalRevoked,
)
from central.keyring import KeysUnavailable
from central.pg import CommitNotReplicated
from central.records import PersonalDataDeleted
from tests.central.console.conftest import ConsoleClient

#: one of every domain error the tables name, as domain code raises it
RAISED = {
    "signature": SignatureRefused("stale", "the request was signed 400 s from central's clock"),
    "revoked": TerminalRevoked("this terminal was revoked by staff"),
    "not_found": NotFound("no application X"),
    "upload": InvalidUpload("the batch holds 2 applications with one id"),
    "keys": KeysUnavailable("the key file /x does not exist"),
    "database": DatabaseUnavailable("central's database is unavailable for a moment: retry later"),
    "replica": CommitNotReplicated("the standby did not confirm"),
    "value": InvalidValue("a value in this request is out of range or malformed"),
    "enroll_collided": EnrollmentRefused("collided", "try again"),
    "deleted": PersonalDataDeleted("the personal data of X was deleted at the citizen's request"),
    "other": CentralError("anything else central refuses"),
}
#: what the API answers each: (status, protocol code)
API = {"signature": (401, "stale"), "revoked": (403, "revoked"), "not_found": (404, "not_found"),
       "upload": (422, "invalid"), "keys": (503, "keys_unavailable"), "database": (503, "unavailable"),
       "replica": (503, "unavailable"), "value": (400, "invalid"), "enroll_collided": (503, "retry"),
       "deleted": (400, "invalid"), "other": (400, "invalid")}
#: what the console shows for each: (status, the English words staff read)
CONSOLE = {"not_found": (404, "This page does not exist."),
           "keys": (503, "The office key is not available"), "database": (503, "The server is busy."),
           "replica": (503, "The server is busy."), "value": (400, "The form is incomplete or not valid"),
           "deleted": (410, "only its number, service, dates and status remain"),
           "other": (400, "This request cannot be carried out.")}


class Server:
    """Central's real app, with a probe route on each application, served by uvicorn on loopback."""

    def __init__(self, database: Database) -> None:
        app = create_app(database)
        api, staff = APIRouter(), APIRouter()

        @api.get("/api/v1/probe/{kind}")
        def api_probe(kind: str) -> None:
            raise RAISED[kind] if kind in RAISED else RuntimeError("a bug in an API route")

        @staff.get("/staff/probe/{kind}")
        def console_probe(kind: str) -> None:
            if kind == "sql_value":  # as SQLAlchemy raises it when the database refuses a value
                raise DataError("SELECT %(v)s + 1", {"v": 2**70}, ValueError("integer out of range"))
            raise RAISED[kind] if kind in RAISED else RuntimeError("a bug in a console page")

        app.include_router(api)
        app.state.console.include_router(staff)
        self.url = f"http://127.0.0.1:{free_port()}"
        config = uvicorn.Config(app, host="127.0.0.1", port=int(self.url.rsplit(":", 1)[1]), log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('refusals') / 'central.db'}")
    with Server(database) as running:
        yield running
    database.dispose()


def _english(url: str) -> requests.Response:
    return requests.get(url, cookies={"loket_lang": "en"}, timeout=10, allow_redirects=False)


def test_every_domain_error_the_tables_name_is_raised_here():
    named = {kind for kind, _answer in ANSWERS} | {kind for kind, _status, _words in PAGES}
    raised = {type(error) for error in RAISED.values()}
    assert named <= {t for r in raised for t in r.__mro__}
    assert set(ENROLLMENT) == {"bad_code", "code_used", "code_expired", "bad_key", "key_in_use", "collided"}


@pytest.mark.parametrize("kind", sorted(RAISED))
def test_the_api_answers_each_domain_error_as_an_error_body_from_its_table(server, kind):
    answer = _english(f"{server.url}/api/v1/probe/{kind}")
    assert (answer.status_code, answer.json()["error"]) == API[kind]
    assert answer.json()["message"] == str(RAISED[kind])
    if kind in ("database", "replica"):
        assert answer.headers["Retry-After"] == "5"


@pytest.mark.parametrize("kind", sorted(CONSOLE))
def test_the_console_answers_the_same_errors_as_pages_in_the_staffs_language(server, kind):
    answer = _english(f"{server.url}/staff/probe/{kind}")
    status, words = CONSOLE[kind]
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    assert words in answer.text
    assert str(RAISED[kind]) not in answer.text  # central's English line for the log, not for staff
    assert answer.headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in answer.headers[
        "content-security-policy"]


def test_a_value_the_database_refuses_is_the_forms_fault_on_a_page(server):
    answer = _english(f"{server.url}/staff/probe/sql_value")
    assert answer.status_code == 400 and "The form is incomplete or not valid" in answer.text


def test_a_bug_is_a_500_page_in_the_console_and_an_error_body_in_the_api_each_logged_once(server, caplog):
    with caplog.at_level(logging.ERROR, logger="central"):
        page = _english(f"{server.url}/staff/probe/bug")
        body = _english(f"{server.url}/api/v1/probe/bug")
    assert page.status_code == 500 and "The server failed on this request; it was logged." in page.text
    assert page.headers["x-content-type-options"] == "nosniff"  # the console's headers on its 500 page too
    assert (body.status_code, body.json()["error"]) == (500, "internal")
    logged = [r for r in caplog.records if r.getMessage().startswith("unexpected error")]
    assert [r.getMessage() for r in logged] == ["unexpected error on GET /staff/probe/bug",
                                                "unexpected error on GET /api/v1/probe/bug"]
    assert all(r.exc_info for r in logged)


def test_no_such_page_or_method_is_a_page_under_staff_and_an_error_body_elsewhere(server):
    page, body = _english(f"{server.url}/staff/no/such/page"), _english(f"{server.url}/api/v1/no/such/route")
    assert page.status_code == 404 and "This page does not exist." in page.text
    assert (body.status_code, body.json()["error"]) == (404, "not_found")
    post = requests.post(f"{server.url}/staff", data={"a": "b"}, timeout=10)
    assert post.status_code == 405 and "Halaman ini tidak ada." in post.text
    invalid = _english(f"{server.url}/staff/access-log?page=0")  # no session: the login comes first
    assert invalid.status_code == 303 and "/staff/login" in invalid.headers["location"]


def test_the_console_has_no_openapi_of_its_own_and_the_apis_names_no_console_page(server):
    assert requests.get(f"{server.url}/staff/openapi.json", timeout=10).status_code == 404
    assert requests.get(f"{server.url}/staff/docs", timeout=10).status_code == 404
    paths = requests.get(f"{server.url}/openapi.json", timeout=10).json()["paths"]
    assert paths and not [p for p in paths if p.startswith("/staff")]


def test_without_its_key_file_the_console_refuses_to_open_personal_data_with_a_page(
        tmp_path: Path, central, office, synced) -> None:
    """Before: the console answered `{"error": "keys_unavailable", ...}` as JSON to a staff browser."""
    keyless = start_central(central.db_url, key_file=tmp_path / "missing-kek", log_path=tmp_path / "central.log")
    try:
        staff = ConsoleClient(keyless.url)
        staff.log_in(office.operator)
        staff.http.cookies.set("loket_lang", "en", path="/staff")
        page = staff.post(f"/staff/applications/{synced().reference}/personal-data")
        assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
        assert "The office key is not available, so personal data cannot be opened now." in page.text
        assert "keys_unavailable" not in page.text
    finally:
        keyless.stop()
