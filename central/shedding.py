"""Load shedding: when a reconnect storm brings more terminal requests than central can answer
promptly, the excess is told to come back later (429 + Retry-After) at once, before its body is read,
so the requests central does take keep their usual latency and the queue waits on the terminals.

Two bounds, each per server process (plain ASGI middleware, one event loop: no lock):
- on time: `QueueDelay` watches how long each terminal request waited in central's queue: from its
  last body byte to the moment its work took a database connection (`work_begins`), which is its wait
  for a worker thread and a connection, not the network's upload time and not the database's own slowness
  (a commit waiting for a lost standby is an outage, answered 503, not load). When every request of a
  whole interval waited longer than the target, a standing queue has formed (CoDel's rule, as routers
  use it, at a kiosk's scale of seconds), and a share of new requests is shed until the waits are short
  again: 1 - target/wait, so that a queue just past the target sheds a few and one far past it nearly
  all. Retry-After spreads the returns over about the wait seen, by when the queue that made it has
  drained. The console shares central's threads with the terminals: the target is also how long a storm
  may slow staff's pages. A request answered without ever taking a connection waited all along.
- on memory: a request waiting in the queue holds its body (up to `MAX_COMPRESSED_BYTES`), so at most
  `limit` requests and `byte_limit` bytes of their bodies (as declared; unknown: the most a body may
  be) are in progress at once whatever they cost; past that, Retry-After is drawn from 2–10 s.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from contextvars import ContextVar

from central.limits import ASGIApp, Message, Receive, Scope, Send, answer, declared_length
from central.settings import DEFAULT_IN_FLIGHT_MB
from sync.protocol import MAX_COMPRESSED_BYTES

#: terminal routes that hold a database connection; enrollment has its own limit, health none
SHED_PREFIX, NOT_SHED = "/api/", frozenset({"/api/v1/health", "/api/v1/enroll"})
RETRY_AFTER_RANGE_S = (2, 10)
#: the longest a terminal is told to wait when the time bound sheds it
MAX_RETRY_AFTER_S = 10


#: the moment the current request's work took its first database connection (empty until then), set by
#: `LoadShedding` for each terminal request it times; worker threads see it through the copied context
_work_began: ContextVar[list[float] | None] = ContextVar("loket_work_began", default=None)


def work_begins(*_: object) -> None:
    """Marks the end of the current request's wait in the queue (a pool `checkout` listener: the
    request's work takes a database connection); later calls and calls outside a timed request do nothing."""
    began = _work_began.get()
    if began is not None and not began:
        began.append(time.monotonic())


class QueueDelay:
    """Whether requests wait long enough to shed: `overloaded()` is true for the interval after one in
    which every request answered had waited longer than `target_s` (an interval with no answers is not
    overloaded), and `shed_share()` says how much to shed then. `observe(waited_s)` records one answer."""

    def __init__(self, target_s: float, interval_s: float = 0.5,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.target_s, self.interval_s, self.clock = target_s, interval_s, clock
        self.window_end = clock() + interval_s
        self.window_min = math.inf
        self.waited_s = 0.0  # the shortest wait of the last closed interval that was over the target; else 0

    def _roll(self, now: float) -> None:
        if now >= self.window_end:
            # the verdict on an interval holds for the next one only: after it, an interval went by unanswered
            over = self.target_s < self.window_min < math.inf and now < self.window_end + self.interval_s
            self.waited_s = self.window_min if over else 0.0
            self.window_min = math.inf
            self.window_end = now + self.interval_s

    def observe(self, waited_s: float) -> None:
        self._roll(self.clock())
        self.window_min = min(self.window_min, waited_s)

    def overloaded(self) -> bool:
        self._roll(self.clock())
        return self.waited_s > 0.0

    def shed_share(self) -> float:
        """The share of new requests to shed now: none without a standing queue, else as much as brings the
        wait back to the target if the rest keep coming as they do (1 - target/wait: half at twice it)."""
        return 1.0 - self.target_s / self.waited_s if self.overloaded() else 0.0

    def retry_after_s(self, rng: random.Random) -> int:
        """Seconds to tell a request shed on time: spread over about the wait seen (by then the queue that
        made it has drained), from 1 s, at most `MAX_RETRY_AFTER_S`."""
        return rng.randint(1, max(2, min(MAX_RETRY_AFTER_S, math.ceil(self.waited_s))))


def declared_bytes(scope: Scope) -> int:
    """What a request's body may hold in memory: its Content-Length (at most `MAX_COMPRESSED_BYTES`, the
    bound `BodyLimit` enforces), none for a GET or HEAD without one, else the most a body may be."""
    declared = declared_length(scope)
    if declared is not None:
        return min(int(declared), MAX_COMPRESSED_BYTES) if declared.isdigit() else MAX_COMPRESSED_BYTES
    return 0 if scope.get("method") in ("GET", "HEAD") else MAX_COMPRESSED_BYTES


class LoadShedding:
    """At most `limit` terminal requests and `byte_limit` bytes of their bodies in progress, and none
    taken while `delay` says requests wait long (`delay` None: the bounds alone); a shed request is
    answered 429 `busy` with a Retry-After."""

    def __init__(self, app: ASGIApp, *, limit: int, byte_limit: int = DEFAULT_IN_FLIGHT_MB * 2**20,
                 delay: QueueDelay | None = None, retry_after_s: tuple[int, int] = RETRY_AFTER_RANGE_S,
                 rng: random.Random | None = None) -> None:
        self.app, self.limit, self.delay, self.retry_after_s = app, max(1, limit), delay, retry_after_s
        self.byte_limit = max(1, byte_limit)
        self.rng = rng or random.Random()
        self.in_flight = self.in_flight_bytes = 0
        self.shed = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(SHED_PREFIX) or path in NOT_SHED:
            await self.app(scope, receive, send)
            return
        size = declared_bytes(scope)
        if self.in_flight >= self.limit or (self.in_flight and self.in_flight_bytes + size > self.byte_limit):
            await self._shed(send, self.rng.randint(*self.retry_after_s))
            return
        if self.delay is not None and self.rng.random() < self.delay.shed_share():
            await self._shed(send, self.delay.retry_after_s(self.rng))
            return
        self.in_flight += 1
        self.in_flight_bytes += size
        try:
            if self.delay is None:
                await self.app(scope, receive, send)
            else:
                await self._timed(scope, receive, send, self.delay)
        finally:
            self.in_flight -= 1
            self.in_flight_bytes -= size

    async def _shed(self, send: Send, wait: int) -> None:
        self.shed += 1
        await answer(send, 429, "busy", f"central is busy: keep the applications queued and retry in {wait} s",
                     {"Retry-After": str(wait)})

    async def _timed(self, scope: Scope, receive: Receive, send: Send, delay: QueueDelay) -> None:
        """Runs the request, telling `delay` how long it waited from its last body byte (for a request
        without a body: its arrival) until its work took a database connection."""
        body_done = time.monotonic()
        began: list[float] = []
        observed = False

        async def watching_receive() -> Message:
            nonlocal body_done
            message = await receive()
            if message["type"] == "http.request" and not message.get("more_body", False):
                body_done = time.monotonic()
            return message

        async def watching_send(message: Message) -> None:
            nonlocal observed
            if message["type"] == "http.response.start" and not observed:
                observed = True
                delay.observe((began[0] if began else time.monotonic()) - body_done)
            await send(message)

        token = _work_began.set(began)
        try:
            await self.app(scope, watching_receive, watching_send)
        finally:
            _work_began.reset(token)
