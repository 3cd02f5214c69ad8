"""`loket update`: apply a signed release bundle (a file, or what waits in the spool), finish a trial at
boot, or say where the last update stands. Run as root: releases under /opt/loket belong to root."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.settings import default_home
from loket.cli.common import print_json
from loket.updates.apply import ApplyOptions, apply_bundle, apply_spool, boot_check
from loket.updates.services import Services
from loket.updates.state import UpdatePaths, read_state


def register(commands: argparse._SubParsersAction) -> None:
    update = commands.add_parser("update", help="apply a signed release bundle (USB file or downloaded)")
    what = update.add_mutually_exclusive_group(required=True)
    what.add_argument("file", type=Path, nargs="?", help="a .loket-release bundle")
    what.add_argument("--spool", action="store_true", help="apply the newest bundle waiting in DATA/updates")
    what.add_argument("--boot-check", action="store_true",
                      help="finish a release on trial: keep it if it comes up, else go back (run at boot)")
    what.add_argument("--status", action="store_true", help="where the last update stands")
    update.add_argument("--prefix", type=Path, default=Path("/opt/loket"), help="releases (default /opt/loket)")
    update.add_argument("--config-dir", type=Path, default=Path("/etc/loket"),
                        help="where release-keys is pinned (default /etc/loket)")
    update.add_argument("--ready-timeout", type=float, default=ApplyOptions.ready_timeout_s,
                        help="seconds a new release has to put Welcome on screen (default %(default)s)")
    update.add_argument("--restart-command", help="instead of `systemctl restart loket-sync loket-kiosk`")
    update.add_argument("--log-command", help="instead of journalctl: prints the kiosk's last lines")
    update.add_argument("--json", action="store_true")
    update.set_defaults(func=update_command)


def update_command(args: argparse.Namespace) -> int:
    paths = UpdatePaths(prefix=args.prefix, data=args.home or default_home(), config=args.config_dir)
    if args.status:
        state = read_state(paths)
    else:
        services = Services.from_text(args.restart_command, args.log_command)
        options = ApplyOptions(ready_timeout_s=args.ready_timeout)
        if args.boot_check:
            state = boot_check(paths, services, options)
        elif args.spool:
            state = apply_spool(paths, services, options)
        else:
            state = apply_bundle(paths, args.file, services, options)
    if args.json:
        print_json(state.__dict__ | {"current": paths.layout.current_version()})
    else:
        print(f"update: {state.line()} (current {paths.layout.current_version() or '-'})")
    return 1 if state.state == "rolled_back" and not args.status else 0
