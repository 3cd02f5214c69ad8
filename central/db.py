"""Engines, sessions and migrations: SQLite (embedded default, WAL) or PostgreSQL (psycopg 3), by URL.

On SQLite every transaction starts with `BEGIN IMMEDIATE`, so concurrent writers queue on the
busy timeout instead of failing to upgrade a read lock; commits are `synchronous=FULL` because an
`accepted` answer promises the application is on disk.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from central import pg
from central.access_chain import chain_new_entries
from central.errors import CentralError
from central.keyring import Keyring

MIGRATIONS = Path(__file__).parent / "migrations"
#: a connection idle longer than this is pinged before use (the database may have restarted meanwhile)
IDLE_PING_S = 2.0


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, *, pool_size: int = 20, statement_timeout_s: float | None = None) -> Engine:
    """An engine for `url`; raises `CentralError` when the URL is not one central can use.

    On SQLite `pool_size` + as many overflow = 40 connections, the size of the server's thread pool,
    so a request never waits for a connection behind the others. On PostgreSQL the pool holds
    exactly `pool_size` connections (`serve` sizes it, and its thread pool, per worker)."""
    try:
        parsed = pg.sqlalchemy_url(url) if url.startswith("postgres") else make_url(url)
    except (ArgumentError, ValueError):
        raise CentralError(f"{url!r} is not a database URL (sqlite:///FILE or postgresql+psycopg://...)") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise CentralError(f"unsupported database {parsed.get_backend_name()!r}: use SQLite or PostgreSQL")
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, pool_size=pool_size, max_overflow=0, pool_timeout=30)
        _ping_when_idle(engine)
        if statement_timeout_s:
            pg.configure(engine, statement_timeout_s=statement_timeout_s)
        return engine
    engine = create_engine(parsed, pool_size=pool_size, max_overflow=pool_size, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Pings a pooled connection before use only when it sat idle past `IDLE_PING_S`.

    `pool_pre_ping` would cost a round trip on every request; a connection in steady use proves
    itself alive, and a failure on one invalidates the whole pool anyway (SQLAlchemy's default)."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        if time.monotonic() - record.info.get("idle_since", time.monotonic()) <= IDLE_PING_S:
            return
        try:
            dbapi_connection.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as e:  # any failure: the pool drops this connection and tries a fresh one
            raise exc.DisconnectionError(str(e)) from e


def insert_ignoring_conflicts(session: Session, table: type) -> Any:
    """`INSERT ... ON CONFLICT DO NOTHING` for the session's database; add `.values()` (and `.returning()`)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


def migrate(engine: Engine, keyring: Keyring | None = None) -> None:
    """Brings the schema to the newest migration (`alembic upgrade head`); `keyring` wraps plain office keys."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["keyring"] = keyring
        command.upgrade(config, "head")


def write_at_commit(session: Session, entity: object, **values: object) -> None:
    """Sets `values` on `entity` only as the transaction commits, so that its row is locked last. An
    upload locks its terminal's row after inserting its applications (the queue it reports); a row
    locked earlier by the same kind of request (when the terminal was last seen) made two copies of one
    batch wait on each other in opposite order, and PostgreSQL broke the deadlock by failing one."""
    session.info.setdefault(_AT_COMMIT, []).append((entity, values))


_AT_COMMIT = "loket.at_commit"


def _write_deferred(session: Session) -> None:
    for entity, values in session.info.pop(_AT_COMMIT, ()):
        for name, value in values.items():
            setattr(entity, name, value)


class Database:
    """One engine and its session factory; `transaction()` is the unit of work. Its sessions carry the
    keyring (`central.keyring.keyring_of`) that unwraps the offices' private keys."""

    def __init__(self, url: str, *, migrate_schema: bool = True, pool_size: int = 20,
                 statement_timeout_s: float | None = None,
                 keyring: Keyring | None = None) -> None:
        self.url = url
        self.keyring = keyring or Keyring.from_settings()
        # a server bounds its statements and commits (`statement_timeout_s`); migrations and staff commands
        # that scan millions of rows must not be cut off, so they pass none
        self.engine = make_engine(url, pool_size=pool_size, statement_timeout_s=statement_timeout_s)
        if migrate_schema:
            migrate(self.engine, self.keyring)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, info={"keyring": self.keyring})
        event.listen(self._sessions, "before_flush", chain_new_entries)  # every access-log entry is chained
        event.listen(self._sessions, "before_commit", _write_deferred)
        # SQLite has one writer at a time; queueing threads here is fair and cheap, where queueing them
        # on the file lock means polling with growing sleeps, which starves some requests for seconds
        self._sqlite = is_sqlite(url)
        self._writer = threading.Lock()
        self._commit_timeout_s = statement_timeout_s

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        if self._sqlite:
            with self._writer, self._sessions() as session, session.begin():
                yield session
            return
        pg.forget_unreplicated()
        guard = None
        try:
            with self._sessions() as session, session.begin():
                yield session
                if self._commit_timeout_s:
                    guard = pg.guard_commit(session, self._commit_timeout_s)
        finally:
            if guard is not None:
                guard.cancel()
        pg.raise_if_unreplicated()  # "done" must mean on both nodes' disks (see central/pg.py)

    def dispose(self) -> None:
        self.engine.dispose()
