"""POST /api/v1/enroll: a terminal trades a one-time code for its identity and the office's public key."""

from fastapi import APIRouter, Query

from central.api.common import DB, REFUSALS
from central.errors import ApiError, EnrollmentRefused
from central.offices import enroll
from sync.protocol import PATH_ENROLL, EnrollRequest, EnrollResponse

router = APIRouter(tags=["enrollment"])
#: each refusal as the terminal gets it: (HTTP status, the protocol's code, headers)
REFUSED_AS: dict[str, tuple[int, str, dict[str, str]]] = {
    "bad_code": (401, "bad_code", {}), "code_used": (401, "code_used", {}), "code_expired": (401, "code_expired", {}),
    "bad_key": (422, "invalid", {}), "key_in_use": (409, "key_in_use", {}),
    "collided": (503, "retry", {"Retry-After": "1"}),
}


@router.post(PATH_ENROLL, response_model=EnrollResponse, responses=REFUSALS, response_model_exclude_none=True)
def enroll_terminal(request: EnrollRequest, db: DB,
                    with_: str = Query("", alias="with", max_length=100,
                                       description="`timezone`: the terminal understands it")) -> EnrollResponse:
    """The code works once and expires; the same terminal (same key) asking again gets the same answer."""
    try:
        with db.transaction() as session:
            answer = enroll(session, request)
    except EnrollmentRefused as e:
        status, code, headers = REFUSED_AS[e.reason]
        raise ApiError(status, code, str(e), headers) from None
    # older terminals refuse keys they do not know: only a terminal that asks gets the office's zone
    return answer if "timezone" in with_.split(",") else answer.model_copy(update={"timezone": None})
