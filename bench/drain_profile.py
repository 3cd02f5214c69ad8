"""Where a batched drain's time goes, phase by phase, on the terminal and inside central.

    python -m bench.drain_profile [--count 2000] [--rounds 3] [--batch 200]

Against the real central (uvicorn subprocess on loopback, SQLite file, as `bench.sync`'s drains), a
terminal is filled with `--count` applications and drained by a worker that has already run one round
(as `bench.sync` does), `--rounds` times, each on a fresh terminal. The worker's own steps are timed
where they are called: claiming a batch from the queue, turning it into uploads, serializing and
compressing the request, the HTTP exchange (which holds central's whole handling), and marking the
answers. Reported per batch: median (min-max) over the rounds, then one line of JSON. It measures the
code as it is, so running it on an older commit gives the "before" of a change.
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from bench.repeat import ROUNDS, spread, text
from bench.sync import fill
from central.devserver import start_central
from kiosk.store.outbox import Outbox
from kiosk.terminal import Terminal
from sync import client
from sync import round as sync_round
from sync.enrollment import enroll_terminal
from sync.worker import SyncWorker
from tests.harness.central import create_test_office, new_enrollment_codes

PHASES = ("claim", "upload_of", "serialize_gzip", "http", "mark_synced")


def _timed(owner: Any, name: str, phase: str, totals: collections.Counter) -> Callable[[], None]:
    """Wraps `owner.name` to add its wall time to `totals[phase]`; returns the undo."""
    original = owner.__dict__[name]
    function = original.__func__ if isinstance(original, staticmethod) else original

    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[phase] += time.perf_counter() - began

    setattr(owner, name, staticmethod(timed) if isinstance(original, staticmethod) else timed)
    return lambda: setattr(owner, name, original)


def run(count: int, rounds: int, batch: int) -> dict[str, Any]:
    totals: collections.Counter = collections.Counter()
    undo = [_timed(Outbox, "claim", "claim", totals), _timed(Outbox, "mark_synced", "mark_synced", totals),
            _timed(sync_round, "upload_of", "upload_of", totals),
            _timed(client.CentralClient, "_json", "serialize_gzip", totals),
            _timed(requests.Session, "request", "http", totals)]
    runs = []
    try:
        with tempfile.TemporaryDirectory(prefix="loket-drain-profile-") as tmp:
            work = Path(tmp)
            db_url = f"sqlite:///{work / 'central.db'}"
            server = start_central(db_url)
            try:
                codes = new_enrollment_codes(db_url, create_test_office(db_url).code, rounds)
                for n, code in enumerate(codes):
                    terminal = Terminal(work / f"t{n}")
                    enroll_terminal(terminal, server.url, code)
                    worker = SyncWorker(work / f"t{n}", batch_size=batch)
                    worker.run_once(pulls=False)
                    fill(terminal, count)
                    terminal.close()
                    totals.clear()
                    began = time.perf_counter()
                    report = worker.run_once(pulls=False)
                    seconds = time.perf_counter() - began
                    batches = -(-count // batch)
                    runs.append({"seconds": round(seconds, 3), "accepted": report.accepted,
                                 "apps_per_s": round(report.accepted / seconds, 1),
                                 "ms_per_batch": {p: round(1000 * totals[p] / batches, 2) for p in PHASES},
                                 "other_ms_per_batch": round(1000 * (seconds - sum(totals.values())) / batches, 2)})
            finally:
                server.stop()
    finally:
        for restore in undo:
            restore()
    return {"count": count, "batch": batch, "rounds": runs,
            "apps_per_s": spread((r["apps_per_s"] for r in runs), 1),
            "ms_per_batch": {p: spread((r["ms_per_batch"][p] for r in runs), 2) for p in PHASES},
            "other_ms_per_batch": spread((r["other_ms_per_batch"] for r in runs), 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.drain_profile", description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args(argv)
    result = run(args.count, args.rounds, args.batch)
    print(f"batched drain of {args.count} in batches of {args.batch}, median (min-max) of {args.rounds}: "
          f"{text(result['apps_per_s'], ' apps/s')}")
    for phase in PHASES:
        print(f"  {phase:<16} {text(result['ms_per_batch'][phase], ' ms/batch')}")
    print(f"  {'other':<16} {text(result['other_ms_per_batch'], ' ms/batch')}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
