"""GET /api/v1/status-changes?since=N: status changes of this terminal's applications after cursor N."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from central.api.common import DB, REFUSALS, Signed, terminal_transaction
from central.models import Application, StatusChange, as_utc
from kiosk.lifecycle import reason_for
from sync.protocol import PATH_STATUS_CHANGES, StatusChanges
from sync.protocol import StatusChange as WireStatusChange

router = APIRouter(tags=["status"])
PAGE = 500


@router.get(PATH_STATUS_CHANGES, response_model=StatusChanges, responses=REFUSALS, response_model_exclude_none=True)
def status_changes(signed: Signed, db: DB, since: Annotated[int, Query(ge=0, le=2**62)] = 0,
                   reasons: Annotated[bool, Query()] = False) -> StatusChanges:
    """At most 500 changes, oldest first; ask again with the returned cursor until none come.

    With `reasons=1` a decline carries the office's reason (older terminals do not ask, and get none)."""
    with terminal_transaction(db, signed) as (session, terminal):
        rows = session.execute(
            select(StatusChange.id, StatusChange.application_id, Application.reference, StatusChange.status,
                   StatusChange.at, StatusChange.note)
            .join(Application, Application.id == StatusChange.application_id)
            .where(StatusChange.terminal_id == terminal.id, StatusChange.id > since)
            .order_by(StatusChange.id).limit(PAGE)
        ).all()
        changes = [WireStatusChange(application_id=r.application_id, reference=r.reference, status=r.status,
                                    at=as_utc(r.at),
                                    reason=reason_for(r.status, r.note) if reasons else None)
                   for r in rows]
        return StatusChanges(changes=changes, cursor=rows[-1].id if rows else since)
