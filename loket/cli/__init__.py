"""The `loket` command: what a technician (or staff, over SSH) can do on a terminal.

Each group of subcommands lives in its own module with a `register(subparsers)` function. Commands
that need the screens (`loket run`, `loket demo`) plug in through the `loket.commands` entry
point, so that this package never imports Kivy or the screens. Any `LoketError` becomes one line
and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path

from kiosk.errors import LoketError, run_command
from kiosk.files import restrict_new_files
from loket.cli import (
    catalog_commands,
    maintenance_commands,
    provision_commands,
    queue_commands,
    receipt_commands,
    recovery_commands,
    release_commands,
    status_commands,
    sync_commands,
    update_commands,
)

BUILTIN = [status_commands, queue_commands, catalog_commands, provision_commands, sync_commands,
           maintenance_commands, receipt_commands, recovery_commands, release_commands,
           update_commands]


class UsageError(LoketError):
    """The command line itself is wrong."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line, not a usage dump
        raise UsageError(f"{self.prog.removeprefix('loket').strip() or 'usage'}: {message} (see --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="loket", description="Loket kiosk terminal: queue, catalog, status, provisioning.")
    parser.add_argument("--home", type=Path, help="the terminal's data directory (default: $LOKET_HOME "
                        "or the platform's data dir)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for module in BUILTIN:
        module.register(commands)
    for plugin in entry_points(group="loket.commands"):
        plugin.load()(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    restrict_new_files()  # the queue, PIN hash and signing key are readable by the terminal's user only
    try:
        return run_command("loket", build_parser, argv)
    except OSError as e:  # a read-only or unwritable data directory: one line, never a traceback
        print(f"loket: {e.filename or 'a file'}: {e.strerror or e} (is the data directory read-only?)",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
