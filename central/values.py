"""Making values from the wire safe for either database: PostgreSQL refuses NUL in text and times
outside its range, where SQLite would take anything, and the answer must not differ between them;
and comparing what outsiders send (tokens, keys) in one form."""

from __future__ import annotations

import datetime as dt
import hmac
import re

from kiosk.crypto import CryptoFailure, b64decode, b64encode

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def clean_text(text: str | None) -> str | None:
    """`text` without NUL and other control characters (newlines and tabs stay)."""
    return None if text is None else _CONTROL.sub("\ufffd", text)


def has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None


def plausible_utc(moment: dt.datetime) -> dt.datetime | None:
    """`moment` in UTC (naive taken as UTC) when between 2000 and 2100, else None."""
    try:
        utc = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None
    return utc if EARLIEST <= utc < LATEST else None


_CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_uuid(text: str) -> bool:
    """Whether `text` is a UUID in canonical 8-4-4-4-12 form (either case): what
    `str(uuid.UUID(text)) == text.lower()` says, at a tenth of the cost (it runs for every upload)."""
    return _CANONICAL_UUID.fullmatch(text) is not None


def tokens_match(expected: str | None, sent: str | None) -> bool:
    """Constant-time comparison of two tokens as bytes (any text, even non-ASCII, is just unequal)."""
    if not expected or not sent:
        return False
    return hmac.compare_digest(expected.encode("utf-8", "surrogatepass"), sent.encode("utf-8", "surrogatepass"))


def canonical_key(text: str) -> str | None:
    """A 32-byte public key (Ed25519, X25519) in the one base64 spelling central stores and compares, or None
    when `text` is not one: another spelling of the same bytes (padding, URL-safe alphabet, spare bits in
    the last character) is the same key."""
    try:
        return b64encode(b64decode(text, what="key", length=32))
    except CryptoFailure:
        return None


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text, never runs (OWASP's rule): text starting with = + - @ tab or
    CR (or their full-width forms) gets a leading apostrophe. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
