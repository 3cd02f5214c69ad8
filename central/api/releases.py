"""GET /api/v1/releases/VERSION: a signed release bundle for an enrolled terminal, resumable with
`Range: bytes=N-` (206), so a link that drops mid-download does not start over."""

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from central.api.common import DB, REFUSALS, Signed, terminal_transaction
from central.api.refusals import ApiError
from central.errors import NotFound
from central.models import Release
from central.releases import ByteRange, ReleaseError, parse_range, read_bytes
from sync.protocol import PATH_RELEASES

router = APIRouter(tags=["releases"])


@router.get(f"{PATH_RELEASES}/{{version}}", responses={**REFUSALS, 206: {"description": "the range asked for"},
                                                       404: {"description": "no such release"},
                                                       416: {"description": "a range that cannot be served"}})
def download_release(version: str, signed: Signed, db: DB) -> StreamingResponse:
    with terminal_transaction(db, signed) as (session, _terminal):
        release = session.get(Release, version)
        if release is None:
            raise NotFound(f"no release {version[:64]} is offered")
        size, sha256 = release.size, release.sha256
    try:
        span = parse_range(signed.headers.get("range"), size)
    except ReleaseError as e:
        raise ApiError(416, "bad_range", str(e), headers={"Content-Range": f"bytes */{size}"}) from None
    headers = {"Accept-Ranges": "bytes", "ETag": f'"{sha256}"'}
    if span is None:
        span, status = ByteRange(0, size - 1), 200
    else:
        status = 206
        headers["Content-Range"] = f"bytes {span.start}-{span.end}/{size}"
    headers["Content-Length"] = str(span.length)
    return StreamingResponse(read_bytes(db.transaction, version, span), status_code=status, headers=headers,
                             media_type="application/octet-stream")
