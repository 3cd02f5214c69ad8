"""The ingest benchmark's own bookkeeping, at a tiny scale: every application counted and stored once."""

import pytest

from bench.central_ingest import run_ingest
from central.devserver import start_central
from central.settings import ENV_IN_FLIGHT


def test_run_ingest_stores_every_application_once_and_reports_no_errors(tmp_path):
    figures = run_ingest(f"sqlite:///{tmp_path / 'bench.db'}", terminals=3, per_terminal=7, batch=3, pace_s=0.05)
    assert (figures["applications"], figures["accepted"], figures["stored"], figures["errors"]) == (21, 21, 21, 0)
    assert figures["requests"] == 3 * 3
    assert figures["p99_ms"] >= figures["p50_ms"] > 0
    assert figures["server_cpu_ms_per_request"] > 0  # the server it started, measured while loaded


def test_run_ingest_against_a_running_central_needs_the_database_for_codes(central):
    figures = run_ingest(central.url, terminals=2, per_terminal=4, batch=4, pace_s=0, db_url=central.db_url)
    assert (figures["mode"], figures["stored"], figures["errors"]) == ("burst", 8, 0)


@pytest.mark.slow
def test_a_shed_batch_is_sent_again_after_its_retry_after_and_counted_as_shed_not_as_an_error(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'shed.db'}"
    server = start_central(db_url, environment={ENV_IN_FLIGHT: "1"})  # one terminal request at a time
    try:
        figures = run_ingest(server.url, terminals=6, per_terminal=4, batch=2, pace_s=0, db_url=db_url)
    finally:
        server.stop()
    assert (figures["stored"], figures["accepted"], figures["errors"]) == (24, 24, 0)
    assert figures["shed"] > 0  # six terminals at once against a bound of one: some were told to come back
    assert figures["shed_share"] == round(figures["shed"] / (figures["requests"] + figures["shed"]), 3)
    assert figures["requests"] == 6 * 2  # one latency per batch, however many times it was sent
    assert figures["max_ms"] >= 2000  # a shed batch's latency holds its Retry-After wait (at least 2 s)


def test_the_server_profile_counts_each_sample_in_its_first_part_and_leaves_waits_out():
    from bench.ingest_spy import summarize

    collapsed = "\n".join([
        "run (uvicorn/main.py:1);upload_batch (central/api/applications.py:20);open_sealed (kiosk/crypto.py:80) 3",
        "run (uvicorn/main.py:1);execute (sqlalchemy/engine/base.py:9);execute (psycopg/cursor.py:1) 1",
        "run (uvicorn/main.py:1);execute (psycopg/cursor.py:1);Connection.wait (psycopg/connection.py:495) 50",
        "asyncio_run (uvicorn/_compat.py:30);Runner.run (asyncio/runners.py:118) 40",
    ])
    assert summarize(collapsed) == {"seal check (libsodium crypto_box_seal_open)": 0.75,
                                    "psycopg: params, send, results": 0.25}
