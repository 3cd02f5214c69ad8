"""Enrolling a terminal with central using a one-time code from staff.

The terminal makes its own Ed25519 keypair and sends only the public half; central answers with
the terminal's id and code and the office it serves (with the office's public key for sealing).
"""

from __future__ import annotations

from dataclasses import replace

from pydantic import ValidationError

from kiosk import __version__
from kiosk.crypto import new_terminal_keys
from kiosk.store import TerminalIdentity, identity_file
from kiosk.terminal import Terminal
from kiosk.timezones import check_zone
from sync.client import DEFAULT_TIMEOUTS, CentralClient, Timeouts, check_server_url
from sync.errors import EnrollmentFailed
from sync.protocol import EnrollRequest


def adoptable_zone(zone: str | None) -> str:
    """Central's zone for the office when it is one a terminal can use; "" lets the region code decide."""
    try:
        return check_zone(zone) if zone else ""
    except ValueError:
        return ""


def enroll_terminal(terminal: Terminal, server_url: str, code: str, *,
                    timeouts: Timeouts = DEFAULT_TIMEOUTS) -> TerminalIdentity:
    """Enrolls `terminal` with the central server at `server_url`; raises a `SyncError` on failure."""
    url = check_server_url(server_url)
    keys = new_terminal_keys()
    try:
        request = EnrollRequest(code=code.strip(), verify_key=keys.verify_key, app_version=__version__)
    except ValidationError:
        raise EnrollmentFailed(f"{code!r} is not an enrollment code: ask staff for the code central printed") from None
    with CentralClient(url, ca_bundle=terminal.settings.ca_bundle, timeouts=timeouts) as client:
        answer = client.enroll(request)
    identity = terminal.provision_offline(
        terminal_code=answer.terminal_code, office_code=answer.office_code, office_name=answer.office_name,
        office_key=answer.office_key, server_url=url, terminal_id=answer.terminal_id,
        keys=(keys.signing_key, keys.verify_key),
    )
    terminal.update_settings(server_url=url, timezone=adoptable_zone(answer.timezone))
    store = terminal.store
    store.values.forget_enrollment()
    store.record_audit("sync.enrolled", f"terminal {identity.terminal_code} ({answer.terminal_id}) with {url}",
                       actor="staff")
    return identity


def complete_pending_enrollment(terminal: Terminal, server_url: str, *,
                                timeouts: Timeouts = DEFAULT_TIMEOUTS) -> TerminalIdentity | None:
    """Redeems the enrollment code a provisioning file left, with the keys the terminal already has.

    Returns the updated identity, or None when nothing was pending. Central answers with the
    terminal code the file reserved; any other answer is refused and the code kept for a later try.
    """
    code = terminal.store.values.pending_enrollment_code
    identity = terminal.identity
    if not code or identity is None:
        return None
    request = EnrollRequest(code=code, verify_key=identity.verify_key, app_version=__version__)
    with CentralClient(check_server_url(server_url), ca_bundle=terminal.settings.ca_bundle,
                       timeouts=timeouts) as client:
        answer = client.enroll(request)
    if answer.terminal_code != identity.terminal_code:
        raise EnrollmentFailed(
            f"central enrolled this terminal as {answer.terminal_code}, but its provisioning file named "
            f"{identity.terminal_code}: ask staff for a new provisioning file")
    identity = replace(identity, terminal_id=answer.terminal_id, office_key=answer.office_key,
                       office_name=answer.office_name)
    terminal.store.save_identity(identity)
    if adoptable_zone(answer.timezone):
        terminal.update_settings(timezone=adoptable_zone(answer.timezone))
    terminal.store.values.pending_enrollment_code = None
    identity_file.forget_pending_enrollment(terminal.paths.database)
    terminal.store.record_audit("sync.enrolled", f"terminal {identity.terminal_code} ({answer.terminal_id}) "
                                f"from a provisioning file, with {server_url}", actor="system")
    return identity
