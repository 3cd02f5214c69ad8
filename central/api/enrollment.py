"""POST /api/v1/enroll: a terminal trades a one-time code for its identity and the office's public key."""

from fastapi import APIRouter, Query

from central.api.common import DB, REFUSALS
from central.offices import enroll
from sync.protocol import PATH_ENROLL, EnrollRequest, EnrollResponse

router = APIRouter(tags=["enrollment"])


@router.post(PATH_ENROLL, response_model=EnrollResponse, responses=REFUSALS, response_model_exclude_none=True)
def enroll_terminal(request: EnrollRequest, db: DB,
                    with_: str = Query("", alias="with", max_length=100,
                                       description="`timezone`: the terminal understands it")) -> EnrollResponse:
    """The code works once and expires; the same terminal (same key) asking again gets the same answer.
    A refusal (`EnrollmentRefused`) is answered from `central.api.refusals.ENROLLMENT`."""
    with db.transaction() as session:
        answer = enroll(session, request)
    # older terminals refuse keys they do not know: only a terminal that asks gets the office's zone
    return answer if "timezone" in with_.split(",") else answer.model_copy(update={"timezone": None})
