"""`loket catalog validate|show|apply`: check a catalog, print the one in force, install a new one."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kiosk.catalog import apply_catalog_file, catalog_in_force, load_catalog
from kiosk.catalog.loader import DEFAULT_CATALOG
from loket.cli.common import terminal_for


def register(commands: argparse._SubParsersAction) -> None:
    catalog = commands.add_parser("catalog", help="the service catalog")
    sub = catalog.add_subparsers(dest="catalog_command", metavar="SUBCOMMAND", required=True)
    validate = sub.add_parser("validate", help="check a catalog file; changes nothing")
    validate.add_argument("file", type=Path)
    validate.set_defaults(func=validate_command)
    show = sub.add_parser("show", help="print the catalog in force")
    show.add_argument("--json", action="store_true", help="print the catalog document itself")
    show.set_defaults(func=show_command)
    apply = sub.add_parser("apply", help="validate a catalog file, then install it (a bad one changes nothing)")
    apply.add_argument("file", type=Path)
    apply.set_defaults(func=apply_command)


def validate_command(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.file)
    print(f"ok: catalog {catalog.version}, {len(catalog.services)} services")
    return 0


def show_command(args: argparse.Namespace) -> int:
    terminal = terminal_for(args)
    installed = terminal.paths.catalog_file
    catalog = catalog_in_force(installed)
    if args.json:
        source = installed if installed.exists() else DEFAULT_CATALOG
        json.dump(json.loads(source.read_text(encoding="utf-8")), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"catalog {catalog.version}")
    for service in catalog.services:
        print(f"  {service.code:<7} {service.name.id} — {service.fee_text().id}, {service.days} hari kerja")
    return 0


def apply_command(args: argparse.Namespace) -> int:
    terminal = terminal_for(args)
    catalog = apply_catalog_file(args.file, terminal.paths.catalog_file)
    terminal.store.record_audit("catalog.applied", f"{catalog.version} from {args.file}", actor="technician")
    print(f"installed catalog {catalog.version} ({len(catalog.services)} services)")
    return 0
