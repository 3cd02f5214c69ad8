"""A reconnect storm: past its bound of terminal requests in progress central answers 429 `busy` with a
spread-out Retry-After at once (no body read, no database touched), and the terminals' queues still
drain, every application stored once."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from central.devserver import RunningCentral, start_central
from central.settings import ENV_IN_FLIGHT
from sync.protocol import PATH_APPLICATIONS
from tests.harness.central import create_test_office, new_enrollment_codes
from tests.harness.fleet import Fleet
from tests.harness.simterminal import SimulatedTerminal
from tests.sync.conftest import CentralView


@pytest.fixture(scope="module")
def busy_central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCentral]:
    folder = tmp_path_factory.mktemp("shedding")
    server = start_central(f"sqlite:///{folder / 'central.db'}", log_path=folder / "central.log",
                           environment={ENV_IN_FLIGHT: "3"})
    yield server
    server.stop()


def _stalled_upload(port: int) -> socket.socket:
    """An upload that announced 4 kB and sent 10 bytes: it stays in progress until the socket closes."""
    conn = socket.create_connection(("127.0.0.1", port))
    conn.sendall(f"POST {PATH_APPLICATIONS} HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n0123456789".encode())
    return conn


def test_past_the_bound_uploads_are_told_to_come_back_later_and_then_taken(busy_central):
    office = create_test_office(busy_central.db_url).code
    sim = SimulatedTerminal(busy_central.url)
    sim.enroll(new_enrollment_codes(busy_central.db_url, office, 1)[0])
    stalled = [_stalled_upload(busy_central.port) for _ in range(3)]
    try:
        time.sleep(0.3)
        t0 = time.monotonic()
        answer = sim.upload_raw(sim.batch_body([app := sim.application()]))
        assert time.monotonic() - t0 < 1.0  # told at once, not after waiting its turn
        assert answer.status_code == 429 and answer.json()["error"] == "busy"
        assert 2 <= int(answer.headers["Retry-After"]) <= 10
        assert sim.signed("GET", "/api/v1/health").status_code == 200  # health is never shed
    finally:
        for conn in stalled:
            conn.close()
    time.sleep(0.3)
    assert sim.upload([app]).results[0].outcome == "accepted"


@pytest.mark.slow
def test_a_storm_of_terminals_drains_with_some_told_to_wait_and_nothing_twice(busy_central):
    office = create_test_office(busy_central.db_url).code
    fleet = Fleet.enroll(busy_central.url, new_enrollment_codes(busy_central.db_url, office, 60), per_terminal=4,
                         batch=2)
    try:
        assert fleet.run(timeout=90), f"{fleet.queued()} still queued"
    finally:
        fleet.close()
    statuses = fleet.statuses()
    assert set(statuses) <= {200, 429} and statuses[429] > 0, statuses
    view = CentralView(busy_central.db_url)
    try:
        stored = view.count_by_id()
    finally:
        view.close()
    assert {i: stored.get(i) for i in fleet.filed} == dict.fromkeys(fleet.filed, 1)
