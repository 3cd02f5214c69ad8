"""Central's settings: where its database and its key-encryption key are, and how many database
connections each server process keeps. The one place that reads the environment."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
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


ENV_IN_FLIGHT = "LOKET_CENTRAL_IN_FLIGHT"  # terminal requests one server process takes at once; more: 429
DEFAULT_IN_FLIGHT = 1024
ENV_IN_FLIGHT_MB = "LOKET_CENTRAL_IN_FLIGHT_MB"  # their declared bodies, in MiB, one process takes at once
#: a request in progress holds its body (up to 1 MiB, sync.protocol.MAX_COMPRESSED_BYTES) while it waits
#: for a thread: 256 MiB of them per server process, whatever their number
DEFAULT_IN_FLIGHT_MB = 256
ENV_SHED_AFTER = "LOKET_CENTRAL_SHED_AFTER_MS"  # waits in the queue longer than this for an interval: shed; 0: never
DEFAULT_SHED_AFTER_MS = 2000


def requests_in_flight(environ: Mapping[str, str] | None = None) -> tuple[int, int]:
    """How many terminal requests, and how many bytes of their bodies (as declared, a body of unknown
    length counted at the most a body may be), one server process works on at once before it sheds the
    rest with 429 (`$LOKET_CENTRAL_IN_FLIGHT`, default 1024; `$LOKET_CENTRAL_IN_FLIGHT_MB`, default 256):
    bounds on the memory they may hold, not on load (that is `shed_after_s`)."""
    env = os.environ if environ is None else environ
    count, megabytes = env.get(ENV_IN_FLIGHT, ""), env.get(ENV_IN_FLIGHT_MB, "")
    return (max(1, int(count)) if count.isdigit() else DEFAULT_IN_FLIGHT,
            max(1, int(megabytes)) * 2**20 if megabytes.isdigit() else DEFAULT_IN_FLIGHT_MB * 2**20)


def shed_after_s(environ: Mapping[str, str] | None = None) -> float | None:
    """How long terminal requests may wait in central's queue (from their last body byte until their work
    takes a database connection) before the standing queue is shed with 429
    (`$LOKET_CENTRAL_SHED_AFTER_MS`, default 2000 ms; 0: never, the count bound alone). Terminals sync in
    the background and wait 30 s for an answer; the console's pages wait in the same queue, and two
    seconds is what a storm may cost staff."""
    value = (os.environ if environ is None else environ).get(ENV_SHED_AFTER, "")
    milliseconds = int(value) if value.isdigit() else DEFAULT_SHED_AFTER_MS
    return milliseconds / 1000 if milliseconds else None


def server_workers(environ: Mapping[str, str] | None = None) -> int:
    """How many server processes answer on central's address (`serve --workers`, default 1)."""
    return _count(ENV_WORKERS, 1, environ)


def db_connections(environ: Mapping[str, str] | None = None) -> int:
    """Connections all of `serve`'s workers together may keep to the database."""
    return _count(ENV_CONNECTIONS, DEFAULT_CONNECTIONS, environ)


ENV_STATEMENT_TIMEOUT = "LOKET_CENTRAL_STATEMENT_TIMEOUT_S"
DEFAULT_STATEMENT_TIMEOUT_S = 10.0


def statement_timeout_s(environ: Mapping[str, str] | None = None) -> float:
    """How long one PostgreSQL statement of the server, a commit waiting for its synchronous standby
    included, may take before central gives up on the request with a 503
    (`$LOKET_CENTRAL_STATEMENT_TIMEOUT_S`, default 10). Migrations and staff commands have no bound."""
    value = (os.environ if environ is None else environ).get(ENV_STATEMENT_TIMEOUT, "")
    try:
        return max(0.1, float(value)) if value else DEFAULT_STATEMENT_TIMEOUT_S
    except ValueError:
        return DEFAULT_STATEMENT_TIMEOUT_S


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
    return _per_seconds(ENV_ENROLL_REFUSALS, DEFAULT_ENROLL_REFUSALS, environ)


def _per_seconds(name: str, default: tuple[int, float], environ: Mapping[str, str] | None) -> tuple[int, float]:
    count, _, seconds = (os.environ if environ is None else environ).get(name, "").partition("/")
    if count.isdigit() and int(count) > 0 and seconds.isdigit() and int(seconds) > 0:
        return int(count), float(seconds)
    return default


ENV_LOGIN_LIMIT = "LOKET_CENTRAL_LOGIN_LIMIT"
DEFAULT_LOGIN_LIMIT = (20, 120.0)


def login_limit(environ: Mapping[str, str] | None = None) -> tuple[int, float]:
    """How many console logins one client address may try per how many seconds (`N/SECONDS`, as many at
    once, refilling evenly): `$LOKET_CENTRAL_LOGIN_LIMIT`, else 20 per 120 s. A malformed value keeps the default."""
    return _per_seconds(ENV_LOGIN_LIMIT, DEFAULT_LOGIN_LIMIT, environ)


ENV_TRUSTED_PROXY = "LOKET_CENTRAL_TRUSTED_PROXY"


def trusted_proxies(environ: Mapping[str, str] | None = None) -> list[str]:
    """Addresses of reverse proxies whose `X-Forwarded-For` / `-Proto` central believes (comma-separated in
    `$LOKET_CENTRAL_TRUSTED_PROXY`); none by default, so a client cannot choose the address it is counted as."""
    environ = os.environ if environ is None else environ
    return [a.strip() for a in environ.get(ENV_TRUSTED_PROXY, "").split(",") if a.strip()]


ENV_SIGNATURE_V1 = "LOKET_CENTRAL_SIGNATURE_V1"


@dataclass(frozen=True)
class SignatureV1Grace:
    """Which offices' terminals may still sign without their id (protocol version 1), and until which day
    (inclusive, UTC). The default lets none."""

    offices: frozenset[str] = frozenset()
    until: dt.date | None = None

    def allows(self, office_code: str, today: dt.date) -> bool:
        return (self.until is not None and today <= self.until
                and ("*" in self.offices or office_code in self.offices))


def signature_v1_grace(environ: Mapping[str, str] | None = None) -> SignatureV1Grace:
    """`$LOKET_CENTRAL_SIGNATURE_V1` as `OFFICE[,OFFICE...]:YYYY-MM-DD` (or `*:YYYY-MM-DD` for every office):
    those offices' terminals may sign version 1 until that day. Anything else refuses version 1."""
    environ = os.environ if environ is None else environ
    offices, _, until = environ.get(ENV_SIGNATURE_V1, "").strip().rpartition(":")
    codes = frozenset(code.strip() for code in offices.split(",") if code.strip())
    try:
        day = dt.date.fromisoformat(until.strip())
    except ValueError:
        return SignatureV1Grace()
    return SignatureV1Grace(codes, day) if codes else SignatureV1Grace()


ENV_RELEASE_KEYS = "LOKET_CENTRAL_RELEASE_KEYS"


def release_keys_file(given: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The release public keys central accepts bundles signed by: `given`, else `$LOKET_CENTRAL_RELEASE_KEYS`,
    else `release-keys` in central's config directory."""
    environ = os.environ if environ is None else environ
    if given or environ.get(ENV_RELEASE_KEYS):
        return Path(given or environ[ENV_RELEASE_KEYS]).expanduser()
    return key_file(None, {k: v for k, v in environ.items() if k != ENV_KEY_FILE}).parent / "release-keys"
