"""The office's staff console under `/staff`: server-rendered pages (Jinja2, plain CSS, no JavaScript)
behind a login, in Bahasa Indonesia first with English. `install(app)` mounts it on central's app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from central.console.pages import ROUTERS
from central.console.web import (
    PREFIX,
    ConsoleError,
    ConsoleHeaders,
    LoginRequired,
    error_page,
    is_console,
    login_redirect,
)

__all__ = ["install", "is_console", "refusal_page"]


def install(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=Path(__file__).parent / "static"), name="console-static")
    app.add_middleware(ConsoleHeaders)

    @app.exception_handler(ConsoleError)
    async def _refused(request: Request, e: ConsoleError) -> Response:
        return error_page(request, e.status, e.message, staff=e.staff, **e.values)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, e: LoginRequired) -> Response:
        return login_redirect(request, e.expired)


def refusal_page(request: Request, status: int, detail: str = "") -> Response:
    """central's generic refusals (404, 405, bad form, database away, a bug) as a console page."""
    message = {404: "Halaman ini tidak ada.", 405: "Halaman ini tidak ada.",
               422: "Isian formulir tidak lengkap atau tidak sah: {what}.",
               503: "Server sedang sibuk. Coba lagi sebentar lagi."}.get(
        status, "Terjadi kesalahan di server; sudah dicatat." if status >= 500 else "Halaman ini tidak ada.")
    return error_page(request, 400 if status == 422 else status, message, what=detail[:200])
