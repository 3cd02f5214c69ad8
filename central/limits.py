"""Limits that hold before a request costs central anything: body size on every route, and how often one
client address may get enrollment wrong.

Both are plain ASGI middleware, so they apply to every route (signed or not, API or staff page)
before any framework code buffers a body: a declared Content-Length over the route's limit is
answered 413 without reading a byte, and a streamed body is cut off with 413 the moment it passes
the limit. Memory per request is therefore bounded by the limit, whoever sends it.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import unquote_to_bytes

from central.ratelimit import RateLimiter
from sync.protocol import MAX_COMPRESSED_BYTES, PATH_ENROLL, PATH_HEARTBEAT

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_LIMIT_BYTES = MAX_COMPRESSED_BYTES
ROUTE_LIMITS: Mapping[str, int] = {PATH_ENROLL: 16 * 1024, PATH_HEARTBEAT: 64 * 1024}


class _TooLarge(Exception):
    """Raised from `receive` when the body passes its limit (the middleware answers 413)."""


async def answer(send: Send, status: int, error: str, message: str, headers: Mapping[str, str] | None = None) -> None:
    body = json.dumps({"error": error, "message": message}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
           (b"connection", b"close")] + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def declared_length(scope: Scope) -> bytes | None:
    """The request's Content-Length header as sent (None without one)."""
    return dict(scope.get("headers") or ()).get(b"content-length")


class BodyLimit:
    """413 for a body over its route's limit (`ROUTE_LIMITS`, else `default`), checked before buffering."""

    def __init__(self, app: ASGIApp, *, default: int = DEFAULT_LIMIT_BYTES,
                 routes: Mapping[str, int] = ROUTE_LIMITS) -> None:
        self.app, self.default, self.routes = app, default, dict(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.routes.get(scope.get("path", ""), self.default)
        too_large = f"the body is larger than {limit} bytes: send less (smaller batches)"
        declared = declared_length(scope)
        if declared is not None:
            if not declared.isdigit():
                await answer(send, 400, "malformed", "the Content-Length header is not a number")
                return
            if int(declared) > limit:
                await answer(send, 413, "too_large", too_large)
                return
        received = 0
        exceeded = answered = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal answered
            if exceeded:  # whatever the route made of the cut-off body (e.g. "cannot parse"), it was too large
                if message["type"] == "http.response.start" and not answered:
                    answered = True
                    await answer(send, 413, "too_large", too_large)
                return
            answered = answered or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            if answered:
                raise
            answered = True
            await answer(send, 413, "too_large", too_large)


class EnrollmentRateLimit:
    """Per client address, at most `refusals` refused enrollment attempts per `per_s` seconds; past that
    every enrollment from the address is answered 429 with Retry-After, before its body is read.

    Every attempt takes from the allowance before it is handled (so that parallel attempts are counted
    atomically), and a successful enrollment gives it back: refused ones (bad or used codes, malformed
    or oversized bodies) are what counts. Each server process keeps its own counts, of its share of the
    limit (`create_app(workers=N)` gives each 1/N)."""

    def __init__(self, app: ASGIApp, *, refusals: int = 20, per_s: float = 60.0, path: str = PATH_ENROLL,
                 max_addresses: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.app, self.path = app, path
        self.refusals = RateLimiter(refusals, refusals / per_s, max_clients=max_addresses, clock=clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != self.path:
            await self.app(scope, receive, send)
            return
        address = (scope.get("client") or ("unknown",))[0]
        wait = self.refusals.retry_after(address)  # taken now: parallel attempts cannot all pass the look
        if wait:
            await answer(send, 429, "too_many_attempts", f"too many refused enrollments from this address: "
                          f"wait {wait} s, then check the code with staff", {"Retry-After": str(wait)})
            return

        async def watching_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                self.refusals.refund(address)  # a successful enrollment does not count
            await send(message)

        await self.app(scope, receive, watching_send)


class LoginRateLimit:
    """Console logins past the address's allowance (`LoginGuard.addresses`) are answered 429 here, before
    the form is read, parsed or a page rendered; the answer comes after a pause of up to `pause_s`
    (an idle coroutine, no thread), so a client that retries as soon as it is answered cannot make
    central answer hundreds of refusals a second. At most `max_paused` refusals wait at once."""

    def __init__(self, app: ASGIApp, *, guard: Any, path: str, pause_s: float = 1.0, max_paused: int = 1000) -> None:
        self.app, self.guard, self.path, self.pause_s, self.max_paused = app, guard, path, pause_s, max_paused
        self.paused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != self.path or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        address = (scope.get("client") or ("unknown",))[0]
        wait = self.guard.addresses.retry_after(address)
        if not wait:
            await self.app(scope, receive, send)
            return
        if self.paused < self.max_paused:
            self.paused += 1
            try:
                await asyncio.sleep(min(self.pause_s, wait))
            finally:
                self.paused -= 1
        body = (f"Terlalu banyak percobaan masuk dari alamat ini: tunggu {wait} detik.\n"
                f"Too many logins from this address: wait {wait} s.\n").encode()
        await send({"type": "http.response.start", "status": 429, "headers": [
            (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(wait).encode())]})
        await send({"type": "http.response.body", "body": body})


#: control characters no address, query or form field needs (forms keep tab, CR and LF: notes have lines)
_CONTROL_IN_URL = re.compile(rb"[\x00-\x1f\x7f]")
_CONTROL_IN_FORM = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORM_TYPE = b"application/x-www-form-urlencoded"
MAX_CHECKED_FORM_BYTES = 64 * 1024


class TextBoundary:
    """400 for a request whose path, query or URL-encoded form carries NUL or another control character,
    before any route sees it: one rule for every route, so no such text reaches a database (PostgreSQL
    refuses NUL in text), a header or a log line. Forms are read whole for this (the console takes at most
    64 KiB); JSON bodies are the protocol models' to check (`sync.protocol.Text`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogateescape")
        if _CONTROL_IN_URL.search(unquote_to_bytes(raw_path)) or _CONTROL_IN_URL.search(
                unquote_to_bytes(scope.get("query_string", b"").replace(b"+", b" "))):
            await answer(send, 400, "control_character", "the address holds a control character (NUL, CR, LF, "
                          "...): send text without them / alamat berisi karakter kontrol")
            return
        headers = dict(scope.get("headers") or ())
        declared = declared_length(scope) or b""
        if (headers.get(b"content-type", b"").split(b";")[0].strip().lower() != FORM_TYPE
                or not declared.isdigit() or int(declared) > MAX_CHECKED_FORM_BYTES):
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            more = message.get("more_body", False) and len(body) <= MAX_CHECKED_FORM_BYTES
        if _CONTROL_IN_FORM.search(unquote_to_bytes(body.replace(b"+", b" "))):
            await answer(send, 400, "control_character", "a form field holds a control character (NUL, ...): "
                          "send text without them / isian berisi karakter kontrol")
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
