"""`loket-central staff add|list|disable|reset-password|demo`: the console's accounts from the command line.

A password is read from a file's first line (`-` reads standard input), never from the command line,
where other users could see it in the process list.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable
from pathlib import Path

from central.console.accounts import ROLES, add_staff, disable_staff, ensure_demo_staff, list_staff, reset_password
from central.db import Database
from central.errors import CentralError


def read_password(source: str) -> str:
    """The first line of the file `source` (or of stdin for `-`), without its line ending."""
    try:
        text = sys.stdin.readline() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as e:
        raise CentralError(f"cannot read the password file {source}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise CentralError(f"the password file {source} is not UTF-8 text") from None
    password = text.splitlines()[0] if text else ""
    if not password:
        raise CentralError(f"the password file {source} has no password on its first line")
    return password


def add_staff_commands(commands: argparse._SubParsersAction, command: Callable, open_db: Callable[..., Database],
                       parser_class: type[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    """Adds the `staff` group to `loket-central`'s subcommands (`command` is cli.py's helper)."""
    group = commands.add_parser("staff", help="staff accounts of the office console").add_subparsers(
        dest="action", metavar="ACTION", parser_class=parser_class, required=True)

    def cmd_add(args: argparse.Namespace) -> int:
        password = read_password(args.password_file)
        with open_db(args).transaction() as session:
            account = add_staff(session, args.office, args.username, args.role, password)
            print(f"staff account {account.username} ({account.role}) of office {args.office} created")
        return 0

    def cmd_list(args: argparse.Namespace) -> int:
        with open_db(args).transaction() as session:
            rows = [dataclasses.asdict(r) for r in list_staff(session)]
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            for r in rows:
                print(f"{r['username']:<20} {r['role']:<11} office {r['office']:<12} "
                      f"{'disabled' if r['disabled'] else 'active'}  since {r['created_at'][:10]}")
            print(f"{len(rows)} staff account(s)")
        return 0

    def cmd_disable(args: argparse.Namespace) -> int:
        with open_db(args).transaction() as session:
            account = disable_staff(session, args.username)
            print(f"staff account {account.username} disabled; its sessions ended")
        return 0

    def cmd_reset(args: argparse.Namespace) -> int:
        password = read_password(args.password_file)
        with open_db(args).transaction() as session:
            account = reset_password(session, args.username, password)
            print(f"staff account {account.username}: new password set, account enabled and unlocked")
        return 0

    def cmd_demo(args: argparse.Namespace) -> int:
        with open_db(args).transaction() as session:
            username, password = ensure_demo_staff(session, args.office)
        print(f"{username} {password}")
        return 0

    sub = command(group, "add", cmd_add, "create a console account (password from a file's first line)")
    sub.add_argument("--office", required=True)
    sub.add_argument("--username", required=True)
    sub.add_argument("--role", required=True, choices=ROLES)
    sub.add_argument("--password-file", required=True, metavar="FILE", help="its first line is the password; - = stdin")
    command(group, "list", cmd_list, "list console accounts").add_argument("--json", action="store_true")
    command(group, "disable", cmd_disable, "stop an account from logging in").add_argument("username")
    sub = command(group, "reset-password", cmd_reset, "set a new password (and enable and unlock the account)")
    sub.add_argument("username")
    sub.add_argument("--password-file", required=True, metavar="FILE", help="its first line is the password; - = stdin")
    sub = command(group, "demo", cmd_demo, "(loket demo) the demo supervisor, fresh password: prints NAME PASSWORD")
    sub.add_argument("--office", required=True)
