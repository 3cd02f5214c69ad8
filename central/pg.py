"""PostgreSQL behind pg_auto_failover: a multi-host URL as `pg_autoctl show uri` prints it, a bound on
how long a statement (a commit waiting for its synchronous standby included) may take, and the
signs that a failover is under way, which central answers with 503 + Retry-After, never 500.

A commit waits for the synchronous standby. When the standby is gone and nobody (the monitor) has
yet switched the primary to go on alone, the wait has no end, and `statement_timeout` does not
cover it (PostgreSQL disarms the timer before the commit proper). So `guard_commit` cancels the
commit from a timer thread; PostgreSQL then reports the commit as done with only a WARNING
("canceling wait for synchronous replication"): the row is on one disk, not two. We catch that
warning and fail the request, so central never says "accepted" for it; the terminal's retry finds
it then (`duplicate`), once the standby is back or the primary was told to go on alone.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from central.errors import DatabaseUnavailable

#: SQLSTATEs that mean "this server does not take writes (any more)": read-only transaction, standby
#: in recovery, admin shutdown, crash shutdown, cannot connect now
FAILOVER_SQLSTATES = frozenset({"25006", "57P01", "57P02", "57P03", "08000", "08001", "08003", "08006"})
_UNREPLICATED = "canceling wait for synchronous replication"
log = logging.getLogger("central")


class CommitNotReplicated(DatabaseUnavailable):
    """The commit reached the primary's disk but its synchronous standby did not confirm it in time."""


def sqlalchemy_url(url: str) -> URL:
    """`url` as SQLAlchemy takes it. A libpq multi-host URL (`postgresql://u@h1:p1,h2:p2/db?...`), which
    SQLAlchemy cannot parse, becomes `postgresql+psycopg://u@/db?host=h1:p1&host=h2:p2&...`."""
    parts = urlsplit(url)
    at = parts.netloc.rpartition("@")
    if "," not in at[2]:
        return make_url(url)
    hosts = [h for h in at[2].split(",") if h]
    query = [("host", h) for h in hosts] + parse_qsl(parts.query)
    scheme = "postgresql+psycopg" if parts.scheme in ("postgres", "postgresql") else parts.scheme
    return make_url(f"{scheme}://{at[0]}{'@' if at[1] else ''}{parts.path}?{urlencode(query)}")


_state = threading.local()


def _notice(diagnostic) -> None:  # type: ignore[no-untyped-def]
    if _UNREPLICATED in (diagnostic.message_primary or ""):
        _state.unreplicated = True


def configure(engine: Engine, *, statement_timeout_s: float) -> None:
    """Bounds every statement (and commit wait) on `engine`'s connections and watches for commits that
    ended without their standby's confirmation (see `raise_if_unreplicated`)."""

    @event.listens_for(engine, "connect")
    def _connected(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.add_notice_handler(_notice)
        dbapi_connection.execute(f"SET statement_timeout = {int(statement_timeout_s * 1000)}")
        dbapi_connection.commit()


class CommitGuard:
    """A commit's deadline, watched by the process's one watchdog thread; `cancel()` once it returned."""

    def __init__(self, deadline: float, cancel_commit: Callable[[], object]) -> None:
        self.deadline = deadline
        self.cancel_commit = cancel_commit
        self.done = False

    def cancel(self) -> None:
        with _watch:
            self.done = True


# one thread for all commits of the process: a `threading.Timer` per commit started a thread on every
# request (its CPU, and on a busy machine a wait for the new thread to be scheduled)
_watch = threading.Condition()
_guards: list[tuple[float, int, CommitGuard]] = []  # a heap, by deadline
_sequence = itertools.count()
_watchdog: threading.Thread | None = None


def guard_commit(session: Session, timeout_s: float) -> CommitGuard:
    """Cancels `session`'s commit if it takes longer than `timeout_s`; `.cancel()` the guard once the
    commit returned."""
    global _watchdog
    raw = session.connection().connection.driver_connection
    guard = CommitGuard(time.monotonic() + timeout_s, raw.cancel_safe)
    with _watch:
        heapq.heappush(_guards, (guard.deadline, next(_sequence), guard))
        if _watchdog is None or not _watchdog.is_alive():  # not alive: this process was forked from another
            _watchdog = threading.Thread(target=_cancel_overdue_commits, name="commit-watchdog", daemon=True)
            _watchdog.start()
        elif _guards[0][2] is guard:
            _watch.notify()
    return guard


def _cancel_overdue_commits() -> None:
    with _watch:
        while True:
            while _guards and _guards[0][2].done:
                heapq.heappop(_guards)
            if not _guards:
                _watch.wait()
                continue
            wait = _guards[0][0] - time.monotonic()
            if wait > 0:
                _watch.wait(wait)
                continue
            guard = heapq.heappop(_guards)[2]
            guard.done = True
            _watch.release()  # cancelling opens a connection to the server: the others must not wait on it
            try:
                guard.cancel_commit()
            except Exception:  # a failed cancel leaves that commit to statement_timeout and the others watched
                log.warning("could not cancel an overdue commit", exc_info=True)
            finally:
                _watch.acquire()


def forget_unreplicated() -> None:
    _state.unreplicated = False


def raise_if_unreplicated() -> None:
    """Raises `CommitNotReplicated` when this thread's last commit ended on the standby-wait warning."""
    if getattr(_state, "unreplicated", False):
        _state.unreplicated = False
        raise CommitNotReplicated("the synchronous standby did not confirm the commit in time")


def is_failover_error(error: BaseException) -> bool:
    """Whether a database error means the primary is changing (answer 503 and retry later)."""
    sqlstate = getattr(getattr(error, "orig", None), "sqlstate", None)
    return sqlstate in FAILOVER_SQLSTATES
