"""The citizen's own record of one application ("Data saya", UU 27/2022 Pasal 32): filed, received,
every opening of its personal data (when, which office, which role, for what), each status change,
each letter printed, each text message sent. Roles, never staff names; no personal data."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.citizen_requests import record_events as request_events
from central.models import (
    AccessLogEntry,
    Application,
    IssuedLetter,
    Office,
    SmsMessage,
    StaffAccount,
    StatusChange,
    as_utc,
)
from central.records import OPENED
from central.sms.delivery import ACTOR as SMS_ACTOR
from kiosk.lifecycle import FIRST
from sync.protocol import ProcessingRecord, RecordEvent

#: a console opening carries no purpose of its own: it is the office processing the application
PROCESSING = "pemrosesan permohonan"


def role_of(session: Session, actor: str, roles: dict[str, str]) -> str:
    """The role an access-log or status actor acted in: its staff role, `cli`, or `system`."""
    if actor.startswith("cli:"):
        return "cli"
    if actor in (SMS_ACTOR, "central", "system"):
        return "system"
    if actor not in roles:
        account = session.scalar(select(StaffAccount).where(StaffAccount.username == actor))
        roles[actor] = account.role if account else "staff"
    return roles[actor]


def processing_record(session: Session, app: Application) -> ProcessingRecord:
    """The application's record, oldest first."""
    office = session.get(Office, app.office_id)
    where = office.name if office else ""
    roles: dict[str, str] = {}
    events = [RecordEvent(at=as_utc(app.filed_at), kind="filed", office=where, role="system"),  # type: ignore[arg-type]
              RecordEvent(at=as_utc(app.received_at), kind="received", office=where, role="system")]  # type: ignore[arg-type]
    for entry in session.scalars(select(AccessLogEntry).where(AccessLogEntry.application_id == app.id,
                                                              AccessLogEntry.action == OPENED)
                                 .order_by(AccessLogEntry.id)):
        events.append(RecordEvent(at=as_utc(entry.at), kind="opened", office=where,  # type: ignore[arg-type]
                                  role=role_of(session, entry.username, roles), detail=entry.detail or PROCESSING))
    for change in session.scalars(select(StatusChange).where(StatusChange.application_id == app.id,
                                                             StatusChange.status != FIRST)  # "received" above
                                  .order_by(StatusChange.id)):
        events.append(RecordEvent(at=as_utc(change.at), kind="status", office=where,  # type: ignore[arg-type]
                                  role=role_of(session, change.actor, roles), detail=change.status))
    letter = session.scalar(select(IssuedLetter).where(IssuedLetter.application_id == app.id))
    if letter is not None:
        events.append(RecordEvent(at=as_utc(letter.issued_at), kind="letter", office=where,  # type: ignore[arg-type]
                                  role=role_of(session, letter.issued_by, roles), detail=letter.number))
    for message in session.scalars(select(SmsMessage).where(SmsMessage.application_id == app.id,
                                                            SmsMessage.state == "sent")):
        events.append(RecordEvent(at=as_utc(message.sent_at), kind="sms", office=where,  # type: ignore[arg-type]
                                  role="system", detail=message.status))
    events += request_events(session, app, where)  # the citizen's requests, their outcomes, a deletion
    events.sort(key=lambda e: e.at)
    return ProcessingRecord(reference=app.reference, events=events)
