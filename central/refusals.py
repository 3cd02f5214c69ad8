"""What each of central's web applications does when a request goes wrong, shared by both: central's
domain errors (`central.errors`) go to the application's own table of answers, a database failure is
first turned into the domain error it means, and anything else is a bug, logged and answered as one.

The terminals' API answers from `central.api.refusals` (JSON `ErrorBody`), the staff console from
`central.console.refusals` (pages); neither asks which of the two a request was for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from central.db import Database
from central.errors import CentralError, DatabaseUnavailable, InvalidValue
from central.pg import is_failover_error

log = logging.getLogger("central")
#: the database's own failures, as SQLAlchemy raises them (DataError and OperationalError are DBAPIErrors)
DATABASE_FAILURES: tuple[type[Exception], ...] = (DBAPIError, PoolTimeout)

Refuse = Callable[[Request, CentralError], Response]


def domain_error(database: Database, failure: Exception) -> CentralError | None:
    """The domain error a database failure means; None when it means a bug in central.

    A value the database refused is the input's fault (`InvalidValue`); a database that cannot answer now
    is `DatabaseUnavailable` (the terminal keeps its applications and retries). A pooled connection to a
    primary that was demoted is dropped with its pool, so the next request starts afresh."""
    if isinstance(failure, DataError):
        log.warning("the database refused a value: %s",
                    str(failure.orig).splitlines()[0] if failure.orig else failure)
        return InvalidValue("a value in this request is out of range or malformed")
    failover = is_failover_error(failure)
    if failover:
        database.engine.dispose(close=False)
    if failover or isinstance(failure, (OperationalError, PoolTimeout)):
        log.warning("database unavailable: %s", (str(failure).splitlines() or [type(failure).__name__])[0])
        return DatabaseUnavailable("central's database is unavailable for a moment: retry later")
    return None


def install(app: FastAPI, database: Database, *, refuse: Refuse, failed: Callable[[Request], Response]) -> None:
    """Registers on `app`: every `CentralError` answered by `refuse`, every database failure too once it
    is a domain error, and anything else logged with its traceback and answered by `failed`."""

    async def _refused(request: Request, error: CentralError) -> Response:
        return refuse(request, error)

    async def _database(request: Request, failure: Exception) -> Response:
        error = domain_error(database, failure)
        return refuse(request, error) if error is not None else await _unexpected(request, failure)

    async def _unexpected(request: Request, _failure: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return failed(request)

    app.add_exception_handler(CentralError, _refused)  # type: ignore[arg-type]
    for failure in DATABASE_FAILURES:
        app.add_exception_handler(failure, _database)
    app.add_exception_handler(Exception, _unexpected)


__all__ = ["DATABASE_FAILURES", "domain_error", "install"]
