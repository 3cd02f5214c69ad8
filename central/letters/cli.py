"""`loket-central office settings`, `loket-central letter REF --out FILE.pdf` and `loket-central letter-counts`."""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from central.db import Database
from central.errors import CentralError
from central.letters.issue import issue_letter
from central.letters.office_settings import TEXT_SETTINGS, letter_settings, update_settings
from central.letters.pdf import render_letter_pdf
from central.letters.reports import letters_per_service
from central.offices import get_office
from central.settings import database_url

Command = Callable[..., argparse.ArgumentParser]


def _open(args: argparse.Namespace) -> Database:
    return Database(database_url(args.db or args.global_db))


#: the longest `--as` name: with `cli:<account> as ` in front it still fits the access log's 60 characters
MAX_AS_NAME = 32


def _actor(args: argparse.Namespace) -> str:
    """Who the access log and the letter name: always the account that ran the command, and after it
    the staff member it was issued for (`--as`), which nothing here can check."""
    account = f"cli:{getpass.getuser()}"
    if args.actor is None:
        return account
    name = args.actor.strip()
    if not name or len(name) > MAX_AS_NAME or not name.isprintable():
        raise CentralError(f"letter: --as takes a name of 1 to {MAX_AS_NAME} printable characters, e.g. "
                           "operator:rina")
    return f"{account} as {name}"


def cmd_office_settings(args: argparse.Namespace) -> int:
    changes = {name: getattr(args, name) for name in TEXT_SETTINGS if getattr(args, name) is not None}
    logo = None
    if args.logo is not None:
        try:
            logo = args.logo.read_bytes()
        except OSError as e:
            raise CentralError(f"office settings: cannot read the logo {args.logo}: {e.strerror}") from None
    with _open(args).transaction() as session:
        office = get_office(session, args.code)
        if changes or logo is not None or args.no_logo:
            settings = update_settings(session, office, changes, logo_png=logo, clear_logo=args.no_logo)
        else:
            settings = letter_settings(session, office)
        shown = settings.public()
    if args.json:
        print(json.dumps(shown, indent=2, ensure_ascii=False))
    else:
        for name, value in shown.items():
            print(f"{name:<14} {value}")
    return 0


def cmd_letter(args: argparse.Namespace) -> int:
    with _open(args).transaction() as session:
        issued = issue_letter(session, args.reference, actor=_actor(args))
    pdf = render_letter_pdf(issued.content, issued.logo_png)
    try:
        args.out.write_bytes(pdf)
    except OSError as e:
        raise CentralError(f"letter: cannot write {args.out}: {e.strerror}") from None
    print(f"{'reprinted' if issued.reprint else 'issued'} {issued.content.title} for {issued.content.reference} "
          f"to {args.out}")
    print(issued.number)
    return 0


def cmd_letter_counts(args: argparse.Namespace) -> int:
    with _open(args).transaction() as session:
        counts = letters_per_service(session, get_office(session, args.office).id, year=args.year)
    if args.json:
        print(json.dumps(counts, indent=2))
    else:
        for service, count in counts.items():
            print(f"{service:<10} {count}")
        print(f"{sum(counts.values())} letter(s)")
    return 0


def register(command: Command, office: Any, commands: Any) -> None:
    """Adds the letter commands to `loket-central`'s parser (`command` is its sub-command maker)."""
    sub = command(office, "settings", cmd_office_settings,
                  "show or change the office's letter settings (letterhead, logo, signer, numbering, time zone)")
    sub.add_argument("--code", required=True, help="the office")
    for name in TEXT_SETTINGS:
        sub.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar="TEXT",
                         help="'' goes back to the default" if name != "number_format" else
                         "e.g. '{classification}/{sequence:04d}/{short_code}/{month_roman}/{year}'")
    sub.add_argument("--logo", type=Path, metavar="FILE.png", help="the logo on the letterhead (PNG, <= 60 KiB)")
    sub.add_argument("--no-logo", action="store_true", help="go back to the default emblem")
    sub.add_argument("--json", action="store_true")

    sub = command(commands, "letter", cmd_letter,
                  "issue (or reprint) an application's letter as an A4 PDF; prints its number last")
    sub.add_argument("reference")
    sub.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    sub.add_argument("--as", dest="actor", metavar="NAME",
                     help="the staff member it is issued for; recorded after the account that runs the "
                          "command (cli:<user> as NAME)")

    sub = command(commands, "letter-counts", cmd_letter_counts, "letters an office issued, per service")
    sub.add_argument("--office", required=True)
    sub.add_argument("--year", type=int)
    sub.add_argument("--json", action="store_true")
