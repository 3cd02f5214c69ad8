"""What every console page shares: templates, the session and role dependencies, the CSRF check,
error pages in the staff's language, and the security headers and body limit on every /staff answer."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from central.api.common import DB, database
from central.console.i18n import LANG_COOKIE, STATUS_WORDS, language_of, number_words, translator
from central.console.sessions import COOKIE, StaffContext, resume_session
from central.models import AuditEntry, HelpAcknowledgement, Office, Terminal, as_utc
from kiosk.timezones import DEFAULT_ZONE, office_zone, zone_label

PREFIX = "/staff"
#: a row id in a URL: in range for a 64-bit column on either database
RowId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]
HELP_ACTION = "citizen.help_requested"
MAX_FORM_BYTES = 64 * 1024
SECURITY_HEADERS = (
    (b"content-security-policy", b"default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


class ConsoleError(Exception):
    """A request the console refuses with a page: status and a message (Indonesian key, see i18n)."""

    def __init__(self, status: int, message: str, *, staff: StaffContext | None = None, **values: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.values = status, message, values
        #: who was refused, when known: the page then keeps its top bar (menu, office, log out)
        self.staff = staff


class LoginRequired(Exception):
    """No live session: the browser goes to the login form (and back here after)."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("login required")
        self.expired = expired


def is_console(request: Request) -> bool:
    path = request.url.path
    return path == PREFIX or path.startswith(PREFIX + "/")


def is_https(request: Request) -> bool:
    """TLS as the server saw it: behind a proxy named in `LOKET_CENTRAL_TRUSTED_PROXY` uvicorn takes the
    scheme from its `X-Forwarded-Proto`; from anyone else the header is not believed."""
    return request.url.scheme == "https"


def client_address(request: Request) -> str:
    """The address limits count a request against: the peer, or for a configured trusted proxy the last hop
    it added to `X-Forwarded-For` (uvicorn's proxy headers, which `serve` turns on only for those proxies)."""
    return request.client.host if request.client else "-"


def local_time(moment: dt.datetime | None, context: StaffContext | None, fmt: str = "%d-%m-%Y %H.%M") -> str:
    if moment is None:
        return ""
    zone = context.zone if context else office_zone("", DEFAULT_ZONE)
    local = as_utc(moment).astimezone(zone)  # type: ignore[union-attr]
    return f"{local.strftime(fmt)} {zone_label(zone, local)}"


def help_calls_waiting(session: Session, office_id: int) -> int:
    """Citizens' "Minta Bantuan" at this office's kiosks nobody has acknowledged yet."""
    return session.scalar(
        select(func.count()).select_from(AuditEntry).join(Terminal, Terminal.id == AuditEntry.terminal_id)
        .where(AuditEntry.action == HELP_ACTION, Terminal.office_id == office_id,
               ~exists().where(HelpAcknowledgement.audit_entry_id == AuditEntry.id))) or 0


@dataclass(frozen=True)
class NavItem:
    key: str
    path: str
    label: str
    supervisor: bool = False
    admin: bool = False


#: the console's menu; a new page adds its item here
NAV = [NavItem("inbox", PREFIX, "Permohonan"), NavItem("help", f"{PREFIX}/help", "Panggilan bantuan"),
       NavItem("terminals", f"{PREFIX}/terminals", "Kios", True),
       NavItem("reports", f"{PREFIX}/reports", "Laporan", True),
       NavItem("letters", f"{PREFIX}/letters/settings", "Pengaturan surat", True),
       NavItem("sms", f"{PREFIX}/sms", "SMS"),
       NavItem("access_log", f"{PREFIX}/access-log", "Log akses", True),
       NavItem("breaches", f"{PREFIX}/breaches", "Insiden data", True),
       NavItem("accounts", f"{PREFIX}/accounts", "Petugas", True, True)]


def _frame(session: Session, context: StaffContext) -> dict[str, Any]:
    offices = list(session.scalars(select(Office).order_by(Office.code))) if context.is_admin else []
    return {"help_calls": help_calls_waiting(session, context.office_id), "offices": offices}


def render(request: Request, template: str, context: StaffContext | None = None, *, status_code: int = 200,
           session: Session | None = None, **values: Any) -> HTMLResponse:
    """A page: the template with the translator, the staff context, the menu and the help-call banner.

    Inside a transaction pass its `session`: SQLite's writer lock is not re-entrant."""
    lang = language_of(request)
    frame: dict[str, Any] = {"help_calls": 0, "offices": []}
    if context is not None:
        if session is not None:
            frame = _frame(session, context)
        else:
            with database(request).transaction() as own:
                frame = _frame(own, context)
    return templates.TemplateResponse(request, template, {
        "t": translator(lang), "lang": lang, "me": context, "nav": NAV, **frame, "status_words": STATUS_WORDS,
        "when": lambda moment, fmt="%d-%m-%Y %H.%M": local_time(moment, context, fmt), "path": request.url.path,
        "num": lambda value, decimals=0: number_words(value, decimals, lang),
        **values}, status_code=status_code)


def error_page(request: Request, status: int, message: str, *, staff: StaffContext | None = None,
               **values: Any) -> HTMLResponse:
    if staff is not None:
        return render(request, "error.html", staff, status_code=status, status=status,
                      message=translator(language_of(request))(message, **values))
    lang = language_of(request)
    return templates.TemplateResponse(request, "error.html", {
        "t": translator(lang), "lang": lang, "me": None, "nav": NAV, "help_calls": 0, "status": status,
        "message": translator(lang)(message, **values), "path": request.url.path}, status_code=status)


def login_redirect(request: Request, expired: bool = False) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    query = f"next={quote(target, safe='')}" + ("&expired=1" if expired else "")
    return RedirectResponse(f"{PREFIX}/login?{query}", status_code=303)


def current_staff(request: Request, db: DB) -> StaffContext:
    token = request.cookies.get(COOKIE)
    with db.transaction() as session:
        context = resume_session(session, token)
    if context is None:
        raise LoginRequired(expired=bool(token))
    return context


def supervisor(staff: Annotated[StaffContext, Depends(current_staff)]) -> StaffContext:
    if not staff.is_supervisor:
        raise ConsoleError(403, "Halaman ini hanya untuk supervisor.")
    return staff


async def checked_form(request: Request, staff: Annotated[StaffContext, Depends(current_staff)],
                       csrf: Annotated[str, Form(max_length=100)] = "") -> StaffContext:
    """The staff of a form POST whose CSRF token is this session's; 403 otherwise."""
    if not staff.csrf_matches(csrf):
        raise ConsoleError(403, "Formulir ini kedaluwarsa atau tidak sah. Muat ulang halaman dan coba lagi.")
    return staff


def posted_supervisor(staff: Annotated[StaffContext, Depends(checked_form)]) -> StaffContext:
    return supervisor(staff)


Staff = Annotated[StaffContext, Depends(current_staff)]
PostedSupervisor = Annotated[StaffContext, Depends(posted_supervisor)]
Supervisor = Annotated[StaffContext, Depends(supervisor)]
Posted = Annotated[StaffContext, Depends(checked_form)]


def set_language_cookie(response: Response, lang: str, request: Request) -> None:
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, path=PREFIX, httponly=True, samesite="strict",
                        secure=is_https(request))


class ConsoleHeaders:
    """ASGI middleware: security headers (and Server-Timing) on every /staff answer, and form bodies
    refused past 64 KiB before they are read (a body without a declared length is refused too)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "POST":
            headers = dict(scope["headers"])
            length = headers.get(b"content-length", b"")
            if not length.isdigit() or int(length) > MAX_FORM_BYTES:
                await self._too_large(send, 413 if length.isdigit() else 411)
                return

        started = time.perf_counter()

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                # how long the server took to its first byte: benchmarks read it, so do browsers' dev tools
                took = f"app;dur={(time.perf_counter() - started) * 1000:.1f}".encode()
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS,
                                      (b"cache-control", b"no-store"), (b"server-timing", took)]
            await send(message)

        await self.app(scope, receive, with_headers)

    @staticmethod
    async def _too_large(send: Any, status: int) -> None:
        body = b"Isian terlalu besar atau tanpa panjang. / The form is too large or has no length.\n"
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
            *SECURITY_HEADERS]})
        await send({"type": "http.response.body", "body": body})
