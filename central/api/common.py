"""What every terminal endpoint needs: the database, the request body read within bounds, the signature
checked, and a JSON body decoded (gzip or not) into a wire model."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from central.api.refusals import ApiError
from central.auth import SignedRequest, authenticate
from central.db import Database
from central.models import Terminal
from sync.protocol import MAX_BODY_BYTES, MAX_COMPRESSED_BYTES, ErrorBody

M = TypeVar("M", bound=BaseModel)

REFUSALS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": what}
    for code, what in ((400, "malformed body"), (401, "unknown terminal, bad signature, stale or replayed"),
                       (403, "terminal revoked"), (413, "body too large"), (422, "body does not fit the model"))
}


def database(request: Request) -> Database:
    return request.app.state.database


async def _database(request: Request) -> Database:
    """The dependency: `async`, so reading the app's state costs no hop to a worker thread."""
    return database(request)


async def read_body(request: Request, limit: int = MAX_COMPRESSED_BYTES) -> bytes:
    """The body as sent, refusing (413) as soon as it grows past `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", f"the body is larger than {limit} bytes: send smaller batches")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"the body is larger than {limit} bytes: send smaller batches")
        chunks.append(chunk)
    return b"".join(chunks)


async def signed_request(request: Request) -> SignedRequest:
    """The request as its signature covers it (path with query, body bytes exactly as sent)."""
    body = await read_body(request)
    query = request.url.query
    raw_path = request.scope.get("raw_path")  # as sent: the decoded path would turn /releases/%3A into /releases/:
    path = raw_path.decode("latin-1") if raw_path else request.url.path
    return SignedRequest(request.method, path + (f"?{query}" if query else ""), body, request.headers,
                         v1_grace=request.app.state.signature_v1)


DB = Annotated[Database, Depends(_database)]
Signed = Annotated[SignedRequest, Depends(signed_request)]


@contextmanager
def terminal_transaction(db: Database, signed: SignedRequest) -> Iterator[tuple[Session, Terminal]]:
    """One transaction for the whole request, starting with checking who signed it."""
    with db.transaction() as session:
        yield session, authenticate(session, signed)


def _inflate(body: bytes) -> bytes:
    inflater = zlib.decompressobj(wbits=47)  # gzip or zlib header, detected
    try:
        data = inflater.decompress(body, MAX_BODY_BYTES + 1)
    except zlib.error:
        raise ApiError(400, "malformed", "the body is not valid gzip") from None
    if len(data) > MAX_BODY_BYTES or inflater.unconsumed_tail:
        raise ApiError(413, "too_large", f"the body inflates past {MAX_BODY_BYTES} bytes: send smaller batches")
    if not inflater.eof:
        raise ApiError(400, "malformed", "the gzip body is truncated")
    return data


def decode_body(signed: SignedRequest, model: type[M]) -> M:
    """The body as `model`: 400 when it is not (gzip) JSON, 422 when it does not fit the model."""
    encoding = signed.headers.get("content-encoding", "identity").strip().lower()
    if encoding == "gzip":
        raw = _inflate(signed.body)
    elif encoding in ("identity", ""):
        raw = signed.body
    else:
        raise ApiError(400, "malformed", f"unsupported Content-Encoding {encoding!r}: use gzip")
    try:
        return model.model_validate_json(raw)
    except ValidationError as e:
        errors = e.errors(include_url=False, include_input=False)
        if any(err["type"] == "json_invalid" for err in errors):
            raise ApiError(400, "malformed", "the body is not valid JSON") from None
        first = errors[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise ApiError(422, "invalid", f"{where}: {first['msg']} ({len(errors)} problem(s))") from None


def request_body_doc(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI text for an endpoint that reads its (signed, maybe gzip) body itself."""
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
        "description": f"{model.__name__} as JSON, sent with Content-Encoding: gzip (or plain)"}}
