"""What can go wrong when a terminal talks to central, one class per failure a caller acts on.

Every message names the server and says what a technician can do. `transient` tells the worker
whether to try again later (with backoff) or to stop; `retry_after` carries the server's hint.
"""

from __future__ import annotations

from kiosk.errors import LoketError


class SyncError(LoketError):
    """Base of every sync failure."""

    transient = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InsecureServer(SyncError):
    """The server URL is unusable: not http(s), or plain http to a host that is not this machine."""

    transient = False


class ServerUnreachable(SyncError):
    """No answer: the connection failed, was dropped, timed out, or TLS verification failed."""


class ServerBusy(SyncError):
    """Central answered 5xx or 429: it is there but cannot take the request now."""


class BadAnswer(SyncError):
    """Central answered 2xx with a body that does not match the protocol."""


class RequestRefused(SyncError):
    """Central refused the request itself (4xx); `status` and `code` say how."""

    transient = False

    def __init__(self, message: str, *, status: int, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class AuthRefused(RequestRefused):
    """Central does not accept this terminal's signature (unknown terminal, bad signature, stale clock)."""

    # a wrong clock or a central restored from backup can heal, so the worker keeps trying, slowly
    transient = True


class TerminalRevoked(RequestRefused):
    """Central revoked this terminal: it must be enrolled again before it can sync."""


class EnrollmentFailed(SyncError):
    """Central did not accept the one-time enrollment code."""

    transient = False
