"""What a verification code proves: a letter by its code (`S...`), a receipt by its signed payload (`LK1:...`).

A receipt is checked against the public key its terminal enrolled with; a receipt filed after its
terminal was revoked is not vouched for. The masked name is kept once worked out (from the letter,
or by opening the application once, which is logged), so the page opens no personal data per visit.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.letters.content import mask_name, person_name
from central.letters.office_settings import letter_settings
from central.models import Application, IssuedLetter, Office, PublicName, Terminal, as_utc
from central.office_profile import load_profile
from central.records import open_application
from kiosk.catalog.letter import long_date_id
from kiosk.crypto import CryptoFailure
from kiosk.errors import ReceiptInvalid
from kiosk.lifecycle import WORDS
from kiosk.receipt_code import VerifiedReceipt, parse_qr_payload, verify_qr_payload

MAX_CODE_CHARS = 400
_LETTER_CODE = re.compile(r"S[0-9A-Z]{20}")
STATUS_TEXT = {**WORDS, "not_yet": ("Belum diterima kantor", "Not yet received by the office")}


@dataclass(frozen=True)
class Verified:
    """What the public page shows: nothing a stranger could use to find the person."""

    kind_id: str
    kind_en: str
    document: str
    office: str
    number_label_id: str
    number_label_en: str
    number: str
    date: str
    status_id: str
    status_en: str
    masked_name: str


def service_name(session: Session, office_id: int, code: str) -> str:
    return load_profile(session, office_id).service_name(code)


def _masked_name(session: Session, app: Application) -> str:
    known = session.get(PublicName, app.id)
    if known is not None:
        return known.masked_name
    try:
        data = open_application(session, app, "public-verification", "masked name for the verification page")
    except CryptoFailure:  # sealed data that does not open shows no name, never a 500
        return ""
    answers = data.get("answers") if isinstance(data, dict) else None
    masked = mask_name(person_name(answers)) if isinstance(answers, dict) else ""
    session.add(PublicName(application_id=app.id, masked_name=masked))
    return masked


def _local_date(session: Session, office: Office, moment: dt.datetime) -> str:
    return long_date_id(as_utc(moment).astimezone(letter_settings(session, office).zone).date())  # type: ignore[union-attr]


def _letter(session: Session, code: str) -> Verified | None:
    letter = session.scalar(select(IssuedLetter).where(IssuedLetter.verify_code == code))
    if letter is None:
        return None
    app = session.get(Application, letter.application_id)
    office = session.get(Office, letter.office_id)
    assert app is not None and office is not None
    status_id, status_en = STATUS_TEXT.get(app.status, (app.status, app.status))
    return Verified("Surat keterangan", "Letter", service_name(session, office.id, letter.service_code), office.name,
                    "Nomor surat", "Letter number", letter.number, long_date_id(letter.issued_on), status_id,
                    status_en, letter.masked_name)


@dataclass(frozen=True)
class GenuineReceipt:
    """A receipt code whose signature checks against its (unrevoked) terminal, with central's application
    when it has arrived (None: not yet synced)."""

    claims: VerifiedReceipt
    office: Office
    app: Application | None


def genuine_receipt(session: Session, payload: str) -> GenuineReceipt | None:
    """What a receipt's QR proves, or None when it proves nothing (malformed, unknown, altered, revoked)."""
    if not payload.startswith("LK") or len(payload) > MAX_CODE_CHARS:
        return None
    try:
        claims, _, _ = parse_qr_payload(payload)
        terminal = session.scalar(select(Terminal).where(Terminal.code == claims.terminal_code))
        if terminal is None:
            return None
        verify_qr_payload(payload, {terminal.code: terminal.verify_key})
    except ReceiptInvalid:
        return None
    if terminal.revoked_at is not None and claims.filed_at > as_utc(terminal.revoked_at):  # type: ignore[operator]
        return None
    office = session.get(Office, terminal.office_id)
    assert office is not None
    app = session.scalar(select(Application).where(Application.reference == claims.reference))
    if app is not None and (app.terminal_id != terminal.id or app.service_code != claims.service_code):
        return None
    return GenuineReceipt(claims, office, app)


def _receipt(session: Session, payload: str) -> Verified | None:
    genuine = genuine_receipt(session, payload)
    if genuine is None:
        return None
    claims, office, app = genuine.claims, genuine.office, genuine.app
    status = app.status if app is not None else "not_yet"
    status_id, status_en = STATUS_TEXT.get(status, (status, status))
    return Verified("Tanda terima permohonan", "Application receipt",
                    service_name(session, office.id, claims.service_code), office.name,
                    "Nomor permohonan", "Application number", claims.reference,
                    _local_date(session, office, claims.filed_at), status_id, status_en,
                    _masked_name(session, app) if app is not None else "")


def verify_code(session: Session, code: str) -> Verified | None:
    """What `code` proves, or None when it proves nothing (unknown, altered, malformed)."""
    code = code.strip()
    if not code or len(code) > MAX_CODE_CHARS:
        return None
    if _LETTER_CODE.fullmatch(code):
        return _letter(session, code)
    if code.startswith("LK"):
        return _receipt(session, code)
    return None
