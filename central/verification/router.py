"""The routes of the public verification page: `/v/{code}` and its stylesheet, with security headers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from central.api.common import DB
from central.verification.lookup import MAX_CODE_CHARS, verify_code
from central.verification.phone_record import record_for_pin

HERE = Path(__file__).parent
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
}
#: a page with the record's PIN form may post to this site (and only to it)
FORM_HEADERS = {**HEADERS, "Content-Security-Policy": HEADERS["Content-Security-Policy"].replace(
    "form-action 'none'", "form-action 'self'")}
#: where the PIN form posts (a POST, so the PIN never sits in a URL, a history or a log)
RECORD_PATH = "/v/record"
STYLESHEET = (HERE / "static" / "verify.css").read_bytes()

router = APIRouter(tags=["verification"], include_in_schema=False)
templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))


def _page(name: str, status: int, *, headers: dict[str, str] = HEADERS, **values: object) -> HTMLResponse:
    return HTMLResponse(templates.get_template(name).render(**values), status_code=status, headers=headers)


@router.get("/v/verify.css")
def stylesheet() -> Response:
    return Response(STYLESHEET, media_type="text/css", headers={**HEADERS, "Cache-Control": "max-age=3600"})


def _busy(request: Request) -> HTMLResponse | None:
    wait = request.app.state.verification_limiter.retry_after(request.client.host if request.client else "-")
    if not wait:
        return None
    response = _page("busy.html", 429, wait=wait)
    response.headers["Retry-After"] = str(wait)
    return response


@router.post(RECORD_PATH, response_class=HTMLResponse)
def record_page(request: Request, db: DB, code: Annotated[str, Form(max_length=MAX_CODE_CHARS)] = "",
                pin: Annotated[str, Form(max_length=20)] = "") -> HTMLResponse:
    """The citizen's processing record, masked, for the receipt's code and the receipt's PIN."""
    busy = _busy(request)
    if busy is not None:
        return busy
    with db.transaction() as session:
        shown = record_for_pin(session, code, pin)
    if shown is None:
        return _page("unverified.html", 404)
    status = {"shown": 200, "wrong": 403, "cooling": 429, "no_pin": 200, "unavailable": 503}[shown.check.outcome]
    response = _page("record.html", status, r=shown, code=code, headers=FORM_HEADERS)
    if shown.check.outcome == "cooling":
        response.headers["Retry-After"] = str(shown.check.seconds)
    return response


@router.get("/v/{code:path}", response_class=HTMLResponse)
def verification_page(code: str, request: Request, db: DB) -> HTMLResponse:
    busy = _busy(request)
    if busy is not None:
        return busy
    with db.transaction() as session:
        verified = verify_code(session, code)
    if verified is None:
        return _page("unverified.html", 404)
    if verified.kind_en == "Application receipt":  # its record opens here with the receipt's PIN
        return _page("verified.html", 200, v=verified, code=code.strip(), record_path=RECORD_PATH,
                     headers=FORM_HEADERS)
    return _page("verified.html", 200, v=verified)
