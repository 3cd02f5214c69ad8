"""How long to wait before trying central again: exponential backoff with full jitter, capped.

The maths is tenacity's `wait_random_exponential` (the AWS "full jitter" algorithm): attempt n
waits a uniformly random time in [0, min(cap, base * 2**(n-1))]. A `Retry-After` from central is a
floor: we never come back sooner than the server asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenacity import RetryCallState, wait_random_exponential

MAX_RETRY_AFTER_S = 3600.0


@dataclass(frozen=True)
class Backoff:
    """Retry timing. Production defaults; tests pass small values, never change these."""

    base_s: float = 2.0
    cap_s: float = 600.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the `attempt`-th consecutive failure (1 = the first)."""
        state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
        state.attempt_number = max(1, attempt)
        jittered = wait_random_exponential(multiplier=self.base_s, max=self.cap_s)(state)
        if retry_after is None:
            return jittered
        return max(jittered, min(max(retry_after, 0.0), MAX_RETRY_AFTER_S))

    def ceiling(self, attempt: int) -> float:
        """The largest delay `delay(attempt)` can give without a Retry-After."""
        return min(self.cap_s, self.base_s * 2 ** (min(max(1, attempt), 64) - 1))


DEFAULT_BACKOFF = Backoff()
