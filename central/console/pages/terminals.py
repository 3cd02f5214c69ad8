"""The office's kiosks (`/staff/terminals`, supervisors): last seen, queue, oldest unsent, printer state,
versions and last error, silent ones and printer faults in red; revoke one, make an enrollment code,
download a provisioning file."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from central.api.common import DB
from central.console.downloads import download
from central.console.i18n import language_of, translator
from central.console.sessions import StaffContext
from central.console.web import PREFIX, ConsoleError, PostedSupervisor, Supervisor, local_time, render
from central.console.workflow import log_access
from central.deadlines import in_office_hours
from central.errors import CentralError
from central.models import Terminal, as_utc, utcnow
from central.offices import ENROLL_CODE_TTL, get_office, make_enrollment_code
from central.provisioning import make_provisioning_file
from kiosk.clock import clock_warning

router = APIRouter(prefix=f"{PREFIX}/terminals", include_in_schema=False)
SILENT_AFTER = dt.timedelta(hours=2)
PRINTER_OK = {"ok", "ready"}


@dataclass(frozen=True)
class TerminalRow:
    code: str
    last_seen_at: dt.datetime | None
    silent: bool
    queue: dict[str, int]
    waiting: int
    rejected: int
    synced: int
    oldest: str
    app_version: str | None
    catalog_version: str | None
    last_error: str | None
    revoked: bool
    #: the receipt printer's state as the kiosk last reported it; None when it never did (older kiosks)
    printer: str | None = None
    #: "jam salah 3 tahun 2 hari (terlambat)" when the kiosk's clock is wrong (kiosk.clock), else None
    clock: str | None = None
    #: the last update as the kiosk reported it: state, release, why (None: never reported one)
    update_state: str | None = None
    update_version: str | None = None
    update_reason: str | None = None

    @property
    def update_failed(self) -> bool:
        return self.update_state in ("rolled_back", "refused")

    @property
    def printer_fault(self) -> bool:
        return self.printer is not None and self.printer.strip().lower() not in PRINTER_OK


def is_silent(last_seen: dt.datetime | None, now: dt.datetime, zone: ZoneInfo) -> bool:
    """Not heard from for more than 2 hours while the office is open (nights and weekends do not count)."""
    return in_office_hours(now, zone) and (last_seen is None or now - last_seen > SILENT_AFTER)


def _age(seconds: float | None, t) -> str:  # type: ignore[no-untyped-def]
    if not seconds:
        return ""
    minutes = int(seconds // 60)
    if minutes == 0:
        return t("kurang dari 1 menit")
    return t("{m} jam {s} menit", m=minutes // 60, s=minutes % 60)


def terminal_rows(request: Request, db: DB, staff: StaffContext, now: dt.datetime | None = None) -> list[TerminalRow]:
    t, now = translator(request), now or utcnow()
    zone = staff.zone
    with db.transaction() as session:
        terminals = list(session.scalars(select(Terminal).where(Terminal.office_id == staff.office_id)
                                         .order_by(Terminal.code)))
    rows = []
    for k in terminals:
        seen = as_utc(k.last_seen_at)
        queue = json.loads(k.queue_json or "{}")
        silent = k.revoked_at is None and is_silent(seen, now, zone)
        rows.append(TerminalRow(k.code, seen, silent, queue, queue.get("queued", 0) + queue.get("sending", 0),
                                queue.get("rejected", 0), queue.get("synced", 0),
                                _age(k.oldest_unsynced_age_s, t), k.app_version, k.catalog_version, k.last_error,
                                k.revoked_at is not None, k.printer_state,
                                clock_warning(k.clock_offset_s, language_of(request)), k.update_state,
                                k.update_version, k.update_reason))
    return rows


def _page(request: Request, db: DB, staff: StaffContext, **extra: object) -> Response:
    server = str(request.base_url).rstrip("/")
    return render(request, "terminals.html", staff, active="terminals", terminals=terminal_rows(request, db, staff),
                  server_url=server, **extra)


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
        terminal = session.scalar(select(Terminal).where(Terminal.code == code.strip().upper()[:4],
                                                         Terminal.office_id == staff.office_id))
        if terminal is None:
            raise ConsoleError(404, "Kios itu tidak ada di kantor Anda.")
        if terminal.revoked_at is None:
            terminal.revoked_at = utcnow()
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

