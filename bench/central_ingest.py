"""Benchmark: central taking in applications from many terminals at once.

    python -m bench.central_ingest [--terminals 200] [--per-terminal 50] [--batch 10] [--workers 2]

Each simulated terminal enrolls with its own one-time code, seals its applications to the office
key, then (all terminals released together) uploads them in signed gzip batches over loopback,
each terminal one request after another as the kiosk's worker does. Two load shapes:

- paced (the headline figures): each terminal sends a batch every `pace_s` seconds on average
  (uniform jitter), all 200 online at once; latency is counted from when a batch was due, so a
  slow server cannot hide its queue (no coordinated omission);
- burst: every terminal drains everything at the same instant (a city-wide outage ending); here
  latency is mostly queueing (200 requests in flight / throughput), so it measures capacity.

Reported: throughput (applications per second, first request to last answer), per-request latency
p50/p99, errors (any non-200 answer, any outcome other than `accepted`, or a count central holds
that differs from what was sent). Runs on SQLite and on a throwaway PostgreSQL; prints a table,
then one line of JSON.

`run_ingest(url, ...)` takes a database URL (central is started on it for the run) or the http URL
of a running central together with `db_url=` (used only to create the office and the codes).
"""

from __future__ import annotations

import argparse
import json
import random
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
from central.devserver import start_central
from central.models import Application
from tests.harness.central import create_test_office, new_enrollment_codes, start_postgres
from tests.harness.simterminal import SimulatedTerminal


def _prepare(url: str, code: str, per_terminal: int, batch: int) -> tuple[SimulatedTerminal, list[bytes]]:
    sim = SimulatedTerminal(url)
    sim.enroll(code)
    apps = [sim.application(service_code="SKD") for _ in range(per_terminal)]
    bodies = [sim.batch_body(apps[i:i + batch]) for i in range(0, per_terminal, batch)]
    return sim, bodies


def _schedule(batches: int, pace_s: float, rng: random.Random) -> list[float] | None:
    """When each batch is due, in seconds after the start: one every `pace_s` on average (uniform
    jitter) from a random first moment in [0, pace_s); None for back to back (burst)."""
    if pace_s <= 0:
        return None
    due, at = [], rng.uniform(0, pace_s)
    for _ in range(batches):
        due.append(at)
        at += rng.uniform(0, 2 * pace_s)
    return due


def _drain(sim: SimulatedTerminal, bodies: list[bytes], due: list[float] | None, start: threading.Barrier
           ) -> tuple[list[float], int, int]:
    """Uploads every batch when due (one at a time, as a kiosk does) or back to back when `due` is
    None; returns latencies (s), applications accepted, errors. Paced latencies count from when the
    batch was due, so a slow answer that delays the next batch shows in the next one's latency too."""
    latencies, accepted, errors = [], 0, 0
    start.wait()
    t0 = time.perf_counter()
    for n, body in enumerate(bodies):
        origin = time.perf_counter() if due is None else t0 + due[n]
        if origin > time.perf_counter():
            time.sleep(origin - time.perf_counter())
        try:
            answer = sim.upload_raw(body)
        except OSError:
            errors += 1
            continue
        latencies.append(time.perf_counter() - origin)
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


def run_ingest(url: str, terminals: int = 200, per_terminal: int = 50, *, batch: int = 10, pace_s: float = 2.0,
               db_url: str | None = None, workers: int = 2, seed: int = 6) -> dict[str, Any]:
    """Runs the ingest load once and returns its figures (see the module docstring).

    `pace_s` is the mean gap between one terminal's batches (paced, the default); 0 sends every
    terminal's batches back to back from the same instant (burst)."""
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
        rng = random.Random(seed)
        start = threading.Barrier(terminals + 1)
        with ThreadPoolExecutor(terminals) as pool:
            futures = [pool.submit(_drain, sim, bodies, _schedule(len(bodies), pace_s, rng), start)
                       for sim, bodies in prepared]
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
            "mode": "paced" if pace_s > 0 else "burst", "pace_s": pace_s,
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
    parser.add_argument("--pace", type=float, default=2.0, help="mean seconds between a terminal's batches (paced)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (PostgreSQL)")
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args(argv)
    runs: dict[str, dict[str, Any]] = {}
    options = dict(terminals=args.terminals, per_terminal=args.per_terminal, batch=args.batch, workers=args.workers)
    with tempfile.TemporaryDirectory(prefix="loket-bench-") as tmp:
        for mode, pace in (("paced", args.pace), ("burst", 0.0)):
            if args.only != "postgres":
                runs[f"sqlite_{mode}"] = run_ingest(f"sqlite:///{Path(tmp) / f'{mode}.db'}", pace_s=pace, **options)
        if args.only != "sqlite":
            with start_postgres(Path(tmp) / "pg") as pg:
                for mode, pace in (("paced", args.pace), ("burst", 0.0)):
                    runs[f"postgres_{mode}"] = run_ingest(pg.create_database(mode), pace_s=pace, **options)
    print(f"{args.terminals} terminals x {args.per_terminal} applications, batches of {args.batch}; "
          f"paced = one batch per {args.pace} s per terminal on average, burst = all at once")
    print(f"{'run':<17} {'apps/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7} {'stored':>7}")
    for name, f in runs.items():
        print(f"{name:<17} {f['throughput_apps_s']:>8} {f['p50_ms']:>8} {f['p99_ms']:>8} {f['max_ms']:>8} "
              f"{f['errors']:>7} {f['stored']:>7}")

    def figure(run: str, key: str) -> Any:
        return runs.get(run, {}).get(key)

    print(json.dumps({
        "pg_ingest_p99_ms": figure("postgres_paced", "p99_ms"),
        "sqlite_ingest_p99_ms": figure("sqlite_paced", "p99_ms"),
        "pg_burst_p99_ms": figure("postgres_burst", "p99_ms"),
        "sqlite_burst_p99_ms": figure("sqlite_burst", "p99_ms"),
        "ingest_errors": sum(f["errors"] for f in runs.values()),
        "throughput": {name: f["throughput_apps_s"] for name, f in runs.items()},
        "runs": runs,
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
