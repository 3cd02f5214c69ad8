"""Provisioning from a file on a USB stick, for an office whose terminal cannot reach central yet.

The file (written by `loket-central provisioning-file`) names the office, its public key, the
terminal's reserved code, the server and a one-time enrollment code. The terminal provisions itself
at once, so it can take and seal applications; the sync worker redeems the enrollment code the first
time the server answers (`sync.enrollment.complete_pending_enrollment`), then syncs the queue.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import ValidationError

from kiosk.clock import utcnow
from kiosk.errors import LoketError
from kiosk.store import TerminalIdentity, identity_file
from kiosk.terminal import Terminal
from sync.protocol import ProvisioningFile

FILE_PATTERN = "*.loket-provisioning.json"


class ProvisioningFileError(LoketError):
    """The provisioning file cannot be used; the message says why."""


def read_provisioning_file(path: Path, *, now: dt.datetime | None = None) -> ProvisioningFile:
    try:
        document = ProvisioningFile.model_validate_json(path.read_bytes())
    except OSError as e:
        raise ProvisioningFileError(f"{path}: cannot be read ({e.strerror or e})") from None
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the file"
        raise ProvisioningFileError(f"{path.name} is not a Loket provisioning file ({where}: {first['msg']})") from None
    if document.expires_at < (now or utcnow()):
        raise ProvisioningFileError(
            f"{path.name} expired on {document.expires_at:%Y-%m-%d}: ask staff for a new provisioning file")
    return document


def find_provisioning_files(folder: Path) -> list[Path]:
    """Provisioning files in a folder (e.g. a USB stick's root), newest first."""
    try:
        return sorted(folder.glob(FILE_PATTERN), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return []


def provision_from_file(terminal: Terminal, path: Path) -> TerminalIdentity:
    """Provisions `terminal` from the file and leaves the enrollment for the sync worker to finish."""
    document = read_provisioning_file(path)
    identity = terminal.provision_offline(
        terminal_code=document.terminal_code, office_code=document.office_code,
        office_name=document.office_name, office_key=document.office_key,
        server_url=document.server_url, terminal_id="",
    )
    terminal.update_settings(server_url=document.server_url, timezone=document.timezone or "")
    terminal.store.values.pending_enrollment_code = document.enroll_code
    identity_file.save_pending_enrollment(terminal.paths.database, document.enroll_code)  # outlives the queue
    terminal.store.record_audit("terminal.provisioned_from_file", f"{path.name}; enrollment pending",
                                actor="staff")
    return identity


def pending_enrollment_code(terminal: Terminal) -> str | None:
    return terminal.store.values.pending_enrollment_code or None
