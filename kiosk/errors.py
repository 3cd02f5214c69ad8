"""The exceptions the kiosk core raises, each carrying a message people can read.

Messages a citizen may see come in Bahasa Indonesia and English (`Text`); messages for staff and
technicians are plain English strings. The CLI turns any `LoketError` into one line and exit 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    """A short text in Bahasa Indonesia (`id`) and English (`en`)."""

    id: str
    en: str

    def in_language(self, language: str) -> str:
        return self.en if language == "en" else self.id

    def format(self, **values: object) -> Text:
        return Text(self.id.format(**values), self.en.format(**values))


class LoketError(Exception):
    """Base of every error the kiosk core raises on purpose."""


class SettingsError(LoketError):
    """A setting has a value Loket cannot use; the message names the key."""


class NotProvisioned(LoketError):
    """The terminal has no office yet, so it cannot take applications."""

    def __init__(self) -> None:
        super().__init__(
            "this terminal is not provisioned: run `loket provision` (or use the setup screen) "
            "before it can take applications"
        )


class StoreError(LoketError):
    """The local queue cannot be opened or written."""


class StoreFull(StoreError):
    """The disk (or the file-size limit) is full: the application was not recorded."""


class SchemaTooNew(StoreError):
    """The database was written by a newer Loket than this one."""


class CatalogError(LoketError):
    """A service catalog failed validation; the message names the service and field."""


class UnknownService(LoketError):
    """No service with that code is in the catalog in force."""


class FormInvalid(LoketError):
    """Some answers did not pass validation; `errors` maps field name to a bilingual message."""

    def __init__(self, errors: dict[str, Text]) -> None:
        self.errors = errors
        detail = "; ".join(f"{name}: {text.en}" for name, text in errors.items())
        super().__init__(f"the form has errors: {detail}")


class BadReference(LoketError):
    """A typed application number is malformed or its check character is wrong."""


def run_command(prog: str, build_parser: Callable[[], argparse.ArgumentParser], argv: Sequence[str] | None) -> int:
    """Runs the subcommand `argv` names (its `func`) for `loket` and `loket-central`: any `LoketError`
    becomes one line on stderr and exit code 2, Ctrl-C exit code 130."""
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except LoketError as e:
        print(f"{prog}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


class StoreUnavailable(StoreError):
    """The queue database exists but cannot be used now (permissions, read-only disk, locked).

    Unlike a corrupt file it is left exactly as it is: fixing the cause brings every application back.
    """


class DataDirError(LoketError):
    """The terminal's data directory cannot be created or written (read-only disk, permissions)."""
class ReceiptInvalid(LoketError):
    """A receipt's QR payload does not prove what it claims."""


class MalformedPayload(ReceiptInvalid):
    """The text is not a Loket receipt payload (wrong shape, version, field or encoding)."""


class UnknownTerminal(ReceiptInvalid):
    """The payload names a terminal whose public key is not known here."""


class BadSignature(ReceiptInvalid):
    """The payload is well formed but its signature does not match: it was altered or forged."""
