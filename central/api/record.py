"""GET /api/v1/record?id=UUID: an application's processing record for the citizen, asked by the terminal
that filed it (after the citizen gave the receipt's PIN there)."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from central.api.common import DB, REFUSALS, Signed, terminal_transaction
from central.citizen_record import processing_record
from central.errors import NotFound
from central.models import Application
from sync.protocol import PATH_RECORD, ErrorBody, ProcessingRecord

router = APIRouter(tags=["record"])


@router.get(PATH_RECORD, response_model=ProcessingRecord,
            responses={**REFUSALS, 404: {"model": ErrorBody,
                                         "description": "no application with this id from this terminal"}})
def record(signed: Signed, db: DB, id: Annotated[str, Query(min_length=36, max_length=36)]) -> ProcessingRecord:  # noqa: A002
    """404 for an application this terminal did not file (or central does not have yet)."""
    with terminal_transaction(db, signed) as (session, terminal):
        app = session.scalar(select(Application).where(Application.id == id, Application.terminal_id == terminal.id))
        if app is None:
            raise NotFound("no application with this id from this terminal")
        return processing_record(session, app)
