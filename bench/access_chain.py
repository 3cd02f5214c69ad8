"""What the access log's hash chain costs (central.access_chain), on a SQLite central in a temp dir:

- writing: entries added through the ORM (chained on flush, head row read and updated) against the
  same rows inserted with plain SQL that bypasses the chain (the floor), 100 entries a transaction;
- verifying: `verify_office` over the whole office chain (what the console's access-log page does on
  each view) against reading the same rows with one SELECT (the floor).

    .venv/bin/python -m bench.access_chain [--entries 20000]

Each measurement three times in one invocation; median (min–max), the ratio to the floor, one JSON line.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

from bench.repeat import rounds, spread, text
from central import access_chain
from central.db import Database
from central.devserver import use_dev_key_file
from central.models import AccessLogEntry, utcnow
from central.offices import create_office

PER_TRANSACTION = 100


def _rows(office_id: int, count: int) -> list[dict]:
    return [{"at": utcnow(), "username": "siti", "office_id": office_id, "action": "personal_data.opened",
             "reference": f"K7Q2-2611-{n % 10000:04d}-X", "detail": "processing"} for n in range(count)]


def measure(entries: int, folder: Path, run: int) -> dict[str, float]:
    db = Database(f"sqlite:///{folder / f'chain-{run}.db'}")
    with db.transaction() as session:
        chained = create_office(session, f"C{run}", "Kelurahan Chained").id
        plain = create_office(session, f"P{run}", "Kelurahan Plain").id
    started = time.perf_counter()
    for first in range(0, entries, PER_TRANSACTION):
        with db.transaction() as session:
            session.add_all(AccessLogEntry(**row) for row in _rows(chained, min(PER_TRANSACTION, entries - first)))
    chained_s = time.perf_counter() - started
    started = time.perf_counter()
    for first in range(0, entries, PER_TRANSACTION):
        with db.transaction() as session:  # Core insert: no ORM flush, so no chaining (the floor)
            session.execute(insert(AccessLogEntry), _rows(plain, min(PER_TRANSACTION, entries - first)))
    plain_s = time.perf_counter() - started
    with db.transaction() as session:
        started = time.perf_counter()
        report = access_chain.verify_office(session, chained, f"C{run}")
        verify_s = time.perf_counter() - started
        assert report.holds and report.entries == entries
        started = time.perf_counter()
        read = len(session.scalars(select(AccessLogEntry).where(AccessLogEntry.office_id == chained)).all())
        read_s = time.perf_counter() - started
        assert read == entries
    db.dispose()
    return {"write_chained_us": chained_s / entries * 1e6, "write_plain_us": plain_s / entries * 1e6,
            "verify_ms": verify_s * 1e3, "read_ms": read_s * 1e3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20000)
    args = parser.parse_args()
    use_dev_key_file()
    with tempfile.TemporaryDirectory(prefix="bench-chain-") as folder:
        runs = rounds(lambda n: measure(args.entries, Path(folder), n))
    result = {key: spread(r[key] for r in runs) for key in runs[0]}
    write_ratio = spread(r["write_chained_us"] / r["write_plain_us"] for r in runs)
    verify_ratio = spread(r["verify_ms"] / r["read_ms"] for r in runs)
    print(f"{args.entries} entries, {PER_TRANSACTION} per transaction, SQLite")
    print(f"write, chained : {text(result['write_chained_us'], ' us')} per entry")
    print(f"write, plain   : {text(result['write_plain_us'], ' us')} per entry (floor)  "
          f"ratio {text(write_ratio, 'x')}")
    print(f"verify office  : {text(result['verify_ms'], ' ms')}")
    print(f"read same rows : {text(result['read_ms'], ' ms')} (floor)   ratio {text(verify_ratio, 'x')}")
    print(json.dumps({"bench": "access_chain", "entries": args.entries, **result, "write_ratio": write_ratio,
                      "verify_ratio": verify_ratio}))


if __name__ == "__main__":
    main()
