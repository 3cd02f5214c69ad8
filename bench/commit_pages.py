"""Benchmark: does a durable commit cost more when it dirties more pages? (the question behind folding
the outbox into the applications table, issue 15)

    python -m bench.commit_pages [--commits 300] [--rounds 3]

Commits of one row into each of 1, 3, 5, 7 and 9 tables (so as many dirty b-tree pages), WAL and
`synchronous=FULL` as the queue has, each in a fresh file; in each round the table counts run one
after the other. Prints p50/p95 per table count as median (min-max) of the rounds and the
p95 ratio against one table measured in the same round, then one line of JSON
(`p95_over_one_table` by table count).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bench.repeat import ROUNDS, percentile, spread, text

TABLES = (1, 3, 5, 7, 9)


def commits(folder: Path, tables: int, count: int) -> list[float]:
    """Seconds per commit of one row into each of `tables` tables (the first row the size of an application)."""
    conn = sqlite3.connect(folder / f"t{tables}.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    for n in range(tables):
        conn.execute(f"CREATE TABLE t{n} (id INTEGER PRIMARY KEY, payload BLOB)")
    application, small = os.urandom(700), b"x"
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        conn.execute("BEGIN")
        for n in range(tables):
            conn.execute(f"INSERT INTO t{n} (payload) VALUES (?)", (application if n == 0 else small,))
        conn.execute("COMMIT")
        timings.append(time.perf_counter() - start)
    conn.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commits", type=int, default=300, help="commits per table count per round")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    per_round: list[dict[int, dict[str, float]]] = []
    with tempfile.TemporaryDirectory(prefix="bench-pages-", dir=os.environ.get("BENCH_TMP")) as tmp:
        for number in range(args.rounds):
            folder = Path(tmp) / f"round{number}"
            folder.mkdir()
            found = {}
            for tables in TABLES:
                ms = [s * 1000 for s in commits(folder, tables, args.commits)]
                found[tables] = {"p50_ms": statistics.median(ms), "p95_ms": percentile(ms, 95)}
            per_round.append(found)
    print(f"median (min-max) of {args.rounds} rounds of {args.commits} commits")
    result: dict[str, dict] = {"p95_ms": {}, "p50_ms": {}, "p95_over_one_table": {}}
    for tables in TABLES:
        p50 = spread(r[tables]["p50_ms"] for r in per_round)
        p95 = spread(r[tables]["p95_ms"] for r in per_round)
        ratio = spread(r[tables]["p95_ms"] / r[1]["p95_ms"] for r in per_round)
        print(f"{tables} tables: p50 {text(p50, ' ms')}, p95 {text(p95, ' ms')}, p95 / one table {text(ratio)}")
        result["p50_ms"][tables], result["p95_ms"][tables] = p50, p95
        result["p95_over_one_table"][tables] = ratio
    print(json.dumps(result))


if __name__ == "__main__":
    main()
