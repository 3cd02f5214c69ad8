"""The `loket-central` command: run the server and do staff work on its database.

Every command takes `--db URL` (default `$LOKET_CENTRAL_DB`, else `loket-central.db` here). Any
`LoketError` (bad input, nothing found) becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from central import backup, cli_audit, cli_keys, cli_requests, records
from central.bundles import import_bundle
from central.cli_citizen import add_citizen_commands
from central.cli_releases import add_release_commands
from central.cli_staff import add_staff_commands
from central.db import Database
from central.errors import CentralError
from central.letters import cli as letters_cli
from central.offices import create_office, get_office, make_enrollment_code, publish_catalog, rotate_office_key
from central.provisioning import make_provisioning_file
from central.settings import (
    ENV_CONNECTIONS,
    ENV_DB,
    ENV_POOL,
    ENV_WORKERS,
    database_url,
    db_connections,
    trusted_proxies,
)
from central.sms import cli as sms_cli
from central.status import change_status
from kiosk.clock import clock_warning
from kiosk.errors import run_command
from kiosk.lifecycle import check_status


class UsageError(CentralError):
    """The command line itself is wrong."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line, not a usage dump
        raise UsageError(f"{self.prog.removeprefix('loket-central').strip() or 'usage'}: {message} (see --help)")


def _db_url(args: argparse.Namespace) -> str:
    return database_url(args.db or args.global_db)


def _open(args: argparse.Namespace) -> Database:
    return Database(_db_url(args))


def _print_json(value: object) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def _listing(as_json: bool, rows: list[dict[str, Any]], noun: str, line: Callable[[dict[str, Any]], str]) -> int:
    if as_json:
        _print_json(rows)
    else:
        for row in rows:
            print(line(row))
        print(f"{len(rows)} {noun}")
    return 0


#: longer than a terminal's gap between requests in a sync round, so connections are reused, not raced:
#: with uvicorn's 5 s a close crossing the terminal's next request on the wire fails that request
KEEP_ALIVE_S = 30


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    url = _db_url(args)
    Database(url).dispose()  # migrate once, before any worker starts
    os.environ[ENV_DB] = url  # the workers' app factory reads it through central.settings
    os.environ[ENV_POOL] = str(max(2, args.db_connections // args.workers))  # each worker's share
    os.environ[ENV_WORKERS] = str(args.workers)  # each worker keeps its share of the per-address limits
    # uvicorn believes X-Forwarded-For from 127.0.0.1 by default: any local client could pick its address
    proxies = trusted_proxies()
    uvicorn.run("central.app:from_environment", factory=True, host=args.host, port=args.port,
                workers=args.workers, access_log=args.access_log, log_level=args.log_level,
                timeout_graceful_shutdown=5, timeout_keep_alive=KEEP_ALIVE_S,
                proxy_headers=bool(proxies), forwarded_allow_ips=proxies or None)
    return 0


def cmd_office_create(args: argparse.Namespace) -> int:
    with _open(args).transaction() as session:
        office = create_office(session, args.code, args.name, catalog=args.catalog)
        print(f"office {office.code} ({office.name}) created")
    return 0


def cmd_office_rotate_key(args: argparse.Namespace) -> int:
    with _open(args).transaction() as session:
        key = rotate_office_key(session, get_office(session, args.code))
        print(f"office {args.code}: new public key {key.public_key} (older keys kept to open older applications)")
    return 0


def cmd_office_catalog(args: argparse.Namespace) -> int:
    with _open(args).transaction() as session:
        entry = publish_catalog(session, get_office(session, args.code), args.file)
        print(f"office {args.code}: catalog {entry.version} in force")
    return 0


def cmd_enroll_code(args: argparse.Namespace) -> int:
    if args.ttl_hours <= 0:
        raise UsageError("enroll-code: --ttl-hours must be positive")
    with _open(args).transaction() as session:
        print(make_enrollment_code(session, get_office(session, args.office), ttl=dt.timedelta(hours=args.ttl_hours)))
    return 0


def cmd_provisioning_file(args: argparse.Namespace) -> int:
    if args.days <= 0:
        raise UsageError("provisioning-file: --days must be positive")
    with _open(args).transaction() as session:
        document = make_provisioning_file(session, args.office, args.server, ttl=dt.timedelta(days=args.days))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{document.terminal_code}.loket-provisioning.json"
    path.write_text(document.model_dump_json(indent=2, exclude_none=True), encoding="utf-8")
    print(path)
    return 0


def cmd_audit_list(args: argparse.Namespace) -> int:
    with _open(args).transaction() as session:
        entries = records.list_audit(session, terminal=args.terminal, limit=args.limit)
    return _listing(args.json, entries, "audit entries", lambda e: (
        f"{e['at']}  {e['terminal']}  {e['actor']:<10} {e['action']:<32} {e['detail']}"))


def cmd_import(args: argparse.Namespace) -> int:
    try:
        data = args.bundle.read_bytes()
    except OSError as e:
        raise UsageError(f"import: cannot read {args.bundle}: {e.strerror}") from None
    report = import_bundle(_open(args), data, allow_revoked=args.allow_revoked)
    counts = report.outcomes
    print(f"terminal {report.terminal_code}: accepted {counts['accepted']}, duplicate {counts['duplicate']}, "
          f"rejected {counts['rejected']}, audit entries {report.audit_stored}, "
          f"survey answers {report.survey_stored}")
    for app_id, reason in report.rejected:
        print(f"rejected {app_id}: {reason}")
    return 0


def cmd_applications_list(args: argparse.Namespace) -> int:
    with _open(args).transaction() as session:
        rows = [dataclasses.asdict(r) for r in records.list_applications(session, office=args.office,
                                                                          status=args.status, limit=args.limit)]
    return _listing(args.json, rows, "application(s)", lambda r: (
        f"{r['reference']}  {r['service_code']:<8} {r['status']:<10} office {r['office']}  terminal {r['terminal']}  "
        f"received {r['received_at']}"))


#: the access log's "why" when `applications show` is not given a --reason (the console asks for none)
DEFAULT_SHOW_REASON = "loket-central applications show"


def cli_actor() -> str:
    """Who runs a command, for the access log: the CLI has no staff login, so the OS account."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        return f"cli:uid{os.getuid()}"


def cmd_applications_show(args: argparse.Namespace) -> int:
    reason = " ".join(args.reason.split())
    if not reason:
        raise UsageError("applications show: --reason must say why the personal data is opened")
    try:
        with _open(args).transaction() as session:
            shown = records.show_application(session, args.reference, actor=cli_actor(), purpose=reason)
    except SQLAlchemyError as e:
        # printed only once the access-log row is committed: no row, nothing shown
        raise CentralError(f"applications show: nothing shown, the access log could not be written "
                           f"({getattr(e, 'orig', None) or e.__class__.__name__})") from None
    _print_json(shown)
    return 0


def cmd_applications_set_status(args: argparse.Namespace) -> int:
    """The console's rules (`central.status.change_status`), written to the access log as cli:<user>."""
    with _open(args).transaction() as session:
        check_status(args.status)  # a wrong status is named before a wrong reference
        app = records.find_application(session, args.reference)
        change_status(session, cli_actor(), app, args.status, args.note)
        print(f"{app.reference}: {app.status}")
    return 0


def cmd_terminals_list(args: argparse.Namespace) -> int:
    with _open(args).transaction() as session:
        terminals = records.list_terminals(session)
    return _listing(args.json, terminals, "terminal(s)", lambda t: (
        f"{t['code']}  {t['id']}  office {t['office']}  {'revoked' if t['revoked_at'] else 'active'}  "
        f"last seen {t['last_seen_at'] or 'never'}  queue {t['queue'] or '-'}  app {t['app_version'] or '-'}  "
        f"catalog {t['catalog_version'] or '-'}" + (f"  {w}" if (w := clock_warning(t['clock_offset_s'])) else "")))


def cmd_terminals_revoke(args: argparse.Namespace) -> int:
    with _open(args).transaction() as session:
        terminal = records.revoke_terminal(session, args.terminal)
        print(f"terminal {terminal.code} ({terminal.id}) revoked")
    return 0


def cmd_terminals_keys(args: argparse.Namespace) -> int:
    with _open(args).transaction() as session:
        _print_json(records.terminal_keys(session))
    return 0


def build_parser() -> argparse.ArgumentParser:
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--db", metavar="URL", help="database URL: sqlite:///FILE or postgresql+psycopg://... "
                    f"(default ${ENV_DB}, else ./loket-central.db)")
    parser = _Parser(prog="loket-central", description="Loket central backend: server and staff commands.")
    parser.add_argument("--db", dest="global_db", metavar="URL", help="as --db after the command")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser, required=True)

    def command(group: argparse._SubParsersAction, name: str, func, help: str) -> argparse.ArgumentParser:  # type: ignore[type-arg, no-untyped-def]
        sub = group.add_parser(name, parents=[db], help=help, description=help)
        sub.set_defaults(func=func)
        return sub

    def group(name: str, help: str) -> argparse._SubParsersAction:  # type: ignore[type-arg]
        return commands.add_parser(name, help=help).add_subparsers(dest="action", metavar="ACTION",
                                                                   parser_class=_Parser, required=True)

    serve = command(commands, "serve", cmd_serve, "run the HTTP API and staff pages")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    serve.add_argument("--db-connections", type=int, default=db_connections(),
                       help=f"database connections, shared by the workers (default ${ENV_CONNECTIONS} or 16)")
    serve.add_argument("--access-log", action="store_true")
    serve.add_argument("--log-level", default="warning", choices=("critical", "error", "warning", "info", "debug"))

    office = group("office", "offices and their keys and catalogs")
    sub = command(office, "create", cmd_office_create, "create an office with a new keypair")
    sub.add_argument("--code", required=True)
    sub.add_argument("--name", required=True)
    sub.add_argument("--catalog", type=Path, help="catalog JSON (default: the built-in catalog)")
    command(office, "rotate-key", cmd_office_rotate_key, "give the office a new keypair, keeping the old").add_argument(
        "--code", required=True)
    sub = command(office, "catalog", cmd_office_catalog, "put a catalog file in force for the office")
    sub.add_argument("--code", required=True)
    sub.add_argument("file", type=Path)

    letters_cli.register(command, office, commands)
    backup.register(command, commands)

    sub = command(commands, "enroll-code", cmd_enroll_code, "print a one-time code to enroll one terminal")
    sub.add_argument("--office", required=True)
    sub.add_argument("--ttl-hours", type=float, default=24.0)

    sub = command(commands, "provisioning-file", cmd_provisioning_file,
                  "write a USB provisioning file for one terminal (office, key, reserved code, one-time code)")
    sub.add_argument("--office", required=True)
    sub.add_argument("--server", required=True, help="the URL the terminal will reach central at")
    sub.add_argument("--out", type=Path, default=Path("."), help="folder to write into (e.g. the USB stick)")
    sub.add_argument("--days", type=float, default=30.0, help="how long the enrollment code stays valid")

    sub = command(commands, "import", cmd_import, "ingest a terminal's USB export bundle (exactly once)")
    sub.add_argument("bundle", type=Path)
    sub.add_argument("--allow-revoked", action="store_true", help="import even if the terminal was revoked")

    apps = group("applications", "applications that arrived")
    sub = command(apps, "list", cmd_applications_list, "list applications (no personal data)")
    sub.add_argument("--json", action="store_true")
    sub.add_argument("--office")
    sub.add_argument("--status", help=", ".join(records.STATUSES))
    sub.add_argument("--limit", type=int, default=1000)
    sub = command(apps, "show", cmd_applications_show,
                  "one application as JSON, personal data opened (written to the access log as cli:<user>)")
    sub.add_argument("reference")
    sub.add_argument("--reason", default=DEFAULT_SHOW_REASON,
                     help=f"why you open it, for the access log (default '{DEFAULT_SHOW_REASON}')")
    sub = command(apps, "set-status", cmd_applications_set_status,
                  "move an application to its next status, as the console allows (written to the access log)")
    sub.add_argument("reference")
    sub.add_argument("status", help=", ".join(records.STATUSES))
    sub.add_argument("--note", default="", help="a note; a decline's reason, which the citizen reads at the kiosk")

    terminals = group("terminals", "enrolled terminals")
    command(terminals, "list", cmd_terminals_list, "terminals with last seen, queue and versions").add_argument(
        "--json", action="store_true")
    command(terminals, "revoke", cmd_terminals_revoke, "refuse a terminal from now on").add_argument("terminal")
    command(terminals, "keys", cmd_terminals_keys, "JSON {terminal code: verify key} for receipt checks")

    audit = group("audit", "what happened on the terminals, and the access log's hash chain")
    sub = command(audit, "list", cmd_audit_list, "audit entries the terminals sent, newest first")
    sub.add_argument("--terminal", help="id or code")
    sub.add_argument("--limit", type=int, default=200)
    sub.add_argument("--json", action="store_true")
    cli_audit.register(command, audit)
    add_staff_commands(commands, command, _open, _Parser)
    cli_keys.register(commands, db)
    add_citizen_commands(command, group)
    sms_cli.register(command, group)
    cli_requests.register(command, group)
    add_release_commands(command, group, _open)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    os.umask(0o077)  # a SQLite database, its WAL and a new key file: readable by central's user only
    return run_command("loket-central", build_parser, argv)


if __name__ == "__main__":
    sys.exit(main())
