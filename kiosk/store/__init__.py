"""The terminal's local queue (SQLite through sqlite-utils): nothing filed here is ever lost.

`queue.py` is the `Store` (submit, read, audit log); `outbox.py` what the sync worker claims and
records; `records.py` the rows it hands out; `values.py` the typed named values (the kv table).
"""

from kiosk.lifecycle import CENTRAL_STATUSES
from kiosk.store.queue import Store
from kiosk.store.records import SYNC_STATES, UNSYNCED, Application, Outgoing, TerminalIdentity
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
]
