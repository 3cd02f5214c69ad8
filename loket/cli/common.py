"""Small helpers shared by the `loket` subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kiosk.terminal import Terminal


def terminal_for(args: argparse.Namespace) -> Terminal:
    return Terminal(getattr(args, "home", None))


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
