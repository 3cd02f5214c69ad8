"""Enrolling a terminal with central using a one-time code from staff.

The terminal makes its own Ed25519 keypair and sends only the public half; central answers with
the terminal's id and code and the office it serves (with the office's public key for sealing).
"""

from __future__ import annotations

from pydantic import ValidationError

from kiosk import __version__
from kiosk.crypto import new_terminal_keys
from kiosk.store import TerminalIdentity
from kiosk.terminal import Terminal
from sync.client import DEFAULT_TIMEOUTS, CentralClient, Timeouts, check_server_url
from sync.errors import EnrollmentFailed
from sync.protocol import EnrollRequest
from sync.round import CATALOG_ETAG_KEY, REVOKED_KEY, STATUS_CURSOR_KEY


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
    terminal.update_settings(server_url=url)
    store = terminal.store
    # the status cursor and catalog tag belonged to the previous enrollment, if any
    for key in (STATUS_CURSOR_KEY, CATALOG_ETAG_KEY, REVOKED_KEY):
        store.set_value(key, "")
    store.record_audit("sync.enrolled", f"terminal {identity.terminal_code} ({answer.terminal_id}) with {url}",
                       actor="staff")
    return identity
