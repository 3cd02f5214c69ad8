"""Where one upload's time goes inside central, without HTTP: database round trips, statements, CPU.

    python -m bench.ingest_profile [--requests 300] [--batch 10] [--sqlite] [--profile FILE]

Runs `--requests` signed batches one after the other through exactly what the upload endpoint
does (`terminal_transaction`: authenticate, then `ingest`, then commit, guarded by the server's
statement timeout) on a throwaway PostgreSQL (or a SQLite file), and counts per request: SQL
statements sent (SQLAlchemy's cursor executions), round trips to the server (psycopg waits: the
figure that multiplies with load), this process's CPU and PostgreSQL's; then, in a tight loop, the
CPU of one seal opening and one signature check. `--profile FILE` writes a cProfile (cumulative) of
the same run. These counts barely move on a busy machine, unlike wall time. Prints a table, then one
line of JSON.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import io
import json
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

from bench.repeat import tree_cpu_seconds
from central.api.common import decode_body, terminal_transaction
from central.auth import SignedRequest
from central.db import Database
from central.devserver import use_dev_key_file
from central.ingest import ingest
from central.models import RecordPin
from central.offices import enroll
from central.settings import statement_timeout_s
from kiosk.crypto import new_office_keypair, new_terminal_keys, open_sealed, seal_for_office, sign, verify
from kiosk.status_pin import PIN_DIGITS
from sync.protocol import PATH_APPLICATIONS, EnrollRequest, UploadBatch, sign_request
from tests.harness.central import create_test_office, new_enrollment_codes, start_postgres
from tests.harness.simterminal import SAMPLE_ANSWERS, SimulatedTerminal


def _count_round_trips() -> collections.Counter:
    """Counts psycopg's waits for the server (one per round trip) by patching its wait function."""
    import psycopg.connection

    counter: collections.Counter = collections.Counter()
    original = psycopg.connection.Connection.wait

    def counted(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[no-untyped-def]
        counter["round_trips"] += 1
        return original(self, *args, **kwargs)

    psycopg.connection.Connection.wait = counted  # type: ignore[method-assign]
    return counter


def crypto_costs(repeat: int = 500) -> dict[str, float]:
    """CPU milliseconds of one seal opening (what ingest does per application) and one request
    signature check (per upload), each the mean of `repeat` in a tight loop on this process."""
    office = new_office_keypair()
    sealed = seal_for_office(office.public_key, {"service": "SKD", "catalog_version": "2026.11.1",
                                                 "answers": SAMPLE_ANSWERS, "flags": {}})
    keys = new_terminal_keys()
    message = b"POST /api/v1/applications/batch" + bytes(200)
    signature = sign(keys.signing_key, message)

    def cpu_ms(work: Any) -> float:
        began = time.process_time()
        for _ in range(repeat):
            work()
        return round(1000 * (time.process_time() - began) / repeat, 4)

    return {"seal_open_ms": cpu_ms(lambda: open_sealed(office.private_key, sealed)),
            "signature_check_ms": cpu_ms(lambda: verify(keys.verify_key, message, signature))}


def run(db_url: str, requests: int, batch: int, postgres_pid: int | None, profile: Path | None) -> dict[str, Any]:
    db = Database(db_url, statement_timeout_s=statement_timeout_s())  # as the server's workers make it
    office = create_test_office(db_url).code
    sim = SimulatedTerminal("http://unused")
    with db.transaction() as session:
        sim.identity = enroll(session, EnrollRequest(code=new_enrollment_codes(db_url, office, 1)[0],
                                                     verify_key=sim.keys.verify_key))
    # each with its receipt's PIN sealed in, as kiosks send them (ingest stores a verifier for it)
    bodies = [sim.batch_body([sim.application(status_pin=f"{n % 10**PIN_DIGITS:0{PIN_DIGITS}d}")
                              for n in range(batch)]) for _ in range(requests + 1)]
    statements: collections.Counter = collections.Counter()

    @event.listens_for(db.engine, "before_cursor_execute")
    def _statement(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        statements[" ".join(statement.split())[:70]] += 1

    def one(body: bytes) -> None:
        headers = {**sign_request(sim.terminal_id, sim.keys.signing_key, "POST", PATH_APPLICATIONS, body),
                   "content-encoding": "gzip"}
        signed = SignedRequest("POST", PATH_APPLICATIONS, body, headers)
        with terminal_transaction(db, signed) as (session, terminal):
            answer = ingest(session, terminal, decode_body(signed, UploadBatch))
        if any(r.outcome != "accepted" for r in answer.results):
            raise RuntimeError(f"not accepted: {answer.results}")

    one(bodies[0])  # connection made, statements prepared
    statements.clear()
    trips = _count_round_trips() if db_url.startswith("postgresql") else collections.Counter()
    profiler = cProfile.Profile() if profile else None
    pg_before = tree_cpu_seconds(postgres_pid) if postgres_pid else 0.0
    cpu_before, began = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for body in bodies[1:]:
        one(body)
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu_before
    pg_cpu = tree_cpu_seconds(postgres_pid) - pg_before if postgres_pid else None
    if profiler and profile:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(60)
        profile.write_text(text.getvalue())
    result = {
        "database": db_url.split(":")[0], "requests": requests, "batch": batch,
        "statements_per_request": round(sum(statements.values()) / requests, 2),
        "round_trips_per_request": round(trips["round_trips"] / requests, 2) if trips else None,
        "python_cpu_ms_per_request": round(1000 * cpu / requests, 3),
        "postgres_cpu_ms_per_request": round(1000 * pg_cpu / requests, 3) if pg_cpu is not None else None,
        "wall_ms_per_request": round(1000 * wall / requests, 3),
        "statements": {s: round(n / requests, 2) for s, n in statements.most_common()},
    }
    with db.transaction() as session:  # after the counts: not one of the upload's statements
        pins = session.scalar(select(func.count()).select_from(RecordPin))
    db.dispose()
    if pins != (requests + 1) * batch:
        raise RuntimeError(f"{pins} record PIN verifiers stored for {(requests + 1) * batch} applications")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest_profile", description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the run here")
    args = parser.parse_args(argv)
    use_dev_key_file()  # a throwaway key-encryption key, as the other benchmarks' centrals have
    with tempfile.TemporaryDirectory(prefix="loket-ingest-profile-") as tmp:
        if args.sqlite:
            result = run(f"sqlite:///{Path(tmp) / 'central.db'}", args.requests, args.batch, None, args.profile)
        else:
            with start_postgres(Path(tmp) / "pg") as pg:
                pid = int((pg.directory / "data" / "postmaster.pid").read_text().split()[0])
                result = run(pg.create_database("profile"), args.requests, args.batch, pid, args.profile)
    result.update(crypto_costs())
    print(f"{result['requests']} requests of {result['batch']} applications on {result['database']}, per request:")
    for key in ("statements_per_request", "round_trips_per_request", "python_cpu_ms_per_request",
                "postgres_cpu_ms_per_request", "wall_ms_per_request", "seal_open_ms", "signature_check_ms"):
        print(f"  {key:<30} {result[key]}")
    for statement, count in result["statements"].items():
        print(f"    {count:>5}  {statement}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
