"""`loket status` and `loket doctor`: how the terminal is doing, for people and for scripts."""

from __future__ import annotations

import argparse
import os
import shutil

from kiosk.catalog import catalog_in_force
from kiosk.clock import clock_warning
from kiosk.errors import LoketError, StoreUnavailable
from loket.cli.common import print_json, terminal_for
from loket.cli.recovery_commands import moved_aside_findings
from loket.deployment_checks import deployment_findings

LOW_DISK_BYTES = 200 * 1024 * 1024


def register(commands: argparse._SubParsersAction) -> None:
    status = commands.add_parser("status", help="queue counts, oldest unsynced age, catalog version")
    status.add_argument("--json", action="store_true", help="print a JSON object")
    status.set_defaults(func=status_command)
    doctor = commands.add_parser("doctor", help="check the database, disk, permissions, clock, printer and, on an "
                                 "installed kiosk, its units, release and sync")
    doctor.set_defaults(func=doctor_command)


def status_command(args: argparse.Namespace) -> int:
    terminal = terminal_for(args)
    status = terminal.status()
    if args.json:
        print_json(status)
        return 0
    age = status["oldest_unsynced_age_s"]
    print(f"release:         {status['release']}")
    print(f"terminal:        {status['terminal'] or '(not provisioned)'}")
    print(f"office:          {status['office'] or '-'}")
    print("queue:           " + ", ".join(f"{k} {v}" for k, v in status["queue"].items()))
    print(f"oldest unsynced: {'-' if age is None else f'{age:.0f} s'}")
    print(f"catalog:         {status['catalog_version'] or '(invalid)'}")
    print(f"database:        {status['db_bytes']} bytes")
    if status["last_sync_error"]:
        print(f"last sync error: {status['last_sync_error']}")
    print(f"clock:           {clock_warning(status['clock_wrong_by_s']) or 'right'}")
    for problem in status["settings_problems"]:
        print(f"settings:        {problem}")
    return 0


def doctor_command(args: argparse.Namespace) -> int:
    terminal = terminal_for(args)
    findings: list[tuple[bool, str]] = []
    try:
        store = terminal.store
    except StoreUnavailable as e:
        store = None
        findings.append((False, str(e)))
    if store is not None:
        for note in store.recovery_notes:
            findings.append((False, note))
        integrity = store.integrity_check()
        findings.append((integrity == "ok", f"database integrity: {integrity}"))
    findings += moved_aside_findings(terminal, store_open=store is not None)
    free = shutil.disk_usage(terminal.paths.home).free
    findings.append((free >= LOW_DISK_BYTES, f"disk free: {free // (1024 * 1024)} MiB"))
    for folder in (terminal.paths.home, terminal.paths.receipts, terminal.paths.exports):
        writable = os.access(folder, os.W_OK)
        findings.append((writable, f"{folder}: {'writable' if writable else 'NOT writable'}"))
    try:
        catalog = catalog_in_force(terminal.paths.catalog_file)
        findings.append((True, f"catalog {catalog.version}: {len(catalog.services)} services"))
    except LoketError as e:
        findings.append((False, f"catalog: {e}"))
    if store is not None:
        findings.append((terminal.identity is not None,
                         "provisioned" if terminal.identity else "not provisioned: run `loket provision`"))
    for problem in terminal.settings.problems:
        findings.append((False, f"settings: {problem}"))
    if store is not None:
        wrong = clock_warning(terminal.status()["clock_wrong_by_s"])
        findings.append((wrong is None, f"clock: {wrong}: set the date in the BIOS or with `timedatectl`, and "
                                        "replace the CMOS battery" if wrong else "clock: right (as far as central "
                                        "and the queue tell)"))
    findings += deployment_findings(terminal.paths.home)
    if store is not None:
        from loket.dashboard import printer_state  # here: printing's imports cost every other command a second

        printer = printer_state(terminal)
        findings.append((printer.ready, f"printer: {printer.text}"))
    for ok, text in findings:
        print(f"[{'ok' if ok else '!!'}] {text}")
    return 0 if all(ok for ok, _ in findings) else 1
