"""The terminals' API answers every refusal as an `ErrorBody` (HTTP status, the protocol's code, what to
do). `ANSWERS` is the one table from central's domain errors to those answers; a router raises
`ApiError` itself only for what is HTTP's own business (a body too large or not JSON, a byte range)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from central import refusals
from central.db import Database
from central.errors import (
    CentralError,
    DatabaseUnavailable,
    EnrollmentRefused,
    InvalidUpload,
    InvalidValue,
    NotFound,
    SignatureRefused,
    TerminalRevoked,
)
from central.keyring import KeysUnavailable
from sync.protocol import ErrorBody

#: seconds a terminal waits before asking again when central's database is away for a moment
RETRY_AFTER_S = 5


class ApiError(Exception):
    """A refusal at the HTTP level that a router raises itself, with its status and protocol code."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


@dataclass(frozen=True)
class Answer:
    """How the API answers one kind of refusal; `code` "" takes the error's own `reason`."""

    status: int
    code: str
    headers: dict[str, str] = field(default_factory=dict)


#: every domain error the API answers, the most specific first (the first that matches answers)
ANSWERS: tuple[tuple[type[CentralError], Answer], ...] = (
    (SignatureRefused, Answer(401, "")),
    (TerminalRevoked, Answer(403, "revoked")),
    (NotFound, Answer(404, "not_found")),
    (InvalidUpload, Answer(422, "invalid")),
    (KeysUnavailable, Answer(503, "keys_unavailable")),
    (DatabaseUnavailable, Answer(503, "unavailable", {"Retry-After": str(RETRY_AFTER_S)})),
    (InvalidValue, Answer(400, "invalid")),
    (CentralError, Answer(400, "invalid")),
)
#: an enrollment refusal by its reason, as the terminal gets it
ENROLLMENT: dict[str, Answer] = {
    "bad_code": Answer(401, "bad_code"), "code_used": Answer(401, "code_used"),
    "code_expired": Answer(401, "code_expired"), "bad_key": Answer(422, "invalid"),
    "key_in_use": Answer(409, "key_in_use"), "collided": Answer(503, "retry", {"Retry-After": "1"}),
}
#: a framework refusal's code by its status
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}


def answer_for(error: CentralError) -> Answer:
    """The table's answer to `error`."""
    if isinstance(error, EnrollmentRefused) and error.reason in ENROLLMENT:
        return ENROLLMENT[error.reason]
    answer = next(answer for kind, answer in ANSWERS if isinstance(error, kind))
    return Answer(answer.status, getattr(error, "reason", ""), answer.headers) if not answer.code else answer


def error_body(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(ErrorBody(error=code, message=message).model_dump(), status_code=status, headers=headers)


def refuse(_request: Request, error: CentralError) -> JSONResponse:
    answer = answer_for(error)
    return error_body(answer.status, answer.code, str(error), answer.headers or None)


def install(app: FastAPI, database: Database) -> None:
    """The API's answers on `app`: the table's for domain errors, and the framework's own refusals
    (no such route, a query that does not validate) and a bug as `ErrorBody` too."""
    refusals.install(app, database, refuse=refuse, failed=lambda _request: error_body(
        500, "internal", "central failed on this request; it was logged"))

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, e: ApiError) -> JSONResponse:
        return error_body(e.status, e.code, e.message, e.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, e: RequestValidationError) -> JSONResponse:
        errors = e.errors()
        if any(err.get("type") == "json_invalid" for err in errors):
            return error_body(400, "malformed", "the body is not valid JSON")
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ())) or "request"
        return error_body(422, "invalid", f"{where}: {first.get('msg', 'invalid')} ({len(errors)} problem(s))")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, e: StarletteHTTPException) -> JSONResponse:
        return error_body(e.status_code, _HTTP_CODES.get(e.status_code, "http_error"), str(e.detail),
                          getattr(e, "headers", None))


__all__ = ["ANSWERS", "ENROLLMENT", "RETRY_AFTER_S", "Answer", "ApiError", "answer_for", "error_body", "install"]
