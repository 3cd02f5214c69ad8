"""Benchmark: draining a terminal's queue to central, batched vs one request per application, and
central's ingest under many terminals.

    python -m bench.sync [--count 2000] [--single-count 300] [--rounds 3] [--sqlite] [--skip-ingest]
                         [--terminals 200 --per-terminal 50]

Over loopback, against the real central (uvicorn subprocess, SQLite file), terminals are enrolled
and filled with applications (validated, sealed, queued durably). Then, in the same run and
`--rounds` times (3), one terminal drains `--count` applications with the real `SyncWorker` in
batches (up to 200 per signed gzip request) and another drains `--single-count` with one request
per application (batch size 1, the ODK Collect way); `batched_speedup` is the ratio of their
applications per second (medians). Each drain is one worker round (heartbeat + uploads, pulls left
out) timed from start to empty queue, by a worker that has already run a round on the empty queue
(terminal open, catalog loaded: a kiosk's worker has been running when the network comes back).
Then `bench.central_ingest.run_loads` loads central with 200 concurrent simulated terminals × 50
applications on a throwaway PostgreSQL (and SQLite with `--sqlite`), paced (a batch every 2 s per
terminal: the headline `pg_ingest_p99_ms`) and in one burst (`pg_burst_p99_ms`), each `--rounds` times,
a batch shed by load shedding (429/503 + Retry-After) is sent again after the wait, as a kiosk does,
its wait counted in its latency, and the shed share reported; and the burst's floor
(`bench.ingest_floor`: the same rows and batches with bare psycopg, same connections) in the same
cluster: `pg_burst_over_floor` is the burst's share of the floor's
throughput (target >= 0.5) and its p99 ratio (target <= 2); its `unbounded_` figures are the same burst
with central's load shedding lifted, so that no batch is shed and no Retry-After wait is
counted: central's own cost against the floor's, apart from its load-shedding policy.
Prints medians (min–max), then one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.central_ingest import over_floor, print_loads, run_loads
from bench.repeat import ROUNDS, figure, spread, text
from central.devserver import start_central
from kiosk.applications import file_application
from kiosk.samples import sample_answers
from kiosk.terminal import Terminal
from sync.enrollment import enroll_terminal
from sync.worker import SyncWorker
from tests.harness.central import create_test_office, new_enrollment_codes


def fill(terminal: Terminal, count: int) -> float:
    """Files `count` applications across the catalog's services; returns the seconds it took."""
    services = terminal.catalog.services
    answers = {s.code: sample_answers(s) for s in services}
    began = time.perf_counter()
    for n in range(count):
        service = services[n % len(services)]
        file_application(terminal.store, terminal.catalog, service.code, answers[service.code])
    return time.perf_counter() - began


def warm_worker(home: Path, batch_size: int) -> SyncWorker:
    """A worker that has already run a round (on an empty queue): its terminal and catalog are open, as
    on a kiosk whose worker has been running all along when the network comes back."""
    worker = SyncWorker(home, batch_size=batch_size)
    worker.run_once(pulls=False)
    return worker


def drain(worker: SyncWorker, batch_size: int) -> dict[str, Any]:
    """One worker round that empties the queue; its wall time and request count."""
    began = time.perf_counter()
    report = worker.run_once(pulls=False)
    seconds = time.perf_counter() - began
    return {"batch_size": batch_size, "seconds": round(seconds, 3), "accepted": report.accepted,
            "remaining": report.remaining, "errors": report.errors,
            "apps_per_s": round(report.accepted / seconds, 1) if seconds else None}


def run_drains(workdir: Path, count: int, single_count: int, rounds: int) -> dict[str, Any]:
    """`rounds` × (a batched drain of `count`, a one-per-request drain of `single_count`), each
    from its own freshly filled terminal, against one central."""
    db_url = f"sqlite:///{workdir / 'central.db'}"
    server = start_central(db_url)
    try:
        office = create_test_office(db_url).code
        plan = [(f"{mode}{n}", size, batch) for n in range(rounds)
                for mode, size, batch in (("batched", count, 200), ("single", single_count, 1))]
        filing, workers = [], []
        for (name, size, batch), code in zip(plan, new_enrollment_codes(db_url, office, len(plan)), strict=True):
            terminal = Terminal(workdir / name)
            enroll_terminal(terminal, server.url, code)
            workers.append(warm_worker(workdir / name, batch))
            filing.append(fill(terminal, size) / size)
            terminal.close()
        drains = [drain(worker, batch) for worker, (_, _, batch) in zip(workers, plan, strict=True)]
    finally:
        server.stop()
    batched, single = drains[0::2], drains[1::2]
    speedups = [b["apps_per_s"] / s["apps_per_s"] for b, s in zip(batched, single, strict=True)
                if b["apps_per_s"] and s["apps_per_s"]]
    return {"count": count, "single_count": single_count, "rounds": rounds,
            "filing_ms_per_application": spread((1000 * f for f in filing), 2),
            "batched": {"runs": batched, "apps_per_s": figure(batched, "apps_per_s", 1),
                        "seconds": figure(batched, "seconds")},
            "single": {"runs": single, "apps_per_s": figure(single, "apps_per_s", 1),
                       "seconds": figure(single, "seconds")},
            # median over median: each leg's rounds ran interleaved, so a busy moment hits both
            "speedups": [round(x, 1) for x in speedups]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sync", description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2_000, help="applications drained batched, per round")
    parser.add_argument("--single-count", type=int, default=300,
                        help="applications drained one per request, per round")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="measurements of each figure")
    parser.add_argument("--skip-ingest", action="store_true", help="leave out central's ingest load")
    parser.add_argument("--sqlite", action="store_true", help="also load central on SQLite")
    parser.add_argument("--terminals", type=int, default=200)
    parser.add_argument("--per-terminal", type=int, default=50)
    parser.add_argument("--batch", type=int, default=10, help="applications per upload in the ingest loads")
    args = parser.parse_args(argv)
    loads: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="loket-bench-sync-") as tmp:
        work = Path(tmp)
        drains = run_drains(work, args.count, args.single_count, args.rounds)
        if not args.skip_ingest:
            loads = run_loads(work, ("sqlite", "postgres") if args.sqlite else ("postgres",), count=args.rounds,
                              floor=True, terminals=args.terminals, per_terminal=args.per_terminal,
                              batch=args.batch)

    b, s = drains["batched"], drains["single"]
    speedup = (b["apps_per_s"]["median"] / s["apps_per_s"]["median"]
               if b["apps_per_s"]["median"] and s["apps_per_s"]["median"] else None)
    print(f"drain over loopback, median (min-max) of {args.rounds}")
    print(f"  batched (200/request)   {args.count:>6} apps  {text(b['apps_per_s'], ' apps/s')}")
    print(f"  one per request         {args.single_count:>6} apps  {text(s['apps_per_s'], ' apps/s')}")
    print(f"  batched speedup         {speedup and round(speedup, 1)}x (per round: {drains['speedups']})")
    if loads:
        print(f"central ingest ({args.terminals} terminals x {args.per_terminal} in batches of {args.batch}, "
              "paced = a batch per 2 s per "
              "terminal, burst = all at once)")
        print_loads(loads)
        if share := over_floor(loads):
            print(f"  PostgreSQL burst / its floor (bare psycopg, same rows, batches and connections): throughput "
                  f"x{share['throughput_share']} (target >= 0.5), p99 x{share['p99_ratio']} (target <= 2)")
            if "unbounded_throughput_share" in share:
                print(f"  the same burst, central's load shedding lifted (nothing shed) / its floor: throughput "
                      f"x{share['unbounded_throughput_share']}, p99 x{share['unbounded_p99_ratio']}")

    def median(run: str, key: str) -> Any:
        return loads.get(run, {}).get(key, {}).get("median")

    drain_10k = 10_000 / b["apps_per_s"]["median"] if b["apps_per_s"]["median"] else None
    print(json.dumps({
        "batched_speedup": round(speedup, 1) if speedup else None,
        "pg_ingest_p99_ms": median("postgres_paced", "p99_ms"),
        "pg_burst_p99_ms": median("postgres_burst", "p99_ms"),
        "pg_floor_p99_ms": median("postgres_floor", "p99_ms"),
        "pg_burst_over_floor": over_floor(loads),
        "ingest_throughput": {name: f["throughput_apps_s"]["median"] for name, f in loads.items()},
        "sqlite_ingest_p99_ms": median("sqlite_paced", "p99_ms"),
        "ingest_errors": sum(r["errors"] for f in loads.values() for r in f["rounds"]) if loads else None,
        # 429/503 answers over all answers; each shed batch was sent again after its Retry-After
        "pg_burst_shed_share": median("postgres_burst", "shed_share"),
        "pg_paced_shed_share": median("postgres_paced", "shed_share"),
        "drain_10k_s": round(drain_10k, 3) if drain_10k else None,
        "batched_apps_s": b["apps_per_s"]["median"], "single_apps_s": s["apps_per_s"]["median"],
        "spread": {"batched_apps_s": b["apps_per_s"], "single_apps_s": s["apps_per_s"],
                   **{f"{name}_{key}": f[key] for name, f in loads.items()
                      for key in ("p99_ms", "throughput_apps_s", "server_cpu_ms_per_request")}},
        "drains": drains, "ingest": loads,
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
