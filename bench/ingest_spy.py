"""Where the real server's time goes during a PostgreSQL burst: py-spy samples every central worker
process while `bench.central_ingest`'s burst runs against it over HTTP, and the samples are summed by
the part of the request path they fall in.

    python -m bench.ingest_spy [--terminals 200] [--per-terminal 50] [--workers 2] [--out FILE]

Needs `py-spy` (pip) and the right to ptrace the server (root here). py-spy's `--nonblocking` mode
cannot tell a thread waiting in C from one computing, so a sample whose innermost frame is a known
wait (psycopg waiting for the server, a thread pool's idle workers, the event loop with nothing to
do: `WAITS`) is left out; the shares are of the rest, close to CPU. A sample is counted in the first
part, in the order below, that one of its frames belongs to. Prints the parts' shares, then one
line of JSON; `--out` keeps the collapsed stacks (flamegraph input).
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.central_ingest import run_ingest
from central.devserver import start_central
from tests.harness.central import start_postgres

#: (part, substrings of a frame that put a sample in it), first match wins, checked over the whole stack
PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("seal check (libsodium crypto_box_seal_open)", ("open_sealed", "crypto_box_seal_open")),
    ("signature check (Ed25519)", ("verify_request", "crypto_sign")),
    ("body: gzip + JSON + pydantic", ("decode_body", "model_validate_json", "_inflate")),
    ("ingest: checks of form (reference, times)", ("_form_problem", "_sealed_bytes", "_seal_verdict")),
    ("psycopg: params, send, results", ("psycopg/",)),
    ("SQLAlchemy: statement, ORM, session, pool", ("sqlalchemy/",)),
    ("ingest/auth: our own code", ("central/ingest.py", "central/auth.py", "central/api/")),
    ("HTTP: uvicorn, starlette, fastapi, anyio", ("uvicorn/", "starlette/", "fastapi/", "anyio/", "h11", "httptools")),
    ("asyncio event loop", ("asyncio/", "uvloop")),
)


#: innermost frames that mean "waiting", not computing
WAITS = ("Connection.wait", "_send_query_prepared", "_exec_command", "wait_conn", "Condition.wait",
         "Runner.run", "select (", "Queue.get")


def classify(stack: str) -> str:
    for part, needles in PARTS:
        if any(needle in stack for needle in needles):
            return part
    return "other"


def summarize(collapsed: str) -> dict[str, float]:
    """{part: share of the samples} from py-spy's collapsed stacks ("frame;frame;... count" lines)."""
    counts: collections.Counter[str] = collections.Counter()
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit() and not any(wait in stack.rsplit(";", 1)[-1] for wait in WAITS):
            counts[classify(stack)] += int(count)
    total = sum(counts.values()) or 1
    return {part: round(n / total, 3) for part, n in counts.most_common()}


def run(terminals: int, per_terminal: int, workers: int, out: Path | None) -> dict[str, Any]:
    spy = shutil.which("py-spy")
    if spy is None:
        raise SystemExit("py-spy is not installed: pip install py-spy")
    with tempfile.TemporaryDirectory(prefix="loket-spy-") as tmp, start_postgres(Path(tmp) / "pg") as pg:
        db_url = pg.create_database("spy")
        server = start_central(db_url, workers=workers, timeout=180)
        try:
            raws = [Path(tmp) / "spy.txt"]
            spies = [subprocess.Popen([spy, "record", "--pid", str(server.process.pid), "--subprocesses",
                                       "--format", "raw", "--rate", "200", "--nonblocking", "--output", str(raws[0])],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
            figures = run_ingest(server.url, terminals, per_terminal, pace_s=0.0, db_url=db_url)
            for process in spies:
                process.send_signal(2)  # SIGINT: py-spy writes its file and exits
            for process in spies:
                process.wait(timeout=60)
        finally:
            server.stop()
        collapsed = "\n".join(raw.read_text() for raw in raws if raw.exists())
    if out:
        out.write_text(collapsed)
    return {"terminals": terminals, "per_terminal": per_terminal, "workers": workers,
            "throughput_apps_s": figures["throughput_apps_s"], "p99_ms": figures["p99_ms"],
            "server_cpu_ms_per_request": figures["server_cpu_ms_per_request"],
            "client_cpu_ms_per_request": figures["client_cpu_ms_per_request"], "shares": summarize(collapsed)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest_spy", description=__doc__.split("\n")[0])
    parser.add_argument("--terminals", type=int, default=200)
    parser.add_argument("--per-terminal", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, help="keep py-spy's collapsed stacks here")
    args = parser.parse_args(argv)
    result = run(args.terminals, args.per_terminal, args.workers, args.out)
    print(f"burst of {args.terminals} x {args.per_terminal}: {result['throughput_apps_s']} apps/s, p99 "
          f"{result['p99_ms']} ms, server CPU {result['server_cpu_ms_per_request']} ms/request; "
          "share of the server's CPU samples:")
    for part, share in result["shares"].items():
        print(f"  {share * 100:5.1f} %  {part}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
