"""The office's staff console under `/staff`: server-rendered pages (Jinja2, plain CSS, no JavaScript)
behind a login, in Bahasa Indonesia first with English.

The console is an application of its own (`console_app`): its own routes (`pages.PAGES`), its own
answers to errors (`central.console.refusals`, pages, never JSON), its own headers and body limit
(`web.ConsoleHeaders`), no OpenAPI. `install(app, ...)` mounts it on central's app under `/staff`, so
central's app never asks whether a request was the console's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import ASGIApp, Receive, Scope, Send

from central.console import refusals
from central.console.login_guard import LoginGuard
from central.console.pages import PAGES
from central.console.web import PREFIX, ConsoleHeaders
from central.db import Database

__all__ = ["console_app", "install"]


def console_app(database: Database, login_guard: LoginGuard) -> FastAPI:
    """The console as an application: every page of `PAGES`, its static files, its error pages."""
    app = FastAPI(title="Loket console", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.database = database
    app.state.login_guard = login_guard
    app.state.menu = [page.menu for page in PAGES if page.menu is not None]
    for page in PAGES:
        app.include_router(page.router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=Path(__file__).parent / "static"), name="console-static")
    refusals.install(app, database)
    return app


class Mounted(BaseRoute):
    """Hands every request for `prefix` and below to `app` with its path unchanged.

    Starlette's `Mount` strips the prefix (its sub-application sees `/inbox`, not `/staff/inbox`) and
    answers the bare `/staff` with a redirect to `/staff/`; the console's pages, links and cookies name
    their full paths and `/staff` is the inbox, so this mount keeps both."""

    def __init__(self, prefix: str, app: ASGIApp) -> None:
        self.prefix, self.app = prefix.rstrip("/"), app

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == self.prefix or path.startswith(self.prefix + "/")):
            return Match.FULL, {"endpoint": self.app}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception:  # noqa: BLE001 - a bug: the console logged it and answered its own error page
            # Starlette's outermost middleware raises again after answering, so that a server can log it;
            # the console's handler has, and central's own must not answer (or log) it a second time
            return


def install(app: FastAPI, database: Database, login_guard: LoginGuard) -> FastAPI:
    """Mounts the console (behind its headers and body limit) on central's `app` under `/staff`; returns
    the console's application."""
    console = console_app(database, login_guard)
    app.router.routes.append(Mounted(PREFIX, ConsoleHeaders(console)))
    return console
