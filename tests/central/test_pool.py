"""Central's connections to PostgreSQL: `serve --workers N --db-connections C` keeps at most C
connections in all (C // N per worker, and as many request threads), and a connection that sat
idle while the database restarted is replaced before use instead of failing a request."""

import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from central.db import IDLE_PING_S
from central.devserver import (
    REPO,
    RunningCentral,
    create_test_office,
    free_port,
    new_enrollment_codes,
    start_central,
    start_postgres,
)
from central.settings import DEFAULT_POOL, pool_size
from central.simterminal import SimulatedTerminal


def _central_connections(cluster_port: int, database: str) -> int:
    with psycopg.connect(f"host=127.0.0.1 port={cluster_port} user=tester dbname=postgres") as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                            (database,)).fetchone()[0]


def test_the_pool_size_comes_from_the_environment_and_defaults_sensibly():
    assert pool_size({}) == DEFAULT_POOL
    assert pool_size({"LOKET_CENTRAL_POOL": "7"}) == 7
    assert pool_size({"LOKET_CENTRAL_POOL": "0"}) == 1
    assert pool_size({"LOKET_CENTRAL_POOL": "lots"}) == DEFAULT_POOL


def test_two_workers_share_the_connections_they_are_given_under_load(postgres_cluster, tmp_path):
    url = postgres_cluster.create_database("pool_share")
    port = free_port()
    server = RunningCentral(url, port, workers=2)
    server.process = subprocess.Popen(
        [sys.executable, "-m", "central", "serve", "--db", url, "--port", str(port), "--workers", "2",
         "--db-connections", "4"], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not _ready(server.url):
            assert time.monotonic() < deadline, "central did not start"
            time.sleep(0.1)
        office = create_test_office(url).code
        sims = []
        for code in new_enrollment_codes(url, office, 12):
            sim = SimulatedTerminal(server.url)
            sim.enroll(code)
            sims.append(sim)

        def upload(sim: SimulatedTerminal) -> list[str]:
            return [r.outcome for r in sim.upload([sim.application() for _ in range(5)]).results]

        with ThreadPoolExecutor(12) as pool:
            outcomes = [o for batch in pool.map(upload, sims * 3) for o in batch]
        assert outcomes == ["accepted"] * 12 * 3 * 5
        assert 1 <= _central_connections(postgres_cluster.port, "pool_share") <= 4
        for sim in sims:
            sim.close()
    finally:
        server.stop()


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v1/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def own_cluster(tmp_path):
    cluster = start_postgres(tmp_path)
    yield cluster
    cluster.stop()


def test_a_database_restart_while_central_idles_fails_no_request(own_cluster, tmp_path):
    server = start_central(own_cluster.url, log_path=tmp_path / "central.log")
    try:
        sim = SimulatedTerminal(server.url)
        sim.enroll(new_enrollment_codes(own_cluster.url, create_test_office(own_cluster.url).code, 1)[0])
        assert sim.upload([sim.application()]).results[0].outcome == "accepted"
        own_cluster.pause()
        own_cluster.resume()
        time.sleep(IDLE_PING_S + 0.5)
        assert sim.upload([sim.application()]).results[0].outcome == "accepted"
    finally:
        server.stop()
