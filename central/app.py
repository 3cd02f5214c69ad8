"""The FastAPI application: the terminals' API (every refusal answered as an `ErrorBody`, from
`central.api.refusals`), the staff console mounted under /staff as an application of its own (its
refusals answered as pages, `central.console`), and the public verification page."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from sqlalchemy import event

from central import console
from central.api import ROUTERS
from central.api import refusals as api_refusals
from central.console.login_guard import LOGIN_PATH, LoginGuard
from central.db import Database, is_sqlite
from central.limits import BodyLimit, EnrollmentRateLimit, LoginRateLimit, TextBoundary
from central.ratelimit import RateLimiter
from central.settings import (
    DEFAULT_ENROLL_REFUSALS,
    DEFAULT_LOGIN_LIMIT,
    DEFAULT_SHED_AFTER_MS,
    SignatureV1Grace,
    database_url,
    enroll_refusals,
    login_limit,
    pool_size,
    requests_in_flight,
    server_workers,
    shed_after_s,
    signature_v1_grace,
    statement_timeout_s,
)
from central.shedding import NOT_SHED, SHED_PREFIX, LoadShedding, QueueDelay, work_begins
from central.verification.router import router as verification_router
from sync.protocol import PATH_ENROLL, ErrorBody, Heartbeat, UploadBatch

log = logging.getLogger("central")
NO_SIGNATURE_V1 = SignatureV1Grace()
#: lookups of the public verification page per client address: this many at once, then this many a second
VERIFY_BURST, VERIFY_PER_SECOND = 30, 0.5


def _share(limit: int, workers: int) -> int:
    """One server process's part of a per-address limit that `workers` processes keep apart."""
    return max(1, limit // workers)


def create_app(database: Database, *, enroll_refusals: tuple[int, float] = DEFAULT_ENROLL_REFUSALS,
               signature_v1: SignatureV1Grace = NO_SIGNATURE_V1, workers: int = 1,
               login_limit: tuple[int, float] = DEFAULT_LOGIN_LIMIT,
               in_flight: tuple[int, int] = requests_in_flight({}),
               shed_after: float | None = DEFAULT_SHED_AFTER_MS / 1000) -> FastAPI:
    """The API, the staff console and the public verification page over `database` (already migrated);
    every body is bounded before it is read.

    The per-address limits are counted in memory, so each of the `workers` server processes answering
    on the same address keeps 1/`workers` of them: together they never allow more than the limit.
    Past `in_flight` terminal requests in progress in this process (a count, and bytes of their bodies),
    or while its requests have waited longer than `shed_after` seconds for a thread and a connection
    (None: never), the next is answered 429 with Retry-After (central/shedding.py)."""

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
    app.state.console = console.install(app, database, guard)
    app.include_router(verification_router)
    app.add_middleware(TextBoundary)
    app.add_middleware(BodyLimit)
    app.add_middleware(LoginRateLimit, guard=guard, path=LOGIN_PATH)
    app.add_middleware(LoadShedding, limit=in_flight[0], byte_limit=in_flight[1],
                       delay=QueueDelay(shed_after) if shed_after else None)
    if not event.contains(database.engine, "checkout", work_begins):
        event.listen(database.engine, "checkout", work_begins)  # a request's wait in the queue ends there
    refusals, per_s = enroll_refusals
    app.add_middleware(EnrollmentRateLimit, refusals=_share(refusals, workers), per_s=per_s)  # outermost
    api_refusals.install(app, database)

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
                      workers=server_workers(), login_limit=login_limit(), in_flight=requests_in_flight(),
                      shed_after=shed_after_s())
