"""Benchmark: central taking in applications from many terminals at once.

    python -m bench.central_ingest [--terminals 200] [--per-terminal 50] [--batch 10] [--workers 2] [--only postgres]

Each simulated terminal enrolls with its own one-time code, seals its applications to the office
key, then (all terminals released together) uploads them in signed gzip batches over loopback,
each terminal one request after another as the kiosk's worker does. Two load shapes:

- paced (the headline figures): each terminal sends a batch every `pace_s` seconds on average
  (uniform jitter), all 200 online at once; latency is counted from when a batch was due, so a
  slow server cannot hide its queue (no coordinated omission);
- burst: every terminal drains everything at the same instant (a city-wide outage ending); here
  latency is mostly queueing (200 requests in flight / throughput), so it measures capacity.

Reported: throughput (applications per second, first request to last answer), per-request latency
p50/p99, errors (any non-200 answer but a shed one, any outcome other than `accepted`, or a count
central holds that differs from what was sent), the shed share (429/503 "come back later" answers over
all answers: each such batch is sent again after its Retry-After, its wait counted in its latency),
and the CPU the server processes and this client process spent per request while the load ran
(steadier than wall time on a shared machine). Runs each load
`--rounds` times (3) on SQLite and on a throwaway PostgreSQL, each round on a fresh database;
prints median (min–max), then one line of JSON.

`run_ingest(url, ...)` takes a database URL (central is started on it for the run) or the http URL
of a running central together with `db_url=` (used only to create the office and the codes).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import random
import resource
import statistics
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select

from bench.ingest_floor import run_floor
from bench.repeat import ROUNDS, figure, percentile, text, tree_cpu_seconds
from central.db import Database
from central.devserver import start_central
from central.models import Application
from central.settings import ENV_IN_FLIGHT, ENV_IN_FLIGHT_MB, ENV_SHED_AFTER
from sync.protocol import PATH_APPLICATIONS, sign_request
from tests.harness.central import create_test_office, new_enrollment_codes, start_postgres
from tests.harness.simterminal import SimulatedTerminal

#: a shed request (429/503 with Retry-After) is sent again after the wait, as a kiosk does; this many times at most
MAX_RETRIES = 20


def _retry_after(answer: Any) -> float | None:
    """The seconds a 429/503 asks to wait (Retry-After), or None when it is not a "come back later"."""
    if answer.status_code not in (429, 503):
        return None
    wait = answer.headers.get("retry-after", "")
    return float(wait) if wait.isdigit() else 1.0


@dataclass
class Answer:
    """What the load generator keeps of an answer."""

    status_code: int
    headers: dict[str, str]
    content: bytes


class LeanUploader:
    """One terminal's uploads over one keep-alive `http.client` connection, signed as the kiosk signs
    them: the load generator runs on the same two cores as central, and `requests` spent ~1.5 ms of
    CPU per upload there, CPU the floor's bare-psycopg client never needs."""

    def __init__(self, url: str, sim: SimulatedTerminal) -> None:
        parsed = urllib.parse.urlsplit(url)
        self.host, self.port, self.sim = parsed.hostname or "127.0.0.1", parsed.port or 80, sim
        self.connection: http.client.HTTPConnection | None = None

    def upload(self, body: bytes) -> Answer:
        for attempt in (1, 2):  # a keep-alive connection the server closed meanwhile: once more, afresh
            headers = {**sign_request(self.sim.terminal_id, self.sim.keys.signing_key, "POST", PATH_APPLICATIONS,
                                      body), "Content-Encoding": "gzip", "Content-Type": "application/json"}
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=180)
            try:
                self.connection.request("POST", PATH_APPLICATIONS, body, headers)
                response = self.connection.getresponse()
                return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _enroll(sim: SimulatedTerminal, code: str) -> None:
    """Enrolls, waiting out 429s: central's enrollment limit takes a token from the address's allowance
    before each attempt (given back on success), so many good codes at once from one address are
    told to come back, as a kiosk would be."""
    for _ in range(MAX_RETRIES):
        try:
            sim.enroll(code)
            return
        except requests.HTTPError as e:
            wait = _retry_after(e.response)
            if wait is None:
                raise
            time.sleep(wait)
    sim.enroll(code)


def _prepare(url: str, code: str, per_terminal: int, batch: int) -> tuple[SimulatedTerminal, list[bytes]]:
    sim = SimulatedTerminal(url)
    _enroll(sim, code)
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


def _drain(sim: LeanUploader, bodies: list[bytes], due: list[float] | None, start: threading.Barrier
           ) -> tuple[list[float], int, int, int]:
    """Uploads every batch when due (one at a time, as a kiosk does) or back to back when `due` is
    None; returns latencies (s), applications accepted, errors, shed answers. Paced latencies count from
    when the batch was due, so a slow answer that delays the next batch shows in the next one's latency
    too. A batch shed with 429/503 is sent again after its Retry-After (freshly signed, as the kiosk
    does), and its latency runs from its first attempt to the answer that took it: the wait is counted."""
    latencies, accepted, errors, shed = [], 0, 0, 0
    start.wait()
    t0 = time.perf_counter()
    for n, body in enumerate(bodies):
        origin = time.perf_counter() if due is None else t0 + due[n]
        if origin > time.perf_counter():
            time.sleep(origin - time.perf_counter())
        answer = None
        for _ in range(MAX_RETRIES + 1):
            try:
                answer = sim.upload(body)
            except OSError:
                answer = None
                break
            wait = _retry_after(answer)
            if wait is None:
                break
            shed += 1
            time.sleep(wait)
        if answer is None:
            errors += 1
            continue
        latencies.append(time.perf_counter() - origin)
        if answer.status_code != 200:
            errors += 1
            continue
        outcomes = [r["outcome"] for r in json.loads(answer.content)["results"]]
        accepted += outcomes.count("accepted")
        errors += len(outcomes) - outcomes.count("accepted")
    return latencies, accepted, errors, shed


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


def _cpu(server: Any) -> float:
    return tree_cpu_seconds(server.process.pid) if server is not None else 0.0


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_ingest(url: str, terminals: int = 200, per_terminal: int = 50, *, batch: int = 10, pace_s: float = 2.0,
               db_url: str | None = None, workers: int = 2, seed: int = 6,
               environment: dict[str, str] | None = None) -> dict[str, Any]:
    """Runs the ingest load once and returns its figures (see the module docstring).

    `pace_s` is the mean gap between one terminal's batches (paced, the default); 0 sends every
    terminal's batches back to back from the same instant (burst). `environment`: the started
    central's settings (e.g. its in-flight bound)."""
    server = None
    if url.startswith("http"):
        if db_url is None:
            raise ValueError("with a running central's URL, give db_url= so the benchmark can make enrollment codes")
    else:
        db_url = url
        # SQLite takes one writer at a time: more processes only add lock polling
        server = start_central(db_url, workers=1 if db_url.startswith("sqlite") else workers, timeout=180,
                               environment=environment)
        url = server.url
    try:
        office = create_test_office(db_url).code
        codes = new_enrollment_codes(db_url, office, terminals)
        with ThreadPoolExecutor(16) as pool:
            prepared = list(pool.map(lambda c: _prepare(url, c, per_terminal, batch), codes))
        rng = random.Random(seed)
        start = threading.Barrier(terminals + 1)
        with ThreadPoolExecutor(terminals) as pool:
            uploaders = [LeanUploader(url, sim) for sim, _ in prepared]
            futures = [pool.submit(_drain, uploader, bodies, _schedule(len(bodies), pace_s, rng), start)
                       for uploader, (_, bodies) in zip(uploaders, prepared, strict=True)]
            server_cpu, client_cpu = _cpu(server), _own_cpu()
            start.wait()
            began = time.perf_counter()
            results = [f.result() for f in futures]
            elapsed = time.perf_counter() - began
            server_cpu, client_cpu = _cpu(server) - server_cpu, _own_cpu() - client_cpu
        for uploader, (sim, _) in zip(uploaders, prepared, strict=True):
            uploader.close()
            sim.close()
        latencies = [lat * 1000 for lats, _, _, _ in results for lat in lats]
        accepted = sum(a for _, a, _, _ in results)
        errors = sum(e for _, _, e, _ in results)
        shed = sum(s for _, _, _, s in results)
        stored = _stored(db_url, office)
        sent = terminals * per_terminal
        errors += abs(stored - sent) if errors == 0 else 0
        return {
            "mode": "paced" if pace_s > 0 else "burst", "pace_s": pace_s,
            "terminals": terminals, "per_terminal": per_terminal, "batch": batch, "requests": len(latencies),
            "applications": sent, "accepted": accepted, "stored": stored, "errors": errors,
            "shed": shed, "shed_share": round(shed / (len(latencies) + shed), 3) if latencies else None,
            "seconds": round(elapsed, 3), "throughput_apps_s": round(accepted / elapsed, 1),
            "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
            "p99_ms": round(percentile(latencies, 99), 1) if latencies else None,
            "max_ms": round(max(latencies), 1) if latencies else None,
            "server_cpu_ms_per_request": round(1000 * server_cpu / len(latencies), 2) if server else None,
            "client_cpu_ms_per_request": round(1000 * client_cpu / len(latencies), 2) if latencies else None,
        }
    finally:
        if server is not None:
            server.stop()


LOADS = ("paced", "burst")
#: central without load shedding (`bench.storm`'s naive way): no bound on count or on time, none shed
UNBOUNDED = {ENV_IN_FLIGHT: "100000", ENV_IN_FLIGHT_MB: "100000", ENV_SHED_AFTER: "0"}
KEYS = ("throughput_apps_s", "p50_ms", "p99_ms", "max_ms", "errors", "shed_share", "server_cpu_ms_per_request",
        "client_cpu_ms_per_request")


def over_floor(loads: dict[str, dict[str, Any]]) -> dict[str, float] | None:
    """PostgreSQL's burst against its floor measured in the same invocation (medians): throughput share
    (target >= 0.5) and p99 ratio (target <= 2)."""
    burst, floor = loads.get("postgres_burst"), loads.get("postgres_floor")
    if not burst or not floor:
        return None
    shares = {}
    for prefix, run in (("", burst), ("unbounded_", loads.get("postgres_burst_unbounded"))):
        if run:
            shares[f"{prefix}throughput_share"] = round(
                run["throughput_apps_s"]["median"] / floor["throughput_apps_s"]["median"], 2)
            shares[f"{prefix}p99_ratio"] = round(run["p99_ms"]["median"] / floor["p99_ms"]["median"], 2)
    return shares


def run_loads(workdir: Path, databases: tuple[str, ...], *, pace_s: float = 2.0, count: int = ROUNDS,
              floor: bool = False, **options: Any) -> dict[str, dict[str, Any]]:
    """Each of `databases` ("sqlite", "postgres") × paced and burst, `count` rounds each on a fresh
    database; {"postgres_burst": {"rounds": [...], "p99_ms": {"median", "min", "max"}, ...}, ...}.
    With `floor`, PostgreSQL's burst is followed by the same burst with central's in-flight bound lifted
    ("postgres_burst_unbounded": no batch shed, so no Retry-After wait in its figures) and by
    `bench.ingest_floor`'s bare-psycopg writes of the same rows in the same batches ("postgres_floor"),
    `count` rounds each, in the same cluster."""
    runs: dict[str, list[dict[str, Any]]] = {}
    for name in databases:
        with contextlib.ExitStack() as stack:
            pg = stack.enter_context(start_postgres(workdir / "pg")) if name == "postgres" else None
            for mode in LOADS:
                pace = pace_s if mode == "paced" else 0.0
                runs[f"{name}_{mode}"] = [
                    run_ingest(pg.create_database(f"{mode}_{n}") if pg else f"sqlite:///{workdir / f'{mode}_{n}.db'}",
                               pace_s=pace, **options) for n in range(count)]
            if pg and floor:
                runs["postgres_burst_unbounded"] = [
                    run_ingest(pg.create_database(f"unbounded_{n}"), pace_s=0.0, environment=UNBOUNDED, **options)
                    for n in range(count)]
                runs["postgres_floor"] = [
                    run_floor(pg.create_database(f"floor_{n}"), options.get("terminals", 200),
                              options.get("per_terminal", 50), batch=options.get("batch", 10)) for n in range(count)]
    digits = {key: 3 if key == "shed_share" else 2 if "cpu" in key else 1 for key in KEYS}
    return {run: {"rounds": results, **{key: figure(results, key, digits[key]) for key in KEYS}}
            for run, results in runs.items()}


def print_loads(loads: dict[str, dict[str, Any]]) -> None:
    print(f"  {'run':<24} {'apps/s':>26} {'p50 ms':>26} {'p99 ms':>26} {'errors':>7} {'shed':>7} "
          f"{'server CPU ms/request':>24}")
    for name, f in loads.items():
        shed = sum(r.get("shed", 0) for r in f["rounds"])
        print(f"  {name:<24} {text(f['throughput_apps_s']):>26} {text(f['p50_ms']):>26} {text(f['p99_ms']):>26} "
              f"{sum(r['errors'] for r in f['rounds']):>7} {shed:>7} {text(f['server_cpu_ms_per_request']):>24}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.central_ingest", description=__doc__.split("\n")[0])
    parser.add_argument("--terminals", type=int, default=200)
    parser.add_argument("--per-terminal", type=int, default=50)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--pace", type=float, default=2.0, help="mean seconds between a terminal's batches (paced)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (PostgreSQL)")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="measurements of each load")
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args(argv)
    databases = (args.only,) if args.only else ("sqlite", "postgres")
    with tempfile.TemporaryDirectory(prefix="loket-bench-") as tmp:
        loads = run_loads(Path(tmp), databases, pace_s=args.pace, count=args.rounds, terminals=args.terminals,
                          per_terminal=args.per_terminal, batch=args.batch, workers=args.workers)
    print(f"{args.terminals} terminals x {args.per_terminal} applications, batches of {args.batch}; "
          f"paced = one batch per {args.pace} s per terminal on average, burst = all at once; "
          f"median (min-max) of {args.rounds}")
    print_loads(loads)

    def median(run: str, key: str) -> Any:
        return loads.get(run, {}).get(key, {}).get("median")

    print(json.dumps({
        "pg_ingest_p99_ms": median("postgres_paced", "p99_ms"),
        "sqlite_ingest_p99_ms": median("sqlite_paced", "p99_ms"),
        "pg_burst_p99_ms": median("postgres_burst", "p99_ms"),
        "sqlite_burst_p99_ms": median("sqlite_burst", "p99_ms"),
        "ingest_errors": sum(r["errors"] for f in loads.values() for r in f["rounds"]),
        "throughput": {name: f["throughput_apps_s"]["median"] for name, f in loads.items()},
        "runs": loads,
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
