"""Maintenance mode's rules: the technician's PIN, the lockout after wrong PINs, the audit trail.

The PIN (six digits or more) is kept only as a slow, salted scrypt hash. Five wrong PINs in a row
lock maintenance for five minutes; each further lockout doubles the wait, until a right PIN resets
it. The counters live in the store, so neither a restart nor a power cut resets them, and every
entry, failed PIN and lockout is written to the audit log (which syncs to central).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from kiosk.clock import iso, utcnow
from kiosk.errors import LoketError
from kiosk.store import Store

PIN_MIN_DIGITS = 6
PIN_MAX_DIGITS = 12
FAILURES_BEFORE_LOCK = 5
FIRST_LOCK = dt.timedelta(minutes=5)
MAX_LOCK = dt.timedelta(hours=24)
# scrypt with N=2**14, r=8: about 50 ms and 16 MB per try on this class of machine.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class PinError(LoketError):
    """A new PIN does not meet the rules."""


def check_new_pin(pin: str) -> str:
    if not re.fullmatch(r"[0-9]+", pin or ""):
        raise PinError("the maintenance PIN must be digits only")
    if not PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS:
        raise PinError(f"the maintenance PIN must have {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits")
    if len(set(pin)) == 1 or pin in "01234567890123" or pin in "98765432109876":
        raise PinError("the maintenance PIN is too easy to guess (all the same digit, or a run)")
    return pin


def hash_pin(pin: str) -> str:
    """`scrypt$N$r$p$salt$hash`, all base64: safe to keep in the settings file."""
    check_new_pin(pin)
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${b64(salt).decode()}${b64(digest).decode()}"


def pin_matches(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


@dataclass(frozen=True)
class PinAttempt:
    """What happened to one PIN entry."""

    accepted: bool
    locked_until: dt.datetime | None = None
    attempts_left: int = FAILURES_BEFORE_LOCK

    def seconds_locked(self, now: dt.datetime | None = None) -> int:
        if not self.locked_until:
            return 0
        return max(0, int((self.locked_until - (now or utcnow())).total_seconds() + 0.999))


class MaintenanceGate:
    """Checks PINs against the stored hash, with the lockout rules, recording each in the audit log."""

    def __init__(self, store: Store, pin_hash: str) -> None:
        self.store = store
        self.pin_hash = pin_hash

    def locked_until(self, now: dt.datetime | None = None) -> dt.datetime | None:
        until = self.store.values.pin_locked_until
        if until is None:
            return None
        return until if until > (now or utcnow()) else None

    def try_pin(self, pin: str, *, now: dt.datetime | None = None) -> PinAttempt:
        now = now or utcnow()
        if not self.pin_hash:
            raise LoketError("no maintenance PIN is set on this terminal: set one with `loket maintenance set-pin`")
        until = self.locked_until(now)
        if until:
            self.store.record_audit("maintenance.pin_refused_locked", f"locked until {iso(until)}",
                                    actor="technician", now=now)
            return PinAttempt(False, until, 0)
        if pin_matches(pin, self.pin_hash):
            values = self.store.values
            values.pin_failures = values.pin_lockouts = values.pin_locked_until = None
            self.store.record_audit("maintenance.entered", "", actor="technician", now=now)
            return PinAttempt(True)
        failures = self.store.values.pin_failures + 1
        self.store.record_audit("maintenance.pin_failed", f"wrong PIN ({failures} in a row)",
                                actor="technician", now=now)
        if failures < FAILURES_BEFORE_LOCK:
            self.store.values.pin_failures = failures
            return PinAttempt(False, None, FAILURES_BEFORE_LOCK - failures)
        lockouts = self.store.values.pin_lockouts
        until = now + min(FIRST_LOCK * (2**lockouts), MAX_LOCK)
        self.store.values.pin_failures = 0
        self.store.values.pin_lockouts = lockouts + 1
        self.store.values.pin_locked_until = until
        self.store.record_audit("maintenance.locked", f"{FAILURES_BEFORE_LOCK} wrong PINs: locked until "
                                f"{iso(until)}", actor="technician", now=now)
        return PinAttempt(False, until, 0)
