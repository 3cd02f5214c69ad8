"""Log in, log out, the language, and (for admins) the office a session works on."""

from __future__ import annotations

import logging
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from central.api.common import DB
from central.console.accounts import (
    login_candidate,
    normalize_username,
    password_matches,
    record_lockout,
    record_login,
    rehashed,
)
from central.console.i18n import LANGUAGES, translator
from central.console.login_guard import HashingBusy, LoginGuard
from central.console.sessions import ABSOLUTE_LIMIT, COOKIE, COOKIE_PATH, end_session, start_session, switch_office
from central.console.web import PREFIX, ConsoleError, Posted, client_address, is_https, render, set_language_cookie
from central.errors import NotFound
from central.models import utcnow
from central.offices import get_office
from central.values import tokens_match

router = APIRouter(prefix=PREFIX, include_in_schema=False)
LOGIN_CSRF_COOKIE = "loket_login"
BUSY_RETRY_S = 2
TOO_MANY = "Terlalu banyak percobaan. Coba lagi setelah {seconds} detik."
log = logging.getLogger("central.console")


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


def _refused(request: Request, next_path: str, username: str, status: int, problem: str,
             retry_after_s: int | None = None) -> Response:
    response = _login_page(request, next_path=next_path, problem=problem, username=username[:60], status_code=status)
    if retry_after_s:
        response.headers["Retry-After"] = str(retry_after_s)
    return response


@router.post("/login")
def log_in(request: Request, db: DB, username: Annotated[str, Form(max_length=200)] = "",
           password: Annotated[str, Form(max_length=400)] = "", csrf: Annotated[str, Form(max_length=100)] = "",
           next: Annotated[str, Form(max_length=500)] = PREFIX) -> Response:
    """Limits first (no hashing, no database), then the account read, the password checked with no
    database lock held, and the login recorded: see `central.console.login_guard`."""
    t = translator(request)
    if not tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE), csrf):
        raise ConsoleError(403, "Formulir ini kedaluwarsa atau tidak sah. Muat ulang halaman dan coba lagi.")
    guard: LoginGuard = request.app.state.login_guard
    client = client_address(request)
    name = normalize_username(username)[:60]
    refusal = guard.admit(client, name)
    if refusal is not None:
        return _refused(request, next, username, 429, t(TOO_MANY, seconds=refusal.retry_after_s),
                        refusal.retry_after_s)
    try:
        with guard.hashing() as run:
            with db.transaction() as session:  # a short read; the hash below runs with no transaction open
                candidate = login_candidate(session, name)
            right = run(password_matches, candidate, password)
            new_hash = run(rehashed, candidate, password) if right and candidate else None
    except HashingBusy:  # answered plainly: a flood's refusals must cost no page and no database
        return PlainTextResponse(f"{t('Server sedang sibuk. Coba lagi sebentar lagi.')}\n", status_code=503,
                                 headers={"Retry-After": str(BUSY_RETRY_S)})
    token = None
    if right and candidate is not None:
        with db.transaction() as session:
            account = record_login(session, candidate, client=client, new_hash=new_hash)
            token = start_session(session, account) if account else None
    if token is None:
        lock = guard.failed(client, name)
        log.warning("failed login for %r from %s", name, client)
        if lock is not None:
            if candidate is not None:
                with db.transaction() as session:
                    record_lockout(session, candidate, client=client, until=utcnow() + lock)
            seconds = int(lock.total_seconds())
            return _refused(request, next, username, 429, t(TOO_MANY, seconds=seconds), seconds)
        return _refused(request, next, username, 401, t("Nama pengguna atau kata sandi salah."))
    guard.succeeded(client, name)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(COOKIE, token, path=COOKIE_PATH, httponly=True, samesite="strict", secure=is_https(request),
                        max_age=int(ABSOLUTE_LIMIT.total_seconds()))
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

