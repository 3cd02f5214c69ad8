"""Provisioning files: everything a terminal needs to start serving before it can reach central.

Staff write one to a USB stick for a terminal in an office without a working link yet. It names the
office (with its public key, so the terminal can seal and queue at once), reserves a terminal code,
and carries a one-time enrollment code that the terminal redeems when the network first appears.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from central.errors import CentralError
from central.models import utcnow
from central.office_profile import explicit_zone
from central.offices import current_key, get_office, make_enrollment_code, reserve_terminal_code
from sync.protocol import PROVISIONING_FORMAT, ProvisioningFile

#: the file's one-time code is single-use and lives a week: a lost stick is worth little for long
PROVISIONING_TTL = dt.timedelta(days=7)


def make_provisioning_file(session: Session, office_code: str, server_url: str,
                           *, ttl: dt.timedelta = PROVISIONING_TTL) -> ProvisioningFile:
    if not server_url.startswith(("http://", "https://")):
        raise CentralError(f"--server {server_url!r}: the URL terminals will reach central at (http(s)://...)")
    office = get_office(session, office_code)
    terminal_code = reserve_terminal_code(session)
    code = make_enrollment_code(session, office, ttl=ttl, reserve_terminal_code=terminal_code)
    return ProvisioningFile(
        format=PROVISIONING_FORMAT, server_url=server_url.rstrip("/"), office_code=office.code,
        office_name=office.name, office_key=current_key(session, office).public_key,
        terminal_code=terminal_code, enroll_code=code, expires_at=utcnow() + ttl,
        timezone=explicit_zone(office),
    )
