"""POST /api/v1/applications/batch: a terminal's signed, gzip-compressed upload, answered per application."""

from fastapi import APIRouter
from fastapi.responses import Response

from central.api.common import DB, REFUSALS, Signed, decode_body, request_body_doc, terminal_transaction
from central.ingest import ingest
from sync.protocol import PATH_APPLICATIONS, UploadBatch, UploadResponse

router = APIRouter(tags=["applications"])


@router.post(PATH_APPLICATIONS, response_model=UploadResponse, responses=REFUSALS,
             openapi_extra=request_body_doc(UploadBatch))
def upload_batch(signed: Signed, db: DB) -> Response:
    """Each application is `accepted` (stored now), `duplicate` (stored before: safe to forget) or
    `rejected` with a reason (refused for good). Sending the same batch again is always safe."""
    with terminal_transaction(db, signed) as (session, terminal):  # `InvalidUpload` is answered 422
        batch = decode_body(signed, UploadBatch)
        answer = ingest(session, terminal, batch)
    # serialized once here: through `response_model` FastAPI would validate the answer a second time;
    # `survey_stored` only when there is some: older terminals refuse keys they do not know
    return Response(answer.model_dump_json(exclude=None if answer.survey_stored else {"survey_stored"}),
                    media_type="application/json")
