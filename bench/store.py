"""Benchmark: how long a durable submit takes, against the fsync floor, at growing queue depths.

    python -m bench.store [--samples N] [--rounds 3]

For queue depths 0, 10 000 and 100 000 it times `Store.submit()` (application + outbox row, one
transaction, synchronous=FULL), and in the same run the floor: one bare `sqlite3` INSERT + COMMIT of
a row of the same size, with the same pragmas, in a fresh file. Each queue is filled once (with
ids made the way `submit` makes them); then `--rounds` times: `--samples` floor inserts and as many
submits at each depth, taking turns of 50, so a slow moment of the disk hits the floor and every
depth alike; the ratios are per round, reported as median (min-max). It also counts the WAL pages one submit writes at
each depth (what the fsync has to carry, and what no neighbour's disk traffic changes), times the
whole filing path (`file_application`: validation + sealing + submit) and the bytes on disk per
application. Prints a table, then one line of JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sqlite3
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from bench.repeat import ROUNDS, percentile, spread, text
from kiosk.applications import file_application
from kiosk.catalog import DEFAULT_CATALOG, load_catalog
from kiosk.clock import iso, utcnow
from kiosk.crypto import new_office_keypair, new_terminal_keys, seal_for_office
from kiosk.ids import time_ordered_uuid
from kiosk.reference import make_reference
from kiosk.samples import sample_answers
from kiosk.store import Store, TerminalIdentity

DEPTHS = (0, 10_000, 100_000)


def summary(samples_s: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {"p50_ms": round(statistics.median(ms), 3), "p95_ms": round(percentile(ms, 95), 3)}


def new_store(folder: Path, office_key: str) -> Store:
    store = Store.open(folder / "queue.db")
    keys = new_terminal_keys()
    store.save_identity(TerminalIdentity("K7Q2", "3273010001", "Kelurahan Braga", office_key,
                                         keys.signing_key, keys.verify_key))
    return store


def _earlier_reference(back: int, per_month: int = 5000) -> str:
    """The reference of the application filed `back` applications ago (5 000 a month, the months before
    this one), so the queue's references sort as a terminal's own do."""
    months_back = (back - 1) // per_month + 1
    today = dt.date.today()
    year, month = divmod(today.year * 12 + today.month - 1 - months_back, 12)
    return make_reference("K7Q2", dt.date(year, month + 1, 1), per_month - (back - 1) % per_month)


def prefill(store: Store, depth: int, sealed: bytes) -> None:
    """Fills the queue fast (one transaction, no fsync per row): only the depth matters here."""
    if not depth:
        return
    now = iso(utcnow())
    first_ms = time.time_ns() // 1_000_000 - 60_000 * depth  # a minute apart, as a busy office files them
    conn = store.db.conn
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO applications (id, reference, service_code, catalog_version, created_at, state, updated_at, "
        "flags, sealed) VALUES (?, ?, 'SKD', '2026.11.1', ?, 'queued', ?, '', ?)",
        ((time_ordered_uuid(first_ms + 60_000 * i), _earlier_reference(depth - i), now, now, sealed)
         for i in range(depth)),
    )
    conn.execute("INSERT INTO outbox SELECT id, created_at, created_at, 0, NULL FROM applications")
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


WARMUP = 20


def wal_pages_per_submit(store: Store, sealed: bytes, submits: int = 50) -> float:
    """WAL frames one submit appends (checkpoints held off while counting)."""
    conn = store.db.conn
    wal = Path(store.db.conn.execute("PRAGMA database_list").fetchone()[2] + "-wal")
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    autocheckpoint = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    before = wal.stat().st_size if wal.exists() else 0
    for _ in range(submits):
        store.submit("SKD", "2026.11.1", sealed)
    frames = (wal.stat().st_size - max(before, 32)) / (page + 24)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute(f"PRAGMA wal_autocheckpoint = {autocheckpoint}")
    return round(frames / submits, 2)


def time_submits(store: Store, sealed: bytes, samples: int, warmup: int = WARMUP) -> list[float]:
    for _ in range(warmup):
        store.submit("SKD", "2026.11.1", sealed)
    timings = []
    for _ in range(samples):
        start = time.perf_counter()
        store.submit("SKD", "2026.11.1", sealed)
        timings.append(time.perf_counter() - start)
    return timings


class Floor:
    """The same durable insert with bare sqlite3 and the same pragmas, in a fresh file: the cost of the
    fsync alone, more or less."""

    def __init__(self, path: Path, row_bytes: int) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, payload BLOB)")
        self.payload = os.urandom(row_bytes)
        for _ in range(WARMUP):
            self.insert()

    def insert(self) -> float:
        start = time.perf_counter()
        self.conn.execute("BEGIN")
        self.conn.execute("INSERT INTO t VALUES (?, ?)", (str(uuid.uuid4()), self.payload))
        self.conn.execute("COMMIT")
        return time.perf_counter() - start

    def close(self) -> None:
        self.conn.close()


def time_blocks(floor: Floor, store: Store, sealed: bytes, samples: int) -> tuple[list[float], list[float]]:
    """The way this benchmark measured before taking turns: `samples` floor inserts, then `samples`
    submits. Kept for comparison: a slow spell of the disk lands on one block only."""
    floor_s = [floor.insert() for _ in range(samples)]
    return floor_s, time_submits(store, sealed, samples, warmup=0)


#: samples per turn when floor and depths take turns: short enough that a slow spell of the disk
#: (seconds) spans the turns of all of them, long enough that switching files (each fsync may carry
#: the other files' pending metadata in the file system's journal) touches 1 commit in 50
TURN = 50


def time_in_turns(floor: Floor, stores: dict[int, Store], sealed: bytes, samples: int
                  ) -> tuple[list[float], dict[int, list[float]]]:
    """`samples` floor inserts and `samples` submits at each depth, taking turns of `TURN`: a slow
    moment of the disk falls on the floor and every depth alike, instead of on whichever block of
    1 000 was running then."""
    floor_s: list[float] = []
    submit_s: dict[int, list[float]] = {depth: [] for depth in stores}
    for done in range(0, samples, TURN):
        turn = min(TURN, samples - done)
        floor_s += [floor.insert() for _ in range(turn)]
        for depth, store in stores.items():
            submit_s[depth] += time_submits(store, sealed, turn, warmup=0)
    return floor_s, submit_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000, help="submits per depth and round")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    catalog = load_catalog(DEFAULT_CATALOG)
    service = catalog.service("SKD")
    office = new_office_keypair()
    sealed = seal_for_office(office.public_key, {"service": "SKD", "answers": sample_answers(service)})
    with tempfile.TemporaryDirectory(prefix="bench-store-", dir=os.environ.get("BENCH_TMP")) as tmp:
        base = Path(tmp)
        stores: dict[int, Store] = {}
        pages: dict[int, float] = {}
        for depth in DEPTHS:
            folder = base / f"depth-{depth}"
            folder.mkdir()
            stores[depth] = new_store(folder, office.public_key)
            prefill(stores[depth], depth, sealed)
            time_submits(stores[depth], sealed, 0)  # warm-up: caches and the sequence row
            pages[depth] = wal_pages_per_submit(stores[depth], sealed)
        rounds = []
        for n in range(args.rounds):
            bare = Floor(base / f"floor-{n}.db", len(sealed) + 200)
            floor_s, submit_s = time_in_turns(bare, stores, sealed, args.samples)
            bare.close()
            floor = summary(floor_s)
            per_depth = {depth: summary(timings) for depth, timings in submit_s.items()}
            bare = Floor(base / f"floor-blocks-{n}.db", len(sealed) + 200)
            block_floor, block_submit = (summary(t) for t in time_blocks(bare, stores[0], sealed, args.samples))
            bare.close()
            rounds.append({"floor": floor, "depths": per_depth,
                           "submit_p95_over_floor": per_depth[0]["p95_ms"] / floor["p95_ms"],
                           "blocks": {"floor": block_floor, "submit": block_submit},
                           "submit_p95_over_floor_blocks": block_submit["p95_ms"] / block_floor["p95_ms"],
                           "p95_depth_100k_over_0": per_depth[100_000]["p95_ms"] / per_depth[0]["p95_ms"]})
        deepest = stores[DEPTHS[-1]]
        deepest.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        bytes_per_application = round(deepest.db_bytes() / (DEPTHS[-1] + WARMUP + 50 + args.rounds * args.samples))
        for store in stores.values():
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

    def over(key: str) -> dict[str, float | None]:
        return spread((r[key] for r in rounds), 2)

    def ms(pick) -> dict[str, float | None]:  # type: ignore[no-untyped-def]
        return spread(pick(r) for r in rounds)

    floor_p50, floor_p95 = ms(lambda r: r["floor"]["p50_ms"]), ms(lambda r: r["floor"]["p95_ms"])
    print(f"median (min-max) of {args.rounds} rounds of {args.samples}")
    print(f"{'what':<34}{'p50 ms':>26}{'p95 ms':>26}{'WAL pages':>11}")
    print(f"{'bare sqlite3 floor':<34}{text(floor_p50):>26}{text(floor_p95):>26}")
    by_depth = {}
    for depth in DEPTHS:
        p50 = ms(lambda r, d=depth: r["depths"][d]["p50_ms"])
        by_depth[depth] = ms(lambda r, d=depth: r["depths"][d]["p95_ms"])
        print(f"{f'Store.submit at depth {depth:,}':<34}{text(p50):>26}{text(by_depth[depth]):>26}{pages[depth]:>11}")
    print(f"{'file_application (validate+seal)':<34}{full_path['p50_ms']:>26}{full_path['p95_ms']:>26}")
    blocks_floor = ms(lambda r: r["blocks"]["floor"]["p95_ms"])
    blocks_submit = ms(lambda r: r["blocks"]["submit"]["p95_ms"])
    print(f"submit p95 / floor p95: {text(over('submit_p95_over_floor'))};  "
          f"p95 at 100 000 / at 0: {text(over('p95_depth_100k_over_0'))}")
    print(f"in blocks (1 000 floor, then 1 000 submits at depth 0; the older way): "
          f"floor p95 {text(blocks_floor)} ms, submit p95 {text(blocks_submit)} ms, "
          f"ratio {text(over('submit_p95_over_floor_blocks'))}")
    print(f"bytes on disk per application: {bytes_per_application}")
    print(json.dumps({
        "submit_p95_over_floor": over("submit_p95_over_floor")["median"],
        "p95_depth_100k_over_0": over("p95_depth_100k_over_0")["median"],
        "floor_p95_ms": floor_p95["median"], "submit_p95_ms": by_depth[0]["median"],
        "submit_p95_over_floor_blocks": over("submit_p95_over_floor_blocks")["median"],
        "submit_p95_ms_by_depth": {str(d): s["median"] for d, s in by_depth.items()},
        "wal_pages_per_submit_by_depth": {str(d): p for d, p in pages.items()},
        "file_application_p95_ms": full_path["p95_ms"],
        "bytes_per_application": bytes_per_application,
        "samples": args.samples, "rounds": args.rounds,
        "spread": {"submit_p95_over_floor": over("submit_p95_over_floor"),
                   "p95_depth_100k_over_0": over("p95_depth_100k_over_0"), "floor_p95_ms": floor_p95,
                   "submit_p95_over_floor_blocks": over("submit_p95_over_floor_blocks"),
                   **{f"submit_p95_ms_depth_{d}": s for d, s in by_depth.items()}},
        "per_round": rounds,
    }))


if __name__ == "__main__":
    main()
