"""Text messages (`/staff/sms`): each message the office's citizens asked for, which application and
status it tells of, and how far it got (queued, at the gateway, sent, failed). Shown only the words
sent, never the number."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from central.api.common import DB
from central.console.web import PREFIX, Staff, render
from central.sms.messages import gateway_of, messages_of_office

router = APIRouter(prefix=f"{PREFIX}/sms", include_in_schema=False)
#: each delivery state as staff read it
STATE_WORDS = {"queued": "Antre", "handed": "Di gateway", "sent": "Terkirim", "failed": "Gagal"}


@router.get("")
def sms_messages(request: Request, db: DB, staff: Staff) -> Response:
    with db.transaction() as session:
        gateway = gateway_of(session, staff.office_id)
        messages = messages_of_office(session, staff.office_id)
        return render(request, "sms.html", staff, session=session, active="sms", messages=messages,
                      gateway=gateway, state_words=STATE_WORDS)
