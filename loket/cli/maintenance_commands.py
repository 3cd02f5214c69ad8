"""`loket maintenance …`: the technician's maintenance actions, for SSH when no screen is at hand."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from kiosk.errors import LoketError
from kiosk.maintenance import hash_pin
from loket.cli.common import print_json, terminal_for
from loket.export import export_unsynced


def register(commands: argparse._SubParsersAction) -> None:
    maintenance = commands.add_parser("maintenance", help="technician actions: PIN, export, settings, audit log")
    sub = maintenance.add_subparsers(dest="maintenance_command", metavar="SUBCOMMAND", required=True)
    pin = sub.add_parser("set-pin", help="set the maintenance PIN (6-12 digits; read from stdin when piped)")
    pin.set_defaults(func=set_pin_command)
    export = sub.add_parser("export", help="write every unsynced application to a signed bundle in DIR")
    export.add_argument("dir", type=Path)
    export.set_defaults(func=export_command)
    settings = sub.add_parser("set", help="change printer, idle timeout, language ...")
    settings.add_argument("assignments", nargs="+", metavar="KEY=VALUE",
                          help="e.g. printer_backend=cups printer_cups_queue=PDF idle_timeout_s=90")
    settings.set_defaults(func=set_command)
    audit = sub.add_parser("audit", help="the newest audit log entries")
    audit.add_argument("--limit", type=int, default=20)
    audit.add_argument("--json", action="store_true")
    audit.set_defaults(func=audit_command)


def set_pin_command(args: argparse.Namespace) -> int:
    terminal = terminal_for(args)
    if sys.stdin.isatty():
        pin = getpass.getpass("new maintenance PIN: ")
        if getpass.getpass("again: ") != pin:
            print("the two PINs differ; nothing changed", file=sys.stderr)
            return 2
    else:
        pin = sys.stdin.readline().strip()
    terminal.update_settings(maintenance_pin_hash=hash_pin(pin))
    terminal.store.record_audit("maintenance.pin_set", "", actor="technician")
    print("maintenance PIN set")
    return 0


def export_command(args: argparse.Namespace) -> int:
    export = export_unsynced(terminal_for(args), args.dir)
    print(export.path)
    return 0


def _typed(value: str) -> object:
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def set_command(args: argparse.Namespace) -> int:
    changes = {}
    for assignment in args.assignments:
        key, sep, value = assignment.partition("=")
        if not sep:
            raise LoketError(f"{assignment!r}: write it as KEY=VALUE")
        if key == "maintenance_pin_hash":
            raise LoketError("set the PIN with `loket maintenance set-pin`")
        changes[key] = _typed(value) if key not in ("printer_cups_queue", "printer_escpos_url", "ca_bundle",
                                                    "printer_pdf_dir", "server_url", "office_hours") else value
    terminal = terminal_for(args)
    terminal.update_settings(**changes)
    terminal.store.record_audit("maintenance.settings_changed", ", ".join(sorted(changes)), actor="technician")
    print("saved: " + ", ".join(f"{k}={v}" for k, v in changes.items()))
    return 0


def audit_command(args: argparse.Namespace) -> int:
    entries = terminal_for(args).store.audit_entries(limit=100_000)[-args.limit:]
    if args.json:
        print_json(entries)
        return 0
    for e in entries:
        print(f"{e['at']}  {e['actor']:<10} {e['action']:<32} {e['detail']}")
    return 0
