"""Exporting the unsynced queue to a USB folder as a signed bundle (sneakernet sync).

The applications stay queued on the terminal: a later online sync of the same ones is answered
`duplicate` by central and marks them synced, so carrying a bundle can never lose or double anything.
The satisfaction survey's answers go too, and also stay until an online sync: central keeps each
answer set once (its id), however often it arrives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from kiosk.clock import iso, parse_iso, utcnow
from kiosk.crypto import b64encode
from kiosk.errors import LoketError, NotProvisioned
from kiosk.files import write_atomically
from kiosk.store.exports import mark_exported, unsynced_applications
from kiosk.store.survey import unsent_surveys
from kiosk.terminal import Terminal
from loket.provisioning_file import pending_enrollment_code
from sync.bundle import BundleContents, pack_bundle
from sync.protocol import ApplicationUpload, AuditUpload
from sync.survey import survey_upload


@dataclass(frozen=True)
class Export:
    path: Path
    applications: int
    audit_entries: int
    surveys: int


def export_unsynced(terminal: Terminal, folder: Path, *, now: dt.datetime | None = None) -> Export:
    """Writes every unsynced application (and unsynced audit entry) to a signed bundle in `folder`."""
    identity = terminal.identity
    if identity is None:
        raise NotProvisioned()
    now = now or utcnow()
    store = terminal.store
    outgoing = unsynced_applications(store)
    audit = store.audit_entries(unsynced_only=True, limit=100_000)
    surveys = [survey_upload(s) for s in unsent_surveys(store, limit=100_000)]
    contents = BundleContents(
        applications=[
            ApplicationUpload(id=o.id, reference=o.reference, service_code=o.service_code,
                              catalog_version=o.catalog_version, created_at=parse_iso(o.created_at),
                              flags=list(o.flags), sealed=b64encode(o.sealed))
            for o in outgoing
        ],
        audit=[AuditUpload(id=e["id"], at=parse_iso(e["at"]), actor=e["actor"] or "system", action=e["action"],
                           detail=e["detail"] or "") for e in audit],
        survey=surveys,
    )
    # a file-provisioned terminal has no id from central until it enrolls: its code and key name it
    enrolled = identity.terminal_id not in ("", identity.terminal_code)
    data = pack_bundle(identity.terminal_id if enrolled else "", identity.terminal_code, identity.signing_key,
                       contents, now=now, verify_key=identity.verify_key,
                       pending_enrollment_code=pending_enrollment_code(terminal))
    try:
        path = folder / f"loket-{identity.terminal_code}-{now:%Y%m%dT%H%M%S}.bundle.json"
        write_atomically(path, data)
    except OSError as e:
        raise LoketError(f"cannot write the bundle to {folder}: {e.strerror or e}") from None
    mark_exported(store, [o.id for o in outgoing], now=now)
    store.record_audit("maintenance.exported", f"{len(outgoing)} applications and {len(surveys)} survey answers "
                       f"to {path.name} at {iso(now)}", actor="technician")
    return Export(path, len(outgoing), len(audit), len(surveys))
