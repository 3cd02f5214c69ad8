"""Central on a real pg_auto_failover formation (monitor + primary + synchronous secondary on loopback):
it rides through losing the primary, the secondary and the monitor. Nothing acknowledged to a
terminal is lost or stored twice, a request that cannot be made durable gets a 503 with Retry-After
within central's statement timeout, and nobody restarts anything but the lost machine.

One formation serves the whole module (it takes ~20 s to make); each test starts from a healthy one.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg
import pytest

from central.console.accounts import add_staff
from central.db import Database
from central.devserver import RunningCentral, start_central
from central.settings import ENV_STATEMENT_TIMEOUT
from tests.central.console.conftest import PASSWORD, ConsoleClient
from tests.harness.central import create_test_office, new_enrollment_codes
from tests.harness.fleet import Fleet
from tests.harness.formation import RunningFormation, start_formation
from tests.harness.simterminal import SimulatedTerminal

pytestmark = pytest.mark.slow
STATEMENT_TIMEOUT_S = 3.0


@pytest.fixture(scope="module")
def formation() -> Iterator[RunningFormation]:
    running = start_formation()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def server(formation: RunningFormation, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCentral]:
    log = tmp_path_factory.mktemp("failover") / "central.log"
    central = start_central(formation.url, log_path=log, environment={ENV_STATEMENT_TIMEOUT: str(STATEMENT_TIMEOUT_S)})
    yield central
    central.stop()


@pytest.fixture
def healthy(formation: RunningFormation) -> RunningFormation:
    """The formation with every member running and one primary + one secondary settled."""
    for node in [formation.monitor, *formation.nodes]:
        if not node.running:
            formation.start_node(node)
    formation.wait_healthy(timeout=120)
    return formation


def _copies(dsn: str, ids: set[str]) -> dict[str, int]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute("SELECT id, count(*) FROM applications WHERE id = ANY(%s) GROUP BY id",
                            [list(ids)]).fetchall()
    return dict(rows)


def _terminal(server: RunningCentral, formation: RunningFormation) -> SimulatedTerminal:
    office = create_test_office(formation.url).code
    sim = SimulatedTerminal(server.url)
    sim.enroll(new_enrollment_codes(formation.url, office, 1)[0])
    return sim


def _upload_until_acknowledged(sim: SimulatedTerminal, app, within_s: float) -> tuple[list[tuple[int, float]], str]:
    """Sends `app` until central acknowledges it; returns each answer's (status, seconds) and the outcome."""
    answers, deadline = [], time.monotonic() + within_s
    while time.monotonic() < deadline:
        t0 = time.monotonic()
        answer = sim.upload_raw(sim.batch_body([app]))
        answers.append((answer.status_code, time.monotonic() - t0))
        if answer.status_code == 200:
            return answers, answer.json()["results"][0]["outcome"]
        assert answer.status_code == 503 and int(answer.headers["Retry-After"]) > 0, answer.text
        time.sleep(0.5)
    raise AssertionError(f"not acknowledged within {within_s} s: {answers}")


def test_two_hundred_terminals_lose_nothing_when_the_primary_is_killed_mid_burst(healthy, server):
    formation = healthy
    office = create_test_office(formation.url).code
    db = Database(formation.url, migrate_schema=False)
    with db.transaction() as session:
        add_staff(session, office, "petugas.failover", "operator", PASSWORD)
    db.dispose()
    console = ConsoleClient(server.url)
    assert console.log_in("petugas.failover").status_code == 200
    fleet = Fleet.enroll(server.url, new_enrollment_codes(formation.url, office, 200), per_terminal=10, batch=2,
                         pace_s=0.3)
    try:
        fleet.start()
        while len(fleet.acknowledged) < 400:
            time.sleep(0.05)
        old = formation.primary()
        formation.kill(old)
        assert fleet.join(timeout=150), f"{fleet.queued()} applications still queued"
    finally:
        fleet.close()

    new = formation.primary()
    assert new is not old
    statuses = fleet.statuses()
    # failed cleanly: 503 while no node took writes, 429 when central shed load; no 500, no dropped connection
    assert set(statuses) <= {200, 429, 503}, statuses
    assert statuses[503] > 0, "no request met the failover"
    assert set(fleet.acknowledged) == fleet.filed
    copies = _copies(formation.node_dsn(new), fleet.filed)
    assert set(copies) == fleet.filed and set(copies.values()) == {1}
    with psycopg.connect(formation.node_dsn(new)) as conn:
        stored = conn.execute("SELECT count(*) FROM applications a JOIN offices o ON o.id = a.office_id "
                              "WHERE o.code = %s", [office]).fetchone()[0]
    assert stored == len(fleet.filed) == 2000

    deadline = time.monotonic() + 20  # the console's session survived on the new primary, no restart
    while (page := console.get("/staff")).status_code != 200 and time.monotonic() < deadline:
        assert page.status_code == 503
        time.sleep(0.5)
    assert page.status_code == 200 and "petugas.failover" in page.text


def test_secondary_lost_writes_wait_then_the_primary_goes_on_alone(healthy, server):
    formation = healthy
    primary = formation.primary()
    secondary = next(n for n in formation.nodes if n is not primary)
    sim = _terminal(server, formation)
    formation.kill(secondary)  # a network cut between the two, as far as the primary can tell

    answers, outcome = _upload_until_acknowledged(sim, app := sim.application(), within_s=60)
    assert outcome in ("accepted", "duplicate")  # duplicate: a try timed out after its local commit
    assert all(seconds < STATEMENT_TIMEOUT_S + 2 for _, seconds in answers), answers  # bounded, never hung
    assert formation.states()[primary.name][1] == "wait_primary"  # the monitor told it to go on alone

    formation.start_node(secondary)
    formation.wait_healthy(timeout=120)
    deadline = time.monotonic() + 30
    while _copies(formation.node_dsn(secondary), {app.id}) != {app.id: 1}:
        assert time.monotonic() < deadline, "the secondary never caught up"
        time.sleep(0.5)


def test_monitor_lost_changes_nothing_for_terminals(healthy, server):
    formation = healthy
    sim = _terminal(server, formation)
    formation.stop_node(formation.monitor)
    answer = sim.upload([app := sim.application()])
    assert answer.results[0].outcome == "accepted"
    assert _copies(formation.node_dsn(formation.primary()), {app.id}) == {app.id: 1}


def test_secondary_and_monitor_lost_is_a_503_within_the_timeout_and_the_retry_counts_once(healthy, server):
    formation = healthy
    primary = formation.primary()
    secondary = next(n for n in formation.nodes if n is not primary)
    sim = _terminal(server, formation)
    formation.stop_node(formation.monitor)  # nobody can tell the primary to go on without its standby
    formation.kill(secondary)

    t0 = time.monotonic()
    answer = sim.upload_raw(sim.batch_body([app := sim.application()]))
    took = time.monotonic() - t0
    assert answer.status_code == 503 and answer.json()["error"] == "unavailable"
    assert int(answer.headers["Retry-After"]) > 0
    assert STATEMENT_TIMEOUT_S - 0.5 < took < STATEMENT_TIMEOUT_S + 3  # waited for the standby, then said so

    formation.start_node(formation.monitor)  # back within the primary's partition timeout (20 s), so it
    formation.start_node(secondary)  # stays primary; the standby catches up, or the monitor lets it go on alone
    _, outcome = _upload_until_acknowledged(sim, app, within_s=90)
    assert outcome == "duplicate"
    assert _copies(formation.node_dsn(primary), {app.id}) == {app.id: 1}
