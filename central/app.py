"""The FastAPI application: the terminals' API (every refusal answered as an `ErrorBody`) and the staff
console under /staff (refusals there answered as pages)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from central import console
from central.api import ROUTERS
from central.console.login_guard import LOGIN_PATH, LoginGuard
from central.db import Database, is_sqlite
from central.errors import ApiError, CentralError, NotFound
from central.keyring import KeysUnavailable
from central.limits import BodyLimit, EnrollmentRateLimit, LoginRateLimit, TextBoundary
from central.pg import CommitNotReplicated, is_failover_error
from central.ratelimit import RateLimiter
from central.settings import (
    DEFAULT_ENROLL_REFUSALS,
    DEFAULT_IN_FLIGHT,
    DEFAULT_LOGIN_LIMIT,
    SignatureV1Grace,
    database_url,
    enroll_refusals,
    login_limit,
    pool_size,
    requests_in_flight,
    server_workers,
    signature_v1_grace,
    statement_timeout_s,
)
from central.shedding import NOT_SHED, SHED_PREFIX, LoadShedding
from central.verification.router import router as verification_router
from sync.protocol import PATH_ENROLL, ErrorBody, Heartbeat, UploadBatch

log = logging.getLogger("central")
RETRY_AFTER_S = 5
NO_SIGNATURE_V1 = SignatureV1Grace()
#: lookups of the public verification page per client address: this many at once, then this many a second
VERIFY_BURST, VERIFY_PER_SECOND = 30, 0.5


def _share(limit: int, workers: int) -> int:
    """One server process's part of a per-address limit that `workers` processes keep apart."""
    return max(1, limit // workers)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(ErrorBody(error=code, message=message).model_dump(), status_code=status, headers=headers)


def create_app(database: Database, *, enroll_refusals: tuple[int, float] = DEFAULT_ENROLL_REFUSALS,
               signature_v1: SignatureV1Grace = NO_SIGNATURE_V1, workers: int = 1,
               login_limit: tuple[int, float] = DEFAULT_LOGIN_LIMIT, in_flight: int = DEFAULT_IN_FLIGHT) -> FastAPI:
    """The API, the staff console and the public verification page over `database` (already migrated);
    every body is bounded before it is read.

    The per-address limits are counted in memory, so each of the `workers` server processes answering
    on the same address keeps 1/`workers` of them: together they never allow more than the limit.
    Past `in_flight` terminal requests in progress in this process the next is answered 429 with
    Retry-After (central/shedding.py)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if not is_sqlite(database.url):
            # as many request threads as pooled connections: a thread never waits for a connection, and
            # fewer threads contend less for the GIL than the default 40
            anyio.to_thread.current_default_thread_limiter().total_tokens = database.engine.pool.size()
        yield

    app = FastAPI(title="Loket central", version="1", description="Central backend for Loket kiosk terminals. "
                  "Terminal requests are signed with Ed25519; see sync/protocol.py.", lifespan=lifespan)
    app.state.database = database
    app.state.signature_v1 = signature_v1
    app.state.verification_limiter = RateLimiter(_share(VERIFY_BURST, workers), VERIFY_PER_SECOND / workers)
    logins, login_per_s = login_limit
    guard = app.state.login_guard = LoginGuard(workers=workers, address_burst=logins,
                                               address_per_minute=logins * 60 / login_per_s)
    for router in ROUTERS:
        app.include_router(router)
    console.install(app)
    app.include_router(verification_router)
    app.add_middleware(TextBoundary)
    app.add_middleware(BodyLimit)
    app.add_middleware(LoginRateLimit, guard=guard, path=LOGIN_PATH)
    app.add_middleware(LoadShedding, limit=in_flight)
    refusals, per_s = enroll_refusals
    app.add_middleware(EnrollmentRateLimit, refusals=_share(refusals, workers), per_s=per_s)  # outermost

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, e: ApiError) -> JSONResponse:
        return _error(e.status, e.code, e.message, e.headers)

    @app.exception_handler(KeysUnavailable)
    async def _keys_unavailable(_request: Request, e: KeysUnavailable) -> JSONResponse:
        return _error(503, "keys_unavailable", str(e))

    @app.exception_handler(CentralError)
    async def _refused(request: Request, e: CentralError) -> Response:
        if console.is_console(request):
            return console.refusal_page(request, 404 if isinstance(e, NotFound) else 400)
        return _error(404 if isinstance(e, NotFound) else 400, "not_found" if isinstance(e, NotFound) else "invalid",
                      str(e))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError) -> Response:
        errors = e.errors()
        if console.is_console(request):
            return console.refusal_page(request, 422, ", ".join(str(err.get("loc", ("?",))[-1]) for err in errors))
        if any(err.get("type") == "json_invalid" for err in errors):
            return _error(400, "malformed", "the body is not valid JSON")
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ())) or "request"
        return _error(422, "invalid", f"{where}: {first.get('msg', 'invalid')} ({len(errors)} problem(s))")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, e: StarletteHTTPException) -> Response:
        if console.is_console(request):
            return console.refusal_page(request, e.status_code)
        return _error(e.status_code, {404: "not_found", 405: "method_not_allowed"}.get(e.status_code, "http_error"),
                      str(e.detail), getattr(e, "headers", None))

    @app.exception_handler(DataError)
    async def _data_refused(request: Request, e: DataError) -> Response:
        # the database refused a value (out of range, malformed): the input's fault, never central's
        log.warning("the database refused a value: %s", str(e.orig).splitlines()[0] if e.orig else e)
        if console.is_console(request):
            return console.refusal_page(request, 422, "?")
        return _error(400, "invalid", "a value in this request is out of range or malformed")

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    @app.exception_handler(CommitNotReplicated)
    async def _database_unavailable(request: Request, e: Exception) -> Response:
        # transient by nature: the terminal keeps its applications and retries after the pause
        log.warning("database unavailable: %s", (str(e).splitlines() or [type(e).__name__])[0])
        if console.is_console(request):
            return console.refusal_page(request, 503)
        return _error(503, "unavailable", "central's database is unavailable for a moment: retry later",
                      {"Retry-After": str(RETRY_AFTER_S)})

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, e: DBAPIError) -> Response:
        if is_failover_error(e):  # e.g. a pooled connection to a primary that was demoted: start afresh
            database.engine.dispose(close=False)
            return await _database_unavailable(request, e)
        return await _unexpected(request, e)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, e: Exception) -> Response:
        log.exception("unexpected error")
        if console.is_console(request):
            return console.refusal_page(request, 500)
        return _error(500, "internal", "central failed on this request; it was logged")

    original_openapi = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = original_openapi()  # also stores it in app.openapi_schema
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in (UploadBatch, Heartbeat):  # bodies those endpoints read themselves (signed bytes)
                definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(definition.pop("$defs", {}))
                components[model.__name__] = definition
            _declare_middleware_answers(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


#: what the middleware may answer on any route before the route runs (and 503 when the database is away)
_EVERY_ROUTE = {"400": "a control character in the address or form, or a Content-Length that is not a number",
                "413": "body larger than the route's limit", "503": "the database is unavailable for a moment"}


def _declare_middleware_answers(schema: dict) -> None:
    """Adds to every operation the refusals answered by middleware and exception handlers, which FastAPI
    cannot see: 400, 413, 503 everywhere, 429 where a per-address limit (enrollment) or load shedding
    (the other terminal routes, `central.shedding`) answers it."""
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, what in _EVERY_ROUTE.items():
                responses.setdefault(status, {"description": what, **error})
            if path == PATH_ENROLL:
                responses.setdefault("429", {"description": "too many refused enrollments from this address; "
                                             "see Retry-After", **error})
            elif path.startswith(SHED_PREFIX) and path not in NOT_SHED:
                responses.setdefault("429", {"description": "central is busy (load shedding): keep the "
                                             "applications queued and retry after Retry-After", **error})
    schema["components"]["schemas"].setdefault(
        "ErrorBody", ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}"))


def from_environment() -> FastAPI:
    """The app for `loket-central serve` workers: the database named by central's settings."""
    database = Database(database_url(), migrate_schema=False, pool_size=pool_size(),
                        statement_timeout_s=statement_timeout_s())
    problem = database.keyring.problem()
    if problem:
        log.warning("%s. Terminals are still served; opening personal data is refused until the key is back.",
                    problem)
    return create_app(database, enroll_refusals=enroll_refusals(), signature_v1=signature_v1_grace(),
                      workers=server_workers(), login_limit=login_limit(), in_flight=requests_in_flight())
