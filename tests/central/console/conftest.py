"""Fixtures for the office console: staff accounts made as `loket-central staff add` does, and a
`ConsoleClient` (requests) that logs in through the real login form of the real central on loopback."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import requests

from central.console.accounts import add_staff
from central.db import Database
from tests.fixtures.central import CentralHarness

PASSWORD = "kata-sandi-uji-123"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "the page has no form with a CSRF token"
    return found[1]


@dataclass
class ConsoleClient:
    """One browser-like session against the console (cookies kept, redirects followed unless asked)."""

    base: str
    http: requests.Session = field(default_factory=requests.Session)
    csrf: str = ""

    def get(self, path: str, **kw) -> requests.Response:
        return self.http.get(self.base + path, timeout=15, **kw)

    def post(self, path: str, data: dict | None = None, *, csrf: str | None = None, **kw) -> requests.Response:
        body = {"csrf": self.csrf if csrf is None else csrf, **(data or {})}
        return self.http.post(self.base + path, data=body, timeout=15, **kw)

    def log_in(self, username: str, password: str = PASSWORD) -> requests.Response:
        form = self.get("/staff/login")
        answer = self.http.post(self.base + "/staff/login", timeout=15, data={
            "username": username, "password": password, "csrf": csrf_of(form.text), "next": "/staff"})
        if answer.url.rstrip("/").endswith("/staff") and answer.status_code == 200:
            self.csrf = csrf_of(answer.text)
        return answer

    def refresh_csrf(self, page: str) -> None:
        self.csrf = csrf_of(page)


@dataclass
class Office:
    code: str
    operator: str
    supervisor: str


@pytest.fixture(scope="module")
def console_db(central: CentralHarness) -> Iterator[Database]:
    db = Database(central.db_url, migrate_schema=False)
    yield db
    db.dispose()


@pytest.fixture
def office(central: CentralHarness, console_db: Database) -> Office:
    """An office of this test's own, with an operator and a supervisor (password `PASSWORD`)."""
    code = central.create_office()
    tag = secrets.token_hex(3)
    with console_db.transaction() as session:
        add_staff(session, code, f"op-{tag}", "operator", PASSWORD)
        add_staff(session, code, f"sup-{tag}", "supervisor", PASSWORD)
    return Office(code, f"op-{tag}", f"sup-{tag}")


@pytest.fixture
def synced(office: Office, enrolled):  # noqa: ANN001, ANN201
    """`synced(**application kw)` -> a new application of the test's office, uploaded by a simulated kiosk."""

    def upload(**kw):  # noqa: ANN003, ANN202
        sim = enrolled(office.code)
        app = sim.application(**kw)
        sim.upload([app])
        return app

    return upload


@pytest.fixture
def operator(client, office: Office) -> ConsoleClient:  # noqa: ANN001
    """A console session of the office's operator, logged in."""
    staff = client()
    staff.log_in(office.operator)
    return staff


@pytest.fixture
def client(central: CentralHarness) -> Iterator[Callable[[], ConsoleClient]]:
    made: list[ConsoleClient] = []

    def make() -> ConsoleClient:
        made.append(ConsoleClient(central.url))
        return made[-1]

    yield make
    for c in made:
        c.http.close()
