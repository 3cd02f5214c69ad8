"""One application (`/staff/applications/{reference}`): summary, validation flags, history, the status
change form, and "Buka data pribadi", which opens the sealed answers and writes the access log. The page
asks `central.application_file`, changes through `central.status` and puts the answers in the staff's words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from central.api.common import DB
from central.application_file import DECLINED, NO_PUBLIC_URL, NO_TEMPLATE, NOT_YET, application_file
from central.console.i18n import STATUS_WORDS, answer_words, language_of, translator
from central.console.sessions import StaffContext
from central.console.web import PREFIX, Posted, Staff, local_time, render
from central.console.workflow import Opened, open_personal_data, staff_application, still_open
from central.letters.downloads import pending_download
from central.letters.history import issued_letter
from central.models import Application
from central.office_profile import load_profile
from central.status import change_status
from kiosk.lifecycle import MAX_NOTE, RefusedChange

router = APIRouter(prefix=f"{PREFIX}/applications", include_in_schema=False)
FLAG_WORDS = {"region_unknown": "Kode wilayah tidak dikenal"}
#: why "Cetak surat" cannot work now, in the staff's words (`central.application_file.letter_blocked`)
NO_LETTER_WORDS = {
    DECLINED: "Permohonan ini ditolak: tidak ada surat untuk dicetak.",
    NOT_YET: "Surat bisa dicetak setelah permohonan diproses.",
    NO_TEMPLATE: "Layanan ini tidak punya templat surat di katalog kantor.",
    NO_PUBLIC_URL: "Kantor belum mengisi alamat publik untuk kode QR surat: supervisor mengisinya di Pengaturan "
                   "surat.",
}


def describe_flags(flags: str, t: Callable[..., str]) -> list[str]:
    """Validation flags like `nik:region_unknown` as staff read them."""
    described = []
    for flag in filter(None, flags.split(",")):
        field, _, code = flag.rpartition(":")
        words = t(FLAG_WORDS[code]) if code in FLAG_WORDS else code
        described.append(f"{field}: {words}" if field else words)
    return described


def _page(request: Request, session: Session, staff: StaffContext, app: Application, *, status_code: int = 200,
          **extra: Any) -> Response:
    t, lang = translator(request), language_of(request)
    profile = load_profile(session, app.office_id)
    found = application_file(session, app, profile)
    values = {"app": app, "history": found.history, "flags": describe_flags(app.flags, t),
              "service_name": profile.service_name(app.service_code, lang), "overdue": found.overdue,
              "terminal_code": found.terminal_code, "next_statuses": found.next_statuses,
              "max_note": MAX_NOTE, "note": "", "personal": None, "opening": None, "download": "",
              "changed": False, "problem": "", "letter": found.letter, "can_print": not found.letter_blocked,
              "no_letter_why": NO_LETTER_WORDS.get(found.letter_blocked, "")}
    return render(request, "application.html", staff, session=session, active="inbox", status_code=status_code,
                  **{**values, **extra})


@router.get("/{reference}")
def application_page(request: Request, db: DB, staff: Staff, reference: str) -> Response:
    with db.transaction() as session:
        app = staff_application(session, staff, reference)
        printed = request.query_params.get("printed")
        download = (f"{PREFIX}/applications/{app.reference}/letter.pdf?printed={printed}"
                    if pending_download(session, staff.username, app, issued_letter(session, app.id), printed) else "")
        return _page(request, session, staff, app, changed=request.query_params.get("changed") == "1",
                     download=download)


def _shown(request: Request, session: Session, staff: StaffContext, app: Application,
           opened: Opened | None) -> dict[str, Any]:
    """The page's values for personal data an opening showed: labels and values in the staff's language."""
    if opened is None:
        return {}
    lang = language_of(request)
    service = load_profile(session, app.office_id).services.get(app.service_code)
    fields = {f.name: f for f in service.fields} if service is not None else {}
    personal = [(fields[name].label.in_language(lang) if name in fields else name,
                 answer_words(fields.get(name), value, lang)) for name, value in opened.data.get("answers", {}).items()]
    return {"personal": personal, "opened_at": local_time(opened.at, staff), "opening": opened.entry_id}


@router.post("/{reference}/personal-data")
def personal_data(request: Request, db: DB, staff: Posted, reference: str) -> Response:
    with db.transaction() as session:
        app = staff_application(session, staff, reference)
        opened = open_personal_data(session, staff, app)
        return _page(request, session, staff, app, **_shown(request, session, staff, app, opened))


@router.post("/{reference}/status")
def set_status(request: Request, db: DB, staff: Posted, reference: str,
               status: Annotated[str, Form(max_length=20)] = "",
               note: Annotated[str, Form(max_length=MAX_NOTE * 4)] = "",
               opened: Annotated[str, Form(max_length=20)] = "") -> Response:
    """Changes the status; personal data this staff member opened on the page stays open on the answer
    (the same opening, not logged again), else the browser is sent back to the page."""
    t = translator(request)
    with db.transaction() as session:
        app = staff_application(session, staff, reference)
        try:
            change_status(session, staff.username, app, status, note)  # checks everything before it changes anything
        except RefusedChange as e:
            words = {k: t(STATUS_WORDS.get(v, v)) if isinstance(v, str) else v for k, v in e.values.items()}
            shown = _shown(request, session, staff, app, still_open(session, staff, app, opened))
            return _page(request, session, staff, app, status_code=409, problem=t(e.message, **words), note=note,
                         **shown)
        shown = _shown(request, session, staff, app, still_open(session, staff, app, opened))
        if shown:
            return _page(request, session, staff, app, changed=True, **shown)
    return RedirectResponse(f"{PREFIX}/applications/{app.reference}?changed=1", status_code=303)
