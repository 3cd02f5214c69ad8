"""Benchmark: how long a durable submit takes, against the fsync floor, at growing queue depths.

    python -m bench.store [--samples N]

For queue depths 0, 10 000 and 100 000 it times `Store.submit()` (application + outbox row, one
transaction, synchronous=FULL), and in the same run the floor: one bare `sqlite3` INSERT + COMMIT of
a row of the same size, with the same pragmas, in a fresh file. It also times the whole filing path
(`file_application`: validation + sealing + submit) and the bytes on disk per application.
Prints a table, then one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from kiosk.applications import file_application
from kiosk.catalog import DEFAULT_CATALOG, load_catalog
from kiosk.clock import iso, utcnow
from kiosk.crypto import new_office_keypair, new_terminal_keys, seal_for_office
from kiosk.samples import sample_answers
from kiosk.store import Store, TerminalIdentity

DEPTHS = (0, 10_000, 100_000)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(samples_s: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {"p50_ms": round(statistics.median(ms), 3), "p95_ms": round(percentile(ms, 95), 3)}


def new_store(folder: Path, office_key: str) -> Store:
    store = Store.open(folder / "queue.db")
    keys = new_terminal_keys()
    store.save_identity(TerminalIdentity("K7Q2", "3273010001", "Kelurahan Braga", office_key,
                                         keys.signing_key, keys.verify_key))
    return store


def prefill(store: Store, depth: int, sealed: bytes) -> None:
    """Fills the queue fast (one transaction, no fsync per row): only the depth matters here."""
    if not depth:
        return
    now = iso(utcnow())
    conn = store.db.conn
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO applications (id, reference, service_code, catalog_version, created_at, state, updated_at, "
        "flags, sealed) VALUES (?, ?, 'SKD', '2026.11.1', ?, 'queued', ?, '', ?)",
        ((str(uuid.uuid4()), f"PREF-{i:07d}", now, now, sealed) for i in range(depth)),
    )
    conn.execute("INSERT INTO outbox SELECT id, created_at, created_at, 0, NULL FROM applications")
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


WARMUP = 20


def time_submits(store: Store, sealed: bytes, samples: int) -> list[float]:
    for _ in range(WARMUP):
        store.submit("SKD", "2026.11.1", sealed)
    timings = []
    for _ in range(samples):
        start = time.perf_counter()
        store.submit("SKD", "2026.11.1", sealed)
        timings.append(time.perf_counter() - start)
    return timings


def time_floor(folder: Path, row_bytes: int, samples: int) -> list[float]:
    """The same durable insert with bare sqlite3: the cost of the fsync alone, more or less."""
    conn = sqlite3.connect(folder / "floor.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, payload BLOB)")
    payload = os.urandom(row_bytes)
    timings = []
    for n in range(WARMUP + samples):
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t VALUES (?, ?)", (str(uuid.uuid4()), payload))
        conn.execute("COMMIT")
        if n >= WARMUP:
            timings.append(time.perf_counter() - start)
    conn.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args()
    catalog = load_catalog(DEFAULT_CATALOG)
    service = catalog.service("SKD")
    office = new_office_keypair()
    sealed = seal_for_office(office.public_key, {"service": "SKD", "answers": sample_answers(service)})
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="bench-store-", dir=os.environ.get("BENCH_TMP")) as tmp:
        base = Path(tmp)
        floor = summary(time_floor(base, len(sealed) + 200, args.samples))
        per_depth = {}
        bytes_per_application = None
        for depth in DEPTHS:
            folder = base / f"depth-{depth}"
            folder.mkdir()
            store = new_store(folder, office.public_key)
            prefill(store, depth, sealed)
            per_depth[depth] = summary(time_submits(store, sealed, args.samples))
            if depth == DEPTHS[-1]:
                store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                bytes_per_application = round(store.db_bytes() / (depth + WARMUP + args.samples))
            store.close()
        folder = base / "full-path"
        folder.mkdir()
        store = new_store(folder, office.public_key)
        answers = sample_answers(service)
        full = []
        for _ in range(args.samples):
            start = time.perf_counter()
            file_application(store, catalog, "SKD", answers)
            full.append(time.perf_counter() - start)
        full_path = summary(full)
        store.close()

    print(f"{'what':<34}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'bare sqlite3 floor':<34}{floor['p50_ms']:>10}{floor['p95_ms']:>10}")
    for depth, s in per_depth.items():
        print(f"{f'Store.submit at depth {depth:,}':<34}{s['p50_ms']:>10}{s['p95_ms']:>10}")
    print(f"{'file_application (validate+seal)':<34}{full_path['p50_ms']:>10}{full_path['p95_ms']:>10}")
    print(f"bytes on disk per application: {bytes_per_application}")
    results = {
        "samples": args.samples,
        "floor_p50_ms": floor["p50_ms"],
        "floor_p95_ms": floor["p95_ms"],
        "submit_p50_ms": per_depth[0]["p50_ms"],
        "submit_p95_ms": per_depth[0]["p95_ms"],
        "submit_p95_ms_by_depth": {str(d): s["p95_ms"] for d, s in per_depth.items()},
        "submit_p95_over_floor": round(per_depth[0]["p95_ms"] / floor["p95_ms"], 2),
        "p95_depth_100k_over_0": round(per_depth[100_000]["p95_ms"] / per_depth[0]["p95_ms"], 2),
        "file_application_p95_ms": full_path["p95_ms"],
        "bytes_per_application": bytes_per_application,
    }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
