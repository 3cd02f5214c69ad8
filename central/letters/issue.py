"""Issuing a letter for an application: number it once, store it sealed, log the opening of personal data.

`issue_letter` runs inside the caller's transaction. The first call numbers the letter and stores
it; every later call (a reprint) opens the stored content, so the reprint carries the same number,
date and words. Either way the opening of personal data goes to the access log with who did it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.errors import CentralError
from central.keyring import office_private_key
from central.letters.content import LetterContent, build_content, mask_name, person_name
from central.letters.numbering import format_number, lock_counter, take_next
from central.letters.office_settings import LetterSettings, letter_settings
from central.models import (
    Application,
    IssuedLetter,
    Office,
    OfficeKey,
    PublicName,
    utcnow,
)
from central.office_profile import published_catalogs
from central.offices import current_key
from central.records import find_application, log_opening, open_application
from kiosk.catalog.model import Service
from kiosk.crypto import CryptoFailure, open_sealed, seal_for_office
from kiosk.errors import UnknownService
from kiosk.lifecycle import LETTER_ALLOWED
from kiosk.reference import ALPHABET

VERIFY_CODE_CHARS = 20  # 100 bits: not guessable, and the public page is rate-limited on top


class LetterRefused(CentralError):
    """No letter can be issued for this application now; the subclass says why."""


class NotReadyForLetter(LetterRefused):
    """The application is not in process (or later) yet, or was declined."""


class NoLetterTemplate(LetterRefused):
    """The application's service has no letter template in the office's catalog."""


class NoPublicUrl(LetterRefused):
    """The office has not set the public URL its letters' QR codes point to."""


@dataclass(frozen=True)
class Issued:
    """A letter ready to render: its content, the office's logo, and whether this was a reprint."""

    content: LetterContent
    logo_png: bytes | None
    reprint: bool
    number: str


def letter_service(session: Session, app: Application) -> Service:
    """The service as the catalog the application was filed under describes it, if that one has a
    letter for it; else as the catalog in force does."""
    catalogs = published_catalogs(session, app.office_id)[::-1]  # newest first
    ordered = [c for c in catalogs if c.version == app.catalog_version][:1] + catalogs[:1]
    for catalog in ordered:
        try:
            service = catalog.service(app.service_code)
        except UnknownService:
            continue
        if service.letter is not None:
            return service
    raise NoLetterTemplate(f"{app.reference}: service {app.service_code} has no letter template in the office's "
                           "catalog (add a 'letter' part, see docs/catalog.md)")


def _check_ready(app: Application, settings: LetterSettings) -> None:
    if app.status not in LETTER_ALLOWED:
        raise NotReadyForLetter(f"{app.reference} is {app.status}: a letter is issued once the application is "
                                "in process (or ready, or done)")
    if not settings.public_url:
        raise NoPublicUrl(f"office {settings.office_code} has no public URL for the letters' verification QR: "
                          f"set it with `loket-central office settings --code {settings.office_code} "
                          "--public-url https://...`")


def stored_content(session: Session, letter: IssuedLetter) -> LetterContent:
    """The words of an issued letter, opened from its sealed copy; the caller has logged the opening."""
    key = session.get(OfficeKey, letter.office_key_id)
    assert key is not None
    try:
        return LetterContent.from_json(open_sealed(office_private_key(session, key), letter.sealed_content))
    except (CryptoFailure, TypeError, KeyError) as e:
        raise CentralError(f"the stored letter {letter.number} cannot be opened ({e})") from None


def _reprint(session: Session, app: Application, letter: IssuedLetter, actor: str,
             settings: LetterSettings) -> Issued:
    log_opening(session, app, actor, "letter reprint")
    content = stored_content(session, letter)
    letter.prints += 1
    letter.last_printed_at = utcnow()
    return Issued(content, settings.logo_png, True, letter.number)


def issue_letter(session: Session, reference: str, *, actor: str, now: dt.datetime | None = None) -> Issued:
    """The application's letter: numbered and stored on the first call, the same letter after that."""
    app = find_application(session, reference)
    office = session.get(Office, app.office_id)
    assert office is not None
    settings = letter_settings(session, office)
    existing = session.scalar(select(IssuedLetter).where(IssuedLetter.application_id == app.id))
    if existing is not None:
        return _reprint(session, app, existing, actor, settings)
    _check_ready(app, settings)
    service = letter_service(session, app)
    data = open_application(session, app, actor, "letter")
    answers = data.get("answers") if isinstance(data, dict) else None
    if not isinstance(answers, dict):
        raise CentralError(f"{app.reference}: its sealed data holds no answers to fill a letter with")
    now = now or utcnow()
    issued_on = now.astimezone(settings.zone).date()
    counter = lock_counter(session, office.id, issued_on.year)
    # a second issuer of the same application waited on the counter: it now sees the first one's letter
    existing = session.scalar(select(IssuedLetter).where(IssuedLetter.application_id == app.id))
    if existing is not None:
        return _reprint(session, app, existing, actor, settings)
    sequence = take_next(session, counter)
    number = format_number(settings.number_format, classification=service.letter.classification,  # type: ignore[union-attr]
                           sequence=sequence, short_code=settings.short_code, month=issued_on.month,
                           year=issued_on.year)
    verify_code = "S" + "".join(secrets.choice(ALPHABET) for _ in range(VERIFY_CODE_CHARS))
    content = build_content(service, answers, settings, number=number, issued_on=issued_on,
                            reference=app.reference, verify_url=f"{settings.public_url}/v/{verify_code}")
    key = current_key(session, office)
    masked = mask_name(person_name(answers))
    session.add(IssuedLetter(
        application_id=app.id, office_id=office.id, service_code=app.service_code, year=issued_on.year,
        sequence=sequence, number=number, verify_code=verify_code, issued_on=issued_on, issued_at=now,
        issued_by=actor[:80], content_hash=content.content_hash(),
        sealed_content=seal_for_office(key.public_key, content.to_json()), office_key_id=key.id,
        masked_name=masked, prints=1, last_printed_at=now))
    if session.get(PublicName, app.id) is None:
        session.add(PublicName(application_id=app.id, masked_name=masked))
    session.flush()
    return Issued(content, settings.logo_png, False, number)
