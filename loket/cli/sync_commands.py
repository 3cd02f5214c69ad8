"""`loket sync`: send the queue to central now (`--once`) or keep syncing in the foreground (`--watch`,
what loket-sync.service runs). Either takes the terminal's sync lock first (`loket.synclock`): while
another process syncs this terminal, `--once` asks it to sync now instead, and `--watch` waits.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import threading
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
    lock = runtime.sync_lock
    if args.once:
        if not lock.try_acquire():
            asked = lock.wake_holder()
            print(f"another process (pid {lock.holder_pid() or '?'}) syncs this terminal"
                  + ("; it was asked to sync now (see `loket status`)" if asked else ""))
            return 0 if asked else 1
        try:
            report = runtime.sync_worker().run_once(force=True)
        finally:
            lock.release()
        if args.json:
            print_json(dataclasses.asdict(report) | {"ok": report.ok})
        else:
            print("\n".join(report.lines()))
        return 0 if report.ok else 1
    return watch(runtime)


def watch(runtime: Runtime) -> int:
    """Syncs until SIGTERM/Ctrl-C, once the sync lock is ours; prints each round (the journal keeps it)."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    lock = runtime.sync_lock
    if not lock.try_acquire():
        print(f"waiting: another process (pid {lock.holder_pid() or '?'}) syncs this terminal", flush=True)
        if not lock.acquire(stop):
            return 0
    worker = runtime.sync_worker()
    lock.listen_for_wakes(worker.wake)
    worker.start()
    print(f"syncing {runtime.home} (pid {os.getpid()})", flush=True)
    shown = None
    try:
        while worker.running and not stop.is_set():
            time.sleep(0.5)
            if worker.last_report is not None and worker.last_report is not shown:
                shown = worker.last_report
                print(f"{shown.started_at:%H:%M:%S}  {shown.summary()}  (queued {shown.remaining})", flush=True)
    except KeyboardInterrupt:
        return 130  # Ctrl-C, as a shell counts it (the finally below still stops the worker)
    finally:
        worker.stop()
        lock.release()
    return 0 if stop.is_set() else 1
