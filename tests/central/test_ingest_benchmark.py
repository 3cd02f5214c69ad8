"""The ingest benchmark's own bookkeeping, at a tiny scale: every application counted and stored once."""

from bench.central_ingest import run_ingest


def test_run_ingest_stores_every_application_once_and_reports_no_errors(tmp_path):
    figures = run_ingest(f"sqlite:///{tmp_path / 'bench.db'}", terminals=3, per_terminal=7, batch=3, pace_s=0.05)
    assert (figures["applications"], figures["accepted"], figures["stored"], figures["errors"]) == (21, 21, 21, 0)
    assert figures["requests"] == 3 * 3
    assert figures["p99_ms"] >= figures["p50_ms"] > 0
    assert figures["server_cpu_ms_per_request"] > 0  # the server it started, measured while loaded


def test_run_ingest_against_a_running_central_needs_the_database_for_codes(central):
    figures = run_ingest(central.url, terminals=2, per_terminal=4, batch=4, pace_s=0, db_url=central.db_url)
    assert (figures["mode"], figures["stored"], figures["errors"]) == ("burst", 8, 0)
