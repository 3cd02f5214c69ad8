"""Harness for tests and benchmarks around a real central: a throwaway PostgreSQL cluster, and plain
functions that create an office and enrollment codes directly in central's database (as staff
would with `loket-central`). Central itself is started with `central.devserver.start_central`, the
same code `loket demo` uses.

    pg = start_postgres(Path("/tmp/x"));  central = start_central(pg.url)
    code = new_enrollment_code(pg.url, create_test_office(pg.url).code)
    ...;  central.stop();  pg.stop()
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from central.db import Database
from central.devserver import free_port, use_dev_key_file
from central.errors import CentralError
from central.offices import create_office, get_office, make_enrollment_code


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
    workdir.mkdir(parents=True, exist_ok=True)
    owned = not _reachable_by_postgres(workdir)
    directory = Path(tempfile.mkdtemp(prefix="loket-pg-") if owned else tempfile.mkdtemp(prefix="postgres-",
                                                                                         dir=workdir))
    return start_postgres_in(directory, owned=owned)


def start_postgres_in(directory: Path, *, owned: bool = False, waldir: Path | None = None) -> RunningPostgres:
    """A fresh cluster whose data directory is `directory/data` (`directory` exists, empty), its WAL in
    `waldir` (a new folder) when given: a test can put the data on a small filesystem of its own.
    `owned`: `stop()` removes `directory`."""
    bin_dir = ensure_postgres_installed()
    for folder in (directory, *((waldir.parent,) if waldir else ())):
        if os.geteuid() == 0:
            os.chmod(folder, 0o755)
            shutil.chown(folder, "postgres", "postgres")
    data = directory / "data"
    _run_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "tester", "--auth=trust", "-E", "UTF8",
                      "--locale=C.UTF-8", "--no-sync", *(("--waldir", str(waldir)) if waldir else ())])
    running = RunningPostgres(directory, free_port(), bin_dir, owned)
    running.resume()
    running.create_database("loket")
    return running
