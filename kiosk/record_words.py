"""The citizen's processing record ("Data saya") in plain words, Bahasa Indonesia and English, for the
paper the kiosk prints and the page central shows on a phone (the kiosk's screen says the same through
its gettext catalogs). One line per event: when (on the office's clock), then what happened. Roles,
never names; no personal data (a phone number only as masked by central)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from kiosk.errors import Text
from kiosk.lifecycle import FIRST, WORDS
from kiosk.timezones import clock_in_zone, in_zone

EVENT_TEXT = {
    "filed": Text("Anda mengajukan permohonan di anjungan", "You filed the application at the kiosk"),
    "received": Text("{office} menerimanya", "{office} received it"),
    "opened": Text("Data pribadi Anda dibuka oleh {role} {office}, untuk: {detail}",
                   "Your personal data was opened by {role} of {office}, for: {detail}"),
    "status": Text("{role} mengubah statusnya menjadi “{status}”", "{role} changed its status to “{status}”"),
    "letter": Text("Surat dicetak (nomor {detail})", "The letter was printed (number {detail})"),
    "sms": Text("SMS dikirim kepada Anda", "A text message was sent to you"),
    "sms_to": Text("SMS dikirim ke {phone}", "A text message was sent to {phone}"),
    "retention": Text("Anjungan ini menghapus salinan data Anda yang terkunci (kantor tetap menyimpannya)",
                      "This kiosk deleted its locked copy of your data (the office keeps it)"),
}
#: the same words as the kiosk's screen (its gettext catalog), so paper and screen read alike
ROLE_TEXT = {"operator": Text("petugas", "an operator"), "supervisor": Text("supervisor", "a supervisor"),
             "admin": Text("admin", "an administrator"), "cli": Text("teknisi", "a technician"),
             "system": Text("sistem", "the system"), "staff": Text("petugas", "a staff member")}
#: the one purpose central records for a console opening, in English
PURPOSE_EN = {"pemrosesan permohonan": "processing the application"}


class Event(Protocol):
    at: dt.datetime
    kind: str
    office: str
    role: str
    detail: str


def latest_status(events: Sequence[Event], known: str | None) -> str:
    """The status the record says the application is in now: its last status change, else `known`
    (the terminal's own last word), else "received" — so paper's status and its timeline agree."""
    changes = [event.detail for event in events if event.kind == "status" and event.detail in WORDS]
    return changes[-1] if changes else known or FIRST


def describe_event(event: Event, language: str, zone: dt.tzinfo, *, phone: str = "") -> str:
    """`24-11-2026 09.12 — Operator Kelurahan Braga mengubah …`, in `language` (`id` or `en`);
    `phone`: the masked number a text message went to (central's page only)."""
    lang = "en" if language == "en" else "id"
    local = in_zone(event.at, zone)
    role = ROLE_TEXT.get(event.role, Text(event.role, event.role)).in_language(lang)
    status = Text(*WORDS[event.detail]).in_language(lang) if event.detail in WORDS else event.detail
    detail = PURPOSE_EN.get(event.detail, event.detail) if lang == "en" else event.detail
    kind = "sms_to" if event.kind == "sms" and phone else event.kind
    template = EVENT_TEXT.get(kind, Text(event.kind, event.kind))
    words = template.format(office=event.office, role=role, detail=detail, status=status,
                            phone=phone).in_language(lang)
    return f"{local:%d-%m-%Y} {clock_in_zone(local, zone, lang)} — {words[:1].upper()}{words[1:]}"
