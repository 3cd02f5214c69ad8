"""`loket provision`: give the terminal its office, offline (a key typed in) or from central."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.errors import LoketError
from kiosk.store.exports import unsynced_not_exported
from kiosk.store.recovery import refuse_if_stranded
from kiosk.timezones import office_zone_name
from loket.cli.common import terminal_for
from loket.provisioning_file import provision_from_file
from sync.enrollment import enroll_terminal


def register(commands: argparse._SubParsersAction) -> None:
    provision = commands.add_parser(
        "provision", help="enroll this terminal: offline (--office-key), online (--server/--code) or --file FILE")
    provision.add_argument("--terminal-code", help="4 characters, e.g. K7Q2 (offline provisioning)")
    provision.add_argument("--office-code", help="the office's code (offline provisioning)")
    provision.add_argument("--office-name", help="the office's name, printed on receipts")
    provision.add_argument("--office-key", help="base64 of the office's raw 32-byte X25519 public key")
    provision.add_argument("--server", help="central server URL (online enrollment)")
    provision.add_argument("--code", help="one-time enrollment code from central")
    provision.add_argument("--file", type=Path, metavar="FILE",
                           help="a provisioning file central wrote (*.loket-provisioning.json), e.g. from a USB "
                           "stick: the twin of the setup screen's \"Load from a USB stick\"")
    provision.add_argument("--timezone", help="the office's zone: Asia/Jakarta (WIB), Asia/Makassar (WITA) or "
                           "Asia/Jayapura (WIT); default: central's, else from the office code")
    provision.add_argument("--force", action="store_true",
                           help="re-provision even though unsynced applications exist")
    provision.set_defaults(func=provision_command)


def provision_command(args: argparse.Namespace) -> int:
    terminal = terminal_for(args)
    refuse_if_stranded(terminal.store)  # not even --force: those applications are in no live queue
    waiting = unsynced_not_exported(terminal.store) if terminal.identity is not None else 0
    if waiting and not args.force:
        raise LoketError(
            f"{waiting} applications are not yet synced nor exported: sync them, or export them with "
            "`loket maintenance export DIR`, first (or pass --force)"
        )
    zone = terminal.settings.updated(timezone=args.timezone).timezone if args.timezone else None
    if args.file:
        if args.server or args.code or args.office_key:
            raise LoketError("--file provisions from the file alone: leave out --server, --code and --office-key")
        identity = provision_from_file(terminal, args.file)
        print(f"enrollment with {identity.server_url} is pending: it completes when the sync worker reaches central")
    elif args.server or args.code:
        if not (args.server and args.code):
            raise LoketError("online enrollment needs both --server URL and --code CODE")
        identity = enroll_terminal(terminal, args.server, args.code)
    else:
        missing = [f"--{n.replace('_', '-')}" for n in ("terminal_code", "office_code", "office_name", "office_key")
                   if not getattr(args, n)]
        if missing:
            raise LoketError(f"offline provisioning needs {', '.join(missing)} (or use --server and --code)")
        identity = terminal.provision_offline(
            terminal_code=args.terminal_code, office_code=args.office_code,
            office_name=args.office_name, office_key=args.office_key,
        )
    if zone is not None:
        terminal.update_settings(timezone=zone)
    elif not (args.file or args.server or args.code):
        terminal.update_settings(timezone="")  # a new office: its region code decides
    print(f"provisioned terminal {identity.terminal_code} for {identity.office_name} ({identity.office_code}), "
          f"time zone {office_zone_name(identity.office_code, terminal.settings.timezone)}")
    return 0
