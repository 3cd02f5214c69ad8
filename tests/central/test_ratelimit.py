"""Rate limits per client: a burst, then one per interval; clients apart; some limits count only refusals."""

from __future__ import annotations

from central.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_gets_its_burst_then_waits_and_others_are_not_held_back() -> None:
    clock = Clock()
    limiter = RateLimiter(burst=3, per_second=0.5, clock=clock)
    assert [limiter.retry_after("a") for _ in range(4)] == [0, 0, 0, 2]
    assert limiter.retry_after("b") == 0
    clock.now += 2
    assert limiter.retry_after("a") == 0 and limiter.retry_after("a") == 2


def test_the_table_of_clients_stays_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(burst=1, per_second=0.1, max_clients=100, clock=clock)
    for i in range(1000):
        limiter.retry_after(f"10.0.{i // 256}.{i % 256}")
    assert len(limiter._buckets) == 100
    assert limiter.retry_after("10.0.3.231") > 0  # the most recent are remembered


def test_a_limit_that_counts_only_refusals_looks_without_spending_and_spends_on_its_own() -> None:
    clock = Clock()
    limiter = RateLimiter(burst=2, per_second=0.1, clock=clock)
    assert [limiter.wait_s("a") for _ in range(5)] == [0] * 5  # looking costs nothing
    limiter.spend("a")
    limiter.spend("a")
    assert limiter.wait_s("a") == 10 and limiter.wait_s("b") == 0
    clock.now += 10
    assert limiter.wait_s("a") == 0
