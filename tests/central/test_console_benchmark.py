"""The console inbox benchmark at a tiny scale: it fills the office, times real answers, and drops the
indexes for the naive run."""

import json

from bench.console_inbox import main, run_inbox


def test_run_inbox_times_every_view_and_the_naive_run(tmp_path):
    figures = run_inbox(f"sqlite:///{tmp_path / 'bench.db'}", 400, 8, naive=True)
    assert figures["applications"] == 400
    for key in ("inbox_p95", "floor_p95", "naive_p95"):
        assert 0 < figures[key]["min_ms"] <= figures[key]["median_ms"] <= figures[key]["max_ms"]
    assert figures["inbox_over_floor"] > 0 and figures["naive_over_indexed"] > 0


def test_the_benchmark_ends_with_one_json_line(tmp_path, capsys):
    assert main(["--applications", "200", "--requests", "8", "--only", "sqlite", "--no-naive"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    figures = json.loads(last)
    assert figures["sqlite_inbox_p95_ms"] > 0 and figures["pg_inbox_p95_ms"] is None
