"""The exceptions central raises on purpose; the API turns `ApiError` into an `ErrorBody` answer."""

from __future__ import annotations

from kiosk.errors import LoketError


class CentralError(LoketError):
    """Base of central's own errors; the CLI turns any into one line and exit 2."""


class NotFound(CentralError):
    """No office, terminal or application with that name."""


class EnrollmentRefused(CentralError):
    """A terminal cannot enroll with this code or key; `reason` names why (`bad_code`, `code_used`,
    `code_expired`, `bad_key`, `key_in_use`, `collided`), the message says what to do."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class InvalidUpload(CentralError):
    """A terminal's batch (or a USB bundle) that breaks the protocol as a whole; nothing of it is stored."""


class ApiError(CentralError):
    """A request central refuses, with the HTTP status and the machine-readable code it answers."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
