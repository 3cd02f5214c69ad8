"""`loket queue list` and `loket submit`: see the queue, and file an application for a citizen."""

from __future__ import annotations

import argparse

from kiosk.applications import file_application
from kiosk.errors import LoketError
from kiosk.store import CENTRAL_STATUSES, SYNC_STATES
from kiosk.timezones import in_zone, zone_label
from loket.cli.common import print_json, terminal_for


def register(commands: argparse._SubParsersAction) -> None:
    queue = commands.add_parser("queue", help="the applications on this terminal")
    queue_commands = queue.add_subparsers(dest="queue_command", metavar="SUBCOMMAND", required=True)
    listing = queue_commands.add_parser("list", help="list applications, newest first")
    listing.add_argument("--state", choices=SYNC_STATES + CENTRAL_STATUSES)
    listing.add_argument("--limit", type=int, default=None)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=list_command)

    submit = commands.add_parser("submit", help="file an application (staff-assisted entry)")
    submit.add_argument("--service", required=True, help="service code, e.g. SKD")
    submit.add_argument("--field", action="append", default=[], metavar="NAME=VALUE",
                        help="an answer; repeat for each field")
    submit.add_argument("--json", action="store_true")
    submit.set_defaults(func=submit_command)


def list_command(args: argparse.Namespace) -> int:
    terminal = terminal_for(args)
    zone = terminal.zone  # the office's clock, as every other time the terminal shows
    apps = terminal.store.applications(state=args.state, limit=args.limit)
    rows = [
        {"reference": a.reference, "service": a.service_code, "created_at": in_zone(a.created_at, zone).isoformat(),
         "created_local": f"{in_zone(a.created_at, zone):%d-%m-%Y %H.%M} {zone_label(zone, a.created_at)}",
         "state": a.state, "status": a.status, "reason": a.reason, "catalog_version": a.catalog_version}
        for a in apps
    ]
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        reason = f"  ({r['reason']})" if r["reason"] else ""
        print(f"{r['reference']}  {r['service']:<7} {r['created_local']}  {r['status']}{reason}")
    if not rows:
        print("(no applications)")
    return 0


def _answers(pairs: list[str]) -> dict[str, str]:
    answers: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise LoketError(f"--field {pair!r}: write it as NAME=VALUE")
        answers[name.strip()] = value
    return answers


def submit_command(args: argparse.Namespace) -> int:
    terminal = terminal_for(args)
    app = file_application(terminal.store, terminal.catalog, args.service, _answers(args.field))
    if args.json:
        print_json({"reference": app.reference, "id": app.id, "service": app.service_code})
    else:
        print(app.reference)
    return 0
