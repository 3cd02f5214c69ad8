"""The exceptions central raises on purpose; the API turns `ApiError` into an `ErrorBody` answer."""

from __future__ import annotations

from kiosk.errors import LoketError


class CentralError(LoketError):
    """Base of central's own errors; the CLI turns any into one line and exit 2."""


class NotFound(CentralError):
    """No office, terminal or application with that name."""


class ApiError(CentralError):
    """A request central refuses, with the HTTP status and the machine-readable code it answers."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
