"""Fixtures for sync tests: a terminal enrolled with the real central (uvicorn on loopback), a fault
proxy in front of it, and helpers that file many distinct applications and read central's side."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from central.db import Database
from central.devserver import start_central
from central.models import Application as CentralApplication
from central.records import show_application
from kiosk.applications import file_application
from kiosk.catalog import Service
from kiosk.samples import sample_answers
from kiosk.terminal import Terminal
from kiosk.validation import check_form
from sync.backoff import Backoff
from sync.client import Timeouts
from sync.enrollment import enroll_terminal
from tests.fixtures.central import CentralHarness
from tests.sync.faultproxy import FaultProxy

# short waits for tests, passed as parameters; the production defaults stay as they are
FAST_BACKOFF = Backoff(base_s=0.05, cap_s=0.5)
FAST_TIMEOUTS = Timeouts(connect_s=2.0, read_s=2.0)


def marked_answers(service: Service, n: int) -> dict[str, str]:
    """Valid answers for `service`, made unique by writing `n` into its first long-enough text field."""
    answers = sample_answers(service)
    field = next(f for f in service.fields if f.type in ("text", "long_text") and (f.max_length or 100) >= 30)
    answers[field.name] = f"Warga nomor {n}"
    return answers


def file_many(terminal: Terminal, count: int, *, start: int = 0) -> dict[str, dict[str, str]]:
    """Files `count` applications across the catalog's services; returns {id: the values sealed}."""
    services = terminal.catalog.services
    filed: dict[str, dict[str, str]] = {}
    for n in range(start, start + count):
        service = services[n % len(services)]
        answers = marked_answers(service, n)
        app = file_application(terminal.store, terminal.catalog, service.code, answers)
        filed[app.id] = check_form(service, answers).values
    return filed


@dataclass
class CentralView:
    """Reads central's database the way its staff commands do (one terminal's applications, if given)."""

    db_url: str
    terminal_id: str | None = None

    def __post_init__(self) -> None:
        self.db = Database(self.db_url, migrate_schema=False)

    def count_by_id(self) -> dict[str, int]:
        query = select(CentralApplication.id, func.count()).group_by(CentralApplication.id)
        if self.terminal_id:
            query = query.where(CentralApplication.terminal_id == self.terminal_id)
        with self.db.transaction() as session:
            return dict(session.execute(query).all())

    def opened(self, app_id: str) -> dict:
        with self.db.transaction() as session:
            return show_application(session, app_id, actor="test", purpose="test checks what arrived")

    def close(self) -> None:
        self.db.dispose()


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralHarness]:
    """One real central per test module (starting one takes a second or two): tests share its
    database, so `enrolled` gives each test an office of its own, and central's side is read per
    terminal. Tests that kill or restart central live in a module of their own."""
    directory = tmp_path_factory.mktemp("central")
    server = start_central(f"sqlite:///{directory / 'central.db'}", log_path=directory / "central.log")
    try:
        yield CentralHarness(server, server.db_url)
    finally:
        server.stop()


@pytest.fixture
def enrolled(central: CentralHarness, tmp_path: Path) -> Iterator[Terminal]:
    """A terminal enrolled, in an office of its own, with the running central (directly, no proxy)."""
    terminal = Terminal(tmp_path / "kiosk")
    enroll_terminal(terminal, central.url, central.enrollment_code(central.create_office()))
    yield terminal
    terminal.close()


@pytest.fixture
def proxy(central: CentralHarness) -> Iterator[FaultProxy]:
    with FaultProxy(central.server.port) as running:
        yield running


@pytest.fixture
def behind_proxy(enrolled: Terminal, proxy: FaultProxy) -> Terminal:
    """The enrolled terminal, now talking to central through the fault proxy."""
    enrolled.update_settings(server_url=proxy.url)
    return enrolled


@pytest.fixture
def central_view(central: CentralHarness, enrolled: Terminal) -> Iterator[CentralView]:
    """Central's side of the `enrolled` terminal."""
    view = CentralView(central.db_url, enrolled.identity.terminal_id)
    yield view
    view.close()
