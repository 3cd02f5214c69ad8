"""A token bucket per client address, in memory: the public page answers 429 with Retry-After past it.

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
    """`burst` requests at once, then one every `1 / per_second` seconds, per key."""

    def __init__(self, burst: int = 30, per_second: float = 0.5, *, max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.burst, self.per_second, self.max_clients, self.clock = burst, per_second, max_clients, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int:
        """0 when the request may go ahead (and it is counted), else the seconds to wait."""
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.per_second)
            if tokens >= 1:
                tokens -= 1
                wait = 0
            else:
                wait = max(1, math.ceil((1 - tokens) / self.per_second))
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            return wait
