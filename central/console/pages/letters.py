"""Letters in the console: "Cetak surat" on an application (any staff of the office) numbers or reprints its
letter and brings the staff member back to the application's page, which shows the number and downloads the
A4 PDF (once, to who printed it: `central.letters.downloads`); and the office's letter settings page
(`/staff/letters/settings`, supervisors)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from central.api.common import DB
from central.console.downloads import download
from central.console.sessions import StaffContext
from central.console.web import PREFIX, ConsoleError, Posted, PostedSupervisor, Staff, Supervisor, render
from central.console.workflow import log_access, staff_application
from central.errors import CentralError
from central.letters.downloads import letter_to_hand_out, office_logo, print_stamp
from central.letters.history import issued_letter
from central.letters.issue import NoLetterTemplate, NoPublicUrl, NotReadyForLetter, issue_letter, stored_content
from central.letters.numbering import format_number
from central.letters.office_settings import (
    MAX_LOGO_BYTES,
    TEXT_SETTINGS,
    letter_settings,
    stored_values,
    update_settings,
)
from central.letters.pdf import render_letter_pdf
from central.office_profile import load_profile
from central.offices import get_office

router = APIRouter(prefix=PREFIX, include_in_schema=False)

REFUSALS = {
    NotReadyForLetter: "Surat baru bisa dicetak bila permohonan sedang diproses, siap diambil, atau selesai.",
    NoLetterTemplate: "Layanan ini tidak punya templat surat di katalog kantor.",
    NoPublicUrl: "Kantor belum mengisi alamat publik untuk kode QR surat: supervisor mengisinya di Pengaturan surat.",
}
#: the settings form, in the order of the letter from top to bottom (name, label key)
FIELDS = (("government", "Kop: pemerintah"), ("district", "Kop: kecamatan"), ("office_line", "Kop: kantor"),
          ("address", "Alamat kantor"), ("phone", "Telepon"), ("place", "Tempat pada tanggal surat"),
          ("head_title", "Jabatan kepala kantor"), ("signer_name", "Nama penanda tangan"),
          ("signer_nip", "NIP penanda tangan"), ("short_code", "Kode kantor pada nomor"),
          ("number_format", "Format nomor"), ("time_zone", "Zona waktu"),
          ("public_url", "Alamat publik (untuk kode QR)"))
assert {name for name, _ in FIELDS} == set(TEXT_SETTINGS)


@router.post("/applications/{reference}/letter")
def print_letter(db: DB, staff: Posted, reference: str) -> Response:
    """Issues the letter (numbered once) or counts a reprint, logged, then sends the browser back to the
    application's page, which shows the number at once and fetches this print's PDF (no JavaScript)."""
    with db.transaction() as session:
        app = staff_application(session, staff, reference)
        try:
            issued = issue_letter(session, app.reference, actor=staff.username)
        except tuple(REFUSALS) as e:
            raise ConsoleError(409, REFUSALS[type(e)], staff=staff) from None
        log_access(session, staff, "letter.reprinted" if issued.reprint else "letter.issued", app, issued.number)
        session.flush()
        letter = issued_letter(session, app.id)
        assert letter is not None
        printed = print_stamp(letter)
    return RedirectResponse(f"{PREFIX}/applications/{app.reference}?printed={printed}", status_code=303)


@router.get("/applications/{reference}/letter.pdf")
def letter_pdf(db: DB, staff: Staff, reference: str, printed: str = "") -> Response:
    """The PDF of the print just logged by "Cetak surat"; anything else goes back to the application's page."""
    with db.transaction() as session:
        app = staff_application(session, staff, reference)
        letter = letter_to_hand_out(session, app, staff.username, printed[:40])
        if letter is None:
            return RedirectResponse(f"{PREFIX}/applications/{app.reference}", status_code=303)
        content, logo = stored_content(session, letter), office_logo(session, app.office_id)
    return download(render_letter_pdf(content, logo), "application/pdf", f"surat-{content.reference}.pdf")


def _settings_page(request: Request, session: Session, staff: StaffContext, *, status_code: int = 200,
                   problem: str = "", saved: bool = False) -> Response:
    office = get_office(session, staff.office_code)
    settings = letter_settings(session, office)
    today = load_profile(session, office.id).today()  # the example is this month's number
    example = format_number(settings.number_format, classification="470", sequence=12,
                            short_code=settings.short_code, month=today.month, year=today.year)
    return render(request, "letter_settings.html", staff, session=session, active="letters", status_code=status_code,
                  settings=settings, stored=stored_values(session, office), fields=FIELDS, problem=problem,
                  saved=saved, example=example, max_logo_kib=MAX_LOGO_BYTES // 1024)


@router.get("/letters/settings")
def settings_page(request: Request, db: DB, staff: Supervisor) -> Response:
    with db.transaction() as session:
        return _settings_page(request, session, staff, saved=request.query_params.get("saved") == "1")


@router.post("/letters/settings")
async def save_settings(request: Request, db: DB, staff: PostedSupervisor,
                        logo: Annotated[UploadFile | None, File()] = None,
                        no_logo: Annotated[str, Form(max_length=10)] = "") -> Response:
    form = await request.form()
    changes = {name: str(form.get(name, ""))[:1000] for name in TEXT_SETTINGS if name in form}
    picture = await logo.read(MAX_LOGO_BYTES + 1) if logo is not None and logo.filename else None
    with db.transaction() as session:
        office = get_office(session, staff.office_code)
        before = letter_settings(session, office)
        try:
            after = update_settings(session, office, changes, logo_png=picture, clear_logo=no_logo == "1")
        except CentralError as e:  # refused before anything was written
            return _settings_page(request, session, staff, status_code=400, problem=str(e))
        changed = [name for name, _label in FIELDS if getattr(before, name) != getattr(after, name)]
        changed += ["logo"] if picture is not None or no_logo == "1" else []
        log_access(session, staff, "letter_settings.changed", None, ", ".join(changed))
    return RedirectResponse(f"{PREFIX}/letters/settings?saved=1", status_code=303)
