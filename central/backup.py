"""`loket-central backup` and `restore`: a consistent copy of central's database (SQLite's online
backup API; PostgreSQL's `pg_dump`), and putting one back.

The copy holds the wrapped office keys, never the key-encryption key that unwraps them: that key
file is backed up apart (see docs/operations.md), so a stolen backup opens nothing. A restore
records when its backup was taken; terminals then resend what central acknowledged since a little
before that moment (`HeartbeatResponse.resend_since`), and the application UUIDs make each resend
count once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from central import pg
from central.db import Database, is_sqlite
from central.errors import CentralError
from central.models import Application, Backup, Restore, as_utc, utcnow
from central.settings import key_file

#: how far before its backup a restore asks terminals to resend from: terminals' clocks drift
RESEND_MARGIN = dt.timedelta(days=1)


@dataclass(frozen=True)
class RestoreSummary:
    backup_taken_at: dt.datetime
    applications: int
    key_problem: str | None


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _pg_program(name: str) -> str:
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parent.parent.name))
    found = str(versions[-1]) if versions else shutil.which(name)
    if not found:
        raise CentralError(f"{name} is not installed (Debian: postgresql-client)")
    return found


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A conninfo for the PostgreSQL tools and the environment carrying the password (never argv)."""
    parsed = pg.sqlalchemy_url(url)
    hosts = parsed.query.get("host")
    hosts = [hosts] if isinstance(hosts, str) else list(hosts or [])
    params: dict[str, str] = {"dbname": parsed.database or "", "user": parsed.username or ""}
    if hosts:
        params["host"] = ",".join(h.rpartition(":")[0] or h for h in hosts)
        params["port"] = ",".join(h.rpartition(":")[2] if ":" in h else "5432" for h in hosts)
    else:
        params["host"], params["port"] = parsed.host or "", str(parsed.port or 5432)
    for key, value in parsed.query.items():
        if key != "host":
            params[key] = value if isinstance(value, str) else value[-1]
    env = {**os.environ, **({"PGPASSWORD": parsed.password} if parsed.password else {})}
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in params.items() if v}), env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise CentralError(f"{Path(command[0]).name} failed: {(result.stderr or result.stdout).strip()[-400:]}")


def backup(url: str, out: Path) -> dt.datetime:
    """Writes a consistent copy of the database at `url` to `out` (owner-only); returns when it was taken."""
    out = out.expanduser().resolve()
    if out == key_file() or out.exists():
        raise CentralError(f"{out} exists{' and is the key file' if out == key_file() else ''}: choose a new file")
    database = Database(url)
    try:
        taken_at = utcnow()
        with database.transaction() as session:
            session.add(Backup(taken_at=taken_at))
    finally:
        database.dispose()
    partial = out.with_name(out.name + ".partial")
    partial.touch(mode=0o600)
    try:
        if is_sqlite(url):
            with contextlib.closing(sqlite3.connect(_sqlite_path(url))) as live, \
                    contextlib.closing(sqlite3.connect(partial)) as copy:
                live.backup(copy)
        else:
            conninfo, env = _libpq(url)
            _run([_pg_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file",
                  str(partial), "--dbname", conninfo], env)
        os.chmod(partial, 0o600)
        partial.rename(out)
    finally:
        partial.unlink(missing_ok=True)
    return taken_at


def _has_tables(url: str) -> bool:
    database = Database(url, migrate_schema=False)
    try:
        return bool(inspect(database.engine).get_table_names())
    finally:
        database.dispose()


def restore(url: str, source: Path, *, replace: bool = False) -> RestoreSummary:
    """Puts the backup `source` into the database at `url` (which must be empty unless `replace`),
    brings its schema up to date and records the restore for the terminals."""
    source = source.expanduser().resolve()
    if not source.is_file():
        raise CentralError(f"{source}: no such backup file")
    if not replace and _has_tables(url):
        raise CentralError("the database is not empty: restore into a new one, or pass --replace")
    if is_sqlite(url):
        target = _sqlite_path(url)
        with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as copy, \
                contextlib.closing(sqlite3.connect(target)) as live:
            copy.backup(live)
    else:
        conninfo, env = _libpq(url)
        _run([_pg_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
              *(["--clean", "--if-exists"] if replace else []), "--dbname", conninfo, str(source)], env)
    database = Database(url)  # migrates a backup taken by an older central
    try:
        with database.transaction() as session:
            taken_at = as_utc(session.scalar(select(func.max(Backup.taken_at))))
            if taken_at is None:
                raise CentralError(f"{source} was not made by loket-central backup (it records no backup)")
            session.add(Restore(restored_at=utcnow(), backup_taken_at=taken_at))
            applications = session.scalar(select(func.count()).select_from(Application)) or 0
        return RestoreSummary(taken_at, applications, database.keyring.problem())
    finally:
        database.dispose()


def resend_since(session: Session) -> dt.datetime | None:
    """Since when terminals should resend what central acknowledged: a little before the newest
    restore's backup; None when central was never restored."""
    taken_at = as_utc(session.scalar(select(Restore.backup_taken_at).order_by(Restore.id.desc()).limit(1)))
    return None if taken_at is None else taken_at - RESEND_MARGIN


def register(command, commands) -> None:  # type: ignore[no-untyped-def]
    """Adds `backup` and `restore` to `loket-central` (`command` is cli.py's helper)."""
    from central.settings import database_url

    def cmd_backup(args) -> int:  # type: ignore[no-untyped-def]
        taken_at = backup(database_url(args.db or args.global_db), args.out)
        print(f"backup of {taken_at:%Y-%m-%d %H:%M:%S} UTC written to {args.out}")
        print(f"the key file ({key_file()}) is not in it: keep a copy of that apart, never beside the backup")
        return 0

    def cmd_restore(args) -> int:  # type: ignore[no-untyped-def]
        summary = restore(database_url(args.db or args.global_db), args.backup, replace=args.replace)
        print(f"restored the backup of {summary.backup_taken_at:%Y-%m-%d %H:%M:%S} UTC: "
              f"{summary.applications} applications")
        since = summary.backup_taken_at - RESEND_MARGIN
        print(f"terminals resend what central acknowledged since {since:%Y-%m-%d %H:%M} UTC on their next sync")
        if summary.key_problem:
            print(f"warning: {summary.key_problem}: personal data stays closed until the key file is back")
        return 0

    sub = command(commands, "backup", cmd_backup, "write a consistent copy of the database (not the key file)")
    sub.add_argument("--out", type=Path, required=True, help="a new file for the copy (owner-only)")
    sub = command(commands, "restore", cmd_restore, "put a backup into an empty database; terminals then resend")
    sub.add_argument("backup", type=Path)
    sub.add_argument("--replace", action="store_true", help="replace what the database holds now")
