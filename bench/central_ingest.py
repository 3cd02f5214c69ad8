"""Benchmark: central taking in applications from many terminals at once.

    python -m bench.central_ingest [--terminals 200] [--per-terminal 50] [--batch 10] [--workers 2]

Each simulated terminal enrolls with its own one-time code, seals its applications to the office
key, then (all terminals released together) uploads them in signed gzip batches over loopback,
each terminal one request after another as the kiosk's worker does. Reported: throughput
(applications per second, first request to last answer), per-request latency p50/p99, errors (any
non-200 answer, any outcome other than `accepted`, or any count central holds that differs from
what was sent). Runs on SQLite and on a throwaway PostgreSQL; prints a table, then one line of JSON.

`run_ingest(url, ...)` takes a database URL (central is started on it for the run) or the http URL
of a running central together with `db_url=` (used only to create the office and the codes).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.store import percentile
from central.db import Database
from central.devserver import create_test_office, new_enrollment_codes, start_central, start_postgres
from central.models import Application
from central.simterminal import SimulatedTerminal


def _prepare(url: str, code: str, per_terminal: int, batch: int) -> tuple[SimulatedTerminal, list[bytes]]:
    sim = SimulatedTerminal(url)
    sim.enroll(code)
    apps = [sim.application(service_code="SKD") for _ in range(per_terminal)]
    bodies = [sim.batch_body(apps[i:i + batch]) for i in range(0, per_terminal, batch)]
    return sim, bodies


def _drain(sim: SimulatedTerminal, bodies: list[bytes], start: threading.Barrier) -> tuple[list[float], int, int]:
    """Uploads every batch; returns latencies (s), applications accepted, errors."""
    latencies, accepted, errors = [], 0, 0
    start.wait()
    for body in bodies:
        began = time.perf_counter()
        try:
            answer = sim.upload_raw(body)
        except OSError:
            errors += 1
            continue
        latencies.append(time.perf_counter() - began)
        if answer.status_code != 200:
            errors += 1
            continue
        outcomes = [r["outcome"] for r in answer.json()["results"]]
        accepted += outcomes.count("accepted")
        errors += len(outcomes) - outcomes.count("accepted")
    return latencies, accepted, errors


def _stored(db_url: str, office_code: str) -> int:
    db = Database(db_url, migrate_schema=False)
    try:
        with db.transaction() as session:
            from central.models import Office

            office_id = session.scalar(select(Office.id).where(Office.code == office_code))
            return session.scalar(select(func.count()).select_from(Application)
                                  .where(Application.office_id == office_id)) or 0
    finally:
        db.dispose()


def run_ingest(url: str, terminals: int = 200, per_terminal: int = 50, *, batch: int = 10,
               db_url: str | None = None, workers: int = 2) -> dict[str, Any]:
    """Runs the ingest load once and returns its figures (see the module docstring)."""
    server = None
    if url.startswith("http"):
        if db_url is None:
            raise ValueError("with a running central's URL, give db_url= so the benchmark can make enrollment codes")
    else:
        db_url = url
        # SQLite takes one writer at a time: more processes only add lock polling
        server = start_central(db_url, workers=1 if db_url.startswith("sqlite") else workers)
        url = server.url
    try:
        office = create_test_office(db_url).code
        codes = new_enrollment_codes(db_url, office, terminals)
        with ThreadPoolExecutor(16) as pool:
            prepared = list(pool.map(lambda c: _prepare(url, c, per_terminal, batch), codes))
        start = threading.Barrier(terminals + 1)
        with ThreadPoolExecutor(terminals) as pool:
            futures = [pool.submit(_drain, sim, bodies, start) for sim, bodies in prepared]
            start.wait()
            began = time.perf_counter()
            results = [f.result() for f in futures]
            elapsed = time.perf_counter() - began
        for sim, _ in prepared:
            sim.close()
        latencies = [lat * 1000 for lats, _, _ in results for lat in lats]
        accepted = sum(a for _, a, _ in results)
        errors = sum(e for _, _, e in results)
        stored = _stored(db_url, office)
        sent = terminals * per_terminal
        errors += abs(stored - sent) if errors == 0 else 0
        return {
            "terminals": terminals, "per_terminal": per_terminal, "batch": batch, "requests": len(latencies),
            "applications": sent, "accepted": accepted, "stored": stored, "errors": errors,
            "seconds": round(elapsed, 3), "throughput_apps_s": round(accepted / elapsed, 1),
            "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
            "p99_ms": round(percentile(latencies, 99), 1) if latencies else None,
            "max_ms": round(max(latencies), 1) if latencies else None,
        }
    finally:
        if server is not None:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.central_ingest", description=__doc__.split("\n")[0])
    parser.add_argument("--terminals", type=int, default=200)
    parser.add_argument("--per-terminal", type=int, default=50)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args(argv)
    figures: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="loket-bench-") as tmp:
        options = dict(terminals=args.terminals, per_terminal=args.per_terminal, batch=args.batch,
                       workers=args.workers)
        if args.only != "postgres":
            figures["sqlite"] = run_ingest(f"sqlite:///{Path(tmp) / 'central.db'}", **options)
        if args.only != "sqlite":
            with start_postgres(Path(tmp) / "pg") as pg:
                figures["postgres"] = run_ingest(pg.url, **options)
    print(f"{'database':<10} {'apps/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7} {'stored':>7}")
    for name, f in figures.items():
        print(f"{name:<10} {f['throughput_apps_s']:>8} {f['p50_ms']:>8} {f['p99_ms']:>8} {f['max_ms']:>8} "
              f"{f['errors']:>7} {f['stored']:>7}")
    pg, lite = figures.get("postgres", {}), figures.get("sqlite", {})
    print(json.dumps({
        "pg_ingest_p99_ms": pg.get("p99_ms"), "sqlite_ingest_p99_ms": lite.get("p99_ms"),
        "ingest_errors": sum(f["errors"] for f in figures.values()),
        "throughput": {name: f["throughput_apps_s"] for name, f in figures.items()},
        "runs": figures,
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
