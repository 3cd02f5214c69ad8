"""Central's settings: where its database is, and how many connections each server process keeps.
The one place that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

DEFAULT_DB_FILE = "loket-central.db"
ENV_DB = "LOKET_CENTRAL_DB"
ENV_POOL = "LOKET_CENTRAL_POOL"  # database connections per server process (`serve` sets it per worker)
DEFAULT_POOL = 20
ENV_CONNECTIONS = "LOKET_CENTRAL_DB_CONNECTIONS"  # `serve`'s default for --db-connections
DEFAULT_CONNECTIONS = 16


def database_url(given: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The database URL to use: `given`, else `$LOKET_CENTRAL_DB`, else a SQLite file in the current
    directory. A bare file path is taken as a SQLite file."""
    environ = os.environ if environ is None else environ
    url = given or environ.get(ENV_DB) or DEFAULT_DB_FILE
    if "://" not in url:
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def _count(name: str, default: int, environ: Mapping[str, str] | None) -> int:
    value = (os.environ if environ is None else environ).get(name, "")
    return max(1, int(value)) if value.isdigit() else default


def pool_size(environ: Mapping[str, str] | None = None) -> int:
    """Connections one server process keeps to its database (and threads it serves requests on)."""
    return _count(ENV_POOL, DEFAULT_POOL, environ)


def db_connections(environ: Mapping[str, str] | None = None) -> int:
    """Connections all of `serve`'s workers together may keep to the database."""
    return _count(ENV_CONNECTIONS, DEFAULT_CONNECTIONS, environ)
