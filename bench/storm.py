"""Benchmark: a reconnect storm — many terminals come back at once, each with a queue to send.

    python -m bench.storm [--terminals 300] [--per-terminal 100] [--batch 50] [--rounds 3]

Central (one worker, its production load shedding: a standing queue whose requests waited over two
seconds for a thread and a connection, or past 1024 requests / 256 MiB of bodies in progress, is shed
with 429 + Retry-After) on a throwaway PostgreSQL; every
terminal (tests/harness/fleet.py, the production backoff: full jitter, never sooner than Retry-After)
starts sending at the same instant, each with two days of a busy kiosk queued (100 applications,
sent 50 a batch: big batches, so that the storm outruns central and not the load generator on the
same cores). Measured per round: peak answers per second (the busiest whole second), the share of
429 answers, p99 of the answers that took applications, and the drain time (start to every queue
empty). In the same invocation the same storm runs against central without shedding
(`bench.central_ingest.UNBOUNDED`), the naive way. Prints median (min–max), the ratios, then one
line of JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench.central_ingest import UNBOUNDED
from bench.repeat import ROUNDS, figure, percentile, text
from central.devserver import start_central
from sync.backoff import DEFAULT_BACKOFF
from tests.harness.central import create_test_office, new_enrollment_codes, start_postgres
from tests.harness.fleet import Fleet


def storm(db_url: str, terminals: int, per_terminal: int, batch: int, environment: dict[str, str] | None
          ) -> dict[str, Any]:
    server = start_central(db_url, environment=environment, timeout=180)
    office = create_test_office(db_url).code
    fleet = Fleet.enroll(server.url, new_enrollment_codes(db_url, office, terminals), per_terminal=per_terminal,
                         batch=batch, backoff=DEFAULT_BACKOFF)
    try:
        drained = fleet.run(timeout=600)
    finally:
        fleet.close()
        server.stop()
    answers = fleet.answers
    per_second = Counter(int(a.at) for a in answers)
    statuses = fleet.statuses()
    taken = [a.took * 1000 for a in answers if a.status == 200]
    return {"drained": drained, "applications": len(fleet.filed), "acknowledged": len(fleet.acknowledged),
            "drain_s": round(max(a.at for a in answers if a.acknowledged), 2),
            "peak_answers_per_s": max(per_second.values()),
            "share_429": round(statuses[429] / len(answers), 3), "answers": len(answers),
            "p99_ms_taken": round(percentile(taken, 99), 1), "errors": sum(v for k, v in statuses.items()
                                                                          if k not in (200, 429))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.storm", description=__doc__.split("\n")[0])
    parser.add_argument("--terminals", type=int, default=300)
    parser.add_argument("--per-terminal", type=int, default=100)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    bounded, unbounded = [], []
    with tempfile.TemporaryDirectory(prefix="loket-bench-storm-") as tmp, start_postgres(Path(tmp)) as pg:
        for n in range(args.rounds):
            bounded.append(storm(pg.create_database(f"bounded_{n}"), args.terminals, args.per_terminal, args.batch,
                                 None))
            unbounded.append(storm(pg.create_database(f"unbounded_{n}"), args.terminals, args.per_terminal,
                                   args.batch, UNBOUNDED))
    keys = ("drain_s", "peak_answers_per_s", "share_429", "p99_ms_taken")
    figures = {name: {key: figure(runs, key, 3 if key == "share_429" else 1) for key in keys}
               for name, runs in (("bounded", bounded), ("unbounded", unbounded))}
    print(f"storm: {args.terminals} terminals x {args.per_terminal} applications (batches of {args.batch}) at once, "
          f"central with 1 worker on PostgreSQL; median (min-max) of {args.rounds}")
    for name, f in figures.items():
        print(f"  {name:<10} drain {text(f['drain_s'], ' s')}  peak {text(f['peak_answers_per_s'], '/s')}  "
              f"429 share {text(f['share_429'])}  p99 of taken {text(f['p99_ms_taken'], ' ms')}")
    b, u = figures["bounded"], figures["unbounded"]
    ratios = {"drain_s": round(b["drain_s"]["median"] / u["drain_s"]["median"], 2),
              "p99_ms_taken": round(b["p99_ms_taken"]["median"] / u["p99_ms_taken"]["median"], 2)}
    errors = sum(r["errors"] for r in bounded + unbounded)
    lost = sum(r["applications"] - r["acknowledged"] for r in bounded + unbounded)
    print(f"  bounded / unbounded: drain x{ratios['drain_s']}, p99 of taken x{ratios['p99_ms_taken']}; "
          f"errors {errors}, unacknowledged {lost}")
    print(json.dumps({"drain_s": b["drain_s"]["median"], "peak_answers_per_s": b["peak_answers_per_s"]["median"],
                      "share_429": b["share_429"]["median"], "p99_ms_taken": b["p99_ms_taken"]["median"],
                      "bounded_over_unbounded": ratios, "errors": errors, "unacknowledged": lost,
                      "figures": figures, "runs": {"bounded": bounded, "unbounded": unbounded}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
