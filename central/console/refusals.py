"""How the staff console answers what goes wrong: always a page in the staff's language, never JSON.

`PAGES` is the one table from central's domain errors to a status and the words staff read; a page
raises `ConsoleError` for its own refusals (with its words), `LoginRequired` sends the browser to the
login form, and the framework's refusals (no such page, a form that does not validate) and a bug are
pages too. Installed on the console's own application only (`central.console.console_app`)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from central import refusals
from central.console.web import ConsoleError, LoginRequired, error_page, login_redirect
from central.db import Database
from central.errors import CentralError, DatabaseUnavailable, InvalidValue, NotFound
from central.keyring import KeysUnavailable
from central.records import PersonalDataDeleted

NO_PAGE = "Halaman ini tidak ada."
BUSY = "Server sedang sibuk. Coba lagi sebentar lagi."
BAD_FORM = "Isian formulir tidak lengkap atau tidak sah: {what}."
FAILED = "Terjadi kesalahan di server; sudah dicatat."

#: every domain error a console page may let through, the most specific first: (error, status, words)
PAGES: tuple[tuple[type[CentralError], int, str], ...] = (
    (NotFound, 404, NO_PAGE),
    (KeysUnavailable, 503, "Kunci kantor tidak tersedia, jadi data pribadi tidak bisa dibuka sekarang. "
                           "Hubungi admin server."),
    (PersonalDataDeleted, 410, "Data pribadi permohonan ini sudah dihapus atas permintaan warga; yang tersisa hanya "
                               "nomor, layanan, tanggal dan status."),
    (DatabaseUnavailable, 503, BUSY),
    (InvalidValue, 400, BAD_FORM),
    (CentralError, 400, "Permintaan ini tidak bisa dijalankan."),
)
#: the framework's own refusals by status (anything else is "no such page")
_HTTP_WORDS = {503: BUSY}


def refuse(request: Request, error: CentralError) -> Response:
    status, words = next((status, words) for kind, status, words in PAGES if isinstance(error, kind))
    return error_page(request, status, words, what="?")


def install(app: FastAPI, database: Database) -> None:
    """The console's answers on its own `app`."""
    refusals.install(app, database, refuse=refuse, failed=lambda request: error_page(request, 500, FAILED))

    @app.exception_handler(ConsoleError)
    async def _refused(request: Request, e: ConsoleError) -> Response:
        return error_page(request, e.status, e.message, staff=e.staff, **e.values)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, e: LoginRequired) -> Response:
        return login_redirect(request, e.expired)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError) -> Response:
        fields = ", ".join(str(err.get("loc", ("?",))[-1]) for err in e.errors())
        return error_page(request, 400, BAD_FORM, what=fields[:200])

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, e: StarletteHTTPException) -> Response:
        words = _HTTP_WORDS.get(e.status_code, FAILED if e.status_code >= 500 else NO_PAGE)
        return error_page(request, e.status_code, words)


__all__ = ["PAGES", "install", "refuse"]
