"""The office's kiosks (`/staff/terminals`, supervisors): last seen, queue, oldest unsent, printer state,
versions and last error, silent ones and printer faults in red; revoke one, make an enrollment code,
download a provisioning file. The page asks `central.terminals` and puts the rows in the staff's words."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from central.api.common import DB
from central.console.downloads import download
from central.console.i18n import language_of, translator
from central.console.sessions import StaffContext
from central.console.web import PREFIX, ConsoleError, PostedSupervisor, Supervisor, local_time, render
from central.console.workflow import log_access
from central.errors import CentralError, NotFound
from central.models import utcnow
from central.offices import ENROLL_CODE_TTL, get_office, make_enrollment_code
from central.provisioning import make_provisioning_file
from central.terminals import revoke_terminal, terminal_rows
from kiosk.clock import clock_warning

router = APIRouter(prefix=f"{PREFIX}/terminals", include_in_schema=False)


def _age(seconds: float | None, t) -> str:  # type: ignore[no-untyped-def]
    if not seconds:
        return ""
    minutes = int(seconds // 60)
    if minutes == 0:
        return t("kurang dari 1 menit")
    return t("{m} jam {s} menit", m=minutes // 60, s=minutes % 60)


def _page(request: Request, db: DB, staff: StaffContext, **extra: object) -> Response:
    t, lang = translator(request), language_of(request)
    with db.transaction() as session:
        rows = terminal_rows(session, staff.office_id, staff.zone)
    return render(request, "terminals.html", staff, active="terminals", terminals=rows,
                  oldest=lambda row: _age(row.oldest_age_s, t),
                  clock=lambda row: clock_warning(row.clock_offset_s, lang),
                  server_url=str(request.base_url).rstrip("/"), **extra)


@router.get("")
def terminals_page(request: Request, db: DB, staff: Supervisor) -> Response:
    return _page(request, db, staff)


@router.post("/{code}/revoke")
def revoke(request: Request, db: DB, staff: PostedSupervisor, code: str,
           confirm: Annotated[str, Form(max_length=10)] = "") -> Response:
    t = translator(request)
    if confirm != "yes":
        return _page(request, db, staff, message=t("Centang \"yakin\" untuk mencabut kios."))
    with db.transaction() as session:
        try:
            terminal = revoke_terminal(session, staff.office_id, code)
        except NotFound:
            raise ConsoleError(404, "Kios itu tidak ada di kantor Anda.") from None
        log_access(session, staff, "terminal.revoked", detail=terminal.code)
    return _page(request, db, staff, message=t("Kios {code} dicabut; permintaannya ditolak mulai sekarang.",
                                                code=terminal.code))


@router.post("/enrollment-code")
def enrollment_code(request: Request, db: DB, staff: PostedSupervisor) -> Response:
    with db.transaction() as session:
        code = make_enrollment_code(session, get_office(session, staff.office_code))
        log_access(session, staff, "terminal.enrollment_code")
    return _page(request, db, staff, enrollment_code=code, code_until=local_time(utcnow() + ENROLL_CODE_TTL, staff))


@router.post("/provisioning-file")
def provisioning_file(db: DB, staff: PostedSupervisor, server: Annotated[str, Form(max_length=300)] = "") -> Response:
    with db.transaction() as session:
        try:
            document = make_provisioning_file(session, staff.office_code, server.strip())
        except CentralError:
            raise ConsoleError(400, "Alamat server harus diawali http:// atau https://.") from None
        log_access(session, staff, "terminal.provisioning_file", detail=document.terminal_code)
    name = f"{document.terminal_code}.loket-provisioning.json"
    return download(document.model_dump_json(indent=2), "application/json", name)

