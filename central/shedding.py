"""Load shedding: when a reconnect storm brings more terminal requests than central can answer
promptly, the excess is told to come back later (429 + Retry-After) at once, before its body is read,
so the requests central does take keep their usual latency and the queue waits on the terminals.

The bound is on requests in progress in one server process (plain ASGI middleware, one event loop:
no lock). Retry-After is spread over a range, so the shed terminals do not all return together.
"""

from __future__ import annotations

import random

from central.limits import ASGIApp, Receive, Scope, Send, answer

#: terminal routes that hold a database connection; enrollment has its own limit, health none
SHED_PREFIX, NOT_SHED = "/api/", frozenset({"/api/v1/health", "/api/v1/enroll"})
RETRY_AFTER_RANGE_S = (2, 10)


class LoadShedding:
    """At most `limit` terminal requests in progress; the next is answered 429 `busy` with a Retry-After
    drawn from `retry_after_s`."""

    def __init__(self, app: ASGIApp, *, limit: int, retry_after_s: tuple[int, int] = RETRY_AFTER_RANGE_S,
                 rng: random.Random | None = None) -> None:
        self.app, self.limit, self.retry_after_s = app, max(1, limit), retry_after_s
        self.rng = rng or random.Random()
        self.in_flight = 0
        self.shed = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(SHED_PREFIX) or path in NOT_SHED:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            self.shed += 1
            wait = self.rng.randint(*self.retry_after_s)
            await answer(send, 429, "busy", f"central is busy: keep the applications queued and retry in {wait} s",
                          {"Retry-After": str(wait)})
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
