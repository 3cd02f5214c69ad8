"""The delivery worker: hands queued messages to their office's gateway and reads back what became of
them (sent, or an error that is retried with backoff until it is given up). It runs apart from the
server (`loket-central sms deliver`), so no request ever waits for a modem; a gateway that is down
leaves every message queued, and nothing else is held up."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.db import Database
from central.errors import CentralError
from central.models import Application, SmsMessage, utcnow
from central.records import open_application
from central.sms.gateway import GatewayDown, Spool
from central.sms.messages import gateway_of

log = logging.getLogger(__name__)
#: errors from the gateway before a message is given up ("failed")
MAX_ATTEMPTS = 5
#: the access log's actor and purpose when the phone number is opened to hand a message over
ACTOR, PURPOSE = "sms-gateway", "SMS: nomor HP untuk kabar status"
#: messages looked at per round
BATCH = 100


def backoff(attempts: int) -> dt.timedelta:
    """The wait before the next try after `attempts` failures: 1, 2, 4 ... minutes, at most an hour."""
    return dt.timedelta(seconds=min(60 * 2 ** max(0, attempts - 1), 3600))


def tag_of(message: SmsMessage) -> str:
    """The message's name in the spool (the part after the phone number)."""
    return f"loket{message.id}"


@dataclass
class RoundReport:
    """What one round did, message ids by outcome."""

    handed: list[int] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)


def deliver_once(db: Database, *, now: dt.datetime | None = None) -> RoundReport:
    """One round: outcomes read back for messages in a gateway, then due messages handed over."""
    now = now or utcnow()
    report = RoundReport()
    with db.transaction() as session:
        handed = list(session.scalars(select(SmsMessage.id).where(SmsMessage.state == "handed")
                                      .order_by(SmsMessage.id).limit(BATCH)))
        due = list(session.scalars(select(SmsMessage.id).where(SmsMessage.state == "queued",
                                                               SmsMessage.next_attempt_at <= now)
                                   .order_by(SmsMessage.next_attempt_at, SmsMessage.id).limit(BATCH)))
    for message_id in handed:
        _read_back(db, message_id, now, report)
    for message_id in due:  # each in its own transaction: one bad message holds none of the others
        _hand_over(db, message_id, now, report)
    return report


def _failed_try(message: SmsMessage, error: str, now: dt.datetime, report: RoundReport) -> None:
    message.attempts += 1
    message.last_error = error[:300]
    if message.attempts >= MAX_ATTEMPTS:
        message.state = "failed"
        report.failed.append(message.id)
    else:
        message.state, message.next_attempt_at = "queued", now + backoff(message.attempts)
        report.retried.append(message.id)


@contextlib.contextmanager
def _claimed(db: Database, message_id: int, state: str) -> Iterator[tuple[Session, SmsMessage, Spool | None] | None]:
    """The message locked in a transaction of its own, with its office's spool, while it is in `state`
    (another worker may have taken it: then None)."""
    with db.transaction() as session:
        message = session.get(SmsMessage, message_id, with_for_update={"skip_locked": True})
        if message is None or message.state != state:
            yield None
        else:
            gateway = gateway_of(session, message.office_id)
            yield session, message, Spool(Path(gateway.spool_dir)) if gateway else None


def _read_back(db: Database, message_id: int, now: dt.datetime, report: RoundReport) -> None:
    with _claimed(db, message_id, "handed") as claimed:
        if claimed is None:
            return
        _session, message, spool = claimed
        where = spool.where(tag_of(message)) if spool else None
        if where == "outbox":
            report.waiting.append(message.id)  # the gateway has not got to it (or is down): it keeps it
            return
        if where == "sent":
            message.state, message.sent_at, message.last_error = "sent", now, None
            report.sent.append(message.id)
        elif where == "error":
            _failed_try(message, "the gateway could not send it (gammu-smsd moved it to error/)", now, report)
        else:
            _failed_try(message, "the message vanished from the gateway's spool", now, report)
    if spool is not None and where in ("sent", "error"):
        spool.forget(tag_of(message))


def _hand_over(db: Database, message_id: int, now: dt.datetime, report: RoundReport) -> None:
    with _claimed(db, message_id, "queued") as claimed:
        if claimed is None:
            return
        session, message, spool = claimed
        if spool is None:
            message.last_error, message.next_attempt_at = "the office has no SMS gateway now", now + backoff(1)
            report.waiting.append(message.id)
            return
        if spool.where(tag_of(message)) is not None:  # handed before, but that commit was lost
            message.state, message.handed_at = "handed", message.handed_at or now
            report.handed.append(message.id)
            return
        app = session.get(Application, message.application_id)
        number = _number(session, app) if app is not None else None
        if number is None:
            message.state, message.last_error = "failed", "the application holds no phone number for SMS"
            report.failed.append(message.id)
            return
        try:
            spool.hand(tag_of(message), number, message.text, now=now)
        except GatewayDown as e:  # not the message's fault: it waits, its tries are not spent
            message.last_error, message.next_attempt_at = str(e)[:300], now + backoff(1)
            report.waiting.append(message.id)
            return
        message.state, message.handed_at, message.last_error = "handed", now, None
        report.handed.append(message.id)


def _number(session: Session, app: Application) -> str | None:
    """The number the citizen gave for SMS, opened from the sealed application (logged as an opening)."""
    try:
        content = open_application(session, app, ACTOR, PURPOSE)
    except CentralError as e:
        log.warning("SMS for %s: the application does not open: %s", app.reference, e)
        return None
    notify = content.get("notify") if isinstance(content, dict) else None
    number = notify.get("sms") if isinstance(notify, dict) else None
    return number if isinstance(number, str) and number else None


def run(db: Database, *, interval_s: float, stop: threading.Event) -> None:
    """Rounds every `interval_s` until `stop` is set; a round that fails is logged and the next one tries."""
    while not stop.is_set():
        try:
            deliver_once(db)
        except Exception:  # the worker must outlive a database hiccup; the next round tries again
            log.exception("SMS delivery round failed")
        stop.wait(interval_s)
