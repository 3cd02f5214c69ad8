"""Backoff: full jitter inside an exponentially growing, capped window; Retry-After is a floor."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sync.backoff import MAX_RETRY_AFTER_S, Backoff

backoffs = st.builds(Backoff, base_s=st.floats(0.01, 10), cap_s=st.floats(0.1, 3600))
attempts = st.integers(min_value=1, max_value=10_000)


@given(backoffs, attempts)
def test_a_delay_lies_between_zero_and_the_capped_exponential_ceiling(backoff: Backoff, attempt: int) -> None:
    assert 0 <= backoff.delay(attempt) <= backoff.ceiling(attempt) <= backoff.cap_s


@given(backoffs, attempts)
def test_the_ceiling_grows_with_each_failure_until_the_cap(backoff: Backoff, attempt: int) -> None:
    assert backoff.ceiling(attempt) <= backoff.ceiling(attempt + 1)
    assert backoff.ceiling(1) == min(backoff.base_s, backoff.cap_s)


@given(backoffs, attempts, st.floats(0, 10 * MAX_RETRY_AFTER_S))
def test_retry_after_is_never_undercut_but_is_bounded(backoff: Backoff, attempt: int, retry_after: float) -> None:
    delay = backoff.delay(attempt, retry_after)
    assert delay >= min(retry_after, MAX_RETRY_AFTER_S)
    assert delay <= max(backoff.cap_s, MAX_RETRY_AFTER_S)


def test_delays_are_spread_out_not_synchronised() -> None:
    backoff = Backoff(base_s=1, cap_s=100)
    delays = {round(backoff.delay(5), 3) for _ in range(50)}
    assert len(delays) > 40
    assert max(delays) > 8  # the window after 5 failures is [0, 16]
