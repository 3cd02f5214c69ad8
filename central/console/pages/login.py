"""Log in, log out, the language, and (for admins) the office a session works on."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from central.api.common import DB
from central.console.accounts import authenticate
from central.console.i18n import LANGUAGES, translator
from central.console.sessions import COOKIE, COOKIE_PATH, IDLE_LIMIT, end_session, start_session, switch_office
from central.console.web import PREFIX, ConsoleError, Posted, is_https, render, set_language_cookie
from central.errors import NotFound
from central.offices import get_office

router = APIRouter(prefix=PREFIX, include_in_schema=False)
LOGIN_CSRF_COOKIE = "loket_login"


def safe_next(target: str | None) -> str:
    """Only a console path: never another site (an open redirect)."""
    if target and target.startswith(PREFIX) and not target.startswith("//") and "\\" not in target:
        return target
    return PREFIX


def _login_page(request: Request, *, next_path: str, problem: str = "", username: str = "",
                status_code: int = 200) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "login.html", status_code=status_code, csrf=token, next=safe_next(next_path),
                      problem=problem, username=username, expired=request.query_params.get("expired") == "1")
    response.set_cookie(LOGIN_CSRF_COOKIE, token, path=PREFIX, httponly=True, samesite="strict",
                        secure=is_https(request))
    return response


@router.get("/login")
def login_form(request: Request, next: str = PREFIX) -> Response:
    return _login_page(request, next_path=next)


@router.post("/login")
def log_in(request: Request, db: DB, username: Annotated[str, Form(max_length=200)] = "",
           password: Annotated[str, Form(max_length=400)] = "", csrf: Annotated[str, Form(max_length=100)] = "",
           next: Annotated[str, Form(max_length=500)] = PREFIX) -> Response:
    t = translator(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf):
        raise ConsoleError(403, "Formulir ini kedaluwarsa atau tidak sah. Muat ulang halaman dan coba lagi.")
    client = request.client.host if request.client else ""
    with db.transaction() as session:
        outcome = authenticate(session, username, password, client=client)
        token = start_session(session, outcome.account) if outcome.account else None
    if token is None:
        if outcome.refused == "locked" and outcome.locked_until:
            problem = t("Terlalu banyak percobaan yang salah. Coba lagi setelah {until}.",
                        until=outcome.locked_until.strftime("%H.%M UTC"))
            return _login_page(request, next_path=next, problem=problem, username=username[:60], status_code=429)
        return _login_page(request, next_path=next, problem=t("Nama pengguna atau kata sandi salah."),
                           username=username[:60], status_code=401)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(COOKIE, token, path=COOKIE_PATH, httponly=True, samesite="strict", secure=is_https(request),
                        max_age=int(IDLE_LIMIT.total_seconds()) * 16)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=PREFIX)
    return response


@router.post("/logout")
def log_out(request: Request, db: DB, _staff: Posted) -> Response:
    with db.transaction() as session:
        end_session(session, request.cookies.get(COOKIE))
    response = RedirectResponse(f"{PREFIX}/login", status_code=303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


@router.get("/lang/{lang}")
def choose_language(request: Request, lang: str, next: str = PREFIX) -> Response:
    if lang not in LANGUAGES:
        raise ConsoleError(404, "Halaman ini tidak ada.")
    response = RedirectResponse(safe_next(next), status_code=303)
    set_language_cookie(response, lang, request)
    return response


@router.post("/office")
def choose_office(db: DB, staff: Posted, office: Annotated[str, Form(max_length=20)] = "") -> Response:
    if not staff.is_admin:
        raise ConsoleError(403, "Hanya admin yang bisa berganti kantor.")
    with db.transaction() as session:
        try:
            switch_office(session, staff, get_office(session, office))
        except NotFound:
            raise ConsoleError(404, "Kantor itu tidak ada.") from None
    return RedirectResponse(PREFIX, status_code=303)

