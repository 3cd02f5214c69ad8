"""The console inbox benchmark at a tiny scale: it fills the office, times real answers, drops the
indexes for the naive run, and ends with one line of JSON."""

import json

from bench.console_inbox import main


def test_the_benchmark_times_every_view_and_the_naive_run_and_ends_with_json(capsys):
    assert main(["--applications", "300", "--requests", "8", "--only", "sqlite"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    sqlite = figures["runs"]["sqlite"]
    assert sqlite["applications"] == 300 and figures["pg_inbox_p95_ms"] is None
    for key in ("inbox_p95", "floor_p95", "naive_p95"):
        assert 0 < sqlite[key]["min_ms"] <= sqlite[key]["median_ms"] <= sqlite[key]["max_ms"]
    assert figures["sqlite_inbox_p95_ms"] == sqlite["inbox_p95"]["median_ms"]
    assert sqlite["inbox_over_floor"] > 0 and sqlite["naive_over_indexed"] > 0
