"""A token bucket per client address, in memory: how often one client may do something before it is
answered 429 with Retry-After (the public verification page's lookups, refused enrollments).

Each server process keeps its own buckets, sized to its share of the limit (`create_app(workers=N)`);
the table is bounded, dropping the least recently seen client, so many addresses cannot grow it
without limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    """`burst` at once, then one every `1 / per_second` seconds, per key."""

    def __init__(self, burst: int, per_second: float, *, max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.burst, self.per_second, self.max_clients, self.clock = burst, per_second, max_clients, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def _tokens(self, key: str) -> float:
        """The key's tokens now (refilled since last seen); the key becomes the most recently seen."""
        now = self.clock()
        tokens, at = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.per_second)
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return tokens

    def _take(self, key: str, tokens: float) -> None:
        self._buckets[key] = (tokens - 1, self._buckets[key][1])

    def _wait(self, tokens: float) -> int:
        return 0 if tokens >= 1 else max(1, math.ceil((1 - tokens) / self.per_second))

    def wait_s(self, key: str) -> int:
        """0 when the key may go ahead now (nothing is counted), else the seconds to wait."""
        with self._lock:
            return self._wait(self._tokens(key))

    def spend(self, key: str) -> None:
        """Counts one against the key (for limits that count only some outcomes, e.g. refusals)."""
        with self._lock:
            self._take(key, self._tokens(key))

    def refund(self, key: str) -> None:
        """Gives back one taken by `retry_after` (for limits that count only some outcomes: taken before, so
        that parallel requests cannot all pass the look, and given back when the outcome does not count)."""
        with self._lock:
            tokens = self._tokens(key)
            self._buckets[key] = (min(float(self.burst), tokens + 1), self._buckets[key][1])

    def retry_after(self, key: str) -> int:
        """0 when the request may go ahead (and it is counted), else the seconds to wait."""
        with self._lock:
            tokens = self._tokens(key)
            wait = self._wait(tokens)
            if not wait:
                self._take(key, tokens)
            return wait
