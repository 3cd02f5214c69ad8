"""The 4-digit PIN beside the reference on a receipt: Cek Status answers only to both.

References are sequential, so a neighbour's number is easy to guess; the PIN is not. It is an HMAC
of the application's UUID under a terminal secret kept in `identity.json` (0600, outside the queue,
so it survives a queue moved aside), never stored in clear. A wrong PIN reads exactly like an unknown
number, and five misses in a row cool the lookup down for a minute.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass

from kiosk.catalog import Catalog
from kiosk.clock import utcnow
from kiosk.errors import LoketError
from kiosk.journey import StatusLookup, look_up_status
from kiosk.store import Store, identity_file

PIN_DIGITS = 4
MISSES_BEFORE_COOLDOWN = 5
COOLDOWN = dt.timedelta(minutes=1)
SECRET_NAME = "status_pin_key"
_CONTEXT = b"loket status pin v1\x00"


class LookupCoolingDown(LoketError):
    """Too many misses in a row: the lookup rests until `until`."""

    def __init__(self, until: dt.datetime, now: dt.datetime) -> None:
        self.until = until
        self.seconds = max(1, int((until - now).total_seconds() + 0.999))
        super().__init__(f"too many numbers not found: try again in {self.seconds} s")


def pin_from_secret(secret: bytes, application_id: str) -> str:
    """The PIN of one application under one terminal secret (4 digits, leading zeros kept)."""
    digest = hmac.new(secret, _CONTEXT + application_id.encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**PIN_DIGITS:0{PIN_DIGITS}d}"


def status_pin(store: Store, application_id: str) -> str:
    """The PIN printed on the receipt of `application_id`, a terminal's application."""
    return pin_from_secret(identity_file.secret(store.path, SECRET_NAME), application_id)


@dataclass
class LookupGuard:
    """Counts misses in a row for one kiosk; the fifth starts a one-minute cooldown."""

    misses: int = 0
    cooling_until: dt.datetime | None = None

    def check(self, now: dt.datetime) -> None:
        if self.cooling_until is not None and now < self.cooling_until:
            raise LookupCoolingDown(self.cooling_until, now)

    def record(self, found: bool, now: dt.datetime) -> bool:
        """Counts one answer; True when this miss started a cooldown."""
        if found:
            self.misses, self.cooling_until = 0, None
            return False
        self.misses += 1
        if self.misses >= MISSES_BEFORE_COOLDOWN:
            self.misses, self.cooling_until = 0, now + COOLDOWN
            return True
        return False


def look_up_with_pin(store: Store, catalog: Catalog | None, typed_reference: str, typed_pin: str,
                     guard: LookupGuard, *, now: dt.datetime | None = None) -> StatusLookup:
    """The status of the application with that number and PIN; "not found" for a wrong PIN as for an
    unknown number. Raises `BadReference` for a mistyped number, `LookupCoolingDown` while resting."""
    now = now or utcnow()
    guard.check(now)
    result = look_up_status(store, catalog, typed_reference)  # BadReference is a typing slip, not a guess
    pin = re.sub(r"\s", "", typed_pin or "")
    if result.found:
        app = store.get(result.reference)
        if app is None or not hmac.compare_digest(pin.encode(), status_pin(store, app.id).encode()):
            result = StatusLookup(reference=result.reference, found=False)
    if guard.record(result.found, now):
        store.record_audit("citizen.status_cooldown", f"{MISSES_BEFORE_COOLDOWN} lookups not found in a row",
                           actor="citizen", now=now)
    return result
