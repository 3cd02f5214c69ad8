"""Central's settings: where its database is. The one place that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

DEFAULT_DB_FILE = "loket-central.db"
ENV_DB = "LOKET_CENTRAL_DB"


def database_url(given: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The database URL to use: `given`, else `$LOKET_CENTRAL_DB`, else a SQLite file in the current
    directory. A bare file path is taken as a SQLite file."""
    environ = os.environ if environ is None else environ
    url = given or environ.get(ENV_DB) or DEFAULT_DB_FILE
    if "://" not in url:
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    return url
