"""Central's settings: where its database and its key-encryption key are, and how many database
connections each server process keeps. The one place that reads the environment."""

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
ENV_WORKERS = "LOKET_CENTRAL_WORKERS"  # how many server processes `serve` started (they share the limits)


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


def server_workers(environ: Mapping[str, str] | None = None) -> int:
    """How many server processes answer on central's address (`serve --workers`, default 1)."""
    return _count(ENV_WORKERS, 1, environ)


def db_connections(environ: Mapping[str, str] | None = None) -> int:
    """Connections all of `serve`'s workers together may keep to the database."""
    return _count(ENV_CONNECTIONS, DEFAULT_CONNECTIONS, environ)


ENV_KEY_FILE = "LOKET_CENTRAL_KEY_FILE"
ENV_KEK = "LOKET_CENTRAL_KEK"


def key_file(given: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The key-encryption key file: `given`, else `$LOKET_CENTRAL_KEY_FILE`, else one in the user's
    config directory, deliberately not beside the database, so a copy of the data folder misses it."""
    environ = os.environ if environ is None else environ
    if given or environ.get(ENV_KEY_FILE):
        return Path(given or environ[ENV_KEY_FILE]).expanduser().resolve()
    config = Path(environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config / "loket-central" / "key-encryption-key"


def key_from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """`$LOKET_CENTRAL_KEK` (base64 of 32 bytes, for container secrets), which wins over any key file."""
    environ = os.environ if environ is None else environ
    return environ.get(ENV_KEK) or None


ENV_ENROLL_REFUSALS = "LOKET_CENTRAL_ENROLL_REFUSALS"
DEFAULT_ENROLL_REFUSALS = (20, 60.0)


def enroll_refusals(environ: Mapping[str, str] | None = None) -> tuple[int, float]:
    """How many refused enrollments one client address may make per how many seconds: `$LOKET_CENTRAL_ENROLL_REFUSALS`
    as `N/SECONDS` (e.g. `20/60`), else 20 a minute. A malformed value keeps the default."""
    environ = os.environ if environ is None else environ
    count, _, seconds = environ.get(ENV_ENROLL_REFUSALS, "").partition("/")
    if count.isdigit() and int(count) > 0 and seconds.isdigit() and int(seconds) > 0:
        return int(count), float(seconds)
    return DEFAULT_ENROLL_REFUSALS


ENV_SIGNATURE_V1 = "LOKET_CENTRAL_SIGNATURE_V1"


def accepts_signature_v1(environ: Mapping[str, str] | None = None) -> bool:
    """Whether terminals may still sign without their id (protocol version 1): yes until
    `$LOKET_CENTRAL_SIGNATURE_V1` is `refuse`, once every terminal runs version 2."""
    environ = os.environ if environ is None else environ
    return environ.get(ENV_SIGNATURE_V1, "accept").strip().lower() != "refuse"


ENV_RELEASE_KEYS = "LOKET_CENTRAL_RELEASE_KEYS"


def release_keys_file(given: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The release public keys central accepts bundles signed by: `given`, else `$LOKET_CENTRAL_RELEASE_KEYS`,
    else `release-keys` in central's config directory."""
    environ = os.environ if environ is None else environ
    if given or environ.get(ENV_RELEASE_KEYS):
        return Path(given or environ[ENV_RELEASE_KEYS]).expanduser()
    return key_file(None, {k: v for k, v in environ.items() if k != ENV_KEY_FILE}).parent / "release-keys"
