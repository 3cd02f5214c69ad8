"""The citizen's requests (`/staff/requests`): correction, deletion (consent withdrawn) and copy, filed at
the kiosks, each with the 3×24-hour clock (due 72 hours after central received it; overdue ones marked),
and one page per request where staff open what they need (access-logged) and apply or refuse it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from central.api.common import DB
from central.citizen_requests import RECEIVED, request_of_office, requests_of_office
from central.console.i18n import language_of
from central.console.sessions import StaffContext
from central.console.web import PREFIX, ConsoleError, Posted, Staff, render
from central.models import Application, CitizenRequest, as_utc, utcnow
from central.office_profile import load_profile
from central.request_decisions import CORRECTED, DECIDED, DELETED, MAX_NOTE, DecisionRefused, decide, open_request
from kiosk.citizen_requests import ANSWER_WITHIN_HOURS, OPEN, due_at, is_overdue

router = APIRouter(prefix=f"{PREFIX}/requests", include_in_schema=False)
#: each kind and state as staff read them (Indonesian keys, see i18n_requests)
KIND_WORDS = {"correction": "Koreksi data", "deletion": "Tarik persetujuan & hapus data", "copy": "Salinan data"}
#: the access log's request actions as staff read them (the access-log page lists them)
REQUEST_ACTION_WORDS = {RECEIVED: "Menerima permintaan warga", DECIDED: "Memutuskan permintaan warga",
                        CORRECTED: "Mengoreksi data atas permintaan warga",
                        DELETED: "Menghapus data pribadi atas permintaan warga"}
STATE_WORDS = {"received": "Menunggu", "applied": "Dijalankan", "refused": "Ditolak",
               "already_deleted": "Data sudah dihapus"}


def _found(session: Session, staff: StaffContext, request_id: str) -> tuple[CitizenRequest, Application]:
    found = request_of_office(session, staff.office_id, request_id)
    if found is None:
        raise ConsoleError(404, "Permintaan itu tidak ada di kantor Anda.", staff=staff)
    return found


def _words() -> dict[str, Any]:
    return {"kind_words": KIND_WORDS, "state_words": STATE_WORDS, "hours": ANSWER_WITHIN_HOURS}


@router.get("")
def request_queue(request: Request, db: DB, staff: Staff) -> Response:
    with db.transaction() as session:
        rows = requests_of_office(session, staff.office_id, utcnow())
        services = load_profile(session, staff.office_id).services
        lang = language_of(request)
        labels = {(s.code, f.name): f.label.in_language(lang) for s in services.values() for f in s.fields}
        return render(request, "requests.html", staff, session=session, active="requests", rows=rows, labels=labels,
                      decided=request.query_params.get("decided", "")[:36], **_words())


def _page(request: Request, session: Session, staff: StaffContext, req: CitizenRequest, app: Application, *,
          status_code: int = 200, **extra: Any) -> Response:
    profile = load_profile(session, app.office_id)
    lang = language_of(request)
    service = profile.services.get(app.service_code)
    labels = {f.name: f.label.in_language(lang) for f in service.fields} if service else {}
    received = as_utc(req.received_at)
    values = {"req": req, "app": app, "service_name": profile.service_name(app.service_code, lang),
              "field_label": labels.get(req.field, req.field), "labels": labels,
              "due": due_at(received), "overdue": is_overdue(received, req.state, utcnow()),  # type: ignore[arg-type]
              "is_open": req.state == OPEN, "opened": None, "problem": "", "note": "", "max_note": MAX_NOTE,
              "deleted": app.personal_data_deleted_at is not None,
              "may_decide": req.kind != "deletion" or staff.is_supervisor, **_words()}
    return render(request, "request.html", staff, session=session, active="requests", status_code=status_code,
                  **{**values, **extra})


@router.get("/{request_id}")
def request_page(request: Request, db: DB, staff: Staff, request_id: str) -> Response:
    with db.transaction() as session:
        req, app = _found(session, staff, request_id)
        return _page(request, session, staff, req, app)


@router.post("/{request_id}/open")
def open_page(request: Request, db: DB, staff: Posted, request_id: str) -> Response:
    """Shows what the decision needs (the current and the asked value; for a copy, every answer); each
    opening is written to the access log before the data is opened."""
    with db.transaction() as session:
        req, app = _found(session, staff, request_id)
        try:
            opened = open_request(session, req, app, staff.username)
        except DecisionRefused as e:
            return _page(request, session, staff, req, app, status_code=409, problem=str(e))
        return _page(request, session, staff, req, app, opened=opened)


@router.post("/{request_id}/decide")
def decide_page(request: Request, db: DB, staff: Posted, request_id: str,
                action: Annotated[str, Form(max_length=10)] = "",
                note: Annotated[str, Form(max_length=MAX_NOTE * 4)] = "") -> Response:
    with db.transaction() as session:
        req, app = _found(session, staff, request_id)
        if req.kind == "deletion" and not staff.is_supervisor:
            raise ConsoleError(403, "Penghapusan data diputuskan oleh supervisor.", staff=staff)
        try:
            decide(session, staff.username, req, app, action, note)
        except DecisionRefused as e:
            return _page(request, session, staff, req, app, status_code=409, problem=str(e), note=note)
    return RedirectResponse(f"{PREFIX}/requests?decided={request_id}", status_code=303)
