"""Benchmark: draining a terminal's queue to central, batched vs one request per application, and
central's ingest under many terminals.

    python -m bench.sync [--count 10000] [--single-count N] [--skip-ingest] [--terminals 200 --per-terminal 50]

Over loopback, against the real central (uvicorn subprocess, SQLite file), two terminals are
enrolled and each has `--count` applications filed (validated, sealed, queued durably). Then, in the
same run, one drains its queue with the real `SyncWorker` in batches (up to 200 per signed gzip
request) and the other with one request per application (batch size 1, the ODK Collect way). Each
drain is one worker round (heartbeat + uploads, pulls left out) timed from start to empty queue.
Then `bench.central_ingest.run_ingest` loads central with 200 concurrent simulated terminals × 50
applications on SQLite and on a throwaway PostgreSQL, paced (a batch every 2 s per terminal: the
headline `pg_ingest_p99_ms`) and in one burst. Prints a table, then one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.central_ingest import run_ingest
from central.devserver import start_central
from kiosk.applications import file_application
from kiosk.samples import sample_answers
from kiosk.terminal import Terminal
from sync.enrollment import enroll_terminal
from sync.worker import SyncWorker
from tests.harness.central import create_test_office, new_enrollment_codes, start_postgres

LOADS = (("paced", 2.0), ("burst", 0.0))  # as bench.central_ingest: the headline is paced


def fill(terminal: Terminal, count: int) -> float:
    """Files `count` applications across the catalog's services; returns the seconds it took."""
    services = terminal.catalog.services
    answers = {s.code: sample_answers(s) for s in services}
    began = time.perf_counter()
    for n in range(count):
        service = services[n % len(services)]
        file_application(terminal.store, terminal.catalog, service.code, answers[service.code])
    return time.perf_counter() - began


def drain(home: Path, batch_size: int) -> dict[str, Any]:
    """One worker round that empties the queue; its wall time and request count."""
    worker = SyncWorker(home, batch_size=batch_size)
    began = time.perf_counter()
    report = worker.run_once(pulls=False)
    seconds = time.perf_counter() - began
    return {"batch_size": batch_size, "seconds": round(seconds, 3), "accepted": report.accepted,
            "remaining": report.remaining, "errors": report.errors,
            "apps_per_s": round(report.accepted / seconds, 1) if seconds else None}


def run_drains(workdir: Path, count: int, single_count: int) -> dict[str, Any]:
    db_url = f"sqlite:///{workdir / 'central.db'}"
    server = start_central(db_url)
    try:
        office = create_test_office(db_url).code
        homes = {"batched": workdir / "batched", "single": workdir / "single"}
        filing = {}
        for (mode, home), code, n in zip(homes.items(), new_enrollment_codes(db_url, office, 2),
                                         (count, single_count), strict=True):
            terminal = Terminal(home)
            enroll_terminal(terminal, server.url, code)
            filing[mode] = round(fill(terminal, n), 3)
            terminal.close()
        batched = drain(homes["batched"], 200)
        single = drain(homes["single"], 1)
    finally:
        server.stop()
    speedup = (batched["apps_per_s"] / single["apps_per_s"]) if single["apps_per_s"] else None
    return {"count": count, "single_count": single_count, "filing_s": filing, "batched": batched,
            "single": single, "batched_speedup": round(speedup, 1) if speedup else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sync", description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="applications drained batched")
    parser.add_argument("--single-count", type=int, default=None,
                        help="applications drained one per request (default: --count)")
    parser.add_argument("--skip-ingest", action="store_true", help="leave out central's ingest load")
    parser.add_argument("--terminals", type=int, default=200)
    parser.add_argument("--per-terminal", type=int, default=50)
    args = parser.parse_args(argv)
    single_count = args.single_count or args.count
    ingest: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="loket-bench-sync-") as tmp:
        work = Path(tmp)
        drains = run_drains(work, args.count, single_count)
        if not args.skip_ingest:
            load = dict(terminals=args.terminals, per_terminal=args.per_terminal)
            for mode, pace in LOADS:
                ingest[f"sqlite_{mode}"] = run_ingest(f"sqlite:///{work / f'{mode}.db'}", pace_s=pace, **load)
            with start_postgres(work / "pg") as pg:
                for mode, pace in LOADS:
                    ingest[f"postgres_{mode}"] = run_ingest(pg.create_database(mode), pace_s=pace, **load)

    b, s = drains["batched"], drains["single"]
    print(f"drain over loopback       {'apps':>6} {'seconds':>8} {'apps/s':>8}")
    print(f"  batched (200/request)   {b['accepted']:>6} {b['seconds']:>8} {b['apps_per_s']:>8}")
    print(f"  one per request         {s['accepted']:>6} {s['seconds']:>8} {s['apps_per_s']:>8}")
    print(f"  batched speedup         {drains['batched_speedup']}x")
    if ingest:
        print(f"central ingest ({args.terminals} terminals x {args.per_terminal}, paced = a batch per "
              f"{LOADS[0][1]:g} s per terminal, burst = all at once)")
        print(f"  {'run':<22} {'apps/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for name, f in ingest.items():
            print(f"  {name:<22} {f['throughput_apps_s']:>8} {f['p50_ms']:>8} {f['p99_ms']:>8} {f['errors']:>7}")
    drain_10k = b["seconds"] * 10_000 / b["accepted"] if b["accepted"] else None
    print(json.dumps({
        "drain_10k_s": round(drain_10k, 3) if drain_10k else None,
        "drain_measured_count": b["accepted"],
        "batched_apps_s": b["apps_per_s"], "single_apps_s": s["apps_per_s"],
        "batched_speedup": drains["batched_speedup"],
        "pg_ingest_p99_ms": ingest.get("postgres_paced", {}).get("p99_ms"),
        "sqlite_ingest_p99_ms": ingest.get("sqlite_paced", {}).get("p99_ms"),
        "pg_burst_p99_ms": ingest.get("postgres_burst", {}).get("p99_ms"),
        "ingest_errors": sum(f["errors"] for f in ingest.values()) if ingest else None,
        "ingest_throughput": {name: f["throughput_apps_s"] for name, f in ingest.items()},
        "drains": drains, "ingest": ingest,
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
