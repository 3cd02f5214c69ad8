"""One application (`/staff/applications/{reference}`): summary, validation flags, history, the status
change form, and "Buka data pribadi", which opens the sealed answers and writes the access log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from central.api.common import DB
from central.console.i18n import STATUS_WORDS, answer_words, language_of, translator
from central.console.pages.letters import pending_download
from central.console.sessions import StaffContext
from central.console.web import PREFIX, ConsoleError, Posted, Staff, local_time, render
from central.console.workflow import (
    Opened,
    application_of_office,
    describe_flags,
    history,
    open_personal_data,
    still_open,
)
from central.letters.history import issued_letter
from central.letters.office_settings import letter_settings
from central.models import Application, Office, Terminal
from central.office_profile import OfficeProfile, load_profile
from central.status import change_status
from kiosk.lifecycle import LETTER_ALLOWED, MAX_NOTE, NEXT_STATUSES, RefusedChange, is_overdue

router = APIRouter(prefix=f"{PREFIX}/applications", include_in_schema=False)
DELETED_WORDS = ("Data pribadi permohonan ini sudah dihapus atas permintaan warga; yang tersisa hanya nomor, "
                 "layanan, tanggal dan status.")


def _found(session: Session, staff: StaffContext, reference: str) -> Application:
    app = application_of_office(session, staff, reference)
    if app is None:
        raise ConsoleError(404, "Permohonan itu tidak ada di kantor Anda.")
    return app


def _letter_state(session: Session, app: Application, profile: OfficeProfile) -> dict[str, Any]:
    """Whether "Cetak surat" can work now, and if not, why, in words: it is never offered only to fail."""
    service = profile.services.get(app.service_code)
    if app.status == "declined":
        why = "Permohonan ini ditolak: tidak ada surat untuk dicetak."
    elif app.status not in LETTER_ALLOWED:
        why = "Surat bisa dicetak setelah permohonan diproses."
    elif service is None or service.letter is None:
        why = "Layanan ini tidak punya templat surat di katalog kantor."
    elif not letter_settings(session, session.get(Office, app.office_id)).public_url:
        why = "Kantor belum mengisi alamat publik untuk kode QR surat: supervisor mengisinya di Pengaturan surat."
    else:
        why = ""
    return {"can_print": not why, "no_letter_why": why}


def _page(request: Request, session: Session, staff: StaffContext, app: Application, *, status_code: int = 200,
          **extra: Any) -> Response:
    t, lang = translator(request), language_of(request)
    profile = load_profile(session, app.office_id)
    terminal = session.get(Terminal, app.terminal_id)
    values = {"app": app, "history": history(session, app), "flags": describe_flags(app.flags, t),
              "service_name": profile.service_name(app.service_code, lang),
              "overdue": is_overdue(app.status, app.due_on, profile.today()),
              "terminal_code": terminal.code if terminal else "", "next_statuses": NEXT_STATUSES[app.status],
              "max_note": MAX_NOTE, "note": "", "personal": None, "opening": None, "download": "",
              "changed": False, "problem": "",
              "letter": issued_letter(session, app.id), **_letter_state(session, app, profile)}
    return render(request, "application.html", staff, session=session, active="inbox", status_code=status_code,
                  **{**values, **extra})


@router.get("/{reference}")
def application_page(request: Request, db: DB, staff: Staff, reference: str) -> Response:
    with db.transaction() as session:
        app = _found(session, staff, reference)
        printed = request.query_params.get("printed")
        download = (f"{PREFIX}/applications/{app.reference}/letter.pdf?printed={printed}"
                    if pending_download(session, staff, app, issued_letter(session, app.id), printed) else "")
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
        app = _found(session, staff, reference)
        if app.personal_data_deleted_at is not None:  # a citizen's deletion request left only the skeleton
            raise ConsoleError(410, DELETED_WORDS, staff=staff)
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
        app = _found(session, staff, reference)
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
