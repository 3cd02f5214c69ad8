"""What an unauthenticated login may cost central, decided before any password is hashed.

- Per client address: `ADDRESS_BURST` attempts at once, then one every `60 / ADDRESS_PER_MINUTE`
  seconds (429 with Retry-After past that, answered by `central.limits.LoginRateLimit` before the form
  is even read, after a pause of up to a second).
- Per (address, username): `FAILURES_BEFORE_LOCK` wrong passwords lock that pair for `FIRST_LOCK`,
  twice as long at every further lockout, at most `LONGEST_LOCK`. The lock is per pair, so someone
  guessing from elsewhere cannot lock the real user out of her own desk.
- Per username: `USERNAME_FAILURES` wrong passwords over all addresses (refilling over
  `USERNAME_WINDOW_S`); past that, addresses that already got this username wrong are refused
  before hashing, while an address with a clean record still gets in (a distributed guess earns one
  try per new address, the real user is not locked out).
- Hashing: at most `HASHING_AT_ONCE` Argon2 checks at once per server process, on threads of their
  own at a lower CPU priority (nice `HASHING_NICE`), and `HASHING_WAITING` waiting; beyond that 503
  at once, so logins never hold more than a few of the request threads terminals and staff need, nor
  more than a few × 64 MiB, and a check never takes the CPU from a sync round or a page.

Everything is counted in memory, without a database row per attempt; each of `serve --workers N`
keeps 1/N of the per-address and per-username allowances. Tables are bounded (least recently seen
dropped first).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from central.ratelimit import RateLimiter

ADDRESS_BURST, ADDRESS_PER_MINUTE = 20, 10
FAILURES_BEFORE_LOCK = 5
FIRST_LOCK = dt.timedelta(minutes=1)
LONGEST_LOCK = dt.timedelta(hours=1)
USERNAME_FAILURES, USERNAME_WINDOW_S = 30, 900.0
HASHING_AT_ONCE, HASHING_WAITING = 2, 4
HASHING_NICE = 10
MAX_PAIRS = 20_000
LOGIN_PATH = "/staff/login"


class HashingBusy(Exception):
    """Too many password checks are running or waiting: answer 503 and let the browser retry."""


@dataclass
class _Pair:
    failures: int = 0
    lockouts: int = 0
    locked_until: float = 0.0


@dataclass(frozen=True)
class Refusal:
    """Why a login is refused before hashing: "locked" (the pair), or "username" (the username is under
    attack and this address already failed on it)."""

    reason: str
    retry_after_s: int


class LoginGuard:
    """The login limits of one server process (`workers` processes share them)."""

    def __init__(self, *, workers: int = 1, address_burst: int = ADDRESS_BURST,
                 address_per_minute: float = ADDRESS_PER_MINUTE, clock: Callable[[], float] = time.monotonic) -> None:
        workers = max(1, workers)
        self.clock = clock
        self.addresses = RateLimiter(max(1, address_burst // workers), address_per_minute / 60 / workers,
                                     clock=clock)
        self.usernames = RateLimiter(max(1, USERNAME_FAILURES // workers),
                                     USERNAME_FAILURES / USERNAME_WINDOW_S / workers, clock=clock)
        self._pairs: OrderedDict[tuple[str, str], _Pair] = OrderedDict()
        self._lock = threading.Lock()
        self._hashers = ThreadPoolExecutor(HASHING_AT_ONCE, thread_name_prefix="argon2", initializer=_lower_priority)
        self._admitted = threading.BoundedSemaphore(HASHING_AT_ONCE + HASHING_WAITING)

    def admit(self, address: str, username: str) -> Refusal | None:
        """None when this attempt may go on to the password check. (The address's allowance was taken
        already, before the form was read: `central.limits.LoginRateLimit`.)"""
        with self._lock:
            pair = self._pairs.get((address, username))
            now = self.clock()
            if pair is not None and pair.locked_until > now:
                return Refusal("locked", max(1, int(pair.locked_until - now + 0.999)))
            failed_before = pair is not None and (pair.failures > 0 or pair.lockouts > 0)
        wait = self.usernames.wait_s(username) if failed_before else 0
        return Refusal("username", wait) if wait else None

    def failed(self, address: str, username: str) -> dt.timedelta | None:
        """Counts a wrong password; returns how long the pair is now locked, when this failure locked it."""
        self.usernames.spend(username)
        with self._lock:
            pair = self._pairs.pop((address, username), None) or _Pair()
            self._pairs[(address, username)] = pair
            while len(self._pairs) > MAX_PAIRS:
                self._pairs.popitem(last=False)
            pair.failures += 1
            if pair.failures < FAILURES_BEFORE_LOCK:
                return None
            pair.failures = 0
            pair.lockouts += 1
            lock = min(FIRST_LOCK * 2 ** min(pair.lockouts - 1, 20), LONGEST_LOCK)
            pair.locked_until = self.clock() + lock.total_seconds()
            return lock

    def succeeded(self, address: str, username: str) -> None:
        with self._lock:
            self._pairs.pop((address, username), None)

    @contextlib.contextmanager
    def hashing(self) -> Iterator[Callable[..., Any]]:
        """Admission to the password checks: yields `run(fn, *args)`, which runs `fn` on one of the
        `HASHING_AT_ONCE` low-priority hashing threads and returns its result; raises `HashingBusy` at
        once when all of them and the queue are taken."""
        if not self._admitted.acquire(blocking=False):
            raise HashingBusy
        try:
            yield lambda fn, *args: self._hashers.submit(fn, *args).result()
        finally:
            self._admitted.release()


def _lower_priority() -> None:
    """Argon2's lane threads inherit their creator's nice value (Linux): hashing yields the CPU to
    terminals' sync and staff's pages instead of competing with them."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICE)
