"""Central's connections to PostgreSQL: `serve --workers N --db-connections C` keeps at most C
connections in all (C // N per worker, and as many request threads), and a connection that sat
idle while the database restarted is replaced before use instead of failing a request."""

import time
from concurrent.futures import ThreadPoolExecutor

import psycopg

from central.db import IDLE_PING_S
from central.devserver import start_central
from central.settings import DEFAULT_CONNECTIONS, DEFAULT_POOL, db_connections, pool_size
from tests.harness.central import create_test_office, new_enrollment_codes, start_postgres
from tests.harness.simterminal import SimulatedTerminal


def _connections_to(cluster_port: int, database: str) -> list[tuple[int, str, str]]:
    """The client connections to `database` (pid, state, query): an autovacuum worker busy with the rows
    just inserted is listed in pg_stat_activity too (the likely 5th of "5 <= 4" in one full run), and is left out."""
    with psycopg.connect(f"host=127.0.0.1 port={cluster_port} user=tester dbname=postgres") as conn:
        return conn.execute("SELECT pid, state, left(query, 60) FROM pg_stat_activity WHERE datname = %s"
                            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                            (database,)).fetchall()


def _terminals(url: str, db_url: str, count: int) -> list[SimulatedTerminal]:
    sims = []
    for code in new_enrollment_codes(db_url, create_test_office(db_url).code, count):
        sim = SimulatedTerminal(url)
        sim.enroll(code)
        sims.append(sim)
    return sims


def test_connection_counts_come_from_the_environment_and_default_sensibly():
    assert (pool_size({}), db_connections({})) == (DEFAULT_POOL, DEFAULT_CONNECTIONS)
    assert (pool_size({"LOKET_CENTRAL_POOL": "7"}), db_connections({"LOKET_CENTRAL_DB_CONNECTIONS": "9"})) == (7, 9)
    assert pool_size({"LOKET_CENTRAL_POOL": "0"}) == 1
    assert db_connections({"LOKET_CENTRAL_DB_CONNECTIONS": "lots"}) == DEFAULT_CONNECTIONS


def test_two_workers_share_the_connections_they_are_given_under_load(postgres_cluster, monkeypatch, tmp_path):
    url = postgres_cluster.create_database("pool_share")
    monkeypatch.setenv("LOKET_CENTRAL_DB_CONNECTIONS", "4")  # serve's default for --db-connections
    server = start_central(url, workers=2, log_path=tmp_path / "central.log")
    try:
        sims = _terminals(server.url, url, 12)

        def upload(sim: SimulatedTerminal) -> list[str]:
            return [r.outcome for r in sim.upload([sim.application() for _ in range(5)]).results]

        with ThreadPoolExecutor(12) as pool:
            outcomes = [o for batch in pool.map(upload, sims * 3) for o in batch]
        assert outcomes == ["accepted"] * 12 * 3 * 5
        connections = _connections_to(postgres_cluster.port, "pool_share")
        assert 1 <= len(connections) <= 4, connections
        for sim in sims:
            sim.close()
    finally:
        server.stop()


def test_a_database_restart_while_central_idles_fails_no_request(tmp_path):
    with start_postgres(tmp_path) as cluster:
        server = start_central(cluster.url, log_path=tmp_path / "central.log")
        try:
            [sim] = _terminals(server.url, cluster.url, 1)
            assert sim.upload([sim.application()]).results[0].outcome == "accepted"
            cluster.pause()
            cluster.resume()
            time.sleep(IDLE_PING_S + 0.5)
            assert sim.upload([sim.application()]).results[0].outcome == "accepted"
        finally:
            server.stop()
