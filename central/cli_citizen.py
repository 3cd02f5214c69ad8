"""`loket-central skm report`: the satisfaction survey's index (issue 14).

`build_parser` in central/cli.py calls `add_citizen_commands` with its own helpers, so these
commands share `--db` and the one-line errors of every other command.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from central import skm
from central.db import Database
from central.settings import database_url
from kiosk.skm import ELEMENT_NAMES


def _open(args: argparse.Namespace) -> Database:
    return Database(database_url(args.db or args.global_db))


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def report_lines(result: dict[str, Any]) -> list[str]:
    """The report as people read it: one block per service, the whole office (`*`) last."""
    period = f"{result['from'] or '…'} – {result['to'] or '…'}"
    lines = [f"SKM {result['office']}, {period}"]
    for code, row in result["services"].items():
        name = "all services" if code == skm.ALL_SERVICES else code
        ikm = f"IKM {row['ikm']:.2f} ({row['band']}, {row['band_words']})" if row["ikm"] is not None \
            else "IKM - (not every element answered yet)"
        lines.append(f"{name:<14} {row['respondents']:>5} respondents  {ikm}")
        nrr = "  ".join(f"{n} {v:.2f}" if v is not None else f"{n} -" for n, v in row["nrr"].items())
        lines.append(f"{'':<14} NRR: {nrr}")
    return lines


def cmd_skm_report(args: argparse.Namespace) -> int:
    with _open(args).transaction() as session:
        result = skm.report(session, args.office, getattr(args, "from"), args.to)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print("\n".join(report_lines(result)))
    return 0


def add_citizen_commands(command: Callable[..., argparse.ArgumentParser],
                         group: Callable[[str, str], Any]) -> None:
    """Adds `skm report` with `build_parser`'s `command` and `group` helpers."""
    survey = group("skm", "the satisfaction survey (SKM, PermenPANRB 14/2017)")
    sub = command(survey, "report", cmd_skm_report,
                  f"IKM (25-100) and quality band per service; elements: {', '.join(ELEMENT_NAMES)}")
    sub.add_argument("--office", required=True)
    sub.add_argument("--from", type=_day, metavar="YYYY-MM-DD", help="first day (included)")
    sub.add_argument("--to", type=_day, metavar="YYYY-MM-DD", help="last day (included)")
    sub.add_argument("--json", action="store_true")


__all__ = ["add_citizen_commands", "report_lines"]
