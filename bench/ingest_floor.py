"""The floor under central's PostgreSQL ingest: the same rows, in the same batches, written with bare
psycopg — one transaction per batch, durable commit, as many connections as central's pool — by as
many threads as there are terminals, all at once (the burst). No HTTP, no signature, no JSON, no
seal opening, no SQLAlchemy: what is left is what PostgreSQL itself needs.

`run_floor(db_url, terminals, per_terminal, batch, connections)` returns the figures `run_ingest`
returns (throughput, p50/p99 per batch, errors), so `bench.sync` prints the burst as a share of it.
"""

from __future__ import annotations

import datetime as dt
import queue
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg

from bench.repeat import percentile
from central.db import Database
from central.ingest import _PG_INSERT_NEW
from central.models import Terminal
from central.offices import create_office, current_key
from central.settings import DEFAULT_CONNECTIONS
from kiosk.crypto import seal_for_office
from kiosk.reference import make_reference
from tests.harness.simterminal import SAMPLE_ANSWERS

#: central's own statement, with psycopg's placeholders: the floor writes exactly what central writes
STATEMENT = _PG_INSERT_NEW


def _setup(db_url: str, terminals: int) -> tuple[int, int, list[str], bytes]:
    """An office, its key, `terminals` terminal rows, and a sealed blob of a real application's size."""
    db = Database(db_url)
    try:
        with db.transaction() as session:
            office = create_office(session, f"F{uuid.uuid4().hex[:9]}", "Floor")
            key = current_key(session, office)
            ids = [str(uuid.uuid4()) for _ in range(terminals)]
            session.add_all(Terminal(id=i, code=f"{n:04d}", office_id=office.id, verify_key="x" * 44,
                                     enrolled_at=dt.datetime.now(dt.UTC)) for n, i in enumerate(ids))
            office_id, key_id, public_key = office.id, key.id, key.public_key
    finally:
        db.dispose()
    sealed = seal_for_office(public_key, {"service": "SKD", "catalog_version": "2026.11.1",
                                          "answers": SAMPLE_ANSWERS, "flags": {}})
    return office_id, key_id, ids, sealed


def run_floor(db_url: str, terminals: int = 200, per_terminal: int = 50, *, batch: int = 10,
              connections: int = DEFAULT_CONNECTIONS) -> dict[str, Any]:
    office_id, key_id, terminal_ids, sealed = _setup(db_url, terminals)
    conninfo = Database(db_url, migrate_schema=False).engine.url.render_as_string(hide_password=False).replace(
        "postgresql+psycopg://", "postgresql://")
    pool: queue.Queue[psycopg.Connection] = queue.Queue()
    for _ in range(connections):
        pool.put(psycopg.connect(conninfo))
    today = dt.date.today()

    def batches(n: int) -> list[dict[str, Any]]:
        code = f"{n:04d}"
        out = []
        for start in range(0, per_terminal, batch):
            size = min(batch, per_terminal - start)
            out.append({"terminal_id": terminal_ids[n], "office_id": office_id, "status": "received",
                        "ids": [str(uuid.uuid4()) for _ in range(size)],
                        "refs": [make_reference(code, today, start + k + 1) for k in range(size)],
                        "services": ["SKD"] * size, "versions": ["2026.11.1"] * size,
                        "filed": [dt.datetime.now(dt.UTC)] * size, "flags": [""] * size,
                        "sealed": [sealed] * size, "keys": [key_id] * size, "due": [today] * size})
        return out

    prepared = [batches(n) for n in range(terminals)]
    start = threading.Barrier(terminals + 1)

    def drain(work: list[dict[str, Any]]) -> tuple[list[float], int]:
        latencies, written = [], 0
        start.wait()
        for params in work:
            began = time.perf_counter()
            conn = pool.get()
            try:
                with conn.transaction():
                    written += len(conn.execute(STATEMENT, {**params, "now": dt.datetime.now(dt.UTC)}).fetchall())
            finally:
                pool.put(conn)
            latencies.append(time.perf_counter() - began)
        return latencies, written

    with ThreadPoolExecutor(terminals) as executor:
        futures = [executor.submit(drain, work) for work in prepared]
        start.wait()
        began = time.perf_counter()
        results = [f.result() for f in futures]
        elapsed = time.perf_counter() - began
    while not pool.empty():
        pool.get().close()
    latencies = [lat * 1000 for lats, _ in results for lat in lats]
    written = sum(w for _, w in results)
    return {"mode": "floor", "terminals": terminals, "per_terminal": per_terminal, "batch": batch,
            "connections": connections, "requests": len(latencies), "applications": terminals * per_terminal,
            "accepted": written, "errors": terminals * per_terminal - written, "seconds": round(elapsed, 3),
            "throughput_apps_s": round(written / elapsed, 1), "p50_ms": round(statistics.median(latencies), 1),
            "p99_ms": round(percentile(latencies, 99), 1), "max_ms": round(max(latencies), 1)}
