"""The citizen's record on a phone: the receipt's QR opens the verification page, whose form takes the
receipt's PIN and shows the processing record, masked — no personal data, the phone number a text
message went to only as `0812•••••890` (kept so at ingest, `central.record_pin`). Each showing goes in
the access log (by "citizen", so staff see the citizen looked), though no personal data is opened."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from central.citizen_record import processing_record
from central.keyring import KeysUnavailable, office_private_key
from central.letters.office_settings import letter_settings
from central.models import Application, OfficeKey
from central.record_pin import PinCheck, check_pin, pepper_of
from central.records import log_access
from central.verification.lookup import genuine_receipt, service_name
from kiosk.record_words import describe_event

VIEWED = "citizen.record_viewed"


@dataclass(frozen=True)
class ShownRecord:
    """What the record page shows after a PIN was typed: the outcome, and the lines only when right."""

    check: PinCheck
    reference: str
    office: str
    service: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (Bahasa Indonesia, English)


def _pepper(session: Session, app: Application) -> bytes | None:
    """The pepper of the office key that opened `app`; None when central cannot unwrap it (no key file)."""
    key = session.get(OfficeKey, app.office_key_id)
    if key is None:
        return None
    try:
        return pepper_of(office_private_key(session, key))
    except KeysUnavailable:
        return None


def record_for_pin(session: Session, code: str, pin: str) -> ShownRecord | None:
    """The record behind a genuine receipt code for its PIN; None when the code proves nothing."""
    genuine = genuine_receipt(session, (code or "").strip())
    if genuine is None:
        return None
    claims, office, app = genuine.claims, genuine.office, genuine.app
    service = service_name(session, office.id, claims.service_code)
    if app is None:  # not yet synced: nothing central could check the PIN against
        return ShownRecord(PinCheck("no_pin"), claims.reference, office.name, service)
    check = check_pin(session, app, pin, _pepper(session, app))
    if check.outcome != "shown":
        return ShownRecord(check, claims.reference, office.name, service)
    zone = letter_settings(session, office).zone
    record = processing_record(session, app)
    lines = [(describe_event(e, "id", zone, phone=check.masked_phone),
              describe_event(e, "en", zone, phone=check.masked_phone)) for e in record.events]
    log_access(session, "citizen", VIEWED, app, "catatan data saya di ponsel (PIN benar)")
    return ShownRecord(check, claims.reference, office.name, service, lines)
