"""The errors central's domain code raises on purpose. None of them knows HTTP: the terminals' API
answers them through its one table (`central.api.refusals`), the staff console through its own
(`central.console.refusals`), and the CLI prints any as one line and exits 2."""

from __future__ import annotations

from kiosk.errors import LoketError


class CentralError(LoketError):
    """Base of central's own errors; the CLI turns any into one line and exit 2."""


class NotFound(CentralError):
    """No office, terminal or application with that name."""


class WithReason(CentralError):
    """A refusal with a machine-readable `reason` beside its message (what to do)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class EnrollmentRefused(WithReason):
    """A terminal cannot enroll with this code or key; `reason` names why (`bad_code`, `code_used`,
    `code_expired`, `bad_key`, `key_in_use`, `collided`), the message says what to do."""


class SignatureRefused(WithReason):
    """A terminal's request whose signature central does not take; `reason` names why (`unauthenticated`,
    `unknown_terminal`, `bad_signature`, `bad_nonce`, `stale`, `replay`): the protocol's codes."""


class TerminalRevoked(CentralError):
    """The terminal signed correctly, but staff revoked it: it may not sync any more."""


class InvalidUpload(CentralError):
    """A terminal's batch (or a USB bundle) that breaks the protocol as a whole; nothing of it is stored."""


class DatabaseUnavailable(CentralError):
    """The database cannot answer for a moment (restarting, failing over, every connection busy, a commit
    its standby did not confirm): the request may not have taken effect; sending it again later is safe."""


class InvalidValue(CentralError):
    """The database refused a value from outside (out of range, malformed): the input's fault."""
