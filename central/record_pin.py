"""The citizen's record on a phone, behind the receipt's QR and the receipt's PIN.

Central cannot compute a receipt's PIN (it is an HMAC under a secret only the terminal holds,
`kiosk.status_pin`). So the kiosk seals the PIN into the application's content, and ingest, which
opens that sealed box anyway to check it, keeps only a verifier: HMAC(pepper, application id || PIN).
The pepper is derived from the private office key that opened the application (`pepper_of`): that key
is stored only wrapped under the key-encryption key in central's key file, so a database dump alone
cannot try the 10 000 PINs. It also outlives a rewrap under a new key-encryption key (`loket-central
keys rewrap` keeps the office keys) and an office key rotation (retired keys are kept, and each
application names its key). The PIN itself is never stored.

A wrong PIN counts a miss for that application; five in a row cool its page down for a minute (the
kiosk's `LookupGuard`, the same rule as Cek Status at the kiosk), kept in the database so every
worker of central sees the same count. Applications filed before this (or taken in while central
lacked its key) have no verifier: the page says the record is shown at the kiosk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from central.models import Application, RecordPin, as_utc, utcnow
from kiosk.crypto import b64decode
from kiosk.status_pin import PIN_DIGITS, LookupCoolingDown, LookupGuard

_CONTEXT = b"loket record pin verifier v1\x00"
_PIN = re.compile(f"[0-9]{{{PIN_DIGITS}}}")


def pepper_of(office_private_key: str) -> bytes:
    """The pepper of the applications an office key opened: HMAC of a fixed label under the private key."""
    return hmac.new(b64decode(office_private_key, what="office private key", length=32),
                    b"loket record pin pepper v1", hashlib.sha256).digest()


def pin_verifier(pepper: bytes, application_id: str, pin: str) -> bytes:
    """HMAC-SHA256(pepper, context || application id || 0 || PIN): 32 bytes."""
    return hmac.new(pepper, _CONTEXT + application_id.encode("ascii") + b"\x00" + pin.encode("ascii"),
                    hashlib.sha256).digest()


def mask_phone(number: str) -> str:
    """`+6281234567890` → `0812•••••890`: the operator prefix and the last three digits, no more."""
    digits = re.sub(r"\D", "", number or "")
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    if len(digits) < 9:
        return ""
    return digits[:4] + "•" * (len(digits) - 7) + digits[-3:]


def verifier_row(pepper: bytes | None, application_id: str, content: Any) -> dict[str, Any] | None:
    """The `record_pins` row for an application whose sealed content was just opened at ingest, or None
    when it carries no PIN (filed by an older kiosk) or central has no pepper (no key file)."""
    if pepper is None or not isinstance(content, dict):
        return None
    pin = content.get("status_pin")
    if not isinstance(pin, str) or not _PIN.fullmatch(pin):
        return None
    notify = content.get("notify")
    phone = notify.get("sms") if isinstance(notify, dict) else None
    return {"application_id": application_id, "verifier": pin_verifier(pepper, application_id, pin),
            "masked_phone": mask_phone(phone) if isinstance(phone, str) else "", "misses": 0, "cooling_until": None}


@dataclass(frozen=True)
class PinCheck:
    """How a typed PIN fared: `shown` (right), `wrong`, `cooling` (rest `seconds`), `no_pin` (an
    application from before verifiers: shown at the kiosk only), `unavailable` (central lacks its key)."""

    outcome: Literal["shown", "wrong", "cooling", "no_pin", "unavailable"]
    seconds: int = 0
    masked_phone: str = ""


def check_pin(session: Session, app: Application, typed: str, pepper: bytes | None, *,
              now: dt.datetime | None = None) -> PinCheck:
    """Compares `typed` with the application's verifier, counting misses in a row (in the caller's
    transaction). A cooling application answers `cooling` whatever was typed."""
    now = now or utcnow()
    row = session.get(RecordPin, app.id, with_for_update=True)
    if row is None:
        return PinCheck("no_pin")
    if pepper is None:
        return PinCheck("unavailable")
    guard = LookupGuard(row.misses, as_utc(row.cooling_until))
    try:
        guard.check(now)
    except LookupCoolingDown as e:
        return PinCheck("cooling", e.seconds)
    pin = re.sub(r"\s", "", typed or "")
    right = bool(_PIN.fullmatch(pin)) and hmac.compare_digest(pin_verifier(pepper, app.id, pin), row.verifier)
    started = guard.record(right, now)
    row.misses, row.cooling_until = guard.misses, guard.cooling_until
    if right:
        return PinCheck("shown", masked_phone=row.masked_phone)
    if started:
        return PinCheck("cooling", int((guard.cooling_until - now).total_seconds()))  # type: ignore[operator]
    return PinCheck("wrong")
