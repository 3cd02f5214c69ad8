"""`loket-central audit verify`: walks the access log's hash chains (central.access_chain) and names
every entry edited, deleted or moved in the database; exit 0 when every chain holds, 1 when not."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from central import access_chain
from central.db import Database
from central.offices import get_office
from central.settings import database_url


def cmd_audit_verify(args: argparse.Namespace) -> int:
    db = Database(database_url(args.db or args.global_db))
    try:
        with db.transaction() as session:
            offices = [get_office(session, args.office)] if args.office else None
            report = access_chain.verify(session, offices, include_officeless=not args.office)
    finally:
        db.dispose()
    if args.json:
        print(json.dumps({"holds": report.holds, "entries": report.entries,
                          "faults": [{"office": f.office, "entry_id": f.entry_id, "problem": f.problem}
                                     for f in report.faults]}, indent=2, ensure_ascii=False))
    else:
        for fault in report.faults:
            print(fault)
        verdict = "holds" if report.holds else f"is BROKEN in {len(report.faults)} place(s)"
        print(f"access log: {report.entries} entries checked, the chain {verdict}")
    return 0 if report.holds else 1


def register(command: Callable[..., argparse.ArgumentParser], audit: Any) -> None:
    """Adds `audit verify` to the `audit` group with `build_parser`'s `command` helper."""
    sub = command(audit, "verify", cmd_audit_verify,
                  "check the access log's hash chains; names each entry edited, deleted or moved (exit 1)")
    sub.add_argument("--office", help="only this office's chain (code)")
    sub.add_argument("--json", action="store_true")


__all__ = ["register"]
