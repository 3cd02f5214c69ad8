"""`loket-central sms ...`: an office's gateway on or off, the delivery worker, and the messages' states.

    loket-central sms gateway --office 3273010001 --spool /var/spool/loket-sms [--name "Kel. Braga"]
    loket-central sms gateway --office 3273010001 --off
    loket-central sms deliver [--once] [--interval 5]
    loket-central sms list --office 3273010001 [--json]
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from central.db import Database
from central.errors import CentralError
from central.models import OfficeSmsGateway, as_utc, utcnow
from central.offices import get_office
from central.settings import database_url
from central.sms.delivery import deliver_once, run
from central.sms.gateway import Spool, gammu_config
from central.sms.messages import messages_of_office


def _open(args: argparse.Namespace) -> Database:
    return Database(database_url(args.db or args.global_db))


def cmd_gateway(args: argparse.Namespace) -> int:
    if args.off == bool(args.spool):
        raise CentralError("sms gateway: give either --spool DIR or --off")
    db = _open(args)
    with db.transaction() as session:
        office = get_office(session, args.office)
        gateway = session.get(OfficeSmsGateway, office.id)
        if args.off:
            if gateway is not None:
                session.delete(gateway)
            print(f"office {office.code}: SMS off (queued messages wait until a gateway is set again)")
            return 0
        spool = Spool(args.spool.resolve())
        try:
            for folder in (spool.outbox, spool.sent, spool.error, spool.inbox):
                folder.mkdir(parents=True, exist_ok=True, mode=0o770)
        except OSError as e:
            raise CentralError(f"sms gateway: cannot make the spool {spool.root}: {e.strerror}") from None
        if gateway is None:
            gateway = OfficeSmsGateway(office_id=office.id, spool_dir=str(spool.root), updated_at=utcnow())
            session.add(gateway)
        gateway.spool_dir, gateway.short_name, gateway.updated_at = str(spool.root), args.name or "", utcnow()
    print(f"office {office.code}: SMS on, spool {spool.root}. gammu-smsd's configuration for it:\n")
    print(gammu_config(spool, "/dev/ttyUSB0"))
    return 0


def cmd_deliver(args: argparse.Namespace) -> int:
    db = _open(args)
    if args.once:
        report = deliver_once(db)
        print(f"handed {len(report.handed)}, sent {len(report.sent)}, retried {len(report.retried)}, "
              f"failed {len(report.failed)}, waiting {len(report.waiting)}")
        return 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    run(db, interval_s=args.interval, stop=stop)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with _open(args).transaction() as session:
        rows = [{"id": m.id, "reference": m.reference, "status": m.status, "state": m.state, "attempts": m.attempts,
                 "created_at": as_utc(m.created_at).isoformat(),  # type: ignore[union-attr]
                 "sent_at": as_utc(m.sent_at).isoformat() if m.sent_at else None, "last_error": m.last_error,
                 "text": m.text}
                for m in messages_of_office(session, get_office(session, args.office).id, limit=args.limit)]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for row in rows:
            print(f"{row['created_at']}  {row['reference']}  {row['status']:<9} {row['state']:<7} "
                  f"tries {row['attempts']}  {row['last_error'] or ''}")
        print(f"{len(rows)} message(s)")
    return 0


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("the interval is between 0 and 3600 seconds")
    return value


def register(command: Callable[..., argparse.ArgumentParser], group: Callable[[str, str], Any]) -> None:
    """Adds the `sms` commands with `build_parser`'s `command` and `group` helpers."""
    sms = group("sms", "text messages when a letter is ready or declined (gammu-smsd)")
    sub = command(sms, "gateway", cmd_gateway, "turn an office's SMS on (its gammu-smsd spool) or off")
    sub.add_argument("--office", required=True)
    sub.add_argument("--spool", type=Path, help="the gammu-smsd files-backend folder (outbox/, sent/, error/)")
    sub.add_argument("--name", help="the office as messages name it (default: Kelurahan X -> Kel. X)")
    sub.add_argument("--off", action="store_true", help="the office has no modem: no messages")
    sub = command(sms, "deliver", cmd_deliver, "hand queued messages to the gateways and read back their outcome")
    sub.add_argument("--once", action="store_true", help="one round, then exit")
    sub.add_argument("--interval", type=_positive, default=5.0, help="seconds between rounds (default 5)")
    sub = command(sms, "list", cmd_list, "an office's messages and their states, newest first")
    sub.add_argument("--office", required=True)
    sub.add_argument("--limit", type=int, default=200)
    sub.add_argument("--json", action="store_true")


__all__ = ["register"]
