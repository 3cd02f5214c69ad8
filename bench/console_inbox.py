"""Benchmark: the office console's inbox with 100 000 applications in one office.

    python -m bench.console_inbox [--applications 100000] [--requests 60] [--only sqlite|postgres] [--no-naive]

Fills one office straight through SQLAlchemy (a realistic mix: three months of filing, most done,
a few hundred open and some overdue, ten services), starts the real central on it, logs in as a
supervisor and asks for the inbox views staff use — the default (open, due soonest first), every
status, a page deep in the list, overdue only, one service, a search by reference — round-robin.

Measured: the server's own time per request (its `Server-Timing: app;dur=` header, first byte), p95
per run, 3 runs; printed as the median with min/max. In the same run: the floor (the login page,
a template with no query) and the naive way (the same views with the console's indexes dropped),
each as a ratio. Target: p95 <= 300 ms on SQLite and on PostgreSQL. Ends with one line of JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import insert, text

from bench.repeat import percentile
from central.console.accounts import add_staff
from central.db import Database
from central.devserver import start_central
from central.models import Application, Terminal
from central.office_profile import load_profile
from central.offices import create_office, current_key
from kiosk.reference import make_reference
from tests.harness.central import start_postgres

OFFICE = "3273010001"
PASSWORD = "bench-password-123"
RUNS = 3
TARGET_MS = 300.0
# the console's own indexes; (office_id, reference) is a unique key since migration 0019 and stays
CONSOLE_INDEXES = ("ix_applications_office_status_due", "ix_applications_office_filed")


def fill(db_url: str, count: int, seed: int = 7) -> None:
    """One office with `count` applications from one terminal, and a supervisor account."""
    rng = random.Random(seed)
    db = Database(db_url)
    now = dt.datetime.now(dt.UTC)
    with db.transaction() as session:
        office = create_office(session, OFFICE, "Kelurahan Braga")
        key_id = current_key(session, office).id
        terminal = Terminal(id=str(uuid.uuid4()), code="BNCH", office_id=office.id, verify_key="x" * 44,
                            enrolled_at=now - dt.timedelta(days=120))
        session.add(terminal)
        add_staff(session, OFFICE, "bench", "supervisor", PASSWORD)
        profile = load_profile(session, office)
    services = sorted(profile.services)
    rows: list[dict[str, Any]] = []
    for n in range(count):
        filed = now - dt.timedelta(minutes=rng.uniform(0, 90 * 24 * 60))
        age_days = (now - filed).days
        status = ("received" if rng.random() < 0.6 else "in_process") if age_days < 3 or rng.random() < 0.004 else \
            rng.choices(("done", "declined", "ready"), (85, 10, 5))[0]
        service = rng.choice(services)
        rows.append({"id": str(uuid.uuid4()), "reference": make_reference("BNCH", filed.date(), n + 1),
                     "terminal_id": terminal.id, "office_id": office.id, "service_code": service,
                     "catalog_version": "2026.11.1", "filed_at": filed, "received_at": filed, "flags": "",
                     "sealed": b"\x00" * 200, "office_key_id": key_id, "status": status, "status_at": filed,
                     "due_on": profile.due_on(service, filed)})
        if len(rows) == 5000:
            with db.transaction() as session:
                session.execute(insert(Application), rows)
            rows = []
    if rows:
        with db.transaction() as session:
            session.execute(insert(Application), rows)
    if db_url.startswith("postgresql"):
        vacuum_analyze(db)
    else:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    db.dispose()


def fill_other_offices(db_url: str, rows: int, offices: int = 99, chunk: int = 1_000_000) -> float:
    """PostgreSQL: `rows` more applications spread over `offices` other offices, made by the database
    itself (generate_series, `chunk` rows per statement), so the inbox is measured in a large table.
    Returns the seconds it took."""
    started = time.perf_counter()
    db = Database(db_url, migrate_schema=False)
    with db.transaction() as session:
        made = [create_office(session, f"9{n:09d}", f"Kelurahan {n}") for n in range(offices)]
        session.flush()
        office_ids = [o.id for o in made]
        key_id = current_key(session, made[0]).id
        terminal = Terminal(id=str(uuid.uuid4()), code="GENR", office_id=office_ids[0], verify_key="x" * 44,
                            enrolled_at=dt.datetime.now(dt.UTC))
        session.add(terminal)
    with db.engine.begin() as connection:  # built once after the fill: far faster than row by row
        rebuild = _drop_keys_and_indexes(connection)
    for first in range(0, rows, chunk):
        with db.engine.begin() as connection:
            connection.execute(text("""
                INSERT INTO applications (id, reference, terminal_id, office_id, service_code, catalog_version,
                    filed_at, received_at, flags, sealed, office_key_id, status, status_at, due_on)
                SELECT md5('gen' || g)::uuid::text, 'G' || g, :terminal, (:offices)[1 + g % :count], 'SKD',
                       '2026.11.1',
                       now() - (g % 7776000) * interval '1 second', now() - (g % 7776000) * interval '1 second', '',
                       decode(repeat('00', 200), 'hex'), :key,
                       CASE WHEN g % 250 = 0 THEN 'received' ELSE 'done' END, now(),
                       current_date + CAST(g % 20 AS integer)
                FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS g"""),
                {"terminal": terminal.id, "offices": office_ids, "count": len(office_ids), "key": key_id,
                 "first": first + 1, "last": min(rows, first + chunk)})
    with db.engine.begin() as connection:
        connection.exec_driver_sql("SET maintenance_work_mem = '256MB'")
        for statement in rebuild:
            connection.exec_driver_sql(statement)
    vacuum_analyze(db)
    db.dispose()
    return time.perf_counter() - started


def _drop_keys_and_indexes(connection: Any) -> list[str]:
    """Drops the applications table's indexes, its primary and unique keys and the foreign keys that
    point at it; returns the statements that make them again, in order (keys, indexes, foreign keys)."""
    keys = connection.execute(text(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'applications'::regclass AND contype IN ('p', 'u')")).all()
    foreign = connection.execute(text(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE confrelid = 'applications'::regclass AND contype = 'f'")).all()
    indexes = connection.execute(text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'applications' AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = 'applications'::regclass)")).all()
    for table, name, _ in foreign:
        connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    for name, _ in keys:
        connection.exec_driver_sql(f'ALTER TABLE applications DROP CONSTRAINT "{name}"')
    return ([f'ALTER TABLE applications ADD CONSTRAINT "{name}" {definition}' for name, definition in keys]
            + [definition for _, definition in indexes]
            + [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in foreign])


def vacuum_analyze(db: Database) -> None:
    """VACUUM ANALYZE (outside a transaction), as autovacuum does after a table's inserts (PostgreSQL 13+):
    statistics, and the visibility map that lets the inbox's counts read only the index."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")


def views(http: requests.Session, base: str) -> list[str]:
    """The inbox URLs staff use; the search looks for a reference of an open application."""
    first = http.get(f"{base}/staff", timeout=60).text
    reference = re.search(r'class="ref">([0-9A-Z-]+)<', first)
    q = reference[1][-9:] if reference else "0001"
    return ["/staff", "/staff?status=all", "/staff?status=all&page=50", "/staff?overdue=1", "/staff?service=SKD",
            f"/staff?q={q}", "/staff?status=done&page=10", "/staff?status=in_process"]


def server_ms(answer: requests.Response) -> float:
    timing = answer.headers.get("server-timing", "")
    found = re.search(r"dur=([0-9.]+)", timing)
    if answer.status_code != 200 or not found:
        raise RuntimeError(f"{answer.url}: {answer.status_code}, no server time")
    return float(found[1])


def measure(http: requests.Session, base: str, paths: list[str], requests_per_run: int) -> list[float]:
    """p95 server milliseconds of each of `RUNS` runs of `requests_per_run` requests (round-robin)."""
    p95s = []
    for _ in range(RUNS):
        times = [server_ms(http.get(base + paths[i % len(paths)], timeout=120)) for i in range(requests_per_run)]
        p95s.append(percentile(times, 95))
    return p95s


def log_in(base: str) -> requests.Session:
    http = requests.Session()
    form = http.get(f"{base}/staff/login", timeout=30).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)[1]  # type: ignore[index]
    answer = http.post(f"{base}/staff/login", timeout=30,
                       data={"username": "bench", "password": PASSWORD, "csrf": csrf, "next": "/staff"})
    if not answer.url.endswith("/staff"):
        raise RuntimeError("the bench account could not log in")
    return http


def stats(p95s: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(p95s), 1), "min_ms": round(min(p95s), 1),
            "max_ms": round(max(p95s), 1)}


def run_inbox(db_url: str, applications: int, requests_per_run: int, naive: bool, others: int = 0) -> dict[str, Any]:
    started = time.perf_counter()
    fill(db_url, applications)
    filled_s = time.perf_counter() - started
    others_s = fill_other_offices(db_url, others) if others else 0.0
    server = start_central(db_url)
    try:
        http = log_in(server.url)
        paths = views(http, server.url)
        for path in paths:  # warm: due dates filled, caches and plans primed
            server_ms(http.get(server.url + path, timeout=300))
        inbox = measure(http, server.url, paths, requests_per_run)
        floor = measure(http, server.url, ["/staff/login"], requests_per_run)
        result: dict[str, Any] = {"applications": applications, "fill_s": round(filled_s, 1),
                                  "other_offices_applications": others, "other_fill_s": round(others_s, 1),
                                  "inbox_p95": stats(inbox), "floor_p95": stats(floor),
                                  "inbox_over_floor": round(statistics.median(inbox) / max(statistics.median(floor),
                                                                                           0.01), 1),
                                  "meets_target": statistics.median(inbox) <= TARGET_MS}
        if naive:
            db = Database(db_url, migrate_schema=False)
            with db.engine.begin() as connection:
                for index in CONSOLE_INDEXES:
                    connection.execute(text(f"DROP INDEX {index}"))
            db.dispose()
            without = measure(http, server.url, paths, max(len(paths), requests_per_run // 3))
            result["naive_p95"] = stats(without)
            result["naive_over_indexed"] = round(statistics.median(without) / max(statistics.median(inbox), 0.01), 1)
        http.close()
        return result
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.console_inbox", description=__doc__.split("\n")[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=60, help="requests per run (round-robin over the views)")
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--no-naive", action="store_true", help="skip the run without the console's indexes")
    parser.add_argument("--other-offices", type=int, default=0, metavar="ROWS",
                        help="PostgreSQL: this many more applications in 99 other offices (generate_series), "
                             "e.g. 9900000 for 10 million in the table")
    args = parser.parse_args(argv)
    runs: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="loket-bench-") as tmp:
        if args.only != "postgres":
            runs["sqlite"] = run_inbox(f"sqlite:///{Path(tmp) / 'inbox.db'}", args.applications, args.requests,
                                       not args.no_naive)
        if args.only != "sqlite":
            with start_postgres(Path(tmp) / "pg") as pg:
                runs["postgres"] = run_inbox(pg.create_database("inbox"), args.applications, args.requests,
                                             not args.no_naive, args.other_offices)
    if args.other_offices:
        print(f"(PostgreSQL: {args.other_offices} more applications in 99 other offices, in the same table)")
    print(f"inbox of one office with {args.applications} applications; server time p95 per run of "
          f"{args.requests} requests, {RUNS} runs: median (min-max); target <= {TARGET_MS:.0f} ms")
    for name, r in runs.items():
        line = (f"{name:<9} inbox {r['inbox_p95']['median_ms']} ms ({r['inbox_p95']['min_ms']}-"
                f"{r['inbox_p95']['max_ms']})  floor {r['floor_p95']['median_ms']} ms  x{r['inbox_over_floor']}")
        if "naive_p95" in r:
            line += f"  without indexes {r['naive_p95']['median_ms']} ms (x{r['naive_over_indexed']})"
        print(line)
    print(json.dumps({"sqlite_inbox_p95_ms": runs.get("sqlite", {}).get("inbox_p95", {}).get("median_ms"),
                      "pg_inbox_p95_ms": runs.get("postgres", {}).get("inbox_p95", {}).get("median_ms"),
                      "target_ms": TARGET_MS, "runs": runs}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
