"""Running central outside pytest (benchmarks, the demo, tests): uvicorn in a subprocess on loopback,
a throwaway PostgreSQL cluster, and plain functions to create an office and an enrollment code.

    pg = start_postgres(Path("/tmp/x"));  central = start_central(pg.url)
    code = new_enrollment_code(pg.url, create_test_office(pg.url).code)
    ...;  central.stop();  pg.stop()
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from central.db import Database
from central.errors import CentralError
from central.offices import create_office, get_office, make_enrollment_code
from central.settings import ENV_KEK, ENV_KEY_FILE

REPO = Path(__file__).resolve().parent.parent


def use_dev_key_file() -> None:
    """Unless central's settings name a key-encryption key already, this process (and every central it
    starts) keeps one in a private temporary folder, never in the user's config directory."""
    if not (os.environ.get(ENV_KEY_FILE) or os.environ.get(ENV_KEK)):
        os.environ[ENV_KEY_FILE] = str(Path(tempfile.mkdtemp(prefix="loket-kek-")) / "central.key")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v1/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass
class RunningCentral:
    """A `loket-central serve` subprocess on 127.0.0.1; `url` has no trailing slash."""

    db_url: str
    port: int
    workers: int = 1
    log_path: Path | None = None
    key_file: Path | None = None
    environment: dict[str, str] = field(default_factory=dict)  # central's settings, beside the inherited ones
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> RunningCentral:
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "central", "serve", "--db", self.db_url, "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(self.workers)],
            cwd=REPO, stdout=log, stderr=log, start_new_session=True,
            env={**os.environ, **({ENV_KEY_FILE: str(self.key_file)} if self.key_file else {}), **self.environment},
        )
        deadline = time.monotonic() + timeout
        while not _answers(self.url):
            if self.process.poll() is not None:
                raise CentralError(f"central exited with {self.process.returncode} on start"
                                   + (f": see {self.log_path}" if self.log_path else ""))
            if time.monotonic() > deadline:
                self.stop()
                raise CentralError(f"central did not answer on {self.url} within {timeout:.0f} s")
            time.sleep(0.05)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stops central the way an operator would (SIGTERM, then SIGKILL if it hangs)."""
        self._signal(signal.SIGTERM, timeout)

    def kill(self) -> None:
        """Kills central at once (a power cut, as far as the server process can tell)."""
        self._signal(signal.SIGKILL, 10.0)

    def restart(self) -> RunningCentral:
        self.stop()
        return self.start()

    def _signal(self, sig: signal.Signals, timeout: float) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)  # the whole group: uvicorn workers too
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout)
        _wait_port_free(self.port)

    def __enter__(self) -> RunningCentral:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _wait_port_free(port: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.05)


def start_central(db_url: str, port: int | None = None, *, workers: int = 1,
                  log_path: Path | None = None, key_file: Path | None = None,
                  environment: dict[str, str] | None = None) -> RunningCentral:
    """Central on `db_url` (migrated on start), answering on 127.0.0.1:`port` (a free one by default), with
    its key-encryption key in `key_file` (default: central's settings, else see `use_dev_key_file`)."""
    use_dev_key_file()
    return RunningCentral(db_url, port or free_port(), workers, log_path, key_file, environment or {}).start()


def create_test_office(db_url: str, code: str | None = None, name: str = "Kelurahan Braga") -> OfficeInfo:
    """Creates an office (a fresh code unless given) with a new keypair and the default catalog."""
    use_dev_key_file()
    db = Database(db_url)
    try:
        with db.transaction() as session:
            office = create_office(session, code or f"O{os.urandom(5).hex()}", name)
            return OfficeInfo(office.code, office.name)
    finally:
        db.dispose()


def new_enrollment_code(db_url: str, office_code: str, *, ttl: dt.timedelta = dt.timedelta(hours=1)) -> str:
    """A one-time code to enroll one terminal with the office."""
    use_dev_key_file()
    db = Database(db_url)
    try:
        with db.transaction() as session:
            return make_enrollment_code(session, get_office(session, office_code), ttl=ttl)
    finally:
        db.dispose()


def new_enrollment_codes(db_url: str, office_code: str, count: int) -> list[str]:
    """Many codes in one transaction (benchmarks enroll hundreds of terminals)."""
    use_dev_key_file()
    db = Database(db_url)
    try:
        with db.transaction() as session:
            office = get_office(session, office_code)
            return [make_enrollment_code(session, office) for _ in range(count)]
    finally:
        db.dispose()


@dataclass(frozen=True)
class OfficeInfo:
    code: str
    name: str


# --- PostgreSQL -------------------------------------------------------------------------------------

def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian layout), or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


def ensure_postgres_installed() -> Path:
    """The PostgreSQL bin directory, installing Debian's `postgresql` first when it is absent (as root)."""
    found = postgres_bin()
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=True, capture_output=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"], check=True,
                       capture_output=True, env=env)
        found = postgres_bin()
    if found is None:
        raise CentralError("PostgreSQL is not installed: run scripts/setup (it installs Debian's postgresql)")
    return found


@dataclass
class RunningPostgres:
    """A throwaway PostgreSQL cluster on 127.0.0.1; `url` names its `loket` database."""

    directory: Path
    port: int
    bin: Path
    owned_directory: bool

    @property
    def url(self) -> str:
        return self.database_url("loket")

    def database_url(self, name: str) -> str:
        return f"postgresql+psycopg://tester@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str) -> str:
        """A new empty database in the cluster; returns its URL."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=tester dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.database_url(name)

    def stop(self) -> None:
        """Stops the cluster and removes it."""
        self.pause()
        if self.owned_directory:
            shutil.rmtree(self.directory, ignore_errors=True)

    def pause(self) -> None:
        """Stops the server, keeping its data: `resume()` brings it back on the same port."""
        _run_as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "fast", "-w", "stop"],
                         check=False)

    def resume(self) -> None:
        options = f"-p {self.port} -k {self.directory} -h 127.0.0.1 -c max_connections=300"
        _run_as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-l",
                          str(self.directory / "log"), "-w", "-o", options, "start"])

    def __enter__(self) -> RunningPostgres:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _run_as_postgres(command: list[str], *, check: bool = True) -> subprocess.CompletedProcess:
    # initdb refuses root; the `postgres` user cannot use our venv, so only PG's own binaries run as it
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    result = subprocess.run(command, capture_output=True, text=True, cwd="/")
    if check and result.returncode != 0:
        program = next(Path(part).name for part in command if part.startswith("/"))
        raise CentralError(f"{program} failed: {(result.stderr or result.stdout).strip()[-500:]}")
    return result


def _reachable_by_postgres(path: Path) -> bool:
    return os.geteuid() != 0 or all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents])


def start_postgres(workdir: Path) -> RunningPostgres:
    """A fresh cluster (initdb, trust auth for `tester` on loopback only) with an empty `loket` database.

    The cluster lives in a new `workdir/postgres-*` when the postgres user can reach `workdir`, else
    in a private temporary directory removed on `stop()`."""
    bin_dir = ensure_postgres_installed()
    workdir.mkdir(parents=True, exist_ok=True)
    owned = not _reachable_by_postgres(workdir)
    directory = Path(tempfile.mkdtemp(prefix="loket-pg-") if owned else tempfile.mkdtemp(prefix="postgres-",
                                                                                         dir=workdir))
    if os.geteuid() == 0:
        os.chmod(directory, 0o755)
        shutil.chown(directory, "postgres", "postgres")
    data = directory / "data"
    _run_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "tester", "--auth=trust", "-E", "UTF8",
                      "--locale=C.UTF-8", "--no-sync"])
    running = RunningPostgres(directory, free_port(), bin_dir, owned)
    running.resume()
    running.create_database("loket")
    return running
