"""Benchmark: bytes per application on PostgreSQL — table, indexes and WAL — for the capacity plan.

    python -m bench.footprint [--terminals 50] [--per-terminal 200] [--rounds 3]

Each round: a fresh database in a throwaway PostgreSQL, central on it, `bench.central_ingest`'s
burst of `terminals` × `per_terminal` applications (batches of 10); then the on-disk size of
`applications` and `status_changes` with their indexes and TOAST (`pg_total_relation_size`) and the
WAL written during the load (`pg_current_wal_lsn()` before and after; the cluster runs nothing else),
each divided by the applications stored. The floor is the sealed answers alone (what a terminal
sends). Prints median (min–max), then one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

import psycopg

from bench.central_ingest import run_ingest
from bench.repeat import ROUNDS, figure, text
from central.db import Database
from tests.harness.central import RunningPostgres, start_postgres


def _dsn(pg: RunningPostgres, name: str) -> str:
    return f"host=127.0.0.1 port={pg.port} user=tester dbname={name}"


def one_round(pg: RunningPostgres, n: int, terminals: int, per_terminal: int) -> dict[str, Any]:
    name = f"footprint_{n}"
    url = pg.create_database(name)
    Database(url).dispose()  # the schema first, so its WAL is not counted
    with psycopg.connect(_dsn(pg, name), autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        before = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    figures = run_ingest(url, terminals, per_terminal, pace_s=0.0, workers=1)
    with psycopg.connect(_dsn(pg, name), autocommit=True) as conn:
        wal = conn.execute("SELECT pg_current_wal_lsn() - %s::pg_lsn", [before]).fetchone()[0]
        count, sealed = conn.execute("SELECT count(*), sum(octet_length(sealed)) FROM applications").fetchone()
        tables = {t: conn.execute("SELECT pg_total_relation_size(%s)", [t]).fetchone()[0]
                  for t in ("applications", "status_changes")}
        heap = conn.execute("SELECT pg_relation_size('applications')").fetchone()[0]
    return {"applications": count, "errors": figures["errors"],
            "sealed_bytes": round(sealed / count), "applications_heap_bytes": round(heap / count),
            "applications_total_bytes": round(tables["applications"] / count),
            "status_changes_total_bytes": round(tables["status_changes"] / count),
            "stored_bytes": round(sum(tables.values()) / count), "wal_bytes": round(float(wal) / count)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.footprint", description=__doc__.split("\n")[0])
    parser.add_argument("--terminals", type=int, default=50)
    parser.add_argument("--per-terminal", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="loket-bench-footprint-") as tmp, start_postgres(Path(tmp)) as pg:
        runs = [one_round(pg, n, args.terminals, args.per_terminal) for n in range(args.rounds)]
    keys = ("sealed_bytes", "applications_total_bytes", "status_changes_total_bytes", "stored_bytes", "wal_bytes")
    figures = {key: figure(runs, key, 0) for key in keys}
    stored, sealed = figures["stored_bytes"]["median"], figures["sealed_bytes"]["median"]
    print(f"bytes per application on PostgreSQL, {args.terminals} x {args.per_terminal} applications per round, "
          f"median (min-max) of {args.rounds}")
    for key in keys:
        print(f"  {key:<28} {text(figures[key], ' B')}")
    print(f"  stored / sealed answers: x{round(stored / sealed, 1)}")
    print(json.dumps({"stored_bytes": stored, "wal_bytes": figures["wal_bytes"]["median"], "sealed_bytes": sealed,
                      "stored_over_sealed": round(stored / sealed, 1),
                      "errors": sum(r["errors"] for r in runs), "figures": figures, "runs": runs}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
