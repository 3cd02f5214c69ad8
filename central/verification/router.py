"""The routes of the public verification page: `/v/{code}` and its stylesheet, with security headers."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from central.api.common import DB
from central.verification.lookup import verify_code

HERE = Path(__file__).parent
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
}
STYLESHEET = (HERE / "static" / "verify.css").read_bytes()

router = APIRouter(tags=["verification"], include_in_schema=False)
templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))


def _page(name: str, status: int, **values: object) -> HTMLResponse:
    return HTMLResponse(templates.get_template(name).render(**values), status_code=status, headers=HEADERS)


@router.get("/v/verify.css")
def stylesheet() -> Response:
    return Response(STYLESHEET, media_type="text/css", headers={**HEADERS, "Cache-Control": "max-age=3600"})


@router.get("/v/{code:path}", response_class=HTMLResponse)
def verification_page(code: str, request: Request, db: DB) -> HTMLResponse:
    wait = request.app.state.verification_limiter.retry_after(request.client.host if request.client else "-")
    if wait:
        response = _page("busy.html", 429, wait=wait)
        response.headers["Retry-After"] = str(wait)
        return response
    with db.transaction() as session:
        verified = verify_code(session, code)
    if verified is None:
        return _page("unverified.html", 404)
    return _page("verified.html", 200, v=verified)
