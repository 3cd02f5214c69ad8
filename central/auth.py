"""Checking a terminal's signed request: who it is, that it signed exactly these bytes, recently, once.

Refusals: unknown terminal, bad signature, malformed or stale timestamp, malformed or replayed nonce
→ `SignatureRefused` (the API answers 401); revoked → `TerminalRevoked` (403). Headers are checked for
form before anything uses them.
The nonce is recorded in the request's own transaction, so of two copies of one request racing,
the database lets only one through.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from central.db import insert_ignoring_conflicts, write_at_commit
from central.errors import SignatureRefused, TerminalRevoked
from central.models import Office, SeenNonce, Terminal, as_utc
from central.settings import SignatureV1Grace
from kiosk.crypto import CryptoFailure
from sync.protocol import (
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TERMINAL,
    HEADER_TIMESTAMP,
    MAX_CLOCK_SKEW_S,
    signature_version,
    verify_request,
)

_NONCE = re.compile(r"[0-9a-fA-F]{16,64}", re.ASCII)
_TIMESTAMP = re.compile(r"[0-9]{1,12}", re.ASCII)
_warned_v1: set[str] = set()
log = logging.getLogger("central")
_PRUNE_EVERY_S = 60.0
_LAST_SEEN_RESOLUTION_S = 5.0
_last_prune = 0.0


@dataclass(frozen=True)
class SignedRequest:
    """What a signature covers, as received; `v1_grace`: which offices may still sign version 1, until when."""

    method: str
    path: str  # with "?query" when there is one
    body: bytes
    headers: Mapping[str, str]
    v1_grace: SignatureV1Grace = SignatureV1Grace()


# PostgreSQL: the terminal and its nonce in one round trip. The nonce is recorded before the checks
# below, but in the request's transaction: a refusal rolls it back with everything else. Read at the
# driver, the terminal's columns in the mapper's order after `fresh`.
_TERMINAL_ATTRIBUTES = tuple(prop.key for prop in Terminal.__mapper__.column_attrs)
_PG_TERMINAL_AND_NONCE = f"""
WITH nonce AS (
    INSERT INTO seen_nonces (terminal_id, nonce, seen_at)
    SELECT id, %(nonce)s, %(seen_at)s FROM terminals WHERE id = %(id)s
    ON CONFLICT DO NOTHING
    RETURNING nonce
)
SELECT EXISTS (SELECT FROM nonce) AS fresh,
       {", ".join(f"terminals.{prop.columns[0].name}" for prop in Terminal.__mapper__.column_attrs)}
FROM terminals WHERE id = %(id)s
"""


def _as_loaded(session: Session, values: Sequence[Any]) -> Terminal:
    """The terminal of a row read at the driver (`_TERMINAL_ATTRIBUTES`' values), in the session as if
    the ORM had loaded it (`make_transient_to_detached`, as SQLAlchemy documents it): the ORM's own
    loading was a fifth of an upload's authentication."""
    known = session.identity_map.get(session.identity_key(Terminal, values[0]))
    if known is not None:
        return known  # type: ignore[no-any-return]
    terminal = Terminal()
    for key, value in zip(_TERMINAL_ATTRIBUTES, values, strict=True):
        set_committed_value(terminal, key, value)
    make_transient_to_detached(terminal)
    session.add(terminal)
    return terminal


def _terminal_and_nonce(session: Session, terminal_id: str, nonce: str, seen_at: dt.datetime
                        ) -> tuple[Terminal | None, bool]:
    """The terminal, and whether its nonce was new (recorded now); a malformed nonce is never recorded."""
    if session.get_bind().dialect.name == "postgresql" and _NONCE.fullmatch(nonce):
        row = session.connection().exec_driver_sql(
            _PG_TERMINAL_AND_NONCE, {"id": terminal_id, "nonce": nonce.lower(), "seen_at": seen_at}).first()
        return (_as_loaded(session, row[1:]), bool(row[0])) if row else (None, False)
    terminal = session.get(Terminal, terminal_id)
    if terminal is None or not _NONCE.fullmatch(nonce):
        return terminal, False
    fresh = session.execute(insert_ignoring_conflicts(session, SeenNonce).values(
        terminal_id=terminal.id, nonce=nonce.lower(), seen_at=seen_at).returning(SeenNonce.nonce)).first()
    return terminal, fresh is not None


def _office_code(session: Session, terminal: Terminal) -> str:
    office = session.get(Office, terminal.office_id)
    return office.code if office else ""


def authenticate(session: Session, request: SignedRequest, *, now: float | None = None) -> Terminal:
    """The terminal that signed `request`; raises `SignatureRefused`, or `TerminalRevoked`."""
    now = time.time() if now is None else now
    headers = request.headers
    terminal_id = headers.get(HEADER_TERMINAL, "")
    if not terminal_id or not headers.get(HEADER_SIGNATURE):
        raise SignatureRefused("unauthenticated", "this request is not signed: enroll the terminal first")
    nonce = headers.get(HEADER_NONCE, "")
    seen_at = dt.datetime.fromtimestamp(now, dt.UTC)
    terminal, fresh = _terminal_and_nonce(session, terminal_id[:36], nonce, seen_at)
    if terminal is None or terminal.id != terminal_id:
        raise SignatureRefused("unknown_terminal", "this terminal is not enrolled here: enroll it again")
    timestamp_text = headers.get(HEADER_TIMESTAMP, "")
    if not _TIMESTAMP.fullmatch(timestamp_text):
        raise SignatureRefused("stale", "the request timestamp is not a number of seconds (ASCII digits)")
    if not _NONCE.fullmatch(nonce):
        raise SignatureRefused("bad_nonce", "the request nonce must be 16-64 hex characters")
    accept_v1 = signature_version(headers) == 1 and request.v1_grace.allows(_office_code(session, terminal),
                                                                            seen_at.date())
    try:
        version = verify_request(terminal.verify_key, request.method, request.path, request.body, headers,
                                 accept_v1=accept_v1)
    except CryptoFailure as e:
        detail = str(e) if "signature version" in str(e) else "the request signature does not verify"
        raise SignatureRefused("bad_signature", detail) from None
    if terminal.revoked_at is not None:
        raise TerminalRevoked("this terminal was revoked by staff: it may not sync any more")
    if version == 1 and terminal.id not in _warned_v1:
        _warned_v1.add(terminal.id)
        log.warning("terminal %s signs with protocol version 1 (no terminal id in the signature): update it",
                    terminal.code)
    timestamp = int(timestamp_text)
    if abs(now - timestamp) > MAX_CLOCK_SKEW_S:
        raise SignatureRefused("stale", f"the request was signed {int(now - timestamp)} s from central's clock: "
                               "check the terminal's clock")
    if not fresh:
        raise SignatureRefused("replay", "this request was seen before (replayed nonce)")
    last_seen = as_utc(terminal.last_seen_at)
    if last_seen is None or (seen_at - last_seen).total_seconds() > _LAST_SEEN_RESOLUTION_S:
        write_at_commit(session, terminal, last_seen_at=seen_at)  # not on every request: that locks the row
    _prune_nonces(session, now)
    return terminal


def _prune_nonces(session: Session, now: float) -> None:
    """Forgets nonces older than the skew window: their timestamps alone make them stale now."""
    global _last_prune
    if now - _last_prune < _PRUNE_EVERY_S:
        return
    _last_prune = now
    cutoff = dt.datetime.fromtimestamp(now - 2 * MAX_CLOCK_SKEW_S, dt.UTC)
    session.execute(delete(SeenNonce).where(SeenNonce.seen_at < cutoff))
