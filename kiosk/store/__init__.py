"""The terminal's local queue (SQLite through sqlite-utils): nothing filed here is ever lost."""

from kiosk.store.queue import (
    CENTRAL_STATUSES,
    SYNC_STATES,
    UNSYNCED,
    Application,
    Outgoing,
    Store,
    TerminalIdentity,
    iso,
    parse_iso,
    utcnow,
)
from kiosk.store.schema import SCHEMA_VERSION

__all__ = [
    "CENTRAL_STATUSES",
    "SCHEMA_VERSION",
    "SYNC_STATES",
    "UNSYNCED",
    "Application",
    "Outgoing",
    "Store",
    "TerminalIdentity",
    "iso",
    "parse_iso",
    "utcnow",
]
