"""What a text message says and when one is queued: when `central.status.change_status` moves an
application whose citizen ticked "kabari saya lewat SMS" to ready or declined, in an office with an SMS
gateway. The words name the office, the reference and the state, never personal data."""

from __future__ import annotations

import datetime as dt
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.models import Application, Office, OfficeSmsGateway, SmsMessage, utcnow
from kiosk.notify import NOTIFY_SMS_FLAG

#: what each status a message tells of says after "<office>: permohonan <reference>"
STATUS_WORDS = {
    "ready": "siap diambil. Bawa KTP asli.",
    "declined": "ditolak. Alasannya ada di kios (Cek Status) atau tanyakan ke kantor.",
}
#: one SMS; longer would be split (and cost more) on the modem
MAX_TEXT = 160
_PREFIXES = {"kelurahan": "Kel.", "kecamatan": "Kec.", "desa": "Desa"}


def short_office_name(name: str) -> str:
    """"Kelurahan Braga" as a message says it: "Kel. Braga"."""
    first, _, rest = name.strip().partition(" ")
    return f"{_PREFIXES[first.lower()]} {rest}".strip() if first.lower() in _PREFIXES and rest else name.strip()


def gsm_text(text: str) -> str:
    """The text in printable ASCII (accents dropped), so it fits the GSM alphabet: one 160-character SMS."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain if c.isprintable())


def message_text(office_name: str, reference: str, status: str) -> str:
    """"Kel. Braga: permohonan K7Q2-2611-0042-X siap diambil. Bawa KTP asli." (at most 160 characters)."""
    tail = f": permohonan {reference} {STATUS_WORDS[status]}"
    office = gsm_text(office_name)[: max(8, MAX_TEXT - len(tail))]
    return (office + tail)[:MAX_TEXT]


def wants_sms(app: Application) -> bool:
    return NOTIFY_SMS_FLAG in app.flags.split(",")


def gateway_of(session: Session, office_id: int) -> OfficeSmsGateway | None:
    """The office's SMS gateway; None when it has none (the feature is off)."""
    return session.get(OfficeSmsGateway, office_id)


def queue_for_change(session: Session, app: Application, status: str, *, now: dt.datetime | None = None
                     ) -> SmsMessage | None:
    """Queues the message a change to `status` owes the citizen, if any; never sends (the delivery
    worker does, apart), so a status change never waits for a modem."""
    if status not in STATUS_WORDS or not wants_sms(app):
        return None
    gateway = gateway_of(session, app.office_id)
    if gateway is None:
        return None
    office = session.get(Office, app.office_id)
    name = gateway.short_name or short_office_name(office.name if office else "")
    now = now or utcnow()
    message = SmsMessage(office_id=app.office_id, application_id=app.id, reference=app.reference, status=status,
                         text=message_text(name, app.reference, status), state="queued", attempts=0,
                         next_attempt_at=now, created_at=now)
    session.add(message)
    return message


def messages_of_office(session: Session, office_id: int, *, limit: int = 200) -> list[SmsMessage]:
    """The office's messages, newest first (the console's list)."""
    return list(session.scalars(select(SmsMessage).where(SmsMessage.office_id == office_id)
                                .order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc()).limit(limit)))


def messages_of_application(session: Session, application_id: str) -> list[SmsMessage]:
    return list(session.scalars(select(SmsMessage).where(SmsMessage.application_id == application_id)
                                .order_by(SmsMessage.id)))
