"""`loket sync`: send the queue to central now (`--once`) or keep syncing in the foreground."""

from __future__ import annotations

import argparse
import dataclasses
import time

from loket.cli.common import print_json
from loket.runtime import Runtime


def register(commands: argparse._SubParsersAction) -> None:
    sync = commands.add_parser("sync", help="sync with central: one round now (--once) or keep going")
    mode = sync.add_mutually_exclusive_group(required=True)
    mode.add_argument("--once", action="store_true",
                      help="one round now, sending every queued application even if it is backing off")
    mode.add_argument("--watch", action="store_true", help="keep syncing in the foreground until Ctrl-C")
    sync.add_argument("--json", action="store_true", help="print the round's report as JSON")
    sync.add_argument("--retry-rejected", action="store_true",
                      help="first put applications central rejected back in the queue (once central is fixed)")
    sync.set_defaults(func=sync_command)


def sync_command(args: argparse.Namespace) -> int:
    runtime = Runtime(args.home)
    terminal = runtime.terminal
    if args.retry_rejected:
        count = terminal.store.requeue_rejected()
        terminal.store.record_audit("sync.requeued_rejected", f"{count} rejected applications queued again",
                                    actor="technician")
        print(f"queued again:   {count} rejected application(s)")
    worker = runtime.sync_worker()
    if args.once:
        report = worker.run_once(force=True)
        if args.json:
            print_json(dataclasses.asdict(report) | {"ok": report.ok})
        else:
            print("\n".join(report.lines()))
        return 0 if report.ok else 1
    worker.start()
    shown = None
    try:
        while worker.running:
            time.sleep(0.5)
            if worker.last_report is not None and worker.last_report is not shown:
                shown = worker.last_report
                print(f"{shown.started_at:%H:%M:%S}  {shown.summary()}  (queued {shown.remaining})", flush=True)
    finally:
        worker.stop()
    return 1
