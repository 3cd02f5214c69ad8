"""Help calls (`/staff/help`): every "Minta Bantuan" a citizen pressed at this office's kiosks, newest first;
acknowledging one takes it off the red banner every page shows. The page asks `central.help_calls`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from central.api.common import DB
from central.console.i18n import SCREEN_WORDS
from central.console.web import PREFIX, ConsoleError, Posted, RowId, Staff, render
from central.console.workflow import log_access
from central.errors import NotFound
from central.help_calls import acknowledge_call, help_calls

router = APIRouter(prefix=f"{PREFIX}/help", include_in_schema=False)


@router.get("")
def help_calls_page(request: Request, db: DB, staff: Staff) -> Response:
    with db.transaction() as session:
        return render(request, "help.html", staff, session=session, active="help",
                      calls=help_calls(session, staff.office_id), screen_words=SCREEN_WORDS)


@router.post("/{call_id}/acknowledge")
def acknowledge(db: DB, staff: Posted, call_id: RowId) -> Response:
    with db.transaction() as session:
        try:
            answered = acknowledge_call(session, staff.office_id, call_id, staff.username)
        except NotFound:
            raise ConsoleError(404, "Panggilan itu tidak ada di kantor Anda.") from None
        if answered:
            log_access(session, staff, "help.acknowledged", detail=str(call_id))
    return RedirectResponse(f"{PREFIX}/help", status_code=303)
