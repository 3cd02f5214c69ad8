"""Help calls (`/staff/help`): every "Minta Bantuan" a citizen pressed at this office's kiosks, newest first;
acknowledging one takes it off the red banner every page shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from central.api.common import DB
from central.console.i18n import SCREEN_WORDS
from central.console.web import HELP_ACTION, PREFIX, ConsoleError, Posted, RowId, Staff, render
from central.console.workflow import log_access
from central.models import AuditEntry, HelpAcknowledgement, Terminal, utcnow

router = APIRouter(prefix=f"{PREFIX}/help", include_in_schema=False)
SHOWN = 200


@dataclass(frozen=True)
class HelpCall:
    id: int
    at: dt.datetime
    terminal: str
    screen: str
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None


@router.get("")
def help_calls(request: Request, db: DB, staff: Staff) -> Response:
    with db.transaction() as session:
        rows = session.execute(
            select(AuditEntry.id, AuditEntry.at, Terminal.code, AuditEntry.detail, HelpAcknowledgement.username,
                   HelpAcknowledgement.at.label("acknowledged_at"))
            .join(Terminal, Terminal.id == AuditEntry.terminal_id)
            .outerjoin(HelpAcknowledgement, HelpAcknowledgement.audit_entry_id == AuditEntry.id)
            .where(AuditEntry.action == HELP_ACTION, Terminal.office_id == staff.office_id)
            .order_by(AuditEntry.id.desc()).limit(SHOWN)).all()
        calls = [HelpCall(r.id, r.at, r.code, r.detail, r.username, r.acknowledged_at) for r in rows]
        return render(request, "help.html", staff, session=session, active="help", calls=calls,
                      screen_words=SCREEN_WORDS)


@router.post("/{call_id}/acknowledge")
def acknowledge(db: DB, staff: Posted, call_id: RowId) -> Response:
    with db.transaction() as session:
        found = session.execute(select(AuditEntry.id).join(Terminal, Terminal.id == AuditEntry.terminal_id)
                                .where(AuditEntry.id == call_id, AuditEntry.action == HELP_ACTION,
                                       Terminal.office_id == staff.office_id)).first()
        if found is None:
            raise ConsoleError(404, "Panggilan itu tidak ada di kantor Anda.")
        if session.get(HelpAcknowledgement, call_id) is None:
            session.add(HelpAcknowledgement(audit_entry_id=call_id, username=staff.username, at=utcnow()))
            log_access(session, staff, "help.acknowledged", detail=str(call_id))
    return RedirectResponse(f"{PREFIX}/help", status_code=303)
