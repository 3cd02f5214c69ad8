"""The login guard's rules on their own, with a clock the test moves: pair locks that double and stop at an
hour, a username under attack that still lets clean addresses in, and the bounded hashing slots."""

from __future__ import annotations

import os
import threading

import pytest

from central.console.login_guard import (
    FAILURES_BEFORE_LOCK,
    HASHING_AT_ONCE,
    HASHING_NICE,
    HASHING_WAITING,
    USERNAME_FAILURES,
    HashingBusy,
    LoginGuard,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _fail(guard: LoginGuard, address: str, username: str, times: int):  # noqa: ANN202
    return [guard.failed(address, username) for _ in range(times)][-1]


def test_a_pair_locks_after_five_failures_for_a_minute_then_twice_as_long_at_most_an_hour():
    clock = Clock()
    guard = LoginGuard(clock=clock)
    locks = []
    for _ in range(9):
        lock = _fail(guard, "10.0.0.1", "siti", FAILURES_BEFORE_LOCK)
        refusal = guard.admit("10.0.0.1", "siti")
        assert refusal is not None and refusal.reason == "locked"
        locks.append(lock.total_seconds())
        clock.now += lock.total_seconds() + 1
        assert guard.admit("10.0.0.1", "siti") is None
    assert locks == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert guard.admit("10.0.0.2", "siti") is None  # the pair, not the user


def test_a_username_under_attack_refuses_addresses_that_failed_on_it_but_not_clean_ones():
    clock = Clock()
    guard = LoginGuard(clock=clock)
    for n in range(USERNAME_FAILURES):
        guard.failed(f"10.1.{n // 250}.{n % 250}", "siti")
    refusal = guard.admit("10.1.0.0", "siti")
    assert refusal is not None and refusal.reason == "username"
    assert guard.admit("192.168.1.20", "siti") is None  # her desk never failed: she gets in
    assert guard.admit("10.1.0.0", "budi") is None  # another username is not under attack


def test_a_success_forgets_the_pairs_failures():
    guard = LoginGuard(clock=Clock())
    _fail(guard, "10.0.0.1", "siti", FAILURES_BEFORE_LOCK - 1)
    guard.succeeded("10.0.0.1", "siti")
    assert _fail(guard, "10.0.0.1", "siti", FAILURES_BEFORE_LOCK - 1) is None


def test_hashing_runs_in_bounded_slots_and_refuses_at_once_past_the_queue():
    guard = LoginGuard()
    release, started = threading.Event(), threading.Semaphore(0)

    def hash_slowly() -> None:
        started.release()
        release.wait(10)

    def hold() -> None:
        with guard.hashing() as run:
            run(hash_slowly)

    holders = [threading.Thread(target=hold) for _ in range(HASHING_AT_ONCE + HASHING_WAITING)]
    for holder in holders:
        holder.start()
    for _ in range(HASHING_AT_ONCE):
        assert started.acquire(timeout=5)
    assert not started.acquire(timeout=0.2)  # the others wait for a slot
    with pytest.raises(HashingBusy), guard.hashing():
        pass
    release.set()
    for holder in holders:
        holder.join(5)
    with guard.hashing() as run:
        assert run(os.getpriority, os.PRIO_PROCESS, 0) == HASHING_NICE  # the hashing threads yield the CPU
