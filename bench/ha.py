"""Benchmark: central on a pg_auto_failover formation (monitor + primary + synchronous secondary, all on
this machine's loopback) — what synchronous replication costs, and how long a failover takes.

    python -m bench.ha [--terminals 200] [--per-terminal 50] [--rounds 3] [--failover-terminals 100]

1. Ingest with and without synchronous replication, interleaved, `--rounds` times each: the
   200-terminal burst of `bench.central_ingest` (every terminal drains its queue at once, batches of
   10) against central (2 workers) on the formation. "Without" is the same formation with
   `synchronous_commit = local` for central's database (a commit waits for the primary's disk
   only; the standby still streams), so the only difference is the wait for the standby's flush.
2. Failover, `--rounds` times: `--failover-terminals` terminals send paced batches (tests/harness/
   fleet.py); the primary's whole process group is SIGKILLed; the failover time is the gap from the
   last acknowledgement before the kill to the first acknowledgement of a request sent after it
   (terminals retry honouring Retry-After, so it includes up to one Retry-After: 5 s). The killed
   node rejoins before the next round.
   Every round checks that every application is in the new primary exactly once.

The monitor's timings are the harness's shortened ones (node unhealthy after 3 s, demote timeout
2 s); with pg_auto_failover's defaults (20 s, 30 s) add ~45 s. Prints median (min–max) and the
ratio with/without, then one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

from bench.central_ingest import UNBOUNDED, run_ingest
from bench.repeat import ROUNDS, figure, text
from central.devserver import start_central
from tests.harness.central import create_test_office, new_enrollment_codes
from tests.harness.fleet import Fleet
from tests.harness.formation import RunningFormation, start_formation


def _synchronous_commit(formation: RunningFormation, value: str) -> None:
    with psycopg.connect(formation.node_dsn(formation.primary()), autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE loket SET synchronous_commit = '{value}'")


#: a loaded machine answers health checks slowly: the tests' 1 s checks fail over under a benchmark's load
BENCH_TIMINGS = {"health_check_timeout": 2000, "health_check_max_retries": 2, "node_considered_unhealthy_timeout": 5000}
LOGS = Path(tempfile.mkdtemp(prefix="loket-bench-ha-"))


def ingest(formation: RunningFormation, synchronous: bool, terminals: int, per_terminal: int) -> dict[str, Any]:
    formation.wait_healthy(timeout=180)
    _synchronous_commit(formation, "on" if synchronous else "local")
    # new connections take the database's setting; no shedding: this measures the commit, not the bound
    server = start_central(formation.url, workers=2, environment=UNBOUNDED,
                           log_path=LOGS / "central.log", timeout=180)
    try:
        return run_ingest(server.url, terminals, per_terminal, pace_s=0.0, db_url=formation.url)
    finally:
        server.stop()


def failover(formation: RunningFormation, terminals: int) -> dict[str, Any]:
    formation.wait_healthy(timeout=180)
    server = start_central(formation.url, workers=2, log_path=LOGS / "central.log", timeout=180)
    office = create_test_office(formation.url).code
    fleet = Fleet.enroll(server.url, new_enrollment_codes(formation.url, office, terminals), per_terminal=40,
                         batch=2, pace_s=0.25)
    try:
        fleet.start()
        while len(fleet.acknowledged) < terminals * 10:
            time.sleep(0.02)
        old = formation.primary()
        killed_at = time.monotonic() - fleet.started
        formation.kill(old)
        drained = fleet.join(timeout=300)
        new = formation.primary()
        with psycopg.connect(formation.node_dsn(new)) as conn:
            copies = dict(conn.execute("SELECT id, count(*) FROM applications WHERE id = ANY(%s) GROUP BY id",
                                       [list(fleet.filed)]).fetchall())
        before = max(a.at for a in fleet.answers if a.acknowledged and a.at < killed_at)
        # the first acknowledgement of a request sent after the kill (one in flight may have committed before it)
        after = min(a.at for a in fleet.answers if a.acknowledged and a.at - a.took > killed_at)
        statuses = fleet.statuses()
        formation.start_node(old)  # rejoins as the secondary (pg_rewind) for the next round
        return {"failover_s": round(after - before, 2), "kill_to_first_ack_s": round(after - killed_at, 2),
                "drained": drained, "applications": len(fleet.filed),
                "exactly_once": set(copies) == fleet.filed and set(copies.values()) == {1},
                "answers": {str(k): v for k, v in sorted(statuses.items())}, "new_primary": new.name}
    finally:
        fleet.close()
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ha", description=__doc__.split("\n")[0])
    parser.add_argument("--terminals", type=int, default=200)
    parser.add_argument("--per-terminal", type=int, default=50)
    parser.add_argument("--failover-terminals", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--skip-ingest", action="store_true", help="only the failover rounds")
    args = parser.parse_args(argv)
    print(f"logs in {LOGS}", flush=True)
    with start_formation(timings=BENCH_TIMINGS) as formation:
        with_sync, without = [], []
        for _ in range(0 if args.skip_ingest else args.rounds):
            with_sync.append(ingest(formation, True, args.terminals, args.per_terminal))
            without.append(ingest(formation, False, args.terminals, args.per_terminal))
        _synchronous_commit(formation, "on")
        failovers = [failover(formation, args.failover_terminals) for _ in range(args.rounds)]

    figures = {name: {key: figure(runs, key, 1 if "cpu" not in key else 2)
                      for key in ("throughput_apps_s", "p99_ms", "p50_ms", "server_cpu_ms_per_request")}
               for name, runs in (("synchronous", with_sync), ("local", without))}
    ratio = {key: round(figures["synchronous"][key]["median"] / figures["local"][key]["median"], 2)
             for key in ("throughput_apps_s", "p99_ms")} if with_sync else {}
    failover_s = figure(failovers, "failover_s", 2)
    errors = sum(r["errors"] for r in with_sync + without)
    if with_sync:
        print(f"ingest burst, {args.terminals} terminals x {args.per_terminal} (batches of 10), central with 2 "
              f"workers on a pg_auto_failover formation, median (min-max) of {args.rounds}")
        for name, f in figures.items():
            print(f"  {name:<12} {text(f['throughput_apps_s'], ' apps/s')}  p99 {text(f['p99_ms'], ' ms')}")
        print(f"  synchronous / local: throughput x{ratio['throughput_apps_s']}, p99 x{ratio['p99_ms']}; "
              f"errors {errors}")
    print(f"failover ({args.failover_terminals} terminals sending, primary SIGKILLed): last acknowledgement before -> "
          f"first after {text(failover_s, ' s')}; every application once: {all(f['exactly_once'] for f in failovers)}")
    print(json.dumps({"sync_apps_s": figures["synchronous"]["throughput_apps_s"]["median"],
                      "local_apps_s": figures["local"]["throughput_apps_s"]["median"],
                      "sync_p99_ms": figures["synchronous"]["p99_ms"]["median"],
                      "local_p99_ms": figures["local"]["p99_ms"]["median"], "sync_over_local": ratio,
                      "ingest_errors": errors, "failover_s": failover_s,
                      "failover_exactly_once": all(f["exactly_once"] for f in failovers),
                      "figures": figures, "failovers": failovers,
                      "ingest_runs": {"synchronous": with_sync, "local": without}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
