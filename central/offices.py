"""Offices, their keys and catalogs, and enrolling terminals with one-time codes.

The office's private key is created here, stored only wrapped (central.keyring), and never leaves
central. An enrollment code is shown to staff once and stored only as a hash; it expires and works
once, except that the terminal which used it may ask again with the same key (its first answer was
lost) and gets the same answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.errors import CentralError, EnrollmentRefused, NotFound
from central.keyring import wrap_private_key
from central.models import EnrollmentCode, Office, OfficeCatalog, OfficeKey, Terminal, as_utc, utcnow
from central.office_profile import office_timezone
from central.values import clean_text
from kiosk.catalog import DEFAULT_CATALOG, parse_catalog_bytes
from kiosk.crypto import CryptoFailure, b64decode, b64encode, new_office_keypair
from kiosk.errors import CatalogError
from kiosk.reference import ALPHABET
from sync.protocol import EnrollRequest, EnrollResponse, enrollment_code_hash

ENROLL_CODE_TTL = dt.timedelta(hours=24)
_OFFICE_CODE = re.compile(r"[0-9A-Za-z._-]{1,20}")


def create_office(session: Session, code: str, name: str, *, catalog: Path | None = None) -> Office:
    """A new office with a fresh keypair and the default (or given) catalog in force."""
    if not _OFFICE_CODE.fullmatch(code):
        raise CentralError(f"office code {code!r}: use 1-20 letters, digits, '.', '_' or '-'")
    if not name.strip():
        raise CentralError("an office needs a name")
    if session.scalar(select(Office).where(Office.code == code)) is not None:
        raise CentralError(f"office {code!r} exists already")
    office = Office(code=code, name=name.strip(), created_at=utcnow())
    session.add(office)
    session.flush()
    add_office_key(session, office)
    publish_catalog(session, office, catalog or DEFAULT_CATALOG)
    return office


def get_office(session: Session, code: str) -> Office:
    office = session.scalar(select(Office).where(Office.code == code))
    if office is None:
        raise NotFound(f"no office {code!r}")
    return office


def add_office_key(session: Session, office: Office) -> OfficeKey:
    keypair = new_office_keypair()
    key = OfficeKey(office_id=office.id, public_key=keypair.public_key, created_at=utcnow(),
                    wrapped_private_key=wrap_private_key(session, keypair.private_key, keypair.public_key))
    session.add(key)
    session.flush()
    return key


def rotate_office_key(session: Session, office: Office) -> OfficeKey:
    """A new current key; the old ones are retired but kept so older sealed data still opens."""
    now = utcnow()
    for key in office_keys(session, office):
        if key.retired_at is None:
            key.retired_at = now
    return add_office_key(session, office)


def office_keys(session: Session, office: Office | int) -> list[OfficeKey]:
    """The office's keys, current first."""
    office_id = office if isinstance(office, int) else office.id
    return list(session.scalars(select(OfficeKey).where(OfficeKey.office_id == office_id)
                                .order_by(OfficeKey.id.desc())))


def current_key(session: Session, office: Office | int) -> OfficeKey:
    return office_keys(session, office)[0]


def publish_catalog(session: Session, office: Office, path: Path) -> OfficeCatalog:
    """Puts a catalog file in force for the office, after it passed validation in full."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise CentralError(f"cannot read catalog {path}: {e.strerror}") from None
    try:
        catalog = parse_catalog_bytes(raw, name=path.name)
    except CatalogError as e:
        raise CentralError(f"catalog {path} refused: {e}") from None
    entry = OfficeCatalog(office_id=office.id, version=catalog.version, etag=_etag(raw),
                          document=raw.decode("utf-8"), installed_at=utcnow())
    session.add(entry)
    session.flush()
    return entry


def catalog_in_force(session: Session, office_id: int) -> OfficeCatalog:
    """The office's catalog in force, whole: what central itself reads (letters, deadlines, the console)."""
    return session.scalars(select(OfficeCatalog).where(OfficeCatalog.office_id == office_id)
                           .order_by(OfficeCatalog.id.desc()).limit(1)).one()


#: parts of a service only central reads (letters are rendered here, never on a terminal): left out of
#: what terminals get, so a terminal whose catalog schema predates a part still installs the catalog
CENTRAL_ONLY_SERVICE_PARTS = ("letter",)


@dataclass(frozen=True)
class TerminalCatalog:
    """The catalog in force as terminals get it: its bytes without central-only parts, and their ETag."""

    version: str
    document: bytes
    etag: str


def for_terminals(document: str) -> bytes:
    """The catalog `document` without the central-only parts of its services.

    Unchanged bytes when it has none (terminals holding it keep their ETag); otherwise compact JSON,
    the same bytes for the same document on every call and in every worker."""
    doc = json.loads(document)
    stripped = False
    for service in doc.get("services", ()):
        for part in CENTRAL_ONLY_SERVICE_PARTS:
            stripped |= service.pop(part, None) is not None
    if not stripped:
        return document.encode("utf-8")
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


_for_terminals: dict[str, TerminalCatalog] = {}  # by the stored document's ETag (its SHA-256)


def terminal_catalog(session: Session, office_id: int) -> TerminalCatalog:
    """What `GET /api/v1/catalog` serves: the catalog in force for terminals, the ETag naming those bytes."""
    entry = catalog_in_force(session, office_id)
    served = _for_terminals.get(entry.etag)
    if served is None:
        document = for_terminals(entry.document)
        served = _for_terminals[entry.etag] = TerminalCatalog(entry.version, document, _etag(document))
    return served


def _etag(document: bytes) -> str:
    return f'"{hashlib.sha256(document).hexdigest()}"'


_known_services: dict[str, frozenset[str]] = {}


def known_service_codes(session: Session, office_id: int) -> frozenset[str]:
    """Every service code any catalog of the office has offered (older applications stay valid)."""
    etags = list(session.scalars(select(OfficeCatalog.etag).where(OfficeCatalog.office_id == office_id)))
    codes: set[str] = set()
    for etag in etags:
        if etag not in _known_services:
            document = session.scalar(select(OfficeCatalog.document).where(OfficeCatalog.etag == etag).limit(1))
            doc: dict[str, Any] = json.loads(document or "{}")
            _known_services[etag] = frozenset(s["code"] for s in doc.get("services", ()))
        codes |= _known_services[etag]
    return frozenset(codes)


def _hash_code(typed: str) -> str:
    return enrollment_code_hash(typed)


def make_enrollment_code(session: Session, office: Office, *, ttl: dt.timedelta = ENROLL_CODE_TTL,
                         reserve_terminal_code: str | None = None) -> str:
    """A new one-time code (like `7K2M-QX4P-9RTB`) for enrolling one terminal with `office`.

    With `reserve_terminal_code`, the terminal that enrolls with this code gets that terminal code.
    """
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    now = utcnow()
    session.add(EnrollmentCode(office_id=office.id, code_hash=_hash_code(raw), created_at=now, expires_at=now + ttl,
                               reserved_terminal_code=reserve_terminal_code))
    session.flush()
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def reserve_terminal_code(session: Session) -> str:
    """A terminal code for a provisioning file: one no terminal has and no other file has reserved."""
    return _new_terminal_code(session)


def _new_terminal_code(session: Session) -> str:
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(4))
        taken = session.scalar(select(Terminal.id).where(Terminal.code == code)) or session.scalar(
            select(EnrollmentCode.id).where(EnrollmentCode.reserved_terminal_code == code))
        if taken is None:
            return code


def _spellings(verify_key: str) -> set[str]:
    """The key as sent and in standard base64 (one key may arrive URL-safe or padded differently)."""
    try:
        return {verify_key, b64encode(b64decode(verify_key, length=32))}
    except CryptoFailure:
        return {verify_key}


def enroll(session: Session, request: EnrollRequest, *, now: dt.datetime | None = None) -> EnrollResponse:
    """Trades a one-time code for a terminal identity, or raises `EnrollmentRefused`."""
    now = now or utcnow()
    entry = session.scalar(select(EnrollmentCode).where(EnrollmentCode.code_hash == _hash_code(request.code)))
    if entry is None:
        raise EnrollmentRefused("bad_code", "this enrollment code is not known: ask staff for a new one")
    if entry.used_at is not None:
        terminal = session.get(Terminal, entry.terminal_id) if entry.terminal_id else None
        if terminal is None or terminal.verify_key not in _spellings(request.verify_key) or terminal.revoked_at:
            raise EnrollmentRefused("code_used", "this enrollment code was used already: ask staff for a new one")
        return enroll_response(session, terminal)
    if as_utc(entry.expires_at) < now:
        raise EnrollmentRefused("code_expired", "this enrollment code has expired: ask staff for a new one")
    try:
        verify_key = b64encode(b64decode(request.verify_key, what="verify_key", length=32))
    except CryptoFailure as e:
        raise EnrollmentRefused("bad_key", str(e)) from None
    if session.scalar(select(Terminal.id).where(Terminal.verify_key.in_(_spellings(request.verify_key)))):
        raise EnrollmentRefused("key_in_use", "this terminal key is enrolled already (as another terminal): the "
                                "terminal must make a new key; the code stays usable")
    terminal = Terminal(id=str(uuid.uuid4()), code=entry.reserved_terminal_code or _new_terminal_code(session),
                        office_id=entry.office_id,
                        verify_key=verify_key, enrolled_at=now,
                        app_version=clean_text(request.app_version) or None)
    # the conditional update is what makes a code work once when two terminals race for it
    taken = session.execute(update(EnrollmentCode).where(EnrollmentCode.id == entry.id,
                                                         EnrollmentCode.used_at.is_(None))
                            .values(used_at=now, terminal_id=terminal.id)).rowcount
    if taken != 1:
        raise EnrollmentRefused("code_used", "this enrollment code was used already: ask staff for a new one")
    session.add(terminal)
    try:
        session.flush()
    except IntegrityError:  # two new terminals drew the same code at the same moment
        raise EnrollmentRefused("collided", "enrollment collided with another: try again") from None
    return enroll_response(session, terminal)


def enroll_response(session: Session, terminal: Terminal) -> EnrollResponse:
    office = session.get(Office, terminal.office_id)
    assert office is not None
    return EnrollResponse(
        terminal_id=terminal.id, terminal_code=terminal.code, office_code=office.code, office_name=office.name,
        office_key=current_key(session, office).public_key,
        catalog_version=catalog_in_force(session, office.id).version,
        timezone=office_timezone(office),
    )
