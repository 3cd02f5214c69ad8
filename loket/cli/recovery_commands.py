"""`loket recover FILE`: put the applications of a queue moved aside as corrupt back in the queue."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.errors import LoketError, StoreError
from kiosk.store.recovery import moved_aside_files, recover, survey
from kiosk.terminal import Terminal
from loket.cli.common import terminal_for


def register(commands: argparse._SubParsersAction) -> None:
    rescue = commands.add_parser(
        "recover", help="re-queue the unsynced applications of a queue moved aside (queue.db.corrupt-…)")
    rescue.add_argument("file", type=Path, nargs="?",
                        help="the moved-aside database; without it, list the ones in the data directory")
    rescue.set_defaults(func=recover_command)


def recover_command(args: argparse.Namespace) -> int:
    terminal = terminal_for(args)
    if args.file is None:
        found = survey(terminal.paths.database, terminal.store)
        for moved in found:
            print(moved.describe())
        if not found:
            print("no queue was moved aside")
        return 0
    path = args.file if args.file.is_absolute() or args.file.exists() else terminal.paths.home / args.file
    done = recover(terminal.store, path)
    terminal.store.retry_now()
    print(f"{path.name}: {done.added} application(s) re-queued, {done.already_here} already in the queue")
    if done.conflicts:
        raise LoketError(f"{len(done.conflicts)} application(s) were NOT re-queued: their numbers are taken by "
                         f"others in this queue ({', '.join(done.conflicts[:5])}); export them with a technician")
    return 0


def moved_aside_findings(terminal: Terminal, *, store_open: bool) -> list[tuple[bool, str]]:
    """`loket doctor`'s lines: each moved-aside queue with its unsynced (and not yet recovered) count."""
    if not moved_aside_files(terminal.paths.database):
        return []
    try:
        found = survey(terminal.paths.database, terminal.store if store_open else None)
    except StoreError as e:
        return [(False, f"moved-aside queues: {e}")]
    return [(moved.not_recovered == 0,
             f"moved aside: {moved.describe()}" + ("" if moved.not_recovered == 0 else
                                                   f" -> `loket recover {moved.path.name}`"))
            for moved in found]
