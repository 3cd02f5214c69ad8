"""`loket-central requests ...`: the citizen's requests from the command line, with the console's rules
(`central.request_decisions`), written to the access log as `cli:<user>`.

    loket-central requests list --office 3273010001 [--json]
    loket-central requests decide REQUEST_ID apply|refuse [--note "words for the citizen"]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from central.citizen_requests import request_of_office, requests_of_office
from central.db import Database
from central.errors import NotFound
from central.models import CitizenRequest, utcnow
from central.offices import get_office
from central.request_decisions import decide
from central.settings import database_url


def _open(args: argparse.Namespace) -> Database:
    return Database(database_url(args.db or args.global_db))


def cmd_list(args: argparse.Namespace) -> int:
    with _open(args).transaction() as session:
        rows = [{"id": r.id, "reference": r.reference, "about": r.about, "kind": r.kind, "field": r.field,
                 "received_at": r.received_at.isoformat(), "due_at": r.due_at.isoformat(), "state": r.state,
                 "overdue": r.overdue, "note": r.note}
                for r in requests_of_office(session, get_office(session, args.office).id, utcnow())]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for row in rows:
            late = "  OVERDUE" if row["overdue"] else ""
            print(f"{row['id']}  {row['kind']:<10} {row['about']}  due {row['due_at']}  {row['state']}{late}")
        print(f"{len(rows)} request(s)")
    return 0


def cmd_decide(args: argparse.Namespace) -> int:
    from central.cli import cli_actor  # the one way the CLI names its user

    with _open(args).transaction() as session:
        held = session.get(CitizenRequest, args.request)
        found = request_of_office(session, held.office_id, args.request) if held else None
        if found is None:
            raise NotFound(f"no request {args.request!r}")
        req = decide(session, cli_actor(), *found, args.action, args.note)
        print(f"request {req.reference}: {req.state}")
    return 0


def register(command: Callable[..., argparse.ArgumentParser], group: Callable[[str, str], Any]) -> None:
    """Adds the `requests` commands with `build_parser`'s `command` and `group` helpers."""
    requests = group("requests", "the citizens' requests about their data (correction, deletion, copy)")
    sub = command(requests, "list", cmd_list, "an office's requests, open ones first, with the 72-hour clock")
    sub.add_argument("--office", required=True)
    sub.add_argument("--json", action="store_true")
    sub = command(requests, "decide", cmd_decide, "apply or refuse an open request (written to the access log)")
    sub.add_argument("request", help="the request's id (requests list)")
    sub.add_argument("action", choices=("apply", "refuse"))
    sub.add_argument("--note", default="", help="words for the citizen; required to refuse")
