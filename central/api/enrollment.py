"""POST /api/v1/enroll: a terminal trades a one-time code for its identity and the office's public key."""

from fastapi import APIRouter

from central.api.common import DB, REFUSALS
from central.offices import enroll
from sync.protocol import PATH_ENROLL, EnrollRequest, EnrollResponse

router = APIRouter(tags=["enrollment"])


@router.post(PATH_ENROLL, response_model=EnrollResponse, responses=REFUSALS)
def enroll_terminal(request: EnrollRequest, db: DB) -> EnrollResponse:
    """The code works once and expires; the same terminal (same key) asking again gets the same answer."""
    with db.transaction() as session:
        return enroll(session, request)
