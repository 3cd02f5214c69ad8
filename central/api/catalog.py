"""GET /api/v1/catalog: the office's catalog document in force as terminals get it (without the parts
only central reads, such as letters), with an ETag of those bytes (If-None-Match → 304)."""

from fastapi import APIRouter, Response

from central.api.common import DB, REFUSALS, Signed, terminal_transaction
from central.offices import terminal_catalog
from sync.protocol import PATH_CATALOG

router = APIRouter(tags=["catalog"])


def _matches(if_none_match: str, etag: str) -> bool:
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag in tags


@router.get(PATH_CATALOG, responses={**REFUSALS, 200: {"content": {"application/json": {}}},
                                   304: {"description": "the terminal has this version already"}})
def get_catalog(signed: Signed, db: DB) -> Response:
    with terminal_transaction(db, signed) as (session, terminal):
        catalog = terminal_catalog(session, terminal.office_id)
        headers = {"ETag": catalog.etag, "X-Loket-Catalog-Version": catalog.version}
        if _matches(signed.headers.get("if-none-match", ""), catalog.etag):
            return Response(status_code=304, headers=headers)
        return Response(catalog.document, media_type="application/json", headers=headers)
