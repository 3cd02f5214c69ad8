"""The citizen's requests about their data at central: taken in from the terminals' batches (they travel
as applications of the reserved service `kiosk.citizen_requests.REQUEST_SERVICE`, exactly once by their
UUID), listed for the office with the 3×24-hour clock, and told back in the citizen's processing record.
Deciding them is `central.request_decisions`."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from central.ingest import OfficeMaterial, Opened

from central.db import insert_ignoring_conflicts
from central.models import Application, CitizenRequest, Terminal, as_utc
from central.records import log_access
from kiosk.citizen_requests import (
    EVENT_DELETED,
    EVENT_REQUEST,
    OPEN,
    REQUEST_SERVICE,
    due_at,
    is_overdue,
    outcome_detail,
    parse_request_flags,
)
from sync.protocol import ApplicationUpload, RecordEvent, UploadResult

#: the access log's actions for requests (no personal data in their detail)
RECEIVED = "request.received"
#: central's own name as the decider of a request it can answer itself (an application already deleted)
CENTRAL = "central"


def is_request(upload: ApplicationUpload) -> bool:
    return upload.service_code == REQUEST_SERVICE


def ingest_requests(session: Session, terminal: Terminal, uploads: Sequence[ApplicationUpload],
                    office: OfficeMaterial, now: dt.datetime) -> list[UploadResult]:
    """Stores each request once (a resend is `duplicate`); one result per upload, in order.

    Refused for good: what `central.ingest` refuses of any application, and a request whose flags do not
    name its kind and an application of this terminal (or whose sealed part says otherwise). A request
    about an application whose personal data is already deleted is stored and answered at once
    (`already_deleted`)."""
    from central.ingest import Opened, check_uploads, office_material, open_with_any  # ingest hands requests here

    material = dataclasses.replace(office, services=office.services | {REQUEST_SERVICE})
    verdicts = check_uploads(uploads, terminal, material)
    if any(isinstance(v, str) for v in verdicts):  # refuse for good only on what the database says now
        fresh = office_material(session, terminal.office_id, fresh=True)
        material = dataclasses.replace(fresh, services=fresh.services | {REQUEST_SERVICE})
        verdicts = check_uploads(uploads, terminal, material)
    results: list[UploadResult] = []
    for upload, verdict in zip(uploads, verdicts, strict=True):
        if not isinstance(verdict, Opened):
            results.append(UploadResult(id=upload.id, outcome="rejected", reason=verdict))
            continue
        opened = open_with_any(material.keys, verdict.sealed)
        content = opened[1].get("request") if opened and isinstance(opened[1], dict) else None
        results.append(_store_one(session, terminal, verdict, content if isinstance(content, dict) else None, now))
    return results


def _store_one(session: Session, terminal: Terminal, verdict: Opened, content: dict | None,
               now: dt.datetime) -> UploadResult:
    upload = verdict.upload
    held = session.get(CitizenRequest, upload.id)
    if held is not None:
        if held.terminal_id == terminal.id:
            return UploadResult(id=upload.id, outcome="duplicate")
        return UploadResult(id=upload.id, outcome="rejected", reason="this id is used by another terminal's request")
    flags = parse_request_flags(upload.flags)
    if flags is None:
        return UploadResult(id=upload.id, outcome="rejected",
                            reason="a request must carry its kind and the reference it is about")
    if content is not None and (content.get("kind"), content.get("about")) != (flags.kind, flags.about):
        return UploadResult(id=upload.id, outcome="rejected",
                            reason="the sealed request names another kind or application than its flags")
    app = session.scalar(select(Application).where(Application.reference == flags.about,
                                                   Application.terminal_id == terminal.id))
    if app is None:
        return UploadResult(id=upload.id, outcome="rejected",
                            reason=f"the request is about {flags.about}, which central has not from this terminal")
    if session.scalar(select(CitizenRequest.id).where(CitizenRequest.reference == upload.reference)) is not None:
        return UploadResult(id=upload.id, outcome="rejected",
                            reason=f"reference {upload.reference} is used by another request")
    field = content.get("field") if content else ""
    deleted = app.personal_data_deleted_at is not None
    row = {"id": upload.id, "reference": upload.reference, "office_id": terminal.office_id,
           "terminal_id": terminal.id, "application_id": app.id, "kind": flags.kind,
           "field": field[:40] if isinstance(field, str) else "", "filed_at": verdict.filed_at,
           "received_at": now, "due_at": due_at(now), "sealed": verdict.sealed, "office_key_id": verdict.key_id,
           "state": "already_deleted" if deleted else OPEN,
           "decided_at": now if deleted else None, "decided_by": CENTRAL if deleted else None}
    session.execute(insert_ignoring_conflicts(session, CitizenRequest.__table__).values(**row))
    log_access(session, CENTRAL, RECEIVED, app, f"{flags.kind} {upload.reference}")
    return UploadResult(id=upload.id, outcome="accepted")


# -- the office's queue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestRow:
    """A request as the office's queue lists it: no personal data."""

    id: str
    reference: str
    about: str
    service_code: str
    kind: str
    field: str
    received_at: dt.datetime
    due_at: dt.datetime
    state: str
    overdue: bool
    decided_at: dt.datetime | None
    decided_by: str | None
    note: str | None


def _row(req: CitizenRequest, app: Application, now: dt.datetime) -> RequestRow:
    received, due = as_utc(req.received_at), as_utc(req.due_at)
    return RequestRow(req.id, req.reference, app.reference, app.service_code, req.kind, req.field,
                      received, due, req.state, is_overdue(received, req.state, now),  # type: ignore[arg-type]
                      as_utc(req.decided_at), req.decided_by, req.note)


def requests_of_office(session: Session, office_id: int, now: dt.datetime, *, limit: int = 500) -> list[RequestRow]:
    """Open requests first, the one due soonest on top; then decided ones, newest first."""
    rows = session.execute(select(CitizenRequest, Application).join(Application,
                                                                     Application.id == CitizenRequest.application_id)
                           .where(CitizenRequest.office_id == office_id)
                           .order_by(CitizenRequest.received_at.desc()).limit(limit)).all()
    listed = [_row(req, app, now) for req, app in rows]
    waiting = sorted((r for r in listed if r.state == OPEN), key=lambda r: r.due_at)
    return waiting + [r for r in listed if r.state != OPEN]


def request_of_office(session: Session, office_id: int, request_id: str) -> tuple[CitizenRequest, Application] | None:
    req = session.get(CitizenRequest, request_id) if len(request_id) <= 36 else None
    if req is None or req.office_id != office_id:
        return None
    return req, session.get(Application, req.application_id)  # type: ignore[return-value]


# -- the citizen's record -----------------------------------------------------------------------------


def record_events(session: Session, app: Application, office: str) -> list[RecordEvent]:
    """The requests about `app` and their outcomes, and its deletion, as events of its processing record."""
    events = []
    for req in session.scalars(select(CitizenRequest).where(CitizenRequest.application_id == app.id)):
        events.append(RecordEvent(at=as_utc(req.received_at), kind=EVENT_REQUEST, office=office,  # type: ignore[arg-type]
                                  role="system", detail=outcome_detail(req.kind, OPEN, req.reference)))
        if req.state != OPEN and req.decided_at is not None:
            events.append(RecordEvent(at=as_utc(req.decided_at), kind=EVENT_REQUEST, office=office,  # type: ignore[arg-type]
                                      role="system", detail=outcome_detail(req.kind, req.state, req.note or "")))
    if app.personal_data_deleted_at is not None:
        events.append(RecordEvent(at=as_utc(app.personal_data_deleted_at), kind=EVENT_DELETED,  # type: ignore[arg-type]
                                  office=office, role="system"))
    return events
