"""The breach register (UU 27/2022 Pasal 46): a supervisor records a personal-data incident — when it was
found, what data, how, what is being done — links the applications it touched (filed in a time range, at
a terminal, for a service, or any of these together), and produces the notification letter to each
affected citizen and the report to the authority, all within 3×24 hours of finding it.

The clock is in hours, not working days: due = found + 72 h. It stops once both the letters and the
report were produced; an incident past its due time without them is overdue.

A notification letter is the only thing here that opens personal data: the citizen's name, to address
the letter (nothing else of theirs is printed). Each opening is logged with its purpose, so it shows in
the citizen's own record too. The report to the authority carries counts, never a person.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.db import insert_ignoring_conflicts
from central.errors import CentralError
from central.letters.content import LetterContent, person_name
from central.letters.office_settings import LetterSettings, letter_settings
from central.letters.pdf import render_letters_pdf
from central.models import Application, Breach, BreachApplication, Office, Terminal, as_utc, utcnow
from central.office_profile import OfficeProfile, load_profile
from central.records import open_application
from kiosk.catalog.letter import long_date_id
from kiosk.crypto import CryptoFailure

#: UU 27/2022 Pasal 46(1): notice within 3×24 hours of finding the failure
NOTICE_HOURS = 72
#: the purpose each opening for a letter is logged with (and the citizen reads in "Data saya")
PURPOSE = "pemberitahuan insiden data pribadi"
MAX_TEXT = 4000
#: the authority the report goes to (the PDP agency; until it is formed, the ministry for digital affairs)
AUTHORITY = "Lembaga Pelindungan Data Pribadi / Kementerian Komunikasi dan Digital"


class BreachProblem(CentralError):
    """An incident or a link that cannot be recorded as given; the message says why, in one line."""


@dataclass(frozen=True)
class BreachClock:
    """The 3×24-hour clock of one incident at `now`."""

    found_at: dt.datetime
    due_at: dt.datetime
    hours_since: int
    #: whole hours left; once past due, minus the whole hours past it ("lewat 8 jam" from 8 h 0 min to 8 h 59 min)
    hours_left: int
    done_at: dt.datetime | None
    #: past its due time without both notices, or they came after it
    overdue: bool


def clock_of(breach: Breach, now: dt.datetime | None = None) -> BreachClock:
    """Hours since it was found and hours left (on the clock that stopped when both notices were made)."""
    found = as_utc(breach.found_at)
    assert found is not None
    due = found + dt.timedelta(hours=NOTICE_HOURS)
    notified, reported = as_utc(breach.notified_at), as_utc(breach.reported_at)
    done = max(notified, reported) if notified and reported else None
    until = done or now or utcnow()
    left = (due - until).total_seconds() / 3600
    return BreachClock(found, due, math.floor((until - found).total_seconds() / 3600), math.trunc(left), done,
                       left < 0)


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise BreachProblem(f"{what} is empty")
    if len(value) > MAX_TEXT:
        raise BreachProblem(f"{what} is longer than {MAX_TEXT} characters")
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        raise BreachProblem(f"{what} holds control characters")
    return value


def record_breach(session: Session, office_id: int, actor: str, *, found_at: dt.datetime, what_data: str, how: str,
                  actions: str, now: dt.datetime | None = None) -> Breach:
    """A new incident of the office; `found_at` may not lie in the future."""
    now = now or utcnow()
    if found_at.tzinfo is None:
        raise BreachProblem("the time it was found has no time zone")
    if found_at > now + dt.timedelta(minutes=5):
        raise BreachProblem("the time it was found lies in the future")
    breach = Breach(office_id=office_id, found_at=found_at.astimezone(dt.UTC), what_data=_text(what_data, "what data"),
                    how=_text(how, "how it happened"), actions=_text(actions, "what is being done"),
                    recorded_by=actor[:60], recorded_at=now)
    session.add(breach)
    session.flush()
    return breach


def link_applications(session: Session, breach: Breach, *, filed_from: dt.datetime | None = None,
                      filed_until: dt.datetime | None = None, terminal_code: str = "",
                      service_code: str = "") -> int:
    """Links the office's applications filed in [`filed_from`, `filed_until`), at `terminal_code`, for
    `service_code` (each optional, at least one given); returns how many were newly linked."""
    terminal_code, service_code = terminal_code.strip().upper(), service_code.strip()
    if not (filed_from or filed_until or terminal_code or service_code):
        raise BreachProblem("choose a time range, a terminal or a service")
    if filed_from and filed_until and filed_until <= filed_from:
        raise BreachProblem("the range ends before it begins")
    query = select(Application.id).where(Application.office_id == breach.office_id)
    if filed_from:
        query = query.where(Application.filed_at >= filed_from)
    if filed_until:
        query = query.where(Application.filed_at < filed_until)
    if terminal_code:
        terminal = session.scalar(select(Terminal).where(Terminal.code == terminal_code,
                                                         Terminal.office_id == breach.office_id))
        if terminal is None:
            raise BreachProblem(f"no terminal {terminal_code} in this office")
        query = query.where(Application.terminal_id == terminal.id)
    if service_code:
        query = query.where(Application.service_code == service_code)
    before = len(affected_ids(session, breach))
    ids = list(session.scalars(query))
    if ids:
        session.execute(insert_ignoring_conflicts(session, BreachApplication.__table__),
                        [{"breach_id": breach.id, "application_id": i} for i in ids])
    breach.filed_from, breach.filed_until = filed_from, filed_until
    breach.terminal_code, breach.service_code = terminal_code or None, service_code or None
    return len(affected_ids(session, breach)) - before


def affected_ids(session: Session, breach: Breach) -> list[str]:
    return list(session.scalars(select(BreachApplication.application_id)
                                .where(BreachApplication.breach_id == breach.id)))


def affected(session: Session, breach: Breach) -> list[Application]:
    """The linked applications, oldest filed first (references, services, dates: no personal data)."""
    return list(session.scalars(select(Application).join(BreachApplication,
                                                         BreachApplication.application_id == Application.id)
                                .where(BreachApplication.breach_id == breach.id)
                                .order_by(Application.filed_at, Application.reference)))


def breaches_of(session: Session, office_id: int) -> list[Breach]:
    return list(session.scalars(select(Breach).where(Breach.office_id == office_id).order_by(Breach.found_at.desc())))


def _local(settings: LetterSettings, moment: dt.datetime) -> str:
    local = as_utc(moment).astimezone(settings.zone)  # type: ignore[union-attr]
    return f"{long_date_id(local.date())}, pukul {local:%H.%M} {settings.zone_name}"


def _frame(settings: LetterSettings, number: str, title: str, today: dt.date) -> dict[str, object]:
    contact = " · ".join(part for part in (settings.address, f"Telp. {settings.phone}" if settings.phone else "")
                         if part)
    return {"letterhead": tuple(line for line in (settings.government, settings.district, settings.office_line)
                                if line),
            "contact": contact, "title": title, "number": number,
            "place_date": f"{settings.place or settings.office_name}, {long_date_id(today)}",
            "signer_title": settings.head_title, "signer_name": settings.signer_name,
            "signer_nip": f"NIP. {settings.signer_nip}" if settings.signer_nip else "", "verify_url": ""}


def breach_number(settings: LetterSettings, breach: Breach, year: int, n: int | None = None) -> str:
    """`PDP/KEL-BRG/3/2026` (the report) and `PDP/KEL-BRG/3-12/2026` (the 12th citizen's letter)."""
    return f"PDP/{settings.short_code}/{breach.id}{f'-{n}' if n else ''}/{year}"


def _breach_lines(settings: LetterSettings, breach: Breach) -> tuple[str, str, str, str]:
    return (_local(settings, breach.found_at), breach.what_data, breach.how, breach.actions)


def _office_of(session: Session, breach: Breach, now: dt.datetime) -> tuple[LetterSettings, OfficeProfile, dt.date]:
    """The incident's office as its papers need it: letter settings, profile, today on its calendar."""
    office = session.get(Office, breach.office_id)
    assert office is not None
    profile = load_profile(session, office)
    return letter_settings(session, office), profile, profile.today(now)


def notification_letters(session: Session, breach: Breach, actor: str, *, now: dt.datetime | None = None
                         ) -> tuple[bytes, int]:
    """One letter per affected application (one PDF, a page each) and how many; each citizen's name is
    opened for it, logged as an opening for `PURPOSE`. Marks the incident notified (first time)."""
    now = now or utcnow()
    settings, profile, today = _office_of(session, breach, now)
    found, what, how, actions = _breach_lines(settings, breach)
    contents = []
    apps = affected(session, breach)
    if not apps:
        raise BreachProblem("no application is linked to this incident yet")
    for n, app in enumerate(apps, 1):
        try:
            data = open_application(session, app, actor, PURPOSE)
        except CryptoFailure:
            data = {}
        answers = data.get("answers") if isinstance(data, dict) else None
        name = person_name(answers) if isinstance(answers, dict) else ""
        service = profile.service_name(app.service_code)
        contents.append(LetterContent(
            **_frame(settings, breach_number(settings, breach, today.year, n),  # type: ignore[arg-type]
                     "PEMBERITAHUAN INSIDEN DATA PRIBADI", today),
            opening="Kepada Yth. pemohon di bawah ini, dengan ini kami memberitahukan bahwa telah terjadi "
                    "kegagalan pelindungan data pribadi yang menyangkut permohonan Anda:",
            identity=(("Nama", name or "-"), ("Nomor permohonan", app.reference), ("Layanan", service),
                      ("Diajukan", _local(settings, app.filed_at))),
            body=(f"Insiden ini diketahui pada {found}. Data yang terdampak: {what}",
                  f"Bagaimana terjadinya: {how}",
                  f"Yang sedang dan telah kami lakukan: {actions}",
                  "Anda berhak meminta salinan, perbaikan atau penghapusan data Anda, dan melihat siapa yang "
                  "membuka data Anda melalui \"Data saya\" di kios (Cek Status, dengan nomor permohonan dan PIN "
                  "pada tanda terima). Untuk pertanyaan, datanglah ke loket kantor atau hubungi kontak di atas."),
            closing="Kami mohon maaf atas kejadian ini. Pemberitahuan ini disampaikan sesuai Pasal 46 "
                    "Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi.",
            reference=app.reference, service_code=app.service_code))
    if breach.notified_at is None:
        breach.notified_at = now
    return render_letters_pdf(contents, settings.logo_png), len(contents)


def authority_report(session: Session, breach: Breach, *, now: dt.datetime | None = None) -> bytes:
    """The report to the authority: the incident, the clock, how many applications by service and terminal,
    how the citizens are told. No personal data. Marks the incident reported (first time)."""
    now = now or utcnow()
    settings, profile, today = _office_of(session, breach, now)
    apps = affected(session, breach)
    by_service = Counter(profile.service_name(a.service_code) for a in apps)
    terminals = {t.id: t.code for t in session.scalars(select(Terminal).where(Terminal.office_id == breach.office_id))}
    by_terminal = Counter(terminals.get(a.terminal_id, "?") for a in apps)
    clock = clock_of(breach, now)
    found, what, how, actions = _breach_lines(settings, breach)
    if breach.reported_at is None:
        breach.reported_at = now
    notified = (f"Surat pemberitahuan kepada warga dibuat pada {_local(settings, breach.notified_at)}."
                if breach.notified_at else "Surat pemberitahuan kepada warga belum dibuat.")
    scope = ", ".join(part for part in (
        f"diajukan sejak {_local(settings, breach.filed_from)}" if breach.filed_from else "",
        f"sebelum {_local(settings, breach.filed_until)}" if breach.filed_until else "",
        f"di kios {breach.terminal_code}" if breach.terminal_code else "",
        f"layanan {profile.service_name(breach.service_code)}" if breach.service_code else "") if part)
    content = LetterContent(
        **_frame(settings, breach_number(settings, breach, today.year), "LAPORAN INSIDEN DATA PRIBADI",  # type: ignore[arg-type]
                 today),
        opening=f"Kepada Yth. {AUTHORITY}. Dengan ini {settings.office_name} melaporkan kegagalan "
                "pelindungan data pribadi sebagai berikut:",
        identity=(("Diketahui", found), ("Batas 3×24 jam", _local(settings, clock.due_at)),
                  ("Dicatat oleh", f"{breach.recorded_by} ({_local(settings, breach.recorded_at)})"),
                  ("Permohonan terdampak", str(len(apps))),
                  ("Menurut layanan", "; ".join(f"{k}: {v}" for k, v in sorted(by_service.items())) or "-"),
                  ("Menurut kios", "; ".join(f"{k}: {v}" for k, v in sorted(by_terminal.items())) or "-"),
                  ("Cakupan", scope or "-")),
        body=(f"Data yang terdampak: {what}", f"Bagaimana terjadinya: {how}",
              f"Penanganan dan pemulihan: {actions}", notified,
              "Laporan ini tidak memuat data pribadi warga. Daftar nomor permohonan yang terdampak tersedia "
              "di kantor dan diserahkan atas permintaan."),
        closing="Demikian laporan ini disampaikan sesuai Pasal 46 Undang-Undang Nomor 27 Tahun 2022 tentang "
                "Pelindungan Data Pribadi.",
        reference=f"breach-{breach.id}", service_code="")
    return render_letters_pdf([content], settings.logo_png)
